package emulator

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"maps"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
)

// The audit log (docs/emulator.md#audit-log): every API write the emulator
// accepts is recorded as an Audit Logs v2 entry of its account, in the
// shape of cloudflare-go's accounts.LogAuditListResponse (docs/api.md#audit-logs),
// and served by GET /client/v4/accounts/{account_id}/logs/audit.

// DefaultMaxAuditEntries is how many audit entries an account keeps
// (Options.MaxAuditEntries): the oldest make way. Far more than the writes
// of a test or a demo; about 7 MB of state per account when full.
const DefaultMaxAuditEntries = 10_000

const (
	auditPath         = "logs/audit"      // below /client/v4/accounts/{account_id}/
	auditProduct      = "zt_risk_scoring" // the emulator's choice: the real value is not published (docs/api.md#audit-logs)
	auditScope        = "accounts"
	defaultAuditLimit = 100   // the emulator's choice; the SDK sets none
	maxAuditLimit     = 1000  // larger limits are capped, as per_page is
	rayColo           = "EMU" // the data-center suffix of the cf-ray header
	maxUserAgentBytes = 512
	// maxAuditFilterValues bounds the filter values of one list, so that
	// a query cannot hold the emulator's one mutex for long.
	maxAuditFilterValues = 100
	// maxAuditField bounds every string of an entry a state file or
	// RecordAudit may hand in: audit entries are small, and a state file
	// padded with megabyte strings is refused at load.
	maxAuditField = 4096
)

// Actor contexts and types, as cloudflare-go spells them.
const (
	ActorContextAPIToken = "api_token"
	ActorContextAPIKey   = "api_key"
	ActorContextDash     = "dash"
	actorTypeUser        = "user"
)

// AuditEntry is one audit log entry, in the API's shape
// (cloudflare-go v7.9.0 accounts.LogAuditListResponse; docs/api.md#audit-logs).
// Zone is left out: risk scoring is account-level.
type AuditEntry struct {
	ID       string        `json:"id"`
	Account  AuditAccount  `json:"account"`
	Action   AuditAction   `json:"action"`
	Actor    AuditActor    `json:"actor"`
	Raw      AuditRaw      `json:"raw"`
	Resource AuditResource `json:"resource"`
}

// AuditAccount is the entry's account.
type AuditAccount struct {
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
}

// AuditAction is what was done: Type is create, update or delete; Result
// is success (only accepted writes are recorded).
type AuditAction struct {
	Description string    `json:"description"`
	Result      string    `json:"result"`
	Time        time.Time `json:"time"`
	Type        string    `json:"type"`
}

// AuditActor is who did it. For a bearer token, Context is api_token and
// TokenID a stable id derived from the token (never the token); Email and
// TokenName are set when Options.Actors names the token. For X-Auth-Key,
// Context is api_key and Email the X-Auth-Email sent.
type AuditActor struct {
	ID        string `json:"id,omitempty"`
	Context   string `json:"context"`
	Email     string `json:"email,omitempty"`
	IPAddress string `json:"ip_address,omitempty"`
	TokenID   string `json:"token_id,omitempty"`
	TokenName string `json:"token_name,omitempty"`
	Type      string `json:"type"`
}

// AuditRaw is the request: CfRayID is the ray id of the answer's cf-ray
// header, without its "-EMU" data-center suffix.
type AuditRaw struct {
	CfRayID    string `json:"cf_ray_id"`
	Method     string `json:"method"`
	StatusCode int    `json:"status_code"`
	URI        string `json:"uri"`
	UserAgent  string `json:"user_agent,omitempty"`
}

// AuditResource is what was changed: an integration id, a behavior key or
// a user id, with its Type.
type AuditResource struct {
	ID      string `json:"id,omitempty"`
	Product string `json:"product"`
	Scope   string `json:"scope"`
	Type    string `json:"type"`
}

// Resource types the emulator files its entries under (its own choice,
// like auditProduct).
const (
	ResourceBehavior    = "risk_behavior"
	ResourceIntegration = "risk_score_integration"
	ResourceUser        = "user_risk"
)

