package contracttest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// fakeTB records Errorf calls instead of failing the real test.
type fakeTB struct {
	testing.TB
	mu   sync.Mutex
	errs []string
}

func (f *fakeTB) Helper() {}

func (f *fakeTB) Errorf(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.errs = append(f.errs, fmt.Sprintf(format, args...))
}

func (f *fakeTB) Error(args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.errs = append(f.errs, fmt.Sprint(args...))
}

func (f *fakeTB) errors() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.errs...)
}

const (
	acct     = "0e1d2c3b4a5968778695a4b3c2d1e0f0"
	base     = "/client/v4/accounts/" + acct + "/zt_risk_scoring"
	intID    = "5b8a2f0e-8d1c-4c55-9a3e-2f9b6c1d0e7a"
	userID   = "0f6e2a4c-1b3d-4e5f-8a9b-c0d1e2f3a4b5"
	jsonType = "application/json; charset=UTF-8"
)

func integration() map[string]any {
	return map[string]any{
		"id":               intID,
		"account_tag":      acct,
		"integration_type": "Okta",
		"reference_id":     "ref-1",
		"tenant_url":       "https://tenant.okta.com",
		"well_known_url":   "https://ssf.risk-score.teams.cloudflare.com/.well-known/sse-configuration/" + intID,
		"active":           true,
		"created_at":       "2025-03-19T19:53:56Z",
	}
}

func success(result any) map[string]any {
	return map[string]any{"success": true, "errors": []any{}, "messages": []any{}, "result": result}
}

func failure(code int, msg string) map[string]any {
	return map[string]any{
		"success":  false,
		"errors":   []any{map[string]any{"code": code, "message": msg}},
		"messages": []any{},
		"result":   nil,
	}
}

// answer is a handler that writes a fixed status and JSON body.
func answer(status int, body any) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", jsonType)
		w.WriteHeader(status)
		switch b := body.(type) {
		case string:
			_, _ = io.WriteString(w, b)
		default:
			_ = json.NewEncoder(w).Encode(b)
		}
	})
}

func authed(req *http.Request) *http.Request {
	req.Header.Set("Authorization", "Bearer test-token")
	return req
}

func newReq(method, path string, body any) *http.Request {
	var r io.Reader
	if body != nil {
		switch b := body.(type) {
		case string:
			r = strings.NewReader(b)
		default:
			buf, _ := json.Marshal(b)
			r = bytes.NewReader(buf)
		}
	}
	req := httptest.NewRequest(method, path, r)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return authed(req)
}

// run sends req through the middleware around h and returns the reported
// violations (on a fake TB) and the contract's records.
func run(t *testing.T, h http.Handler, req *http.Request) ([]string, *Contract) {
	t.Helper()
	c := Load(t)
	ft := &fakeTB{TB: t}
	rec := httptest.NewRecorder()
	c.Middleware(ft, h).ServeHTTP(rec, req)
	if got, want := len(ft.errors()), len(c.Failures()); got != want {
		t.Errorf("reported %d violations but recorded %d", got, want)
	}
	return ft.errors(), c
}

func TestContractLoads(t *testing.T) {
	c := Load(t)
	if got := len(c.Operations()); got != 11 {
		t.Errorf("contract has %d operations, want 11: %v", got, c.Operations())
	}
	if c.BasePath() != "/client/v4" {
		t.Errorf("BasePath = %q, want /client/v4", c.BasePath())
	}
	t.Logf("contract: %s", c.Path())
}

// TestContractVendoredSpecMatchesShared keeps testdata/ from drifting away from the
// shared reference copy.
func TestContractVendoredSpecMatchesShared(t *testing.T) {
	root, err := ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	shared, vendored := SharedSpecPath(root), VendoredSpecPath(root)
	a, errA := os.ReadFile(shared)
	b, errB := os.ReadFile(vendored)
	if errA != nil || errB != nil {
		t.Skipf("need both copies to compare: %v; %v", errA, errB)
	}
	if !bytes.Equal(a, b) {
		t.Fatalf("%s differs from %s: refresh the vendored copy with\n\tcp %s %s", vendored, shared, shared, vendored)
	}
}

