package remote

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The account's audit log (Audit Logs v2, GET /accounts/{id}/logs/audit;
// cloudflare-go's accounts/logaudit.go is the reference for its shape),
// read so that drift and plan can say who changed a drifted object
// (docs/attribution.md). Like the Access reads it is separate from API,
// so fakes of API need not grow; *Client implements it.
//
// The API filters only by exclusion, so the window is read whole and kept
// to risk-scoring writes on the client: an entry is kept when its raw.uri
// holds "/accounts/<this account>/zt_risk_scoring/" and its method writes
// (PUT, POST, PATCH, DELETE). Every other entry is dropped as it is read,
// so what is held is bounded by what riskctl could ever show.

// AuditReader reads the account's audit log. A token without the
// permission gets an error wrapping ErrNoAuditRead.
type AuditReader interface {
	// ListAuditLogs answers GET /accounts/{id}/logs/audit over
	// [q.Since, q.Before), newest first, following the cursor within
	// AuditMaxPages pages.
	ListAuditLogs(ctx context.Context, q AuditQuery) (AuditLog, error)
}

var _ AuditReader = (*Client)(nil)

// ErrNoAuditRead is wrapped by the error of ListAuditLogs when the
// credential may not read the audit log (HTTP 403 or 401): the caller
// says so and goes on.
var ErrNoAuditRead = errors.New("no audit-log read permission")

// AuditQuery is the window of an audit-log read.
type AuditQuery struct {
	Since, Before time.Time
}

// AuditLog is what a read of the audit log kept.
type AuditLog struct {
	// Entries are the risk-scoring writes of the window, newest first.
	Entries []AuditEntry
	// Truncated says the read stopped at AuditMaxPages with more to read:
	// older entries were not seen.
	Truncated bool
	// Pages is how many pages were read.
	Pages int
}

// AuditEntry is one audit-log entry, as sent (escaping is the
// renderers' job).
type AuditEntry struct {
	ID             string
	Time           time.Time
	Action         string // action.type: "create", "update", "delete", …
	Result         string // action.result: "success", "failure"
	ActorEmail     string
	ActorTokenName string
	ActorTokenID   string
	ActorType      string // user | account | cloudflare_admin | system
	ActorContext   string // api_key | api_token | dash | oauth | origin_ca_key
	Method         string // raw.method, upper-case
	URI            string // raw.uri
	RayID          string // raw.cf_ray_id
	UserAgent      string // raw.user_agent
	StatusCode     int
	ResourceID     string
	// BehaviorKeys are the keys of a behaviors PUT's request body
	// (resource.request.behaviors), when the entry carries it; nil when
	// it does not, so a match on the URI alone is still possible.
	BehaviorKeys []string
}

// Bounds of one audit-log read: at most AuditMaxPages pages of
// AuditPageLimit entries (10 000 entries of every product in the window),
// and at most AuditMaxBehaviorKeys keys kept per entry. A window holding
// more is reported as truncated, never read without end.
const (
	AuditPageLimit       = 1000
	AuditMaxPages        = 10
	AuditMaxBehaviorKeys = 256
	// auditMaxField bounds each string kept from an entry: an id, an
	// email or a URI longer than this is cut (with "…").
	auditMaxField = 512
)

type wireAudit struct {
	ID     string `json:"id"`
	Action struct {
		Result string `json:"result"`
		Time   string `json:"time"` // RFC 3339; one that does not parse is kept as no time
		Type   string `json:"type"`
	} `json:"action"`
	Actor struct {
		Context   string `json:"context"`
		Email     string `json:"email"`
		TokenID   string `json:"token_id"`
		TokenName string `json:"token_name"`
		Type      string `json:"type"`
	} `json:"actor"`
	Raw struct {
		CfRayID    string  `json:"cf_ray_id"`
		Method     string  `json:"method"`
		StatusCode float64 `json:"status_code"`
		URI        string  `json:"uri"`
		UserAgent  string  `json:"user_agent"`
	} `json:"raw"`
	Resource struct {
		ID      string          `json:"id"`
		Request json.RawMessage `json:"request"`
	} `json:"resource"`
}

// auditPage is one page's envelope: the SDK's CursorPaginationAfter.
type auditPage struct {
	Success    *bool             `json:"success"`
	Errors     []ErrorItem       `json:"errors"`
	Result     []json.RawMessage `json:"result"`
	ResultInfo struct {
		Cursors struct {
			After string `json:"after"`
		} `json:"cursors"`
	} `json:"result_info"`
}

func decodeAuditPage(body []byte) (*envelope, bool) {
	var p auditPage
	if json.Unmarshal(body, &p) != nil || p.Success == nil || !*p.Success || p.Result == nil {
		return nil, false
	}
	return &envelope{Success: p.Success, Errors: p.Errors, typed: &p}, true
}

