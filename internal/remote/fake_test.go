package remote

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// A small scripted stand-in for the API, for unit tests of the client. (The
// emulator in internal/emulator is the faithful one; these tests must not
// depend on it.) Routes are matched on "METHOD path", path relative to
// testRoot and still escaped; every request is recorded.

const (
	testAccount = "acc-1"
	testToken   = "s3cr3t-token-value"
	testKey     = "s3cr3t-global-api-key"
	testEmail   = "ops@example.com"
	testUA      = "riskctl/test"
	testRoot    = "/client/v4/accounts/" + testAccount + "/zt_risk_scoring"
)

type recorded struct {
	Method string
	Path   string // relative to testRoot, escaped
	Query  string // raw query
	Header http.Header
	Body   string
}

type fakeAPI struct {
	t   *testing.T
	srv *httptest.Server

	mu     sync.Mutex
	reqs   []recorded
	routes map[string]http.HandlerFunc
}

func newFake(t *testing.T) *fakeAPI {
	t.Helper()
	f := &fakeAPI{t: t, routes: map[string]http.HandlerFunc{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

// handle registers h for "METHOD /path" (relative to testRoot, escaped).
func (f *fakeAPI) handle(route string, h http.HandlerFunc) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.routes[route] = h
}

func (f *fakeAPI) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rel := strings.TrimPrefix(r.URL.EscapedPath(), testRoot)
	f.mu.Lock()
	f.reqs = append(f.reqs, recorded{Method: r.Method, Path: rel, Query: r.URL.RawQuery, Header: r.Header.Clone(), Body: string(body)})
	h := f.routes[r.Method+" "+rel]
	f.mu.Unlock()
	if h == nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{
			"success": false, "messages": []any{}, "result": nil,
			"errors": []any{map[string]any{"code": 7003, "message": "No route for the URI"}},
		})
		return
	}
	h(w, r)
}

func (f *fakeAPI) requests() []recorded {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]recorded(nil), f.reqs...)
}

// count counts requests for "METHOD /path".
func (f *fakeAPI) count(route string) int {
	n := 0
	for _, r := range f.requests() {
		if r.Method+" "+r.Path == route {
			n++
		}
	}
	return n
}

// baseConfig is a config for the fake: fast retries, a private budget.
func (f *fakeAPI) baseConfig() Config {
	return Config{
		AccountID:     testAccount,
		Credentials:   Credentials{Token: Secret(testToken)},
		BaseURL:       f.srv.URL + "/client/v4",
		UserAgent:     testUA,
		RetryWaitMin:  time.Millisecond,
		RetryWaitMax:  5 * time.Millisecond,
		RetryAfterCap: 5 * time.Millisecond,
	}
}

func (f *fakeAPI) client(mods ...func(*Config)) *Client {
	f.t.Helper()
	cfg := f.baseConfig()
	for _, m := range mods {
		m(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		f.t.Fatalf("New: %v", err)
	}
	return c
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// okRaw answers 200 with a success envelope around a raw JSON result.
func okRaw(result string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=UTF-8")
		_, _ = io.WriteString(w, `{"success":true,"errors":[],"messages":[],"result":`+result+`}`)
	}
}

// okPage answers 200 with a collection envelope.
func okPage(result string, info string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=UTF-8")
		_, _ = io.WriteString(w, `{"success":true,"errors":[],"messages":[],"result":`+result+`,"result_info":`+info+`}`)
	}
}

// fail answers with a failure envelope.
func fail(status, code int, msg string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, status, map[string]any{
			"success": false, "messages": []any{}, "result": nil,
			"errors": []any{map[string]any{"code": code, "message": msg}},
		})
	}
}

// withHeader sets a response header, then runs h.
func withHeader(k, v string, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set(k, v)
		h(w, r)
	}
}

// sequence answers the n-th call with hs[n], and with the last one after.
func sequence(hs ...http.HandlerFunc) http.HandlerFunc {
	var mu sync.Mutex
	n := 0
	return func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		h := hs[min(n, len(hs)-1)]
		n++
		mu.Unlock()
		h(w, r)
	}
}

// resetConn drops the connection without answering: the client sees a
// reset (or EOF) after it has sent the request.
func resetConn(w http.ResponseWriter, _ *http.Request) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(err)
	}
	if tcp, ok := conn.(interface{ SetLinger(int) error }); ok {
		_ = tcp.SetLinger(0) // RST rather than FIN
	}
	_ = conn.Close()
}

// logBuffer returns a debug logger writing JSON lines into a buffer.
func logBuffer() (*slog.Logger, *syncBuffer) {
	buf := &syncBuffer{}
	return slog.New(slog.NewJSONHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug})), buf
}

type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// records decodes the JSON log lines.
func (s *syncBuffer) records(t *testing.T) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(s.String()), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		out = append(out, m)
	}
	return out
}

// Fixtures, shaped after docs/api.md#operations and the cf-terraforming recordings.
const (
	integrationID = "cd4ee8c5-39b1-4b4c-9f35-6a0c2e2b4f10"
	referenceID   = "0b3f1c4e-5d6a-4e7b-8c9d-0e1f2a3b4c5d"
	userID        = "7f3c2a10-4d5e-4f60-8a9b-0c1d2e3f4a5b"

	integrationJSON = `{"id":"` + integrationID + `","account_tag":"` + testAccount + `",` +
		`"integration_type":"Okta","reference_id":"` + referenceID + `",` +
		`"tenant_url":"https://example.oktapreview.com",` +
		`"well_known_url":"https://ssf.risk-score.teams.cloudflare.com/.well-known/sse-configuration/` + integrationID + `",` +
		`"active":true,"created_at":"2025-03-19T19:53:56Z"}`

	behaviorsJSON = `{"behaviors":{` +
		`"imp_travel":{"name":"Impossible Travel","description":"A user had a successful Access application log in from two locations that they could not have traveled to in that period of time.","risk_level":"high","enabled":true},` +
		`"high_dlp":{"name":"High Number of DLP Policies Triggered","description":"A user has triggered an active DLP profile in a Gateway policy fifteen times or more within one minute.","risk_level":"medium","enabled":true},` +
		`"sentinel_one":{"name":"SentinelOne Infection Detected","description":"A user signed in on a device where SentinelOne detected a threat.","risk_level":"medium","enabled":false}}}`
)

// truncated answers 200 with a body cut short: the connection drops after
// the headers and part of the body.
func truncated(w http.ResponseWriter, _ *http.Request) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(err)
	}
	_, _ = io.WriteString(conn, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{\"success\":true,\"res")
	_ = conn.Close()
}