func TestContractLocateHonoursEnv(t *testing.T) {
	root, err := ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv(EnvSpec, VendoredSpecPath(root))
	p, _, err := Locate()
	if err != nil || p != VendoredSpecPath(root) {
		t.Errorf("Locate() = %q, %v; want %q", p, err, VendoredSpecPath(root))
	}
	t.Setenv(EnvSpec, VendoredSpecPath(root)+".missing")
	if _, _, err := Locate(); err == nil {
		t.Errorf("Locate() with a missing $%s: want an error", EnvSpec)
	}
}

func TestContractLocateNothing(t *testing.T) {
	t.Setenv(EnvSpec, "")
	dir := t.TempDir()
	root := filepath.Join(dir, "main")
	if err := os.MkdirAll(filepath.Join(root, "internal", "x"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "go.mod"), []byte("module example.com/x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(filepath.Join(root, "internal", "x"))
	p, looked, err := Locate()
	if err != nil || p != "" {
		t.Fatalf("Locate() = %q, %v; want nothing found", p, err)
	}
	want := []string{filepath.Join(dir, "shared", "api", SpecFile), filepath.Join(root, VendoredSpec)}
	if strings.Join(looked, "|") != strings.Join(want, "|") {
		t.Errorf("looked at %q, want %q", looked, want)
	}
}

func TestContractRouting(t *testing.T) {
	c := Load(t)
	cases := []struct{ method, path, op string }{
		{"GET", base + "/" + userID, "dlp-risk-score-summary-get-for-user"},
		{"POST", base + "/" + userID + "/reset", "dlp-risk-score-reset-post"},
		{"GET", base + "/behaviors", "dlp-risk-score-behaviors-get"},
		{"PUT", base + "/behaviors", "dlp-risk-score-behaviors-put"},
		{"GET", base + "/summary", "dlp-risk-score-summary-get"},
		{"GET", base + "/integrations", "dlp-zt-risk-score-integration-list"},
		{"POST", base + "/integrations", "dlp-zt-risk-score-integration-create"},
		{"GET", base + "/integrations/" + intID, "dlp-zt-risk-score-integration-get"},
		{"PUT", base + "/integrations/" + intID, "dlp-zt-risk-score-integration-update"},
		{"DELETE", base + "/integrations/" + intID, "dlp-zt-risk-score-integration-delete"},
		{"GET", base + "/integrations/reference_id/ref-1", "dlp-zt-risk-score-integration-get-by-reference-id"},
		{"GET", base + "/integrations/reference_id/a%2Fb%20c%3Fd", "dlp-zt-risk-score-integration-get-by-reference-id"},
		{"GET", base + "/integrations/reference_id/summary", "dlp-zt-risk-score-integration-get-by-reference-id"},
		{"GET", base + "/" + strings.ToUpper(userID), "dlp-risk-score-summary-get-for-user"},
		// Any host, scheme, port and query: routing is on the path only.
		{"GET", "http://127.0.0.1:4321" + base + "/summary?page=2&per_page=5", "dlp-risk-score-summary-get"},
		{"GET", "https://api.cloudflare.com" + base + "/behaviors", "dlp-risk-score-behaviors-get"},
	}
	for _, tc := range cases {
		req := httptest.NewRequest(tc.method, tc.path, nil)
		route, _, err := c.findRoute(req)
		if err != nil {
			t.Errorf("%s %s: %v", tc.method, tc.path, err)
			continue
		}
		if route.Operation.OperationID != tc.op {
			t.Errorf("%s %s routed to %s, want %s", tc.method, tc.path, route.Operation.OperationID, tc.op)
		}
	}
	for _, p := range []string{"/accounts/" + acct + "/zt_risk_scoring/summary", base + "/integrations/a/b/c", base} {
		if route, _, err := c.findRoute(httptest.NewRequest("GET", p, nil)); err == nil {
			t.Errorf("GET %s routed to %s, want no route", p, route.Operation.OperationID)
		}
	}
}

func TestContractResponses(t *testing.T) {
	noWellKnown := integration()
	delete(noWellKnown, "well_known_url")
	badID := integration()
	badID["id"] = "not-a-uuid"
	badTime := integration()
	badTime["created_at"] = "19/03/2025"
	badType := integration()
	badType["integration_type"] = "okta"
	withoutErrors := success(integration())
	delete(withoutErrors, "errors")
	withoutResult := success(nil)
	delete(withoutResult, "result")
	failWithResult := failure(1001, "x")
	failWithResult["result"] = map[string]any{}
	failNoErrors := failure(1001, "x")
	failNoErrors["errors"] = []any{}
	failLowCode := failure(999, "x")
	failExtras := failure(6003, "Invalid request headers")
	failExtras["errors"] = []any{map[string]any{
		"code": 6003, "message": "Invalid request headers",
		"error_chain":       []any{map[string]any{"code": 6103, "message": "Invalid format for X-Auth-Key header"}},
		"documentation_url": "https://developers.cloudflare.com/", "source": map[string]any{"pointer": "/x"},
	}}
	summary := map[string]any{"users": []any{map[string]any{
		"user_id": userID, "name": "A", "email": "a@example.com", "max_risk_level": "high",
		"event_count": 3, "last_event": "2025-03-19T19:53:56.123456789Z",
	}}}
	summaryEnv := success(summary)
	summaryEnv["result_info"] = map[string]any{"count": 1, "page": 1, "per_page": 20, "total_count": 1, "total_pages": 1}
	behaviors := map[string]any{"behaviors": map[string]any{
		"imp_travel": map[string]any{"name": "Impossible travel", "description": "d", "risk_level": "high", "enabled": true},
	}}
	badBehaviors := map[string]any{"behaviors": map[string]any{
		"imp_travel": map[string]any{"name": "Impossible travel", "risk_level": "severe", "enabled": true},
	}}
	events := map[string]any{"name": "A", "email": "a@example.com", "events": []any{
		map[string]any{"id": "e1", "name": "imp_travel", "risk_level": "low", "timestamp": "2025-03-19T19:53:56Z", "event_details": map[string]any{"x": 1}},
	}, "last_reset_time": nil, "risk_level": "low"}

	cases := []struct {
		name    string
		method  string
		path    string
		handler http.Handler
		want    string // substring of the single expected violation; "" = conforming
	}{
		{"get integration ok", "GET", base + "/integrations/" + intID, answer(200, success(integration())), ""},
		{"list ok bare array", "GET", base + "/integrations", answer(200, success([]any{integration()})), ""},
		{"summary ok", "GET", base + "/summary", answer(200, summaryEnv), ""},
		{"behaviors ok", "GET", base + "/behaviors", answer(200, success(behaviors)), ""},
		{"user events ok", "GET", base + "/" + userID, answer(200, success(events)), ""},
		{"delete ok", "DELETE", base + "/integrations/" + intID, answer(200, success(map[string]any{})), ""},
		{"404 ok", "GET", base + "/integrations/" + intID, answer(404, failure(1404, "not found")), ""},
		{"429 ok", "GET", base + "/behaviors", answer(429, failure(971, "Please wait")), ""},
		{"error extras ok", "GET", base + "/behaviors", answer(400, failExtras), ""},
		{"503 tolerated", "GET", base + "/behaviors", answer(503, "<html>busy</html>"), ""},
		{"unrouted 404 ok", "GET", base + "/nope/a/b", answer(404, failure(7000, "No route for that URI")), ""},

		{"missing well_known_url", "GET", base + "/integrations/" + intID, answer(200, success(noWellKnown)), `well_known_url`},
		{"malformed uuid", "GET", base + "/integrations/" + intID, answer(200, success(badID)), `not a UUID`},
		{"malformed date-time", "GET", base + "/integrations/" + intID, answer(200, success(badTime)), `created_at`},
		{"integration_type case", "GET", base + "/integrations/" + intID, answer(200, success(badType)), `integration_type`},
		{"success without errors", "GET", base + "/integrations/" + intID, answer(200, withoutErrors), `"errors"`},
		{"success without result", "GET", base + "/behaviors", answer(200, withoutResult), `must carry "result"`},
		{"success false on 200", "GET", base + "/behaviors", answer(200, map[string]any{"success": false, "errors": []any{}, "messages": []any{}, "result": behaviors}), `success`},
		{"behavior missing description, bad level", "GET", base + "/behaviors", answer(200, success(badBehaviors)), `description`},
		{"failure result not null", "GET", base + "/behaviors", answer(400, failWithResult), `result`},
		{"failure without errors items", "GET", base + "/behaviors", answer(400, failNoErrors), `at least one item`},
		{"error code below 1000", "GET", base + "/behaviors", answer(403, failLowCode), `code`},
		{"rate-limit code on a 400", "GET", base + "/behaviors", answer(400, failure(971, "x")), `at least 1000`},
		{"429 with a bad code", "GET", base + "/behaviors", answer(429, failure(970, "x")), `at least 1000`},
		{"429 without success", "GET", base + "/behaviors", answer(429, map[string]any{"errors": []any{map[string]any{"code": 971, "message": "x"}}, "messages": []any{}, "result": nil}), `success`},
		{"undocumented 201", "POST", base + "/integrations", answer(201, success(integration())), `status is not supported`},
		{"not JSON", "GET", base + "/behaviors", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain")
			_, _ = io.WriteString(w, "ok")
		}), `Content-Type`},
		{"unrouted 200", "GET", base + "/nope/a/b", answer(200, success(nil)), `no operation of the contract matches`},
		{"unrouted 404 without envelope", "GET", base + "/nope/a/b", http.NotFoundHandler(), `no-route answer`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var body any
			if tc.method == "POST" {
				body = map[string]any{"integration_type": "Okta", "tenant_url": "https://t.okta.com"}
			}
			errs, c := run(t, tc.handler, newReq(tc.method, tc.path, body))
			if tc.want == "" {
				if len(errs) != 0 {
					t.Errorf("conforming exchange reported violations:\n%s", strings.Join(errs, "\n"))
				}
				return
			}
			if len(errs) == 0 {
				t.Fatalf("violation not caught (want one mentioning %q)", tc.want)
			}
			all := strings.Join(errs, "\n")
			t.Logf("expected violation(s), caught by the harness:\n%s", all)
			if !strings.Contains(all, tc.want) {
				t.Errorf("violations do not mention %q:\n%s", tc.want, all)
			}
			if !strings.Contains(all, tc.method+" ") || !strings.Contains(all, "/zt_risk_scoring/") {
				t.Errorf("violation does not name the method and path:\n%s", all)
			}
			if fs := c.Failures(); len(fs) == 0 || fs[0].Method != tc.method {
				t.Errorf("Failures() = %v", fs)
			}
		})
	}
}