// storedAudit is an entry as the state holds it: Seq orders entries of
// equal time and makes a journal replay idempotent (account.AuditSeq).
type storedAudit struct {
	Seq uint64 `json:"seq"`
	AuditEntry
}

func compareAudit(x, y storedAudit) int {
	if c := x.Action.Time.Compare(y.Action.Time); c != 0 {
		return c
	}
	switch {
	case x.Seq < y.Seq:
		return -1
	case x.Seq > y.Seq:
		return 1
	}
	return 0
}

// addAudit inserts entry in (time, seq) order unless the account has seen
// its seq already (a journal replayed over a state that holds it), then
// drops the oldest past max (0: no bound here; load applies it).
func (a *account) addAudit(entry storedAudit, max int) {
	if entry.Seq <= a.AuditSeq {
		return
	}
	a.AuditSeq = entry.Seq
	i, _ := slices.BinarySearchFunc(a.Audit, entry, compareAudit)
	a.Audit = slices.Insert(a.Audit, i, entry)
	a.trimAudit(max)
}

func (a *account) trimAudit(max int) {
	if max > 0 && len(a.Audit) > max {
		a.Audit = slices.Delete(a.Audit, 0, len(a.Audit)-max)
	}
}

// newRayID is a Cloudflare-like ray id: 16 hex digits.
func newRayID() string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24)
	return hex.EncodeToString(b[:])
}

// stableID derives a 32-hex id from a label and a value. Used for token
// ids and actor ids: the same credential always gets the same id, and the
// id holds no piece of the credential.
func stableID(label, value string) string {
	sum := sha256.Sum256([]byte("riskctl-emulator\x00" + label + "\x00" + value))
	return hex.EncodeToString(sum[:16])
}

// TokenID is the actor.token_id the emulator records for a bearer token.
func TokenID(token string) string { return stableID("token", token) }

// actorTokenName is the token_name of a token that Options.Actors names.
func actorTokenName(email string) string { return "Token for " + email }

// auditActorLocked is who made request r: the bearer token (named by
// Options.Actors, or an unnamed token), else the X-Auth-Key user. The
// credential itself is never recorded.
func (e *Emulator) auditActorLocked(r *http.Request) (AuditActor, []string) {
	actor := AuditActor{Context: ActorContextAPIToken, Type: actorTypeUser, IPAddress: remoteIP(r)}
	authz, hasAuthz := headerValue(r, "Authorization")
	if token, ok := bearerToken(authz); hasAuthz && ok {
		actor.TokenID = TokenID(token)
		if email, named := e.opts.Actors[token]; named {
			actor.Email, actor.TokenName = email, actorTokenName(email)
			actor.ID = stableID("user", email)
		} else {
			actor.ID = stableID("token-user", token)
		}
		return actor, []string{token}
	}
	if key, hasKey := headerValue(r, "X-Auth-Key"); hasKey {
		actor.Context = ActorContextAPIKey
		if email, _ := headerValue(r, "X-Auth-Email"); validEmail(email) {
			actor.Email = email
			actor.ID = stableID("user", email)
		}
		return actor, []string{key}
	}
	if hasAuthz { // not a bearer token: an unnamed actor, and nothing of it kept
		return actor, []string{authz}
	}
	return actor, nil
}

func remoteIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return ""
	}
	return host
}

// userAgent is the request's User-Agent as the entry keeps it: cut to
// maxUserAgentBytes, valid UTF-8, and dropped if it holds any 8-byte
// piece of the credential (riskctl's redaction rule), so that a client
// that put its token there does not find it in the audit log.
func userAgent(r *http.Request, secrets []string) string {
	ua := strings.ToValidUTF8(r.UserAgent(), "\uFFFD")
	if len(ua) > maxUserAgentBytes {
		cut := maxUserAgentBytes
		for cut > 0 && !utf8.RuneStart(ua[cut]) {
			cut--
		}
		ua = ua[:cut]
	}
	for _, s := range secrets {
		if holdsWindow(ua, s, 8) {
			return "[redacted: it held part of the credential]"
		}
	}
	return ua
}

