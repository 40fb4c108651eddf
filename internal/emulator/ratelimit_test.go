package emulator

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/riskctl/riskctl/internal/testwait"
)

// fakeClock is a settable wall clock for the rate windows.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// withClock gives the emulator a fake wall clock for its rate windows.
func (v *testEnv) withClock() *fakeClock {
	c := &fakeClock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	v.e.clock = c.now
	return c
}

// The exact syntax of docs/api.md#rate-limits: "default";r=<remaining>;t=<seconds> and
// "default";q=<quota>;w=<seconds>.
var (
	rateLimitRE       = regexp.MustCompile(`^"default";r=(0|[1-9][0-9]*);t=([1-9][0-9]*)$`)
	rateLimitPolicyRE = regexp.MustCompile(`^"default";q=([1-9][0-9]*);w=([1-9][0-9]*)$`)
)

// limitInfo is what the rate-limit headers of one answer say.
type limitInfo struct{ r, t, q, w int }

// parseLimit reads Ratelimit and Ratelimit-Policy, failing on any other
// syntax, and checks that the x-ratelimit-* family says the same.
func parseLimit(t *testing.T, h http.Header) limitInfo {
	t.Helper()
	var li limitInfo
	if len(h.Values("Ratelimit")) != 1 || len(h.Values("Ratelimit-Policy")) != 1 {
		t.Errorf("want exactly one Ratelimit and one Ratelimit-Policy, got %q and %q", h.Values("Ratelimit"), h.Values("Ratelimit-Policy"))
	}
	m := rateLimitRE.FindStringSubmatch(h.Get("Ratelimit"))
	p := rateLimitPolicyRE.FindStringSubmatch(h.Get("Ratelimit-Policy"))
	if m == nil || p == nil {
		t.Errorf("Ratelimit %q, Ratelimit-Policy %q: want \"default\";r=N;t=N and \"default\";q=N;w=N", h.Get("Ratelimit"), h.Get("Ratelimit-Policy"))
		return li
	}
	li.r, _ = strconv.Atoi(m[1])
	li.t, _ = strconv.Atoi(m[2])
	li.q, _ = strconv.Atoi(p[1])
	li.w, _ = strconv.Atoi(p[2])
	if got := h.Get("X-Ratelimit-Limit"); got != p[1] {
		t.Errorf("x-ratelimit-limit %q, Ratelimit-Policy q=%s", got, p[1])
	}
	if got := h.Get("X-Ratelimit-Remaining"); got != m[1] {
		t.Errorf("x-ratelimit-remaining %q, Ratelimit r=%s", got, m[1])
	}
	if _, err := http.ParseTime(h.Get("X-Ratelimit-Reset")); err != nil {
		t.Errorf("x-ratelimit-reset %q: %v", h.Get("X-Ratelimit-Reset"), err)
	}
	if li.r > li.q {
		t.Errorf("remaining %d over the quota %d", li.r, li.q)
	}
	return li
}

// checkRateLimitHeaders is part of checkEnvelope: every answer of every
// test carries the rate-limit headers in the documented syntax.
func checkRateLimitHeaders(t *testing.T, h http.Header) { t.Helper(); parseLimit(t, h) }