func TestContractRequests(t *testing.T) {
	cases := []struct {
		name   string
		req    *http.Request
		mutate func(*http.Request)
		want   string // "" = conforming
	}{
		// Quirk (docs/api.md#what-clients-send): extra request fields are accepted.
		{name: "create with active (terraform)", req: newReq("POST", base+"/integrations",
			map[string]any{"integration_type": "Okta", "tenant_url": "https://t.okta.com", "active": true})},
		{name: "update with integration_type (terraform)", req: newReq("PUT", base+"/integrations/"+intID,
			map[string]any{"integration_type": "Okta", "tenant_url": "https://t.okta.com", "active": false, "reference_id": "r"})},
		{name: "create with null reference_id", req: newReq("POST", base+"/integrations",
			map[string]any{"integration_type": "Okta", "tenant_url": "https://t.okta.com", "reference_id": nil})},
		{name: "email+key auth", req: newReq("GET", base+"/integrations/"+intID, nil), mutate: func(r *http.Request) {
			r.Header.Del("Authorization")
			r.Header.Set("X-Auth-Email", "a@example.com")
			r.Header.Set("X-Auth-Key", "k")
		}},

		{name: "relative tenant_url", req: newReq("POST", base+"/integrations",
			map[string]any{"integration_type": "Okta", "tenant_url": "tenant.okta.com"}), want: "absolute URI"},
		{name: "missing tenant_url", req: newReq("PUT", base+"/integrations/"+intID,
			map[string]any{"active": true}), want: "tenant_url"},
		{name: "bad risk level", req: newReq("PUT", base+"/behaviors",
			map[string]any{"behaviors": map[string]any{"imp_travel": map[string]any{"enabled": true, "risk_level": "severe"}}}), want: "risk_level"},
		{name: "malformed JSON", req: newReq("PUT", base+"/behaviors", `{"behaviors":`), want: "request body"},
		{name: "malformed uuid in path", req: newReq("GET", base+"/integrations/xyz", nil), want: "integration_id"},
		{name: "no credentials", req: newReq("GET", base+"/behaviors", nil), mutate: func(r *http.Request) {
			r.Header.Del("Authorization")
		}, want: "no credentials"},
		{name: "key without email", req: newReq("GET", base+"/behaviors", nil), mutate: func(r *http.Request) {
			r.Header.Del("Authorization")
			r.Header.Set("X-Auth-Key", "k")
		}, want: "without X-Auth-Email"},
		{name: "basic auth", req: newReq("GET", base+"/behaviors", nil), mutate: func(r *http.Request) {
			r.SetBasicAuth("a", "b")
		}, want: "Bearer"},
		{name: "body on reset", req: newReq("POST", base+"/"+userID+"/reset", map[string]any{}), want: "request body not allowed"},
		{name: "body without content type", req: newReq("POST", base+"/integrations",
			map[string]any{"integration_type": "Okta", "tenant_url": "https://t.okta.com"}), mutate: func(r *http.Request) {
			r.Header.Del("Content-Type")
		}, want: "Content-Type"},

		// Modes.
		{name: "responses only skips the request", req: ResponsesOnly(newReq("PUT", base+"/behaviors", `nope`))},
		{name: "invalid request is invalid", req: InvalidRequest(newReq("PUT", base+"/behaviors", `nope`))},
		{name: "invalid request without credentials", req: InvalidRequest(newReq("GET", base+"/behaviors", nil)), mutate: func(r *http.Request) {
			r.Header.Del("Authorization")
		}},
		{name: "invalid request that is valid", req: InvalidRequest(newReq("GET", base+"/behaviors", nil)), want: "marked InvalidRequest but satisfies"},
		{name: "unknown mode", req: newReq("GET", base+"/behaviors", nil), mutate: func(r *http.Request) {
			r.Header.Set(ModeHeader, "lenient")
		}, want: "unknown " + ModeHeader},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.mutate != nil {
				tc.mutate(tc.req)
			}
			resp := answer(200, success(integration()))
			switch {
			case strings.HasSuffix(tc.req.URL.Path, "/behaviors"):
				resp = answer(200, success(map[string]any{"behaviors": map[string]any{}}))
			case strings.HasSuffix(tc.req.URL.Path, "/reset"):
				resp = answer(200, success(map[string]any{}))
			}
			var sawMode bool
			h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				sawMode = r.Header.Get(ModeHeader) != ""
				resp.ServeHTTP(w, r)
			})
			errs, _ := run(t, h, tc.req)
			if sawMode {
				t.Errorf("the handler saw %s; the middleware must strip it", ModeHeader)
			}
			all := strings.Join(errs, "\n")
			if len(errs) > 0 {
				t.Logf("expected violation(s), caught by the harness:\n%s", all)
			}
			if tc.want == "" {
				if len(errs) != 0 {
					t.Errorf("unexpected violations:\n%s", all)
				}
				return
			}
			if !strings.Contains(all, tc.want) {
				t.Errorf("violations do not mention %q:\n%s", tc.want, all)
			}
		})
	}
}