// holdsWindow reports whether text holds any n-byte piece of secret (all
// of it, when it is shorter than n).
func holdsWindow(text, secret string, n int) bool {
	if secret == "" {
		return false
	}
	if len(secret) <= n {
		return strings.Contains(text, secret)
	}
	for i := 0; i+n <= len(secret); i++ {
		if strings.Contains(text, secret[i:i+n]) {
			return true
		}
	}
	return false
}

// auditTarget is one resource a write changed.
type auditTarget struct {
	typ, id, action, description string
}

// auditTargets says what the write of c, about to be journalled as rec,
// changed: one target per behavior key a PUT /behaviors names, else the
// integration or the user.
func auditTargets(c *call, rec record) []auditTarget {
	switch rec.Op {
	case opBehaviors:
		if len(c.auditKeys) == 0 {
			return []auditTarget{{ResourceBehavior, "", "update", "Update risk behaviors"}}
		}
		out := make([]auditTarget, 0, len(c.auditKeys))
		for _, key := range c.auditKeys {
			out = append(out, auditTarget{ResourceBehavior, key, "update", "Update risk behavior " + key})
		}
		return out
	case opIntegration:
		if c.r.Method == http.MethodPost {
			return []auditTarget{{ResourceIntegration, rec.Integration.ID, "create", "Create risk score integration"}}
		}
		return []auditTarget{{ResourceIntegration, rec.Integration.ID, "update", "Update risk score integration"}}
	case opDeleteIntegration:
		return []auditTarget{{ResourceIntegration, rec.ID, "delete", "Delete risk score integration"}}
	case opUser:
		return []auditTarget{{ResourceUser, rec.User.ID, "update", "Reset user risk"}}
	}
	return nil
}

// auditLocked records the write of c (journalled as rec) in its account's
// audit log, and returns the entries for the journal record; their ids go
// to c.auditIDs, for the Cf-Auditlog-Id header.
func (e *Emulator) auditLocked(c *call, rec record) []storedAudit {
	targets := auditTargets(c, rec)
	if len(targets) == 0 {
		return nil
	}
	actor, secrets := e.auditActorLocked(c.r)
	raw := AuditRaw{
		CfRayID:    c.ray,
		Method:     c.r.Method,
		StatusCode: http.StatusOK,
		URI:        loggedPath(c.r.URL.Path),
		UserAgent:  userAgent(c.r, secrets),
	}
	at := e.auditTime()
	out := make([]storedAudit, 0, len(targets))
	for _, t := range targets {
		entry := AuditEntry{
			ID:       uuid.NewString(),
			Account:  AuditAccount{ID: c.account},
			Action:   AuditAction{Description: t.description, Result: "success", Time: at, Type: t.action},
			Actor:    actor,
			Raw:      raw,
			Resource: AuditResource{ID: t.id, Product: auditProduct, Scope: auditScope, Type: t.typ},
		}
		s := storedAudit{Seq: c.acc.AuditSeq + 1, AuditEntry: entry}
		c.acc.addAudit(s, e.maxAudit)
		out = append(out, s)
		c.auditIDs = append(c.auditIDs, entry.ID)
	}
	return out
}

// auditTime is an entry's time: UTC, to the millisecond.
func (e *Emulator) auditTime() time.Time { return e.now().UTC().Truncate(time.Millisecond) }

// RecordAudit adds an entry to the account's audit log as if Cloudflare
// had recorded it: a test uses it for a change made out of band, in the
// dashboard (Actor.Context "dash") or by another tool. Empty fields are
// filled in: ID, Account.ID, Action.Time (now), Action.Result ("success"),
// Actor.Type ("user"), Raw.CfRayID, Resource.Product and Resource.Scope.
// It returns the entry as recorded; an account outside Options.Accounts,
// or an entry with a string over 4 KiB, is ignored (zero AuditEntry).
func (e *Emulator) RecordAudit(accountID string, in AuditEntry) AuditEntry {
	e.mu.Lock()
	a, ok := e.accountLocked(accountID)
	if !ok || checkAuditEntry(in, false) != nil {
		e.mu.Unlock()
		return AuditEntry{}
	}
	if in.ID == "" {
		in.ID = uuid.NewString()
	}
	in.Account.ID = accountID
	if in.Action.Time.IsZero() {
		in.Action.Time = e.auditTime()
	}
	in.Action.Time = in.Action.Time.UTC()
	fill := func(s *string, v string) {
		if *s == "" {
			*s = v
		}
	}
	fill(&in.Action.Result, "success")
	fill(&in.Actor.Type, actorTypeUser)
	fill(&in.Raw.CfRayID, newRayID())
	fill(&in.Resource.Product, auditProduct)
	fill(&in.Resource.Scope, auditScope)
	s := storedAudit{Seq: a.AuditSeq + 1, AuditEntry: in}
	a.addAudit(s, e.maxAudit)
	seq := e.appendQuietlyLocked(accountID, record{Op: opAudit, Audit: []storedAudit{s}})
	e.mu.Unlock()
	e.syncQuietly(seq)
	return in
}