func TestRateLimit(t *testing.T) {
	v := newTestEnv(t, Options{RateLimit: 3, RateWindow: time.Minute})
	clock := v.withClock()
	wantReset := clock.now().Add(time.Minute)

	for i, remaining := range []string{"2", "1", "0"} {
		r := v.do("GET", path("/behaviors"), nil).wantOK(t)
		if got := r.header.Get("X-Ratelimit-Limit"); got != "3" {
			t.Errorf("request %d: x-ratelimit-limit %q", i, got)
		}
		if got := r.header.Get("X-Ratelimit-Remaining"); got != remaining {
			t.Errorf("request %d: x-ratelimit-remaining %q, want %s", i, got, remaining)
		}
		if got, err := http.ParseTime(r.header.Get("X-Ratelimit-Reset")); err != nil || !got.Equal(wantReset) {
			t.Errorf("request %d: x-ratelimit-reset %q (%v), want %v", i, r.header.Get("X-Ratelimit-Reset"), err, wantReset)
		}
		if got, want := r.header.Get("Ratelimit"), `"default";r=`+remaining+`;t=60`; got != want {
			t.Errorf("request %d: Ratelimit %q, want %q", i, got, want)
		}
		if got, want := r.header.Get("Ratelimit-Policy"), `"default";q=3;w=60`; got != want {
			t.Errorf("request %d: Ratelimit-Policy %q, want %q", i, got, want)
		}
		if got := r.header.Get("Retry-After"); got != "" {
			t.Errorf("request %d: Retry-After %q on a 200", i, got)
		}
	}
	clock.advance(500 * time.Millisecond) // 59.5 s left: Retry-After rounds up to 60
	r := v.do("GET", path("/behaviors"), nil).wantError(t, http.StatusTooManyRequests, codeRateLimited)
	if got := r.header.Get("Retry-After"); got != "60" {
		t.Errorf("Retry-After %q, want 60", got)
	}
	if got := r.header.Get("X-Ratelimit-Remaining"); got != "0" {
		t.Errorf("x-ratelimit-remaining on 429 %q", got)
	}
	if got, want := r.header.Get("Ratelimit"), `"default";r=0;t=60`; got != want {
		t.Errorf("Ratelimit on 429 %q, want %q", got, want)
	}
	// Another caller has its own window.
	v.do("GET", path("/behaviors"), nil, "Authorization", "Bearer other").wantOK(t)
	// A limited write is not applied.
	v.do("POST", path("/integrations"), createBody).wantError(t, http.StatusTooManyRequests, codeRateLimited)
	if n := len(v.e.Integrations(testAccount)); n != 0 {
		t.Errorf("a rate-limited POST stored %d integrations", n)
	}
	if got := v.e.RateLimited(); got != 2 {
		t.Errorf("RateLimited() = %d, want 2", got)
	}
	// Without LockOut the 429s end with the window.
	clock.advance(time.Minute)
	r = v.do("GET", path("/behaviors"), nil).wantOK(t)
	if got := r.header.Get("X-Ratelimit-Remaining"); got != "2" {
		t.Errorf("new window: remaining %q, want 2", got)
	}
}

