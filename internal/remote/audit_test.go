package remote

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// The audit-log reader against the fake server. Entries are shaped after
// cloudflare-go v7.9.0's accounts/logaudit.go (LogAuditListResponse) and
// its CursorPaginationAfter envelope.

const auditRoute = "GET /client/v4/accounts/" + testAccount + "/logs/audit"

// auditJSON is one entry; method and uri vary, the rest is fixed.
func auditJSON(id, method, uri, email string) string {
	return fmt.Sprintf(`{"id":%q,"account":{"id":%q,"name":"Acme"},`+
		`"action":{"description":"Update","result":"success","time":"2026-12-05T14:02:00Z","type":"update"},`+
		`"actor":{"id":"u1","context":"dash","email":%q,"ip_address":"192.0.2.7","token_id":"","token_name":"","type":"user"},`+
		`"raw":{"cf_ray_id":"ray-%s","method":%q,"status_code":200,"uri":%q,"user_agent":"Mozilla/5.0"},`+
		`"resource":{"id":"","product":"zt_risk_scoring","request":{"behaviors":{"imp_travel":{"enabled":false}}},"response":null,"scope":null,"type":""},`+
		`"zone":{"id":"","name":""}}`, id, testAccount, email, id, method, uri)
}

func riskURI(rest string) string {
	return "/client/v4/accounts/" + testAccount + "/zt_risk_scoring/" + rest
}

func cursorPage(entries []string, after string) http.HandlerFunc {
	return okPage("["+strings.Join(entries, ",")+"]", fmt.Sprintf(`{"cursors":{"after":%q}}`, after))
}

func TestListAuditLogsFollowsTheCursorAndKeepsRiskScoringWrites(t *testing.T) {
	f := newFake(t)
	pages := map[string]http.HandlerFunc{
		"": cursorPage([]string{
			auditJSON("a1", "PUT", riskURI("behaviors"), "alice@example.com"),
			auditJSON("a2", "GET", riskURI("behaviors"), "reader@example.com"),                           // a read
			auditJSON("a3", "PUT", "/client/v4/accounts/"+testAccount+"/access/apps/x", "b@example.com"), // another product
		}, "c2"),
		"c2": cursorPage([]string{
			auditJSON("a4", "delete", riskURI("integrations/i-9"), "bob@example.com"),
			auditJSON("a5", "PUT", "/client/v4/accounts/other/zt_risk_scoring/behaviors", "c@example.com"), // another account
		}, "c3"),
		"c3": cursorPage([]string{}, ""),
	}
	var queries []url.Values
	f.handle(auditRoute, func(w http.ResponseWriter, r *http.Request) {
		queries = append(queries, r.URL.Query())
		pages[r.URL.Query().Get("cursor")](w, r)
	})
	since := time.Date(2026, 11, 5, 0, 0, 0, 0, time.UTC)
	before := since.Add(30 * 24 * time.Hour)
	got, err := f.client().ListAuditLogs(context.Background(), AuditQuery{Since: since, Before: before})
	if err != nil {
		t.Fatal(err)
	}
	if got.Pages != 3 || got.Truncated {
		t.Errorf("pages %d, truncated %v; want 3, false", got.Pages, got.Truncated)
	}
	var ids []string
	for _, e := range got.Entries {
		ids = append(ids, e.ID)
	}
	if strings.Join(ids, ",") != "a1,a4" {
		t.Fatalf("kept %v, want a1,a4 (the account's risk-scoring writes)", ids)
	}
	a1 := got.Entries[0]
	if a1.ActorEmail != "alice@example.com" || a1.ActorContext != "dash" || a1.ActorType != "user" || a1.RayID != "ray-a1" ||
		a1.Method != "PUT" || a1.Action != "update" || a1.UserAgent != "Mozilla/5.0" || !a1.Time.Equal(time.Date(2026, 12, 5, 14, 2, 0, 0, time.UTC)) ||
		strings.Join(a1.BehaviorKeys, ",") != "imp_travel" {
		t.Errorf("entry a1 = %+v", a1)
	}
	if got.Entries[1].Method != "DELETE" {
		t.Errorf("method kept as %q, want upper-case DELETE", got.Entries[1].Method)
	}
	q := queries[0]
	if q.Get("since") != "2026-11-05T00:00:00Z" || q.Get("before") != "2026-12-05T00:00:00Z" || q.Get("direction") != "desc" || q.Get("limit") != "1000" || q.Has("cursor") {
		t.Errorf("first query = %v", q)
	}
	if queries[1].Get("cursor") != "c2" || queries[1].Get("since") != "2026-11-05T00:00:00Z" {
		t.Errorf("second query = %v", queries[1])
	}
}

func TestListAuditLogsStopsAtItsBound(t *testing.T) {
	f := newFake(t)
	n := 0
	f.handle(auditRoute, func(w http.ResponseWriter, r *http.Request) {
		n++
		cursorPage([]string{auditJSON(fmt.Sprint("e", n), "PUT", riskURI("behaviors"), "x@example.com")}, fmt.Sprint("c", n))(w, r)
	})
	now := time.Now()
	got, err := f.client().ListAuditLogs(context.Background(), AuditQuery{Since: now.Add(-time.Hour), Before: now})
	if err != nil {
		t.Fatal(err)
	}
	if n != AuditMaxPages || got.Pages != AuditMaxPages || !got.Truncated || len(got.Entries) != AuditMaxPages {
		t.Errorf("requests %d, pages %d, truncated %v, entries %d; want %d pages, truncated", n, got.Pages, got.Truncated, len(got.Entries), AuditMaxPages)
	}
}