// AuditLog returns the account's audit entries, oldest first.
func (e *Emulator) AuditLog(accountID string) []AuditEntry {
	e.mu.Lock()
	defer e.mu.Unlock()
	a, ok := e.accountLocked(accountID)
	if !ok {
		return nil
	}
	out := make([]AuditEntry, len(a.Audit))
	for i, s := range a.Audit {
		out[i] = s.AuditEntry
	}
	return out
}

// checkAuditEntry refuses an entry no emulator would record: a string
// over maxAuditField bytes, or (stored) one without id or time.
func checkAuditEntry(in AuditEntry, stored bool) error {
	for _, s := range []string{in.ID, in.Account.ID, in.Account.Name, in.Action.Description, in.Action.Result, in.Action.Type,
		in.Actor.ID, in.Actor.Context, in.Actor.Email, in.Actor.IPAddress, in.Actor.TokenID, in.Actor.TokenName, in.Actor.Type,
		in.Raw.CfRayID, in.Raw.Method, in.Raw.URI, in.Raw.UserAgent,
		in.Resource.ID, in.Resource.Product, in.Resource.Scope, in.Resource.Type} {
		if len(s) > maxAuditField {
			return fmt.Errorf("a field is longer than %d bytes", maxAuditField)
		}
	}
	if stored && (in.ID == "" || in.Action.Time.IsZero()) {
		return fmt.Errorf("entry without id or action.time")
	}
	return nil
}

// auditInfo is the result_info of the audit list. cursor is what the API
// reference documents; cursors.after is where cloudflare-go v7.9.0's
// auto-pager (pagination.CursorPaginationAfter) reads it. Both carry the
// same cursor; neither is sent on the last page (docs/api.md#audit-logs).
type auditInfo struct {
	Count   int          `json:"count"`
	Cursor  string       `json:"cursor,omitempty"`
	Cursors auditCursors `json:"cursors"`
}

type auditCursors struct {
	After string `json:"after,omitempty"`
}

// auditFilters are the query parameters that filter entries, and what of
// an entry each compares. name=v keeps entries whose field is one of the
// values given; name.not=v (how cloudflare-go sends them) drops them.
var auditFilters = map[string]func(s *storedAudit) string{
	"id":               func(s *storedAudit) string { return s.ID },
	"audit_log_id":     func(s *storedAudit) string { return s.ID },
	"account_name":     func(s *storedAudit) string { return s.Account.Name },
	"action_result":    func(s *storedAudit) string { return s.Action.Result },
	"action_type":      func(s *storedAudit) string { return s.Action.Type },
	"actor_context":    func(s *storedAudit) string { return s.Actor.Context },
	"actor_email":      func(s *storedAudit) string { return s.Actor.Email },
	"actor_id":         func(s *storedAudit) string { return s.Actor.ID },
	"actor_ip_address": func(s *storedAudit) string { return s.Actor.IPAddress },
	"actor_token_id":   func(s *storedAudit) string { return s.Actor.TokenID },
	"actor_token_name": func(s *storedAudit) string { return s.Actor.TokenName },
	"actor_type":       func(s *storedAudit) string { return s.Actor.Type },
	"raw_cf_ray_id":    func(s *storedAudit) string { return s.Raw.CfRayID },
	"raw_method":       func(s *storedAudit) string { return s.Raw.Method },
	"raw_status_code":  func(s *storedAudit) string { return strconv.Itoa(s.Raw.StatusCode) },
	"raw_uri":          func(s *storedAudit) string { return s.Raw.URI },
	"resource_id":      func(s *storedAudit) string { return s.Resource.ID },
	"resource_product": func(s *storedAudit) string { return s.Resource.Product },
	"resource_scope":   func(s *storedAudit) string { return s.Resource.Scope },
	"resource_type":    func(s *storedAudit) string { return s.Resource.Type },
	"zone_id":          func(*storedAudit) string { return "" },
	"zone_name":        func(*storedAudit) string { return "" },
}

