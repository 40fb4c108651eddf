package emulator

import (
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// apiPrefix is where every operation lives: /client/v4/accounts/{account_id}/zt_risk_scoring/...,
// the read-only Access lists /client/v4/accounts/{account_id}/access/{kind} (access.go)
// and the audit log /client/v4/accounts/{account_id}/logs/audit (audit.go).
const (
	apiPrefix     = "/client/v4/accounts/"
	serviceName   = "zt_risk_scoring"
	accessService = "access"
)

// call is one request as a handler sees it. Handlers run with e.mu held.
type call struct {
	r       *http.Request
	body    []byte
	acc     *account
	account string // account id
	id      string // user_id, integration_id or reference_id, depending on the route
	seq     uint64 // set by commitLocked: the write's journal record
	ray     string // the ray id of the answer's cf-ray header (without "-EMU")
	// auditKeys are the behavior keys a PUT /behaviors names, sorted: one
	// audit entry each (audit.go).
	auditKeys []string
	auditIDs  []string // set by commitLocked: the audit entries recorded, for Cf-Auditlog-Id
}

// handlerFunc implements one operation. It runs with e.mu held and must not
// block on I/O: a write queues its journal record (commitLocked), which
// ServeHTTP syncs after the mutex is released.
type handlerFunc func(e *Emulator, c *call) reply

// route is a resolved path: the handlers by method, and the path parameters.
type route struct {
	methods map[string]handlerFunc
	account string
	id      string
	idIsUID bool // id must be a UUID (user_id, integration_id); reference_id is free-form
	// entitled: the operations need the risk-scoring entitlement, which
	// Cloudflare checks on the integrations collection (docs/api.md#integrations).
	entitled bool
}

// resolve maps a path to its operations. Literal segments are matched
// before the {user_id} catch-all, so /summary, /behaviors and /integrations
// are never taken for user ids (the real API's routing quirk).
func resolve(escapedPath string) (route, bool) {
	rest, found := strings.CutPrefix(escapedPath, apiPrefix)
	if !found {
		return route{}, false
	}
	segs := strings.Split(rest, "/")
	for i, s := range segs {
		u, err := url.PathUnescape(s)
		if err != nil || u == "" {
			return route{}, false
		}
		segs[i] = u
	}
	if len(segs) == 3 && segs[1] == accessService && slices.Contains(accessKinds, segs[2]) {
		return route{account: segs[0], methods: map[string]handlerFunc{http.MethodGet: listAccess(segs[2])}}, true
	}
	if len(segs) == 3 && segs[1]+"/"+segs[2] == auditPath {
		return route{account: segs[0], methods: map[string]handlerFunc{http.MethodGet: (*Emulator).listAudit}}, true
	}
	if len(segs) < 3 || segs[1] != serviceName {
		return route{}, false
	}
	rt := route{account: segs[0]}
	tail := segs[2:]
	switch {
	case len(tail) == 1 && tail[0] == "behaviors":
		rt.methods = map[string]handlerFunc{http.MethodGet: (*Emulator).getBehaviors, http.MethodPut: (*Emulator).putBehaviors}
	case len(tail) == 1 && tail[0] == "summary":
		rt.methods = map[string]handlerFunc{http.MethodGet: (*Emulator).getSummary}
	case len(tail) == 1 && tail[0] == "integrations":
		rt.methods = map[string]handlerFunc{http.MethodGet: (*Emulator).listIntegrations, http.MethodPost: (*Emulator).createIntegration}
		rt.entitled = true
	case len(tail) == 3 && tail[0] == "integrations" && tail[1] == "reference_id":
		rt.methods = map[string]handlerFunc{http.MethodGet: (*Emulator).getIntegrationByReference}
		rt.id = tail[2]
	case len(tail) == 2 && tail[0] == "integrations":
		rt.methods = map[string]handlerFunc{
			http.MethodGet:    (*Emulator).getIntegration,
			http.MethodPut:    (*Emulator).updateIntegration,
			http.MethodDelete: (*Emulator).deleteIntegration,
		}
		rt.id, rt.idIsUID = tail[1], true
	case len(tail) == 1:
		rt.methods = map[string]handlerFunc{http.MethodGet: (*Emulator).getUser}
		rt.id, rt.idIsUID = tail[0], true
	case len(tail) == 2 && tail[1] == "reset":
		rt.methods = map[string]handlerFunc{http.MethodPost: (*Emulator).resetUser}
		rt.id, rt.idIsUID = tail[0], true
	default:
		return route{}, false
	}
	return rt, true
}

// dispatch picks the handler for the request, or the routing failure:
// 404 7000 for an unknown path, 405 for a known path with another method,
// 400 7003 (+7000) for an account id that is not 32 lower-case hex or an
// identifier that is not a UUID. Cloudflare routes on the identifiers'
// form (docs/api.md#account-ids), so a malformed account is never provisioned.
func dispatch(r *http.Request) (route, handlerFunc, *reply) {
	rt, found := resolve(r.URL.EscapedPath())
	if !found {
		rp := failf(http.StatusNotFound, codeNoRoute, "No route for that URI")
		return rt, nil, &rp
	}
	h, found := rt.methods[r.Method]
	if !found {
		rp := failf(http.StatusMethodNotAllowed, codeMethod, "Method %s not allowed for this URI", r.Method)
		rp.setHeader("Allow", strings.Join(slices.Sorted(maps.Keys(rt.methods)), ", "))
		return rt, nil, &rp
	}
	if !ValidAccountID(rt.account) || rt.idIsUID && !isUUID(rt.id) {
		rp := fail(http.StatusBadRequest,
			apiError{Code: codeBadIdentifier, Message: "Could not route to " + r.URL.Path + ", perhaps your object identifier is invalid?"},
			apiError{Code: codeNoRoute, Message: "No route for that URI"})
		return rt, nil, &rp
	}
	return rt, h, nil
}

// ValidAccountID reports whether id has the form of a Cloudflare account
// id: exactly 32 lower-case hex characters. Upper-case hex is refused, as
// the real API refuses it (docs/api.md#account-ids).
func ValidAccountID(id string) bool {
	if len(id) != 32 {
		return false
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// isUUID accepts the canonical 8-4-4-4-12 hex form only (any version, any
// case), unlike uuid.Parse which also takes braces, urn: and bare hex.
func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
	}
	return true
}