func TestListAuditLogsEndsACursorLoop(t *testing.T) {
	f := newFake(t)
	f.handle(auditRoute, cursorPage([]string{auditJSON("e", "PUT", riskURI("behaviors"), "x@example.com")}, "same"))
	now := time.Now()
	got, err := f.client().ListAuditLogs(context.Background(), AuditQuery{Since: now.Add(-time.Hour), Before: now})
	if err != nil {
		t.Fatal(err)
	}
	if got.Pages != 2 || got.Truncated {
		t.Errorf("pages %d, truncated %v; want 2 (the repeated cursor is not followed)", got.Pages, got.Truncated)
	}
}

func TestListAuditLogsWithoutPermission(t *testing.T) {
	f := newFake(t)
	f.handle(auditRoute, fail(http.StatusForbidden, 10000, "Authentication error"))
	now := time.Now()
	_, err := f.client().ListAuditLogs(context.Background(), AuditQuery{Since: now.Add(-time.Hour), Before: now})
	if !errors.Is(err, ErrNoAuditRead) || !NotPermitted(err) {
		t.Fatalf("err = %v; want ErrNoAuditRead", err)
	}
}

func TestListAuditLogsOtherFailures(t *testing.T) {
	f := newFake(t)
	f.handle(auditRoute, fail(http.StatusBadRequest, 1001, "bad since"))
	now := time.Now()
	_, err := f.client().ListAuditLogs(context.Background(), AuditQuery{Since: now.Add(-time.Hour), Before: now})
	if err == nil || errors.Is(err, ErrNoAuditRead) {
		t.Fatalf("err = %v; want a plain failure", err)
	}
	f.handle(auditRoute, okPage(`[{"id":1,"raw":{"method":"PUT","uri":"`+riskURI("behaviors")+`"}}]`, `{}`))
	if _, err := f.client().ListAuditLogs(context.Background(), AuditQuery{Since: now.Add(-time.Hour), Before: now}); err == nil {
		t.Fatal("a risk-scoring entry that does not decode: no error")
	}
	// One of another product that does not decode is skipped; a time
	// that does not parse is no time.
	bad := strings.Replace(auditJSON("ok", "PUT", riskURI("behaviors"), "a@example.com"), "2026-12-05T14:02:00Z", "yesterday", 1)
	f.handle(auditRoute, cursorPage([]string{`{"id":1,"raw":{"method":"PUT","uri":"/accounts/x/dns"}}`, `{"raw":7}`, bad}, ""))
	got, err := f.client().ListAuditLogs(context.Background(), AuditQuery{Since: now.Add(-time.Hour), Before: now})
	if err != nil || len(got.Entries) != 1 || !got.Entries[0].Time.IsZero() {
		t.Fatalf("got %+v, %v; want the one risk-scoring entry, without a time", got, err)
	}
	f.handle(auditRoute, okPage(`[7]`, `{}`))
	if _, err := f.client().ListAuditLogs(context.Background(), AuditQuery{Since: now.Add(-time.Hour), Before: now}); err == nil {
		t.Fatal("an entry that is not an object: no error")
	}
}

func TestListAuditLogsBoundsWhatItKeeps(t *testing.T) {
	f := newFake(t)
	long := strings.Repeat("é", auditMaxField)
	f.handle(auditRoute, cursorPage([]string{auditJSON("e", "PUT", riskURI("behaviors"), long)}, ""))
	now := time.Now()
	got, err := f.client().ListAuditLogs(context.Background(), AuditQuery{Since: now.Add(-time.Hour), Before: now})
	if err != nil {
		t.Fatal(err)
	}
	if e := got.Entries[0].ActorEmail; len(e) > auditMaxField+len("…") || !strings.HasSuffix(e, "…") {
		t.Errorf("email kept at %d bytes", len(e))
	}
}

func TestWritesAreRecordedWithTheirAuditIDs(t *testing.T) {
	f := newFake(t)
	f.handle("DELETE /integrations/"+integrationID, withHeader("Cf-Auditlog-Id", "log-1", withHeader("cf-ray", "8b1c-SJC", okRaw(`{}`))))
	f.handle("GET /integrations/"+integrationID, withHeader("Cf-Auditlog-Id", "log-read", okRaw(integrationJSON)))
	c := f.client()
	run, runWrites := WithWriteRecord(context.Background())
	step, stepWrites := WithWriteRecord(run)
	if err := c.DeleteIntegration(step, integrationID); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetIntegration(step, integrationID); err != nil {
		t.Fatal(err)
	}
	for name, got := range map[string][]Write{"step": stepWrites(), "run": runWrites()} {
		if len(got) != 1 || got[0].Method != "DELETE" || got[0].AuditLogID != "log-1" || got[0].RayID != "8b1c-SJC" || got[0].Status != 200 ||
			!strings.HasSuffix(got[0].Path, "/integrations/"+integrationID) {
			t.Errorf("%s record = %+v; want the DELETE only, with its ids", name, got)
		}
	}
}