// filterValue is a value as filters compare it: a ray id without its
// data-center suffix, so that the cf-ray header's value matches too.
func filterValue(name, v string) string {
	if name == "raw_cf_ray_id" {
		v, _, _ = strings.Cut(v, "-")
	}
	return v
}

type auditFilter struct {
	get func(s *storedAudit) string
	in  []string // keep only these (none: keep all)
	not []string // drop these
}

func (f auditFilter) keeps(s *storedAudit, name string) bool {
	got := f.get(s)
	match := func(list []string) bool {
		return slices.ContainsFunc(list, func(w string) bool { return strings.EqualFold(got, filterValue(name, w)) })
	}
	return (len(f.in) == 0 || match(f.in)) && !match(f.not)
}

// auditQuery is a parsed GET /logs/audit query.
type auditQuery struct {
	since, before time.Time
	limit         int
	asc           bool
	after         *auditCursor // continue past this entry
	filters       map[string]auditFilter
}

type auditCursor struct {
	nanos int64
	seq   uint64
}

func (c auditCursor) encode() string {
	return base64.RawURLEncoding.EncodeToString([]byte(fmt.Sprintf("v1.%d.%d", c.nanos, c.seq)))
}

func decodeCursor(s string) (*auditCursor, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(raw) > 64 {
		return nil, false
	}
	parts := strings.Split(string(raw), ".")
	if len(parts) != 3 || parts[0] != "v1" {
		return nil, false
	}
	nanos, err1 := strconv.ParseInt(parts[1], 10, 64)
	seq, err2 := strconv.ParseUint(parts[2], 10, 64)
	if err1 != nil || err2 != nil {
		return nil, false
	}
	return &auditCursor{nanos, seq}, true
}

func (c auditCursor) compare(s storedAudit) int {
	if t := s.Action.Time.UnixNano(); c.nanos != t {
		if c.nanos < t {
			return -1
		}
		return 1
	}
	switch {
	case c.seq < s.Seq:
		return -1
	case c.seq > s.Seq:
		return 1
	}
	return 0
}

// parseAuditTime reads since or before as the API takes them: a date
// (2026-12-05, midnight UTC) or an RFC 3339 date-time.
func parseAuditTime(s string) (time.Time, bool) {
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, true
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), true
	}
	return time.Time{}, false
}

func badAuditQuery(format string, args ...any) *reply {
	rp := failf(http.StatusBadRequest, codeBadQuery, format, args...)
	return &rp
}

func parseAuditQuery(r *http.Request) (auditQuery, *reply) {
	q := r.URL.Query()
	out := auditQuery{limit: defaultAuditLimit, filters: map[string]auditFilter{}}
	for _, p := range []struct {
		name string
		dst  *time.Time
	}{{"since", &out.since}, {"before", &out.before}} {
		s := q.Get(p.name)
		if s == "" {
			return out, badAuditQuery("Query parameter %s is required: a date (2006-01-02) or an RFC 3339 date-time", p.name)
		}
		t, ok := parseAuditTime(s)
		if !ok {
			return out, badAuditQuery("Query parameter %s must be a date (2006-01-02) or an RFC 3339 date-time, got %q", p.name, cut(s))
		}
		*p.dst = t
	}
	if out.since.After(out.before) {
		return out, badAuditQuery("Query parameter since must not be later than before")
	}
	if s := q.Get("limit"); s != "" {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || f < 1 || f != float64(int64(f)) {
			return out, badAuditQuery("Query parameter limit must be a positive integer, got %q", cut(s))
		}
		out.limit = int(min(f, maxAuditLimit))
	}
	switch d := q.Get("direction"); d {
	case "", "desc":
	case "asc":
		out.asc = true
	default:
		return out, badAuditQuery("Query parameter direction must be asc or desc, got %q", cut(d))
	}
	if s := q.Get("cursor"); s != "" {
		c, ok := decodeCursor(s)
		if !ok {
			return out, badAuditQuery("Query parameter cursor is not a cursor this API gave")
		}
		out.after = c
	}
	values := 0
	for _, key := range slices.Sorted(maps.Keys(q)) {
		name, neg := strings.CutSuffix(key, ".not")
		get, known := auditFilters[name]
		if !known {
			continue // product_category and anything else: accepted, ignored
		}
		if values += len(q[key]); values > maxAuditFilterValues {
			return out, badAuditQuery("Too many filter values: at most %d", maxAuditFilterValues)
		}
		f := out.filters[name]
		f.get = get
		if neg {
			f.not = append(f.not, q[key]...)
		} else {
			f.in = append(f.in, q[key]...)
		}
		out.filters[name] = f
	}
	return out, nil
}

