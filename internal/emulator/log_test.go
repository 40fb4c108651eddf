package emulator

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/riskctl/riskctl/internal/testwait"
)

func TestRequestLog(t *testing.T) {
	v := newTestEnv(t, Options{Token: "tok"})
	auth := []string{"Authorization", "Bearer tok"}
	v.do("GET", path("/summary?page=1&per_page=5"), nil, auth...).wantOK(t)
	v.do("GET", path("/behaviors"), nil).wantError(t, 400, codeMissingAuth)
	v.do("GET", "/nope", nil, auth...).wantError(t, 404, codeNoRoute)
	v.e.InjectFault(Fault{Status: 429})
	v.do("DELETE", path("/integrations/0b3f1c4e-5d6a-4e7b-8c9d-0e1f2a3b4c5d"), nil, auth...).wantError(t, 429, codeRateLimited)
	want := []Request{
		{"GET", path("/summary"), 200},
		{"GET", path("/behaviors"), 400},
		{"GET", "/nope", 404},
		{"DELETE", path("/integrations/0b3f1c4e-5d6a-4e7b-8c9d-0e1f2a3b4c5d"), 429},
	}
	got := v.e.Requests()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("log\n%v\nwant\n%v", got, want)
	}
	got[0].Status = 999 // a copy
	if v.e.Requests()[0].Status != 200 {
		t.Error("Requests returned the log itself")
	}
	v.e.ResetRequests()
	if n := len(v.e.Requests()); n != 0 {
		t.Errorf("%d entries after ResetRequests", n)
	}
	v.do("GET", path("/behaviors"), nil, auth...).wantOK(t)
	if n := len(v.e.Requests()); n != 1 {
		t.Errorf("%d entries, want 1", n)
	}
}

func TestLogfLinesCarryNoSecrets(t *testing.T) {
	var mu sync.Mutex
	var lines []string
	logf := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		lines = append(lines, fmt.Sprintf(format, args...))
	}
	v := newTestEnv(t, Options{Token: "sup3r-s3cret", Logf: logf})
	v.do("GET", path("/behaviors"), nil, "Authorization", "Bearer sup3r-s3cret").wantOK(t)
	v.do("POST", path("/integrations"), createBody, "Authorization", "Bearer wrong-s3cret").wantError(t, 403, codeAuth)
	mu.Lock()
	defer mu.Unlock()
	if len(lines) != 2 {
		t.Fatalf("%d lines, want 2: %q", len(lines), lines)
	}
	re := regexp.MustCompile(`^(GET|POST) /client/v4/accounts/\w+/zt_risk_scoring/\w+ (200|403) [0-9.]+[µnm]?s$`)
	for _, l := range lines {
		if !re.MatchString(l) {
			t.Errorf("line %q does not read METHOD PATH STATUS DURATION", l)
		}
		if strings.Contains(l, "s3cret") {
			t.Errorf("secret in log line %q", l)
		}
	}
}

func TestLatency(t *testing.T) {
	v := newTestEnv(t, Options{Latency: 80 * time.Millisecond})
	start := time.Now()
	v.do("GET", path("/behaviors"), nil).wantOK(t)
	if d := time.Since(start); d < 80*time.Millisecond {
		t.Errorf("answered in %v, want at least the 80ms latency", d)
	}
}

// A client that gives up is not kept waiting for the whole latency, and is
// logged with status 0.
func TestLatencyHonoursClientContext(t *testing.T) {
	// An hour of latency: only a handler that stops when the client
	// gives up logs the request before the test's own deadline.
	v := newTestEnv(t, Options{Latency: time.Hour})
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", v.srv.URL+path("/behaviors"), nil)
	if resp, err := v.srv.Client().Do(req); err == nil {
		resp.Body.Close()
		t.Fatal("want a timeout")
	}
	deadline := time.Now().Add(testwait.Timeout(t))
	for len(v.e.Requests()) == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if got := v.e.Requests(); len(got) != 1 || got[0].Status != 0 {
		t.Errorf("log %+v, want one entry with status 0", got)
	}
}

// The request log is bounded: 400 requests with 500 KB paths (357 MB held
// before) keep at most MaxLoggedPath bytes of each path, and past
// MaxLoggedRequests requests the oldest make way.
func TestRequestLogBounded(t *testing.T) {
	e, err := New(Options{Token: "tok"})
	if err != nil {
		t.Fatal(err)
	}
	long := "/" + strings.Repeat("a", 500<<10)
	for range 400 {
		e.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", long, nil))
	}
	held := 0
	for _, r := range e.Requests() {
		held += len(r.Method) + len(r.Path)
	}
	if limit := 400 * (MaxLoggedPath + 64); held > limit {
		t.Fatalf("the log holds %d bytes of paths, want at most %d", held, limit)
	}
	if p := e.Requests()[0].Path; !strings.HasPrefix(p, long[:MaxLoggedPath]) || !strings.HasSuffix(p, fmt.Sprintf("...(cut: %d bytes)", len(long))) {
		t.Errorf("a long path is logged as %.80q...%q, want its first %d bytes and that it was cut", p, p[max(0, len(p)-40):], MaxLoggedPath)
	}

	e.ResetRequests()
	for i := range MaxLoggedRequests + 5 {
		e.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", fmt.Sprintf("/r%d", i), nil))
	}
	got := e.Requests()
	if len(got) != MaxLoggedRequests || got[0].Path != "/r5" || got[len(got)-1].Path != fmt.Sprintf("/r%d", MaxLoggedRequests+4) {
		t.Errorf("log of %d entries from %q to %q, want the last %d requests", len(got), got[0].Path, got[len(got)-1].Path, MaxLoggedRequests)
	}
}

// --log-requests lines show a percent-decoded path's control characters
// escaped: ESC and BEL reached the terminal raw before.
func TestLogfLinesEscaped(t *testing.T) {
	var lines []string
	logf := func(format string, args ...any) { lines = append(lines, fmt.Sprintf(format, args...)) }
	e, err := New(Options{Token: "tok", Logf: logf})
	if err != nil {
		t.Fatal(err)
	}
	e.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/x%1B]52;c;cHduZWQ=%07%0D%E2%80%AEy", nil))
	if len(lines) != 1 {
		t.Fatalf("%d lines, want 1: %q", len(lines), lines)
	}
	if strings.ContainsAny(lines[0], "\x1b\x07\r\u202e") || !strings.HasPrefix(lines[0], `GET /x\u001B]52;c;cHduZWQ=\u0007\u000D\u202Ey 404 `) {
		t.Errorf("log line %q, want ESC, BEL, CR and U+202E escaped", lines[0])
	}
}