func TestContractRequestBodyReachesHandler(t *testing.T) {
	body := `{"integration_type":"Okta","tenant_url":"https://t.okta.com"}`
	var got string
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got = string(b)
		answer(200, success(integration())).ServeHTTP(w, r)
	})
	errs, c := run(t, h, newReq("POST", base+"/integrations", body))
	if len(errs) != 0 {
		t.Errorf("unexpected violations: %v", errs)
	}
	if got != body {
		t.Errorf("handler read body %q, want %q", got, body)
	}
	ex := c.Exchanges()
	if len(ex) != 1 || ex[0].OperationID != "dlp-zt-risk-score-integration-create" || ex[0].Status != 200 {
		t.Errorf("Exchanges() = %+v", ex)
	}
	if st := c.Statuses(); !maps.EqualFunc(st, map[string][]int{"dlp-zt-risk-score-integration-create": {200}}, func(a, b []int) bool {
		return fmt.Sprint(a) == fmt.Sprint(b)
	}) {
		t.Errorf("Statuses() = %v", st)
	}
}

func TestContractValidateResponseDirect(t *testing.T) {
	c := Load(t)
	req := httptest.NewRequest("GET", base+"/integrations/"+intID, nil)
	hdr := http.Header{"Content-Type": {jsonType}}
	good, _ := json.Marshal(success(integration()))
	if err := c.ValidateResponse(t, req, 200, hdr, good); err != nil {
		t.Errorf("conforming response: %v", err)
	}
	bad := integration()
	delete(bad, "well_known_url")
	badBody, _ := json.Marshal(success(bad))
	ft := &fakeTB{TB: t}
	if err := c.ValidateResponse(ft, req, 200, hdr, badBody); err == nil || len(ft.errors()) == 0 {
		t.Errorf("violating response not caught: err=%v reported=%v", err, ft.errors())
	}
	if err := c.ValidateRequest(ft, authed(httptest.NewRequest("GET", base+"/behaviors", nil)), nil); err != nil {
		t.Errorf("ValidateRequest: %v", err)
	}
}

