package emulator

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// The audit log's wire shape, as the tests read it: a mirror of
// cloudflare-go v7.9.0 accounts.LogAuditListResponse (and its nested
// structs), decoded strictly so that a field the SDK does not know fails.
type wireAudit struct {
	ID      string `json:"id"`
	Account struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"account"`
	Action struct {
		Description string    `json:"description"`
		Result      string    `json:"result"`
		Time        time.Time `json:"time"`
		Type        string    `json:"type"`
	} `json:"action"`
	Actor struct {
		ID        string `json:"id"`
		Context   string `json:"context"`
		Email     string `json:"email"`
		IPAddress string `json:"ip_address"`
		TokenID   string `json:"token_id"`
		TokenName string `json:"token_name"`
		Type      string `json:"type"`
	} `json:"actor"`
	Raw struct {
		CfRayID    string `json:"cf_ray_id"`
		Method     string `json:"method"`
		StatusCode int64  `json:"status_code"`
		URI        string `json:"uri"`
		UserAgent  string `json:"user_agent"`
	} `json:"raw"`
	Resource struct {
		ID       string `json:"id"`
		Product  string `json:"product"`
		Request  any    `json:"request"`
		Response any    `json:"response"`
		Scope    any    `json:"scope"`
		Type     string `json:"type"`
	} `json:"resource"`
	Zone struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"zone"`
}

// wireAuditInfo is result_info: cursor as the API reference has it,
// cursors.after as cloudflare-go's pager reads it.
type wireAuditInfo struct {
	Count   *int   `json:"count"`
	Cursor  string `json:"cursor"`
	Cursors struct {
		After string `json:"after"`
	} `json:"cursors"`
}

const (
	aliceToken = "alice-Tok3n-9f8e7d6c5b4a"
	bobToken   = "bob-Tok3n-0a1b2c3d4e5f6"
	auditPathQ = "/client/v4/accounts/" + testAccount + "/logs/audit"
)

// clock is a settable Options.Now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func newAuditEnv(t *testing.T, opts Options) (*testEnv, *clock) {
	t.Helper()
	c := &clock{t: fixedNow}
	opts.Now = c.now
	if opts.Actors == nil {
		opts.Actors = map[string]string{aliceToken: "alice@example.com", bobToken: "bob@example.com"}
	}
	return newTestEnv(t, opts), c
}

// audit lists one page of the audit log with query (since and before are
// added when absent) and decodes it strictly.
func (v *testEnv) audit(query string, headers ...string) ([]wireAudit, wireAuditInfo, response) {
	v.t.Helper()
	q, err := url.ParseQuery(query)
	if err != nil {
		v.t.Fatal(err)
	}
	if !q.Has("since") {
		q.Set("since", "2000-01-01")
	}
	if !q.Has("before") {
		q.Set("before", "2100-01-01")
	}
	if len(headers) == 0 {
		headers = []string{"Authorization", "Bearer " + aliceToken}
	}
	r := v.do("GET", auditPathQ+"?"+q.Encode(), nil, headers...)
	if r.status != http.StatusOK {
		return nil, wireAuditInfo{}, r
	}
	var entries []wireAudit
	dec := json.NewDecoder(bytes.NewReader(r.fields["result"]))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&entries); err != nil {
		v.t.Fatalf("audit result does not decode as the SDK's shape: %v\n%s", err, r.raw)
	}
	var info wireAuditInfo
	if err := json.Unmarshal(r.fields["result_info"], &info); err != nil || info.Count == nil {
		v.t.Fatalf("result_info %s: %v", r.fields["result_info"], err)
	}
	if *info.Count != len(entries) || info.Cursor != info.Cursors.After {
		v.t.Errorf("result_info %s for %d entries", r.fields["result_info"], len(entries))
	}
	return entries, info, r
}

func ids(entries []wireAudit) []string {
	out := make([]string, len(entries))
	for i, e := range entries {
		out[i] = e.ID
	}
	return out
}