// TestRateLimitHeadersOnEveryAnswer: success and every kind of failure
// carry the headers, and each answer is counted against its credential.
func TestRateLimitHeadersOnEveryAnswer(t *testing.T) {
	const quota = 50
	v := newTestEnv(t, Options{Token: "tok", Accounts: []string{testAccount}, RateLimit: quota, RateWindow: 2 * time.Minute})
	clock := v.withClock()
	bearer := []string{"Authorization", "Bearer tok"}
	const uid = "00000000-0000-4000-8000-000000000000"
	counted := map[string]int{}
	for _, tc := range []struct {
		name, method, path string
		body               any
		headers            []string
		fault              *Fault
		status             int
		cred               string // whose budget the request uses
	}{
		{name: "200", method: "GET", path: path("/behaviors"), headers: bearer, status: 200, cred: "tok"},
		{name: "400 7003", method: "GET", path: path("/not-a-uuid"), headers: bearer, status: 400, cred: "tok"},
		{name: "400 body", method: "POST", path: path("/integrations"), body: "[", headers: bearer, status: 400, cred: "tok"},
		{name: "400 9106", method: "GET", path: path("/behaviors"), status: 400, cred: "ip"},
		{name: "403 token", method: "GET", path: path("/behaviors"), headers: []string{"Authorization", "Bearer wrong"}, status: 403, cred: "wrong"},
		{name: "403 account", method: "GET", path: "/client/v4/accounts/ffffffffffffffffffffffffffffffff/zt_risk_scoring/behaviors", headers: bearer, status: 403, cred: "tok"},
		{name: "404 route", method: "GET", path: "/client/v4/nowhere", headers: bearer, status: 404, cred: "tok"},
		{name: "404 user", method: "GET", path: path("/" + uid), headers: bearer, status: 404, cred: "tok"},
		{name: "404 integration", method: "GET", path: path("/integrations/" + uid), headers: bearer, status: 404, cred: "tok"},
		{name: "405", method: "DELETE", path: path("/behaviors"), headers: bearer, status: 405, cred: "tok"},
		{name: "injected 429", method: "GET", path: path("/summary"), headers: bearer, fault: &Fault{Status: 429, RetryAfter: "7"}, status: 429, cred: "tok"},
		{name: "injected 503", method: "GET", path: path("/summary"), headers: bearer, fault: &Fault{Status: 503}, status: 503, cred: "tok"},
		{name: "commit then fail", method: "POST", path: path("/integrations"), body: createBody, headers: bearer, fault: &Fault{CommitThenFail: true}, status: 500, cred: "tok"},
	} {
		counted[tc.cred]++
		if tc.fault != nil {
			v.e.InjectFault(*tc.fault)
		}
		clock.advance(time.Second)
		r := v.do(tc.method, tc.path, tc.body, tc.headers...)
		if r.status != tc.status {
			t.Fatalf("%s: status %d, want %d: %s", tc.name, r.status, tc.status, r.raw)
		}
		li := parseLimit(t, r.header)
		if li.q != quota || li.w != 120 || li.t < 1 || li.t > 120 {
			t.Errorf("%s: %+v, want q=%d w=120 and t in [1, 120]", tc.name, li, quota)
		}
		if tc.name == "injected 429" && r.header.Get("Retry-After") != "7" {
			t.Errorf("injected 429: Retry-After %q, want the fault's 7", r.header.Get("Retry-After"))
		}
	}
	// Each credential has counted its own answers, this one included. (A
	// 413 is checked by TestBodyTooLarge, through checkEnvelope.)
	for _, c := range []struct {
		name    string
		headers []string
	}{{"tok", bearer}, {"ip", nil}, {"wrong", []string{"Authorization", "Bearer wrong"}}} {
		want := quota - counted[c.name] - 1
		if li := parseLimit(t, v.do("GET", path("/summary"), nil, c.headers...).header); li.r != want {
			t.Errorf("%s: r=%d, want %d", c.name, li.r, want)
		}
	}
	if got := v.e.RateLimited(); got != 0 {
		t.Errorf("RateLimited() = %d: an injected 429 is not the limiter's", got)
	}
}

// TestRateLimitHeadersByDefault: without a RateLimit, Cloudflare's
// 1200 per 300 s are advertised from a real counter, and not enforced.
func TestRateLimitHeadersByDefault(t *testing.T) {
	v := newTestEnv(t, Options{})
	clock := v.withClock()
	for i, want := range []limitInfo{{r: 1199, t: 300, q: 1200, w: 300}, {r: 1198, t: 300, q: 1200, w: 300}} {
		r := v.do("GET", path("/behaviors"), nil).wantOK(t)
		if got := parseLimit(t, r.header); got != want {
			t.Errorf("request %d: %+v, want %+v", i, got, want)
		}
	}
	if got, want := v.do("GET", path("/summary"), nil).header.Get("Ratelimit"), `"default";r=1197;t=300`; got != want {
		t.Errorf("Ratelimit %q, want %q", got, want)
	}
	if got, want := v.do("GET", path("/summary"), nil).header.Get("Ratelimit-Policy"), `"default";q=1200;w=300`; got != want {
		t.Errorf("Ratelimit-Policy %q, want %q", got, want)
	}
	clock.advance(100*time.Second + time.Millisecond)
	if got := parseLimit(t, v.do("GET", path("/behaviors"), nil).header); got.r != 1195 || got.t != 200 {
		t.Errorf("100 s later: %+v, want r=1195 t=200", got)
	}
	// Another credential has its own counter.
	if got := parseLimit(t, v.do("GET", path("/behaviors"), nil, "Authorization", "Bearer other").header); got.r != 1199 {
		t.Errorf("other token: r=%d, want 1199", got.r)
	}
	// Past the quota: r stays 0, nothing is refused.
	for range defaultQuota {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("GET", path("/behaviors"), nil)
		req.Header.Set("Authorization", "Bearer other")
		v.e.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			t.Fatalf("status %d without a RateLimit", rec.Code)
		}
	}
	r := v.do("GET", path("/behaviors"), nil, "Authorization", "Bearer other").wantOK(t)
	if got := parseLimit(t, r.header); got.r != 0 {
		t.Errorf("past the quota: r=%d, want 0", got.r)
	}
	if got := r.header.Get("Retry-After"); got != "" {
		t.Errorf("Retry-After %q on a 200", got)
	}
	if got := v.e.RateLimited(); got != 0 {
		t.Errorf("RateLimited() = %d without a RateLimit", got)
	}
	clock.advance(200 * time.Second)
	if got := parseLimit(t, v.do("GET", path("/behaviors"), nil).header); got.r != 1199 || got.t != 300 {
		t.Errorf("next window: %+v, want r=1199 t=300", got)
	}
}

