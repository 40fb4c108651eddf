package emulator

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// testAccount is a realistic 32-hex account id.
const testAccount = "023e105f4ecef8ad9ca31a8372d0c353"

// testKey has the form of a Global API Key (37 hex characters).
const testKey = "0f1e2d3c4b5a69788796a5b4c3d2e1f0abcde"

// fixedNow is the clock the tests give the emulator.
var fixedNow = time.Date(2025, 3, 19, 19, 53, 56, 0, time.UTC)

type testEnv struct {
	t   *testing.T
	e   *Emulator
	srv *httptest.Server
}

func newTestEnv(t *testing.T, opts Options) *testEnv {
	t.Helper()
	if opts.Now == nil {
		opts.Now = func() time.Time { return fixedNow }
	}
	e, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	return &testEnv{t: t, e: e, srv: srv}
}

// path is the URL path of an operation of testAccount; op starts with "/".
func path(op string) string {
	return "/client/v4/accounts/" + testAccount + "/zt_risk_scoring" + op
}

// onAccount is the URL path of an operation of another account.
func onAccount(account, op string) string {
	return "/client/v4/accounts/" + account + "/zt_risk_scoring" + op
}

// response is a decoded answer. The tests decode the wire format with their
// own types, so a wrong json tag in the emulator shows up.
type response struct {
	status int
	header http.Header
	raw    []byte
	fields map[string]json.RawMessage
	errors []struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	}
}

// do sends a request to the test server. body is sent verbatim when it is a
// string, JSON-encoded otherwise; headers come in name, value pairs. Every
// answer is checked against the envelope contract.
func (v *testEnv) do(method, urlPath string, body any, headers ...string) response {
	v.t.Helper()
	resp, err := v.send(v.srv.Client(), method, urlPath, body, headers...)
	if err != nil {
		v.t.Fatalf("%s %s: %v", method, urlPath, err)
	}
	return checkEnvelope(v.t, resp)
}

func (v *testEnv) send(client *http.Client, method, urlPath string, body any, headers ...string) (*http.Response, error) {
	v.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			v.t.Fatal(err)
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, v.srv.URL+urlPath, rd)
	if err != nil {
		v.t.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return client.Do(req)
}

// checkEnvelope enforces the envelope contract (docs/api.md#envelope) on every answer.
func checkEnvelope(t *testing.T, resp *http.Response) response {
	t.Helper()
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	r := response{status: resp.StatusCode, header: resp.Header, raw: raw}
	checkRateLimitHeaders(t, resp.Header)
	if ct := resp.Header.Get("Content-Type"); ct != "application/json; charset=UTF-8" {
		t.Errorf("Content-Type = %q", ct)
	}
	if err := json.Unmarshal(raw, &r.fields); err != nil {
		t.Fatalf("body is not a JSON object: %v\n%s", err, raw)
	}
	for _, k := range []string{"success", "errors", "messages", "result"} {
		if _, ok := r.fields[k]; !ok {
			t.Errorf("envelope lacks %q: %s", k, raw)
		}
	}
	if err := json.Unmarshal(r.fields["errors"], &r.errors); err != nil {
		t.Errorf("errors: %v", err)
	}
	if got := string(r.fields["messages"]); got != "[]" {
		t.Errorf("messages = %s, want []", got)
	}
	if resp.StatusCode == http.StatusOK {
		if string(r.fields["success"]) != "true" || string(r.fields["errors"]) != "[]" {
			t.Errorf("success envelope wrong: %s", raw)
		}
	} else {
		if string(r.fields["success"]) != "false" || string(r.fields["result"]) != "null" || len(r.errors) == 0 {
			t.Errorf("failure envelope wrong (status %d): %s", resp.StatusCode, raw)
		}
		for _, e := range r.errors {
			if e.Code < 1000 && e.Code != codeRateLimited || e.Message == "" {
				t.Errorf("bad error item %+v", e)
			}
		}
		if _, ok := r.fields["result_info"]; ok {
			t.Errorf("failure carries result_info: %s", raw)
		}
	}
	return r
}

// result decodes the result into dst.
func (r response) result(t *testing.T, dst any) {
	t.Helper()
	if err := json.Unmarshal(r.fields["result"], dst); err != nil {
		t.Fatalf("result: %v\n%s", err, r.raw)
	}
}

type wireInfo struct {
	Count      *int `json:"count"`
	Page       *int `json:"page"`
	PerPage    *int `json:"per_page"`
	TotalCount *int `json:"total_count"`
	TotalPages *int `json:"total_pages"`
}

// info decodes result_info, failing if it or any field is absent.
func (r response) info(t *testing.T) [5]int {
	t.Helper()
	raw, ok := r.fields["result_info"]
	if !ok {
		t.Fatalf("no result_info: %s", r.raw)
	}
	var w wireInfo
	if err := json.Unmarshal(raw, &w); err != nil {
		t.Fatal(err)
	}
	if w.Count == nil || w.Page == nil || w.PerPage == nil || w.TotalCount == nil || w.TotalPages == nil {
		t.Fatalf("result_info incomplete: %s", raw)
	}
	return [5]int{*w.Count, *w.Page, *w.PerPage, *w.TotalCount, *w.TotalPages}
}

// wantOK fails unless the answer is a 200.
func (r response) wantOK(t *testing.T) response {
	t.Helper()
	if r.status != http.StatusOK {
		t.Fatalf("status %d, want 200: %s", r.status, r.raw)
	}
	return r
}

// wantError fails unless the answer has the status and, first, the code.
func (r response) wantError(t *testing.T, status, code int) response {
	t.Helper()
	if r.status != status || len(r.errors) == 0 || r.errors[0].Code != code {
		t.Fatalf("got status %d %s, want %d code %d", r.status, r.raw, status, code)
	}
	return r
}

// wireIntegration is dlp_RiskScoreIntegration as the tests read it.
type wireIntegration struct {
	ID              string `json:"id"`
	AccountTag      string `json:"account_tag"`
	IntegrationType string `json:"integration_type"`
	ReferenceID     string `json:"reference_id"`
	TenantURL       string `json:"tenant_url"`
	WellKnownURL    string `json:"well_known_url"`
	Active          bool   `json:"active"`
	CreatedAt       string `json:"created_at"`
}

// create makes an integration through the API.
func (v *testEnv) create(ref, tenant string) wireIntegration {
	v.t.Helper()
	var in wireIntegration
	v.do("POST", path("/integrations"), map[string]any{
		"integration_type": "Okta", "tenant_url": tenant, "reference_id": ref,
	}).wantOK(v.t).result(v.t, &in)
	return in
}

type wireBehavior struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	Enabled     bool   `json:"enabled"`
	RiskLevel   string `json:"risk_level"`
}

type wireSummaryRow struct {
	UserID       string `json:"user_id"`
	Name         string `json:"name"`
	Email        string `json:"email"`
	MaxRiskLevel string `json:"max_risk_level"`
	EventCount   int    `json:"event_count"`
	LastEvent    string `json:"last_event"`
}

type wireEvent struct {
	ID           string         `json:"id"`
	Name         string         `json:"name"`
	RiskLevel    string         `json:"risk_level"`
	Timestamp    string         `json:"timestamp"`
	EventDetails map[string]any `json:"event_details"`
}

type wireUser struct {
	Name          string      `json:"name"`
	Email         string      `json:"email"`
	RiskLevel     string      `json:"risk_level"`
	LastResetTime *string     `json:"last_reset_time"`
	Events        []wireEvent `json:"events"`
}

func (v *testEnv) summary(query string) ([]wireSummaryRow, response) {
	v.t.Helper()
	r := v.do("GET", path("/summary")+query, nil).wantOK(v.t)
	var res struct {
		Users []wireSummaryRow `json:"users"`
	}
	r.result(v.t, &res)
	if res.Users == nil {
		v.t.Fatalf("users is not an array: %s", r.raw)
	}
	return res.Users, r
}