// TestAuditEveryWrite: each kind of write is recorded once per resource,
// with its actor, request and resource, and answered with its
// Cf-Auditlog-Id and the cf-ray whose id the entry holds.
func TestAuditEveryWrite(t *testing.T) {
	v, clk := newAuditEnv(t, Options{SeedUsers: 2})
	alice := []string{"Authorization", "Bearer " + aliceToken, "User-Agent", "riskctl-test/1"}
	type write struct {
		method, op string
		body       any
	}
	in := v.create("ref-a", "https://a.okta.com") // unauthenticated: auth is not enforced
	user := v.e.Users(testAccount)[0].ID
	writes := []write{
		{"PUT", "/behaviors", map[string]any{"behaviors": map[string]any{
			"imp_travel": map[string]any{"enabled": true, "risk_level": "high"},
			"high_dlp":   map[string]any{"enabled": false, "risk_level": "low"},
		}}},
		{"POST", "/integrations", map[string]any{"integration_type": "Okta", "tenant_url": "https://b.okta.com"}},
		{"PUT", "/integrations/" + in.ID, map[string]any{"tenant_url": "https://a.okta.com", "active": false}},
		{"DELETE", "/integrations/" + in.ID, nil},
		{"POST", "/" + user + "/reset", nil},
	}
	var headers []http.Header
	for _, w := range writes {
		clk.add(time.Second)
		r := v.do(w.method, path(w.op), w.body, alice...).wantOK(t)
		headers = append(headers, r.header)
	}
	entries, info, _ := v.audit("direction=asc")
	if info.Cursor != "" {
		t.Errorf("one page, yet a cursor: %+v", info)
	}
	// The create above (no credential), then 2 behaviors, create, update, delete, reset.
	if len(entries) != 7 {
		t.Fatalf("%d entries, want 7: %+v", len(entries), entries)
	}
	type want struct{ action, typ, id, method, uri string }
	wants := []want{
		{"create", ResourceIntegration, in.ID, "POST", path("/integrations")},
		{"update", ResourceBehavior, "high_dlp", "PUT", path("/behaviors")},
		{"update", ResourceBehavior, "imp_travel", "PUT", path("/behaviors")},
		{"create", ResourceIntegration, "", "POST", path("/integrations")},
		{"update", ResourceIntegration, in.ID, "PUT", path("/integrations/" + in.ID)},
		{"delete", ResourceIntegration, in.ID, "DELETE", path("/integrations/" + in.ID)},
		{"update", ResourceUser, user, "POST", path("/" + user + "/reset")},
	}
	for i, e := range entries {
		w := wants[i]
		if e.Action.Type != w.action || e.Resource.Type != w.typ || w.id != "" && e.Resource.ID != w.id || e.Resource.ID == "" ||
			e.Raw.Method != w.method || e.Raw.URI != w.uri || e.Raw.StatusCode != 200 || e.Action.Result != "success" ||
			e.Action.Description == "" || e.Resource.Product != "zt_risk_scoring" || e.Resource.Scope != "accounts" ||
			e.Account.ID != testAccount || e.Actor.Type != "user" || e.Actor.Context != "api_token" || e.Actor.IPAddress != "127.0.0.1" {
			t.Errorf("entry %d = %+v, want %+v", i, e, w)
		}
		if i == 0 {
			if e.Actor.Email != "" || e.Actor.TokenID != "" || e.Actor.TokenName != "" {
				t.Errorf("a request without credential is recorded with an actor: %+v", e.Actor)
			}
			continue
		}
		if e.Actor.Email != "alice@example.com" || e.Actor.TokenName != "Token for alice@example.com" ||
			e.Actor.TokenID != TokenID(aliceToken) || len(e.Actor.TokenID) != 32 || e.Actor.ID == "" || e.Raw.UserAgent != "riskctl-test/1" {
			t.Errorf("entry %d actor %+v, raw %+v", i, e.Actor, e.Raw)
		}
		// The two behaviors share the first write's second; one write a second after.
		if got, want := e.Action.Time, fixedNow.Add(time.Duration(max(i-1, 1))*time.Second); !got.Equal(want) {
			t.Errorf("entry %d time %v, want %v", i, got, want)
		}
	}
	// Each write's answer names its entries (the PUT /behaviors both) and
	// carries the ray id they record.
	byWrite := [][]wireAudit{entries[1:3], entries[3:4], entries[4:5], entries[5:6], entries[6:7]}
	for i, h := range headers {
		if got, want := h.Values("Cf-Auditlog-Id"), ids(byWrite[i]); !slices.Equal(got, want) {
			t.Errorf("write %d: Cf-Auditlog-Id %v, want %v", i, got, want)
		}
		ray, colo, _ := strings.Cut(h.Get("Cf-Ray"), "-")
		if len(ray) != 16 || colo != "EMU" {
			t.Errorf("write %d: cf-ray %q", i, h.Get("Cf-Ray"))
		}
		for _, e := range byWrite[i] {
			if e.Raw.CfRayID != ray {
				t.Errorf("write %d: entry ray %q, header %q", i, e.Raw.CfRayID, h.Get("Cf-Ray"))
			}
		}
	}
	// RFC 3339 in UTC on the wire.
	_, _, r := v.audit("limit=1")
	if !bytes.Contains(r.raw, []byte(`"time":"2025-03-19T19:54:01Z"`)) {
		t.Errorf("time not RFC 3339 UTC: %s", r.raw)
	}
}