// ListAuditLogs reads the window newest first and keeps the account's
// risk-scoring writes.
func (c *Client) ListAuditLogs(ctx context.Context, q AuditQuery) (AuditLog, error) {
	const op = "read audit log"
	if !q.Since.Before(q.Before) {
		return AuditLog{}, fmt.Errorf("%s: empty window (%s to %s)", op, q.Since.Format(time.RFC3339), q.Before.Format(time.RFC3339))
	}
	query := url.Values{
		"since":     {q.Since.UTC().Format(time.RFC3339)},
		"before":    {q.Before.UTC().Format(time.RFC3339)},
		"limit":     {strconv.Itoa(AuditPageLimit)},
		"direction": {"desc"},
	}
	prefix := "/accounts/" + c.s.accountID + "/zt_risk_scoring/"
	escaped := "/accounts/" + url.PathEscape(c.s.accountID) + "/zt_risk_scoring/"
	var out AuditLog
	out.Entries = []AuditEntry{}
	seen := map[string]bool{} // cursors already followed: a loop ends the read
	for {
		env, err := c.do(ctx, request{op: op, method: http.MethodGet, api: "/logs/audit", query: query, decodeTyped: decodeAuditPage})
		if err != nil {
			if NotPermitted(err) {
				return AuditLog{}, fmt.Errorf("%w: %w", ErrNoAuditRead, err)
			}
			return AuditLog{}, err
		}
		page, ok := env.typed.(*auditPage)
		if !ok {
			return AuditLog{}, fmt.Errorf("%s: page %d: result is not a list of entries", op, out.Pages+1)
		}
		out.Pages++
		for i, raw := range page.Result {
			if !isObject(raw) {
				return AuditLog{}, fmt.Errorf("%s: page %d: entry %d: not a JSON object", op, out.Pages, i+1)
			}
			// Only the entries kept must decode: one of another product
			// that riskctl cannot read is none of its business.
			var head struct {
				Raw struct {
					Method string `json:"method"`
					URI    string `json:"uri"`
				} `json:"raw"`
			}
			if json.Unmarshal(raw, &head) != nil || !riskScoringWrite(head.Raw.Method, head.Raw.URI, prefix, escaped) {
				continue
			}
			var w wireAudit
			if err := json.Unmarshal(raw, &w); err != nil {
				return AuditLog{}, fmt.Errorf("%s: page %d: entry %d: %w", op, out.Pages, i+1, err)
			}
			out.Entries = append(out.Entries, auditEntry(w))
		}
		next := page.ResultInfo.Cursors.After
		if len(page.Result) == 0 || next == "" || seen[next] {
			return out, nil
		}
		if out.Pages >= AuditMaxPages {
			out.Truncated = true
			return out, nil
		}
		seen[next] = true
		query = cloneValues(query)
		query.Set("cursor", next)
	}
}

func cloneValues(v url.Values) url.Values {
	out := make(url.Values, len(v))
	for k, vs := range v {
		out[k] = slices.Clone(vs)
	}
	return out
}

// riskScoringWrite reports whether an entry is a risk-scoring write of
// this account: a writing method, and a URI whose path holds prefix (as
// sent, or escaped).
func riskScoringWrite(method, uri, prefix, escaped string) bool {
	switch strings.ToUpper(method) {
	case http.MethodPut, http.MethodPost, http.MethodPatch, http.MethodDelete:
	default:
		return false
	}
	path := uri
	if u, err := url.Parse(uri); err == nil && u.Path != "" {
		path = u.Path
	}
	return strings.Contains(path, prefix) || strings.Contains(uri, escaped)
}

// auditEntry converts a kept entry, its strings bounded.
func auditEntry(w wireAudit) AuditEntry {
	t, err := time.Parse(time.RFC3339, w.Action.Time)
	if err != nil {
		t = time.Time{}
	}
	e := AuditEntry{
		ID:             cut(w.ID),
		Time:           t,
		Action:         cut(w.Action.Type),
		Result:         cut(w.Action.Result),
		ActorEmail:     cut(w.Actor.Email),
		ActorTokenName: cut(w.Actor.TokenName),
		ActorTokenID:   cut(w.Actor.TokenID),
		ActorType:      cut(w.Actor.Type),
		ActorContext:   cut(w.Actor.Context),
		Method:         strings.ToUpper(w.Raw.Method),
		URI:            cut(w.Raw.URI),
		RayID:          cut(w.Raw.CfRayID),
		UserAgent:      cut(w.Raw.UserAgent),
		ResourceID:     cut(w.Resource.ID),
	}
	if sc := w.Raw.StatusCode; sc >= 0 && sc < 1000 {
		e.StatusCode = int(sc)
	}
	e.BehaviorKeys = behaviorKeys(w.Resource.Request)
	return e
}

// behaviorKeys are the keys of {"behaviors": {key: …}} in a request body,
// at most AuditMaxBehaviorKeys; nil when the body is not that shape.
func behaviorKeys(raw json.RawMessage) []string {
	if !isObject(raw) {
		return nil
	}
	var body struct {
		Behaviors map[string]json.RawMessage `json:"behaviors"`
	}
	if json.Unmarshal(raw, &body) != nil || body.Behaviors == nil {
		return nil
	}
	keys := make([]string, 0, min(len(body.Behaviors), AuditMaxBehaviorKeys))
	for k := range body.Behaviors {
		if len(keys) == AuditMaxBehaviorKeys {
			break
		}
		keys = append(keys, cut(k))
	}
	slices.Sort(keys)
	return keys
}

// cut bounds a string kept from an entry to auditMaxField bytes, at a
// rune boundary.
func cut(s string) string {
	if len(s) <= auditMaxField {
		return s
	}
	i := auditMaxField
	for i > 0 && !utf8RuneStart(s[i]) {
		i--
	}
	return s[:i] + "…"
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }
