package emulator

import (
	"net/http"
	"sync"
	"testing"
	"time"
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

func TestRateLimit(t *testing.T) {
	v := newTestEnv(t, Options{RateLimit: 3, RateWindow: time.Minute})
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	clock := &fakeClock{t: start}
	v.e.clock = clock.now
	wantReset := start.Add(time.Minute)

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
	}
	clock.advance(500 * time.Millisecond) // 59.5 s left: Retry-After rounds up to 60
	r := v.do("GET", path("/behaviors"), nil).wantError(t, http.StatusTooManyRequests, codeRateLimited)
	if got := r.header.Get("Retry-After"); got != "60" {
		t.Errorf("Retry-After %q, want 60", got)
	}
	if got := r.header.Get("X-Ratelimit-Remaining"); got != "0" {
		t.Errorf("x-ratelimit-remaining on 429 %q", got)
	}
	// Another caller has its own window.
	v.do("GET", path("/behaviors"), nil, "Authorization", "Bearer other").wantOK(t)
	// A limited write is not applied.
	v.do("POST", path("/integrations"), createBody).wantError(t, http.StatusTooManyRequests, codeRateLimited)
	if n := len(v.e.Integrations(testAccount)); n != 0 {
		t.Errorf("a rate-limited POST stored %d integrations", n)
	}
	clock.advance(time.Minute)
	r = v.do("GET", path("/behaviors"), nil).wantOK(t)
	if got := r.header.Get("X-Ratelimit-Remaining"); got != "2" {
		t.Errorf("new window: remaining %q, want 2", got)
	}
}

func TestNoRateLimitHeadersWithoutRateLimit(t *testing.T) {
	v := newTestEnv(t, Options{})
	r := v.do("GET", path("/behaviors"), nil).wantOK(t)
	if got := r.header.Get("X-Ratelimit-Limit"); got != "" {
		t.Errorf("x-ratelimit-limit %q without a RateLimit", got)
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