// TestAuditOnlyAcceptedWrites: reads, refused writes and failed writes
// leave no entry; a stored write whose answer is lost (commit-then-fail)
// is recorded, but its lost answer names no entry.
func TestAuditOnlyAcceptedWrites(t *testing.T) {
	v, _ := newAuditEnv(t, Options{Token: "main-token"})
	alice := []string{"Authorization", "Bearer " + aliceToken}
	v.do("GET", path("/behaviors"), nil, alice...).wantOK(t)
	r := v.do("PUT", path("/behaviors"), map[string]any{"behaviors": map[string]any{"nope": map[string]any{"enabled": true, "risk_level": "low"}}}, alice...)
	r.wantError(t, 400, codeUnknownKey)
	if r.header.Get("Cf-Auditlog-Id") != "" || r.header.Get("Cf-Ray") == "" {
		t.Errorf("a refused write: headers %v", r.header)
	}
	v.do("PUT", path("/behaviors"), map[string]any{"behaviors": map[string]any{}}, "Authorization", "Bearer wrong-token").wantError(t, 403, codeAuth)
	if entries, _, _ := v.audit(""); len(entries) != 0 {
		t.Fatalf("entries for reads and refused writes: %+v", entries)
	}
	v.e.InjectFault(Fault{Method: "POST", CommitThenFail: true})
	r = v.do("POST", path("/integrations"), map[string]any{"integration_type": "Okta", "tenant_url": "https://a.okta.com"}, alice...)
	if r.status != 500 || r.header.Get("Cf-Auditlog-Id") != "" {
		t.Errorf("commit-then-fail: %d %v", r.status, r.header)
	}
	entries, _, _ := v.audit("")
	if len(entries) != 1 || entries[0].Action.Type != "create" || entries[0].Resource.ID != v.e.Integrations(testAccount)[0].ID {
		t.Errorf("a stored write with a lost answer: %+v", entries)
	}
}

// TestAuditActors: with auth enforced, each --actor token is accepted and
// its writes are recorded as its person; the main token is an unnamed
// token, and a Global API Key is its X-Auth-Email's user.
func TestAuditActors(t *testing.T) {
	v, _ := newAuditEnv(t, Options{Token: "main-token", APIKey: testKey, Email: "owner@example.com"})
	body := map[string]any{"behaviors": map[string]any{"imp_travel": map[string]any{"enabled": true, "risk_level": "high"}}}
	v.do("PUT", path("/behaviors"), body, "Authorization", "Bearer "+bobToken).wantOK(t)
	v.do("PUT", path("/behaviors"), body, "Authorization", "Bearer main-token").wantOK(t)
	v.do("PUT", path("/behaviors"), body, "X-Auth-Key", testKey, "X-Auth-Email", "owner@example.com").wantOK(t)
	entries, _, _ := v.audit("direction=asc", "Authorization", "Bearer main-token")
	if len(entries) != 3 {
		t.Fatalf("%d entries", len(entries))
	}
	bob, unnamed, key := entries[0].Actor, entries[1].Actor, entries[2].Actor
	if bob.Email != "bob@example.com" || bob.TokenName != "Token for bob@example.com" || bob.TokenID != TokenID(bobToken) || bob.Context != "api_token" {
		t.Errorf("bob: %+v", bob)
	}
	if unnamed.Email != "" || unnamed.TokenName != "" || unnamed.TokenID != TokenID("main-token") || unnamed.Context != "api_token" || unnamed.ID == "" {
		t.Errorf("unnamed token: %+v", unnamed)
	}
	if key.Email != "owner@example.com" || key.Context != "api_key" || key.TokenID != "" || key.TokenName != "" {
		t.Errorf("api key: %+v", key)
	}
	if bob.ID == unnamed.ID || bob.ID == key.ID {
		t.Errorf("actor ids collide: %q %q %q", bob.ID, unnamed.ID, key.ID)
	}
}