// TestRateLimitSharedAcrossAccounts: the budget is the credential's, not
// the account's (docs/api.md#rate-limits), for both auth schemes and for the client IP.
func TestRateLimitSharedAcrossAccounts(t *testing.T) {
	const other = "ffffffffffffffffffffffffffffffff"
	onAccount := func(acc, op string) string {
		return "/client/v4/accounts/" + acc + "/zt_risk_scoring" + op
	}
	for _, c := range []struct {
		name    string
		opts    Options
		headers []string
		alt     []string // the same credential, spelled differently
		another []string // a different credential
	}{
		{name: "token", opts: Options{Token: "tok"},
			headers: []string{"Authorization", "Bearer tok"}, alt: []string{"Authorization", "bearer  tok"},
			another: []string{"Authorization", "Bearer tok2"}},
		{name: "key and email", opts: Options{APIKey: testKey, Email: "ops@example.com"},
			headers: []string{"X-Auth-Key", testKey, "X-Auth-Email", "ops@example.com"}, alt: []string{"X-Auth-Key", testKey, "X-Auth-Email", "ops@example.com"},
			another: []string{"X-Auth-Key", testKey, "X-Auth-Email", "dev@example.com"}},
		{name: "client IP", opts: Options{}},
	} {
		t.Run(c.name, func(t *testing.T) {
			c.opts.RateLimit, c.opts.RateWindow = 5, time.Minute
			v := newTestEnv(t, c.opts)
			v.withClock()
			for i, acc := range []string{testAccount, other, testAccount, other, other} {
				hs := c.headers
				if i == 2 && c.alt != nil {
					hs = c.alt
				}
				r := v.do("GET", onAccount(acc, "/behaviors"), nil, hs...).wantOK(t)
				if got := parseLimit(t, r.header).r; got != 4-i {
					t.Errorf("request %d (account %s): r=%d, want %d", i, acc, got, 4-i)
				}
			}
			for _, acc := range []string{testAccount, other} {
				v.do("GET", onAccount(acc, "/integrations"), nil, c.headers...).wantError(t, http.StatusTooManyRequests, codeRateLimited)
			}
			if c.another != nil {
				// Its own budget (and answered 403: not the configured credential).
				r := v.do("GET", path("/behaviors"), nil, c.another...)
				if r.status == http.StatusTooManyRequests || parseLimit(t, r.header).r != 4 {
					t.Errorf("another credential: status %d, %s: want its own budget", r.status, r.header.Get("Ratelimit"))
				}
			}
			if got := v.e.RateLimited(); got != 2 {
				t.Errorf("RateLimited() = %d, want 2", got)
			}
		})
	}
}