// cut shortens a query value for an error message.
func cut(s string) string {
	if len(s) <= 64 {
		return s
	}
	i := 64
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + "..."
}

// listAudit answers GET /accounts/{account_id}/logs/audit: the entries
// with since <= action.time < before that pass every filter, newest first
// (direction=desc, the default) or oldest first, limit at a time; the
// cursor of result_info continues past the last entry of the page. With
// Options.NoAuditRead it answers 403 code 10000, as for a token without
// audit-log read permission.
func (e *Emulator) listAudit(c *call) reply {
	if e.opts.NoAuditRead {
		return failf(http.StatusForbidden, codeAuth, "Authentication error")
	}
	q, rp := parseAuditQuery(c.r)
	if rp != nil {
		return *rp
	}
	n := len(c.acc.Audit)
	page := []AuditEntry{}
	var last storedAudit
	more := false
	for k := 0; k < n; k++ {
		i := k
		if !q.asc {
			i = n - 1 - k
		}
		s := &c.acc.Audit[i]
		if q.after != nil {
			if cmp := q.after.compare(*s); q.asc && cmp >= 0 || !q.asc && cmp <= 0 {
				continue
			}
		}
		if s.Action.Time.Before(q.since) || !s.Action.Time.Before(q.before) {
			continue
		}
		kept := true
		for name, f := range q.filters {
			if !f.keeps(s, name) {
				kept = false
				break
			}
		}
		if !kept {
			continue
		}
		if len(page) == q.limit {
			more = true
			break
		}
		page = append(page, s.AuditEntry)
		last = *s
	}
	info := auditInfo{Count: len(page)}
	if more {
		cur := auditCursor{last.Action.Time.UnixNano(), last.Seq}.encode()
		info.Cursor, info.Cursors.After = cur, cur
	}
	return reply{status: http.StatusOK, result: page, info: info}
}

// checkStoredAudit refuses an entry of a state file or journal that the
// emulator could not have written.
func checkStoredAudit(s storedAudit) error {
	if s.Seq == 0 {
		return fmt.Errorf("entry %q: seq must be positive", cut(s.ID))
	}
	if err := checkAuditEntry(s.AuditEntry, true); err != nil {
		return fmt.Errorf("entry %q: %w", cut(s.ID), err)
	}
	return nil
}

func checkStateAudit(a *account, add addFunc) {
	for i, s := range a.Audit {
		if err := checkStoredAudit(s); err != nil {
			add("audit entry %d: %v", i, err)
		}
	}
}

// checkActors returns the problems of Options.Actors, sorted. They name
// the email, never the token: an error message must not leak a credential.
func checkActors(actors map[string]string) []string {
	var out []string
	for token, email := range actors {
		if _, ok := bearerToken("Bearer " + token); !ok || strings.TrimSpace(token) != token {
			out = append(out, fmt.Sprintf("the token of %q is empty or contains spaces", cut(email)))
		}
		if !validEmail(email) {
			out = append(out, fmt.Sprintf("%q is not an email address", cut(email)))
		}
	}
	slices.Sort(out)
	return out
}