// TestAuditHoldsNoCredential: no 8-character piece of a token or key (the
// redaction rule of internal/redact) appears in the audit log's answer, the
// state file or its journal, even when a client puts its token in its
// User-Agent.
func TestAuditHoldsNoCredential(t *testing.T) {
	dir := t.TempDir()
	statePath := filepath.Join(dir, "state.json")
	v, _ := newAuditEnv(t, Options{Token: "main-token-0123456789", APIKey: testKey, Email: "owner@example.com", StatePath: statePath})
	body := map[string]any{"behaviors": map[string]any{"imp_travel": map[string]any{"enabled": true, "risk_level": "high"}}}
	v.do("PUT", path("/behaviors"), body, "Authorization", "Bearer "+aliceToken, "User-Agent", "client "+aliceToken[3:15]).wantOK(t)
	v.do("PUT", path("/behaviors"), body, "Authorization", "Bearer main-token-0123456789").wantOK(t)
	v.do("PUT", path("/behaviors"), body, "X-Auth-Key", testKey, "X-Auth-Email", "owner@example.com", "User-Agent", "k/"+testKey).wantOK(t)
	entries, _, r := v.audit("")
	if len(entries) != 3 {
		t.Fatalf("%d entries", len(entries))
	}
	journal, err := os.ReadFile(statePath + ".journal")
	if err != nil {
		t.Fatal(err)
	}
	if err := v.e.Save(); err != nil {
		t.Fatal(err)
	}
	state, err := os.ReadFile(statePath)
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{aliceToken, "main-token-0123456789", testKey} {
		for where, text := range map[string][]byte{"answer": r.raw, "journal": journal, "state": state} {
			for i := 0; i+8 <= len(secret); i++ {
				if bytes.Contains(text, []byte(secret[i:i+8])) {
					t.Errorf("%s holds %q, a piece of a credential", where, secret[i:i+8])
				}
			}
		}
	}
	if !bytes.Contains(r.raw, []byte("[redacted")) {
		t.Errorf("the user agent with a piece of the token is not replaced: %s", r.raw)
	}
}

// TestAuditWindow: since and before are required, take dates or RFC 3339
// date-times, and keep since <= time < before.
func TestAuditWindow(t *testing.T) {
	v, clk := newAuditEnv(t, Options{})
	var times []time.Time
	for i := 0; i < 3; i++ {
		v.create("ref", "https://a.okta.com")
		times = append(times, clk.now())
		clk.add(24 * time.Hour)
	}
	count := func(query string) int {
		t.Helper()
		entries, _, r := v.audit(query)
		if r.status != 200 {
			t.Fatalf("%s: %d %s", query, r.status, r.raw)
		}
		return len(entries)
	}
	if n := count("since=2025-03-20&before=2025-03-21"); n != 1 {
		t.Errorf("one day by dates: %d entries", n)
	}
	at := times[1].Format(time.RFC3339)
	if n := count("since=" + at + "&before=2100-01-01"); n != 2 {
		t.Errorf("since is inclusive: %d entries", n)
	}
	if n := count("since=2000-01-01&before=" + at); n != 1 {
		t.Errorf("before is exclusive: %d entries", n)
	}
	if n := count("since=" + url.QueryEscape(times[1].In(time.FixedZone("x", 3600)).Format(time.RFC3339)) + "&before=" + url.QueryEscape(times[2].Add(time.Nanosecond).Format(time.RFC3339Nano))); n != 2 {
		t.Errorf("offsets and fractions: %d entries", n)
	}
	for _, query := range []string{"before=2100-01-01", "since=2000-01-01", "since=yesterday&before=2100-01-01", "since=2000-01-01&before=2100-13-01",
		"since=2100-01-01&before=2000-01-01", "since=2000-01-01&before=2100-01-01&limit=0", "since=2000-01-01&before=2100-01-01&limit=x",
		"since=2000-01-01&before=2100-01-01&limit=1.5", "since=2000-01-01&before=2100-01-01&direction=up", "since=2000-01-01&before=2100-01-01&cursor=bm9wZQ"} {
		r := v.do("GET", auditPathQ+"?"+query, nil)
		r.wantError(t, 400, codeBadQuery)
	}
	// Missing since: the message names it.
	r := v.do("GET", auditPathQ+"?before=2100-01-01", nil)
	if !strings.Contains(r.errors[0].Message, "since") {
		t.Errorf("message %q", r.errors[0].Message)
	}
}

// TestAuditPaging: cursor pages, newest first by default and oldest
// first with direction=asc, cover every entry once; the last page has
// no cursor; limit is capped at 1000.
func TestAuditPaging(t *testing.T) {
	v, clk := newAuditEnv(t, Options{})
	for i := 0; i < 7; i++ {
		v.create("ref", "https://a.okta.com")
		if i%2 == 0 { // some entries share a time: seq orders them
			clk.add(time.Second)
		}
	}
	all := ids(v.e.auditWire(t))
	for _, dir := range []string{"", "desc", "asc"} {
		var got []string
		cursor := ""
		for pages := 0; ; pages++ {
			if pages > 3 {
				t.Fatalf("%q: too many pages", dir)
			}
			q := "limit=3"
			if dir != "" {
				q += "&direction=" + dir
			}
			if cursor != "" {
				q += "&cursor=" + url.QueryEscape(cursor)
			}
			entries, info, _ := v.audit(q)
			got = append(got, ids(entries)...)
			if info.Cursor == "" {
				if len(entries) != 1 {
					t.Errorf("%q: last page has %d entries", dir, len(entries))
				}
				break
			}
			if len(entries) != 3 {
				t.Errorf("%q: a page with a cursor has %d entries", dir, len(entries))
			}
			cursor = info.Cursor
		}
		want := slices.Clone(all)
		if dir != "asc" {
			slices.Reverse(want)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%q: pages give %v, want %v", dir, got, want)
		}
	}
	// The cap: 1005 entries, limit 5000, one page of 1000.
	for i := 0; i < 998; i++ {
		v.e.RecordAudit(testAccount, AuditEntry{Action: AuditAction{Type: "update"}})
	}
	entries, info, _ := v.audit("limit=5000")
	if len(entries) != 1000 || info.Cursor == "" {
		t.Errorf("limit 5000 gave %d entries, cursor %q", len(entries), info.Cursor)
	}
	if entries, _, _ := v.audit(""); len(entries) != 100 {
		t.Errorf("default limit gave %d entries", len(entries))
	}
}

// auditWire is the account's log as the API shows it, oldest first.
func (e *Emulator) auditWire(t *testing.T) []wireAudit {
	t.Helper()
	data, err := json.Marshal(e.AuditLog(testAccount))
	if err != nil {
		t.Fatal(err)
	}
	var out []wireAudit
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestAuditFilters: the filters riskctl uses keep what they name
// (name=value, repeatable) or drop it (name.not=value, as cloudflare-go
// sends them); unknown parameters are ignored.
func TestAuditFilters(t *testing.T) {
	v, _ := newAuditEnv(t, Options{APIKey: testKey, Email: "owner@example.com", Token: "main-token"})
	bob := []string{"Authorization", "Bearer " + bobToken}
	body := map[string]any{"behaviors": map[string]any{"imp_travel": map[string]any{"enabled": true, "risk_level": "high"}}}
	r := v.do("PUT", path("/behaviors"), body, bob...).wantOK(t)
	bobRay := r.header.Get("Cf-Ray")
	bobID := r.header.Get("Cf-Auditlog-Id")
	var in wireIntegration
	v.do("POST", path("/integrations"), map[string]any{"integration_type": "Okta", "tenant_url": "https://a.okta.com"},
		"Authorization", "Bearer "+aliceToken).wantOK(t).result(t, &in)
	v.do("DELETE", path("/integrations/"+in.ID), nil, "X-Auth-Key", testKey, "X-Auth-Email", "owner@example.com").wantOK(t)
	dash := v.e.RecordAudit(testAccount, AuditEntry{
		Action:   AuditAction{Description: "Update risk behavior imp_travel", Type: "update"},
		Actor:    AuditActor{Context: ActorContextDash, Email: "carol@example.com"},
		Raw:      AuditRaw{Method: "PUT", StatusCode: 200, URI: path("/behaviors")},
		Resource: AuditResource{ID: "imp_travel", Type: ResourceBehavior},
	})
	for query, want := range map[string]int{
		"":                            4,
		"actor_email=bob@example.com": 1,
		"actor_email=BOB@example.com": 1,
		"actor_email=bob@example.com&actor_email=carol@example.com": 2,
		"actor_email.not=bob@example.com":                           3,
		"actor_context=dash":                                        1,
		"actor_context=api_key":                                     1,
		"actor_context=api_token":                                   2,
		"actor_token_name=Token for alice@example.com":              1,
		"actor_token_id=" + TokenID(bobToken):                       1,
		"actor_type=user":                                           4,
		"actor_type=system":                                         0,
		"action_type=delete":                                        1,
		"action_type.not=update":                                    2,
		"resource_id=imp_travel":                                    2,
		"resource_id=" + in.ID:                                      2,
		"resource_type=" + ResourceIntegration:                      2,
		"resource_product=zt_risk_scoring":                          4,
		"resource_product.not=zt_risk_scoring":                      0,
		"raw_method=delete":                                         1,
		"raw_cf_ray_id=" + bobRay:                                   1,
		"raw_cf_ray_id=" + strings.TrimSuffix(bobRay, "-EMU"):       1,
		"audit_log_id=" + bobID:                                     1,
		"audit_log_id=" + dash.ID:                                   1,
		"id.not=" + dash.ID:                                         3,
		"raw_status_code=200":                                       4,
		"resource_scope=accounts":                                   4,
		"product_category=zerotrust&page=2":                         4,
		"actor_email=bob@example.com&action_type=delete":            0,
	} {
		entries, _, _ := v.audit(query, "Authorization", "Bearer main-token")
		if len(entries) != want {
			t.Errorf("%q: %d entries, want %d", query, len(entries), want)
		}
	}
}

// TestAuditNoRead: with NoAuditRead the list is 403 code 10000, as for a
// token without audit-log read permission; writes are still recorded.
func TestAuditNoRead(t *testing.T) {
	v, _ := newAuditEnv(t, Options{NoAuditRead: true})
	r := v.do("POST", path("/integrations"), map[string]any{"integration_type": "Okta", "tenant_url": "https://a.okta.com"}).wantOK(t)
	if r.header.Get("Cf-Auditlog-Id") == "" {
		t.Error("no Cf-Auditlog-Id")
	}
	_, _, r = v.audit("")
	r.wantError(t, 403, codeAuth)
	if len(v.e.AuditLog(testAccount)) != 1 {
		t.Error("the write was not recorded")
	}
}

// TestAuditBoundedAndPersisted: the log survives a restart (journal
// replay, then the compacted state file) without a duplicate, keeps at
// most MaxAuditEntries per account (the oldest dropped), and a restart
// with a smaller bound trims it.
func TestAuditBoundedAndPersisted(t *testing.T) {
	statePath := filepath.Join(t.TempDir(), "state.json")
	v, _ := newAuditEnv(t, Options{StatePath: statePath, MaxAuditEntries: 4})
	for i := 0; i < 6; i++ {
		v.create("ref", "https://a.okta.com")
	}
	v.e.RecordAudit(testAccount, AuditEntry{Actor: AuditActor{Context: ActorContextDash}})
	before := ids(v.e.auditWire(t))
	if len(before) != 4 {
		t.Fatalf("%d entries kept, want 4", len(before))
	}
	v.srv.Close()
	if err := v.e.Close(); err != nil { // no Save: the journal holds the entries
		t.Fatal(err)
	}
	reopen := func(max int) *Emulator {
		t.Helper()
		e, err := New(Options{StatePath: statePath, MaxAuditEntries: max})
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	e := reopen(4)
	if got := ids(e.auditWire(t)); !slices.Equal(got, before) {
		t.Errorf("after a journal replay: %v, want %v", got, before)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	e = reopen(2)
	if got := ids(e.auditWire(t)); !slices.Equal(got, before[2:]) {
		t.Errorf("with a bound of 2: %v, want %v", got, before[2:])
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestAuditJournalReplayTwice: replaying a write's record over a state
// that already holds its entry adds no duplicate.
func TestAuditJournalReplayTwice(t *testing.T) {
	st := newState()
	st.Accounts[testAccount] = newAccount(testAccount, 1, 0, predefinedBehaviors)
	entry := storedAudit{Seq: 1, AuditEntry: AuditEntry{ID: "x", Action: AuditAction{Time: fixedNow}}}
	line, err := json.Marshal(record{Op: opAudit, Account: testAccount, Audit: []storedAudit{entry}})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		if err := applyRecord(st, line, "state.json"); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(st.Accounts[testAccount].Audit); n != 1 {
		t.Errorf("%d entries after replaying one record twice", n)
	}
	bad, _ := json.Marshal(record{Op: opAudit, Account: testAccount, Audit: []storedAudit{{Seq: 2}}})
	if err := applyRecord(st, bad, "state.json"); err == nil {
		t.Error("an entry without id or time was replayed")
	}
}

// TestAuditActorOptions: a bad Actors entry is refused, naming the email
// and never the token.
func TestAuditActorOptions(t *testing.T) {
	_, err := New(Options{Actors: map[string]string{"secret token": "a@example.com", "secret-token-2": "not-an-email"}})
	if err == nil {
		t.Fatal("bad Actors accepted")
	}
	if strings.Contains(err.Error(), "secret") {
		t.Errorf("the error leaks a token: %v", err)
	}
	for _, want := range []string{`"a@example.com"`, `"not-an-email" is not an email address`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}

// TestAuditFilterValuesBounded: a query with more than 100 filter values
// is refused, so that no list holds the emulator's mutex for long.
func TestAuditFilterValuesBounded(t *testing.T) {
	v, _ := newAuditEnv(t, Options{})
	q := "since=2000-01-01&before=2100-01-01" + strings.Repeat("&actor_email=x@example.com", 101)
	v.do("GET", auditPathQ+"?"+q, nil).wantError(t, 400, codeBadQuery)
	q = "since=2000-01-01&before=2100-01-01" + strings.Repeat("&actor_email=x@example.com", 100)
	v.do("GET", auditPathQ+"?"+q, nil).wantOK(t)
}

// BenchmarkWriteWithFullAuditLog measures one behaviors PUT through the
// HTTP handler with the account's audit log full (DefaultMaxAuditEntries),
// so that each write also drops the oldest entry. median-ms is the median.
func BenchmarkWriteWithFullAuditLog(b *testing.B) {
	e, err := New(Options{Accounts: []string{testAccount}, Now: func() time.Time { return fixedNow }})
	if err != nil {
		b.Fatal(err)
	}
	for range DefaultMaxAuditEntries {
		e.RecordAudit(testAccount, AuditEntry{Action: AuditAction{Type: "update"}})
	}
	body := `{"behaviors":{"imp_travel":{"enabled":true,"risk_level":"high"}}}`
	durations := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		req := httptest.NewRequest(http.MethodPut, path("/behaviors"), strings.NewReader(body))
		w := httptest.NewRecorder()
		e.ServeHTTP(w, req)
		durations = append(durations, time.Since(start))
		if w.Code != http.StatusOK {
			b.Fatalf("put: %d %s", w.Code, w.Body)
		}
	}
	b.StopTimer()
	slices.Sort(durations)
	b.ReportMetric(float64(durations[len(durations)/2].Microseconds())/1000, "median-ms")
	if n := len(e.AuditLog(testAccount)); n != DefaultMaxAuditEntries {
		b.Errorf("%d entries kept", n)
	}
}