// TestLockOut: once over the quota, a credential is refused for LockOut,
// whatever the window does; then it starts over with a full quota.
func TestLockOut(t *testing.T) {
	v := newTestEnv(t, Options{RateLimit: 5, RateWindow: time.Minute, LockOut: 5 * time.Minute})
	clock := v.withClock()
	for range 5 {
		v.do("GET", path("/behaviors"), nil).wantOK(t)
	}
	clock.advance(10 * time.Second)
	// The sixth request is over: locked out until +10s+5m.
	wantLocked := func(step string, retry int) {
		t.Helper()
		r := v.do("GET", path("/behaviors"), nil).wantError(t, http.StatusTooManyRequests, codeRateLimited)
		if got := r.header.Get("Retry-After"); got != strconv.Itoa(retry) {
			t.Errorf("%s: Retry-After %q, want %d", step, got, retry)
		}
		if got := parseLimit(t, r.header); got != (limitInfo{r: 0, t: retry, q: 5, w: 60}) {
			t.Errorf("%s: %+v, want r=0 t=%d (the lock-out's end) q=5 w=60", step, got, retry)
		}
		if reset, err := http.ParseTime(r.header.Get("X-Ratelimit-Reset")); err != nil || reset.Sub(clock.now()) > time.Duration(retry)*time.Second {
			t.Errorf("%s: x-ratelimit-reset %q, want the lock-out's end", step, r.header.Get("X-Ratelimit-Reset"))
		}
	}
	wantLocked("over the quota", 300)
	clock.advance(50 * time.Second) // the window has rolled over: still locked
	wantLocked("next window", 250)
	v.do("POST", path("/integrations"), createBody).wantError(t, http.StatusTooManyRequests, codeRateLimited)
	if n := len(v.e.Integrations(testAccount)); n != 0 {
		t.Errorf("a locked-out POST stored %d integrations", n)
	}
	// Other credentials are not locked out.
	v.do("GET", path("/behaviors"), nil, "Authorization", "Bearer other").wantOK(t)
	clock.advance(250*time.Second - 500*time.Millisecond)
	wantLocked("half a second left", 1) // rounded up
	// Requests during the lock-out neither extend it nor count: the
	// credential comes back with a full quota and a fresh window.
	clock.advance(500 * time.Millisecond)
	r := v.do("GET", path("/behaviors"), nil).wantOK(t)
	if got := parseLimit(t, r.header); got != (limitInfo{r: 4, t: 60, q: 5, w: 60}) {
		t.Errorf("after the lock-out: %+v, want r=4 t=60", got)
	}
	if got := r.header.Get("Retry-After"); got != "" {
		t.Errorf("Retry-After %q on a 200", got)
	}
	if got := v.e.RateLimited(); got != 4 {
		t.Errorf("RateLimited() = %d, want 4", got)
	}
	n429 := 0
	for _, q := range v.e.Requests() {
		if q.Status == http.StatusTooManyRequests {
			n429++
		}
	}
	if n429 != 4 {
		t.Errorf("request log has %d 429s, want 4", n429)
	}
	v.e.ResetRequests()
	if got := v.e.RateLimited(); got != 0 {
		t.Errorf("RateLimited() = %d after ResetRequests", got)
	}
}

// TestLockOutLastsAtLeastTheWindow: a lock-out shorter than the rest of
// the window does not hand out a new quota early.
func TestLockOutLastsAtLeastTheWindow(t *testing.T) {
	v := newTestEnv(t, Options{RateLimit: 1, RateWindow: time.Minute, LockOut: time.Second})
	clock := v.withClock()
	v.do("GET", path("/behaviors"), nil).wantOK(t)
	clock.advance(10 * time.Second)
	r := v.do("GET", path("/behaviors"), nil).wantError(t, http.StatusTooManyRequests, codeRateLimited)
	if got := r.header.Get("Retry-After"); got != "50" {
		t.Errorf("Retry-After %q, want 50 (the window's end)", got)
	}
	clock.advance(5 * time.Second)
	v.do("GET", path("/behaviors"), nil).wantError(t, http.StatusTooManyRequests, codeRateLimited)
	clock.advance(45 * time.Second)
	v.do("GET", path("/behaviors"), nil).wantOK(t)
}