func TestContractCheckCoverage(t *testing.T) {
	_, c := run(t, answer(200, success(map[string]any{"behaviors": map[string]any{}})), newReq("GET", base+"/behaviors", nil))
	ft := &fakeTB{TB: t}
	c.CheckCoverage(ft, 200)
	if n := len(ft.errors()); n != 10 {
		t.Errorf("CheckCoverage reported %d uncovered operations, want 10:\n%s", n, strings.Join(ft.errors(), "\n"))
	}
}

// A handler that drops the connection (the emulator's reset fault) must get
// through the middleware: nothing to validate, no violation.
func TestContractHijackPassesThrough(t *testing.T) {
	c := Load(t)
	ft := &fakeTB{TB: t}
	srv := httptest.NewServer(c.Middleware(ft, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Errorf("hijack: %v", err)
			return
		}
		_ = conn.Close()
	})))
	defer srv.Close()
	req, _ := http.NewRequest("GET", srv.URL+base+"/behaviors", nil)
	authed(req)
	if resp, err := http.DefaultClient.Do(req); err == nil {
		_ = resp.Body.Close()
		t.Errorf("want a dropped connection, got %s", resp.Status)
	}
	srv.Close()
	if errs := ft.errors(); len(errs) != 0 {
		t.Errorf("unexpected violations: %v", errs)
	}
	if ex := c.Exchanges(); len(ex) != 1 || ex[0].Status != 0 {
		t.Errorf("Exchanges() = %+v", ex)
	}
}