// TestLockOutRealClock runs the lock-out on the wall clock with short
// durations: 5 requests per 200ms, locked out for 300ms.
func TestLockOutRealClock(t *testing.T) {
	const lockOut = 300 * time.Millisecond
	v := newTestEnv(t, Options{RateLimit: 5, RateWindow: 200 * time.Millisecond, LockOut: lockOut})
	var lockedAt time.Time
	for i := 0; lockedAt.IsZero(); i++ {
		if i == 100 {
			t.Fatal("100 requests, none refused")
		}
		sent := time.Now()
		if r := v.do("GET", path("/behaviors"), nil); r.status == http.StatusTooManyRequests {
			lockedAt = sent
		}
	}
	// Polled every 20ms, the answers stay 429 with Retry-After until the
	// lock-out ends, past the 200ms window; then the quota is back.
	deadline := time.Now().Add(testwait.Timeout(t)) // only a hang fails it
	for {
		r := v.do("GET", path("/behaviors"), nil)
		if r.status == http.StatusOK {
			if elapsed := time.Since(lockedAt); elapsed < lockOut {
				t.Errorf("answered 200 %v after the lock-out began, before its %v end", elapsed, lockOut)
			}
			if got := parseLimit(t, r.header); got.r != 4 {
				t.Errorf("after the lock-out: r=%d, want 4 (a fresh window)", got.r)
			}
			break
		}
		r.wantError(t, http.StatusTooManyRequests, codeRateLimited)
		if got := r.header.Get("Retry-After"); got != "1" {
			t.Errorf("Retry-After %q, want 1 (at most 300ms, rounded up)", got)
		}
		if got := r.header.Get("Ratelimit"); got != `"default";r=0;t=1` {
			t.Errorf("Ratelimit %q during the lock-out", got)
		}
		if time.Now().After(deadline) {
			t.Fatalf("still locked out %v after the lock-out began", time.Since(lockedAt))
		}
		time.Sleep(20 * time.Millisecond)
	}
	n429 := 0
	for _, q := range v.e.Requests() {
		if q.Status == http.StatusTooManyRequests {
			n429++
		}
	}
	if got := v.e.RateLimited(); got != n429 || n429 < 2 {
		t.Errorf("RateLimited() = %d, request log has %d 429s (want equal, and at least 2)", got, n429)
	}
}

func TestRateWindowDefaultsToOneSecond(t *testing.T) {
	e, err := New(Options{RateLimit: 1})
	if err != nil {
		t.Fatal(err)
	}
	if e.opts.RateWindow != time.Second {
		t.Errorf("RateWindow %v", e.opts.RateWindow)
	}
}

func TestLockOutOptions(t *testing.T) {
	for _, c := range []struct {
		opts Options
		err  string
	}{
		{Options{RateLimit: 1, LockOut: -time.Second}, "must not be negative"},
		{Options{LockOut: time.Minute}, "Options.LockOut: needs a rate limit"},
	} {
		if _, err := New(c.opts); err == nil || !strings.Contains(err.Error(), c.err) {
			t.Errorf("New(%+v): %v, want %q", c.opts, err, c.err)
		}
	}
	if _, err := New(Options{RateLimit: 1, LockOut: time.Minute}); err != nil {
		t.Error(err)
	}
}

// TestRateWindowsAreSwept: windows of gone credentials do not pile up.
func TestRateWindowsAreSwept(t *testing.T) {
	v := newTestEnv(t, Options{})
	clock := v.withClock()
	for i := range maxIdleWindows {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("GET", path("/behaviors"), nil)
		req.Header.Set("Authorization", "Bearer t"+strconv.Itoa(i))
		v.e.ServeHTTP(rec, req)
	}
	clock.advance(defaultWindow)
	v.do("GET", path("/behaviors"), nil).wantOK(t)
	v.e.mu.Lock()
	n := len(v.e.windows)
	v.e.mu.Unlock()
	if n != 1 {
		t.Errorf("%d windows kept, want 1", n)
	}
}
