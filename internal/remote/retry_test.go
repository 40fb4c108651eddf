package remote

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

var fixedNow = time.Date(2026, 8, 1, 12, 0, 0, 0, time.UTC)

func testBackoff(jitter func(int64) int64) backoff {
	return backoff{
		min: time.Second, max: 30 * time.Second, retryAfterCap: time.Minute,
		now: func() time.Time { return fixedNow }, jitter: jitter,
	}
}

func respWith(status int, retryAfter string) *http.Response {
	h := http.Header{}
	if retryAfter != "" {
		h.Set("Retry-After", retryAfter)
	}
	return &http.Response{StatusCode: status, Header: h}
}

func TestBackoffExponentialWithJitter(t *testing.T) {
	noJitter := testBackoff(func(int64) int64 { return 0 })
	fullJitter := testBackoff(func(n int64) int64 { return n - 1 })
	for attempt, wantLow := range []time.Duration{1 * time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 16 * time.Second, 30 * time.Second, 30 * time.Second} {
		low := noJitter.wait(attempt, nil)
		high := fullJitter.wait(attempt, respWith(503, ""))
		if low != wantLow {
			t.Errorf("attempt %d: floor %v, want %v", attempt, low, wantLow)
		}
		wantHigh := min(2*wantLow-time.Nanosecond, 30*time.Second)
		if high != wantHigh {
			t.Errorf("attempt %d: ceiling %v, want %v", attempt, high, wantHigh)
		}
	}
	// Overflow-safe for absurd attempt numbers.
	if got := noJitter.wait(1000, nil); got != 30*time.Second {
		t.Errorf("attempt 1000: %v", got)
	}
}

func TestBackoffHonoursRetryAfter(t *testing.T) {
	b := testBackoff(func(int64) int64 { return 0 })
	cases := []struct {
		name string
		resp *http.Response
		want time.Duration
	}{
		{"429 seconds", respWith(429, "1"), 1 * time.Second},
		{"429 zero", respWith(429, "0"), 0},
		{"503 seconds", respWith(503, "7"), 7 * time.Second},
		{"500 seconds", respWith(500, "2"), 2 * time.Second},
		{"429 http date", respWith(429, fixedNow.Add(3*time.Second).Format(http.TimeFormat)), 3 * time.Second},
		{"429 date in the past", respWith(429, fixedNow.Add(-time.Hour).Format(http.TimeFormat)), 0},
		{"429 capped", respWith(429, "300"), time.Minute},
		{"429 date capped", respWith(429, fixedNow.Add(10*time.Minute).Format(http.TimeFormat)), time.Minute},
		{"429 huge", respWith(429, "99999999999999"), time.Minute},
		{"429 garbage falls back", respWith(429, "soon"), time.Second},
		{"429 negative falls back", respWith(429, "-5"), time.Second},
		{"429 without header", respWith(429, ""), time.Second},
		{"connection error", nil, time.Second},
	}
	for _, tc := range cases {
		if got := b.wait(0, tc.resp); got != tc.want {
			t.Errorf("%s: wait %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestParseRetryAfterFormats(t *testing.T) {
	for _, v := range []string{
		"Sat, 01 Aug 2026 12:00:05 GMT",    // IMF-fixdate
		"Saturday, 01-Aug-26 12:00:05 GMT", // RFC 850
		"Sat Aug  1 12:00:05 2026",         // ANSI C
	} {
		if d, ok := parseRetryAfter(v, fixedNow); !ok || d != 5*time.Second {
			t.Errorf("%q: %v %v", v, d, ok)
		}
	}
}

func TestShouldRetryPolicy(t *testing.T) {
	ctx := context.Background()
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	reset := &netOpError{op: "read"}
	refused := &netOpError{op: "dial"}
	cases := []struct {
		name       string
		ctx        context.Context
		idempotent bool
		resp       *http.Response
		err        error
		want       bool
	}{
		{"200", ctx, true, respWith(200, ""), nil, false},
		{"400", ctx, true, respWith(400, ""), nil, false},
		{"404", ctx, true, respWith(404, ""), nil, false},
		{"409", ctx, true, respWith(409, ""), nil, false},
		{"429", ctx, true, respWith(429, ""), nil, true},
		{"500", ctx, true, respWith(500, ""), nil, true},
		{"501", ctx, true, respWith(501, ""), nil, false},
		{"503", ctx, true, respWith(503, ""), nil, true},
		{"reset", ctx, true, nil, reset.err(), true},
		{"canceled 503", canceled, true, respWith(503, ""), nil, false},
		{"canceled 200 still read", canceled, true, respWith(200, ""), nil, false},
		{"create 429", ctx, false, respWith(429, ""), nil, true},
		{"create 500", ctx, false, respWith(500, ""), nil, false},
		{"create 503", ctx, false, respWith(503, ""), nil, false},
		{"create reset", ctx, false, nil, reset.err(), false},
		{"create refused", ctx, false, nil, refused.err(), true},
	}
	for _, tc := range cases {
		got, _ := shouldRetry(tc.ctx, tc.idempotent, tc.resp, tc.err)
		if got != tc.want {
			t.Errorf("%s: retry = %v, want %v", tc.name, got, tc.want)
		}
	}
	if _, err := shouldRetry(canceled, true, respWith(503, ""), nil); !errors.Is(err, context.Canceled) {
		t.Errorf("canceled: err = %v", err)
	}
}

func TestRetries429HonouringRetryAfterThenSucceeds(t *testing.T) {
	f := newFake(t)
	f.handle("GET /behaviors", sequence(
		withHeader("Retry-After", "1", fail(429, 971, "Please wait and consider throttling your request speed")),
		okRaw(behaviorsJSON),
	))
	log, buf := logBuffer()
	// RetryAfterCap 5ms: the 1s Retry-After is honoured but capped, so the
	// test stays fast and the recorded wait proves the cap applied.
	c := f.client(func(c *Config) {
		c.Logger = log
		c.RetryWaitMin = 20 * time.Millisecond
		c.RetryWaitMax = 40 * time.Millisecond
	})
	if _, err := c.GetBehaviors(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := f.count("GET /behaviors"); n != 2 {
		t.Errorf("%d requests, want 2", n)
	}
	var waits []time.Duration
	for _, r := range buf.records(t) {
		if r["msg"] == "http retry" {
			waits = append(waits, time.Duration(r["wait"].(float64))) // JSON logs durations in ns
		}
	}
	if len(waits) != 1 || waits[0] != 5*time.Millisecond {
		t.Errorf("retry waits %v, want [5ms] (Retry-After 1s capped at 5ms)", waits)
	}
}

func TestRetries503ThenSucceeds(t *testing.T) {
	f := newFake(t)
	f.handle("GET /integrations", sequence(fail(503, 1000, "unavailable"), fail(502, 1000, "bad gateway"), okRaw(`[`+integrationJSON+`]`)))
	got, err := f.client().ListIntegrations(context.Background())
	if err != nil || len(got) != 1 {
		t.Fatalf("got %v, %v", got, err)
	}
	if n := f.count("GET /integrations"); n != 3 {
		t.Errorf("%d requests, want 3", n)
	}
}

func TestNoRetryOn400(t *testing.T) {
	f := newFake(t)
	f.handle("PUT /behaviors", fail(400, 1001, "unknown behavior key foo"))
	_, err := f.client().UpdateBehaviors(context.Background(), map[string]BehaviorUpdate{"foo": {Enabled: true, RiskLevel: RiskLow}})
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Status != 400 || apiErr.Attempts != 1 {
		t.Fatalf("err = %v", err)
	}
	if n := f.count("PUT /behaviors"); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
}

func TestGivesUpAfterRetryMaxKeepingLastError(t *testing.T) {
	f := newFake(t)
	f.handle("GET /summary", sequence(fail(500, 1001, "first"), fail(502, 1002, "second"), fail(503, 1003, "last")))
	_, err := f.client(func(c *Config) { c.RetryMax = 2 }).GetSummary(context.Background())
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("err = %v (%T)", err, err)
	}
	if apiErr.Status != 503 || len(apiErr.Errors) != 1 || apiErr.Errors[0].Code != 1003 || apiErr.Attempts != 3 {
		t.Errorf("got %+v", apiErr)
	}
	if got := err.Error(); got != "get risk summary: HTTP 503: 1003 last (after 3 attempts)" {
		t.Errorf("message %q", got)
	}
	if n := f.count("GET /summary"); n != 3 {
		t.Errorf("%d requests, want 3 (1 + RetryMax 2)", n)
	}
}

func TestRetriesConnectionErrors(t *testing.T) {
	f := newFake(t)
	f.handle("GET /behaviors", sequence(resetConn, resetConn, okRaw(behaviorsJSON)))
	if _, err := f.client().GetBehaviors(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := f.count("GET /behaviors"); n < 3 {
		t.Errorf("%d requests, want 3", n)
	}
}

func TestGivesUpOnConnectionErrors(t *testing.T) {
	f := newFake(t)
	f.srv.Close() // connection refused from now on
	_, err := f.client(func(c *Config) { c.RetryMax = 2 }).GetBehaviors(context.Background())
	if err == nil {
		t.Fatal("no error")
	}
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		t.Errorf("a network error became an APIError: %v", err)
	}
	// A refused connection is retried once, not RetryMax times
	// (refusedRetries).
	if msg := err.Error(); !contains(msg, "get behaviors: giving up after 2 attempts: connection refused by") {
		t.Errorf("message %q", msg)
	}
}

func TestContextCancelStopsRetries(t *testing.T) {
	t.Run("during backoff", func(t *testing.T) {
		f := newFake(t)
		f.handle("GET /behaviors", fail(503, 1000, "unavailable"))
		c := f.client(func(c *Config) { c.RetryWaitMin = time.Hour; c.RetryWaitMax = time.Hour })
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(50*time.Millisecond, cancel)
		_, err := c.GetBehaviors(ctx) // the hour's backoff, had the cancel not ended it
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v", err)
		}
		if n := f.count("GET /behaviors"); n != 1 {
			t.Errorf("%d requests, want 1", n)
		}
	})
	t.Run("during request", func(t *testing.T) {
		f := newFake(t)
		ctx, cancel := context.WithCancel(context.Background())
		f.handle("GET /behaviors", func(w http.ResponseWriter, r *http.Request) {
			cancel()
			fail(503, 1000, "unavailable")(w, r)
		})
		_, err := f.client().GetBehaviors(ctx)
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v", err)
		}
		if n := f.count("GET /behaviors"); n != 1 {
			t.Errorf("%d requests after cancel", n)
		}
	})
}

func TestIdempotentWritesAreRetried(t *testing.T) {
	f := newFake(t)
	f.handle("PUT /integrations/"+integrationID, sequence(fail(500, 1000, "oops"), okRaw(integrationJSON)))
	f.handle("DELETE /integrations/"+integrationID, sequence(resetConn, okRaw(`{}`)))
	f.handle("POST /"+userID+"/reset", sequence(fail(503, 1000, "oops"), okRaw(`{}`)))
	f.handle("PUT /behaviors", sequence(fail(502, 1000, "oops"), okRaw(behaviorsJSON)))
	c := f.client()
	ctx := context.Background()
	if _, err := c.UpdateIntegration(ctx, integrationID, UpdateIntegrationRequest{TenantURL: "https://x.okta.com", Active: true}); err != nil {
		t.Error(err)
	}
	if err := c.DeleteIntegration(ctx, integrationID); err != nil {
		t.Error(err)
	}
	if err := c.ResetUserRisk(ctx, userID); err != nil {
		t.Error(err)
	}
	if _, err := c.UpdateBehaviors(ctx, map[string]BehaviorUpdate{"imp_travel": {Enabled: true, RiskLevel: RiskHigh}}); err != nil {
		t.Error(err)
	}
	for _, route := range []string{"PUT /integrations/" + integrationID, "POST /" + userID + "/reset", "PUT /behaviors"} {
		if n := f.count(route); n != 2 {
			t.Errorf("%s: %d requests, want 2", route, n)
		}
	}
	if n := f.count("DELETE /integrations/" + integrationID); n < 2 {
		t.Errorf("DELETE: %d requests, want 2", n)
	}
}

func TestRetriesBodyCutShort(t *testing.T) {
	f := newFake(t)
	f.handle("GET /behaviors", sequence(truncated, okRaw(behaviorsJSON)))
	got, err := f.client().GetBehaviors(context.Background())
	if err != nil || len(got) != 3 {
		t.Fatalf("got %v, %v", got, err)
	}
	if n := f.count("GET /behaviors"); n != 2 {
		t.Errorf("%d requests, want 2", n)
	}
}

func TestBackoffDecidesWhy(t *testing.T) {
	b := testBackoff(func(int64) int64 { return 0 })
	b.retryAfterCap = 5 * time.Minute
	withLimit := func(status int, retryAfter, ratelimit string) *http.Response {
		r := respWith(status, retryAfter)
		if ratelimit != "" {
			r.Header.Set("Ratelimit", ratelimit)
		}
		return r
	}
	cases := []struct {
		name    string
		attempt int
		resp    *http.Response
		want    time.Duration
		why     string
	}{
		{"429 retry-after wins over t", 0, withLimit(429, "12", `"default";r=0;t=200`), 12 * time.Second, "rate limited (retry-after)"},
		{"429 announced reset", 0, withLimit(429, "", `"default";r=0;t=200`), 200 * time.Second, "rate limited (announced reset)"},
		{"429 reset while r is high (endpoint limiter)", 0, withLimit(429, "", `"default";r=1100;t=3`), 3 * time.Second, "rate limited (announced reset)"},
		{"429 reset capped", 0, withLimit(429, "", `"default";r=0;t=3600`), 5 * time.Minute, "rate limited (announced reset)"},
		{"429 retry-after up to 5 minutes", 0, withLimit(429, "300", ""), 5 * time.Minute, "rate limited (retry-after)"},
		{"429 retry-after capped", 0, withLimit(429, "900", ""), 5 * time.Minute, "rate limited (retry-after)"},
		{"429 old reset header", 0, func() *http.Response {
			r := respWith(429, "")
			r.Header.Set("X-Ratelimit-Remaining", "0")
			r.Header.Set("X-Ratelimit-Reset", fixedNow.Add(45*time.Second).Format(http.TimeFormat))
			return r
		}(), 45 * time.Second, "rate limited (announced reset)"},
		{"429 neither", 0, respWith(429, ""), time.Second, "rate limited (backoff)"},
		{"429 neither, later attempts grow past RetryWaitMax", 6, respWith(429, ""), 64 * time.Second, "rate limited (backoff)"},
		{"429 neither, capped", 20, respWith(429, ""), 5 * time.Minute, "rate limited (backoff)"},
		{"503 retry-after", 0, respWith(503, "7"), 7 * time.Second, "HTTP 503 (retry-after)"},
		{"503 backoff", 1, respWith(503, ""), 2 * time.Second, "HTTP 503 (backoff)"},
		{"connection error", 0, nil, time.Second, "connection error (backoff)"},
	}
	for _, tc := range cases {
		got, why := b.decide(tc.attempt, tc.resp)
		if got != tc.want || why != tc.why {
			t.Errorf("%s: %v %q, want %v %q", tc.name, got, why, tc.want, tc.why)
		}
	}
}

// retryWaits returns the waits of the "http retry" records, with their why.
func retryWaits(t *testing.T, buf *syncBuffer) []string {
	var out []string
	for _, r := range buf.records(t) {
		if r["msg"] == "http retry" {
			out = append(out, fmt.Sprintf("%v|%v", r["why"], r["text"]))
		}
	}
	return out
}

func Test429WaitsForRetryAfterThenTOrBackoff(t *testing.T) {
	cases := []struct {
		name   string
		header func(h http.Header)
		why    string
	}{
		{"retry-after", func(h http.Header) { h.Set("Retry-After", "1") }, "rate limited (retry-after)"},
		{"announced reset", func(h http.Header) { h.Set("Ratelimit", `"default";r=0;t=0.05`) }, "rate limited (announced reset)"},
		{"neither", func(http.Header) {}, "rate limited (backoff)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			f.handle("GET /behaviors", sequence(func(w http.ResponseWriter, r *http.Request) {
				tc.header(w.Header())
				fail(429, 971, "Please wait and consider throttling your request speed")(w, r)
			}, okRaw(behaviorsJSON)))
			log, buf := logBuffer()
			var seen waits
			// Retry-After "1" is capped at 100ms; t=0.05 is 50ms; the
			// backoff starts at 10ms.
			c := f.client(func(c *Config) {
				c.Logger, c.OnWait = log, seen.hook
				c.RetryWaitMin, c.RetryAfterCap = 10*time.Millisecond, 100*time.Millisecond
			})
			if _, err := c.GetBehaviors(context.Background()); err != nil {
				t.Fatal(err)
			}
			if n := f.count("GET /behaviors"); n != 2 {
				t.Errorf("%d requests, want 2", n)
			}
			got := seen.list()
			if len(got) != 1 || !strings.HasPrefix(got[0], "get behaviors|") || !strings.HasSuffix(got[0], "|"+tc.why) {
				t.Errorf("OnWait %q, want one wait for %q", got, tc.why)
			}
			logged := retryWaits(t, buf)
			if len(logged) != 1 || !strings.HasPrefix(logged[0], tc.why+"|waiting ") || !strings.HasSuffix(logged[0], ": "+tc.why) {
				t.Errorf("logged %q", logged)
			}
			if tc.name == "retry-after" && got[0] != "get behaviors|100ms|rate limited (retry-after)" {
				t.Errorf("wait %q, want Retry-After 1s capped at 100ms", got[0])
			}
		})
	}
}

// A 429 whose wait would pass the deadline fails at once, saying what it
// would have waited for, and locks the budget: the next request does not
// even go out.
func Test429PastDeadlineFailsNow(t *testing.T) {
	f := newFake(t)
	f.handle("GET /behaviors", withHeader("Retry-After", "120", fail(429, 971, "Please wait and consider throttling your request speed")))
	f.handle("POST /integrations", okRaw(integrationJSON))
	c := f.client(func(c *Config) { c.RetryAfterCap = 0 }) // the default: 5 minutes
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	// Had it waited, the context's 20s would have ended it with another
	// error than the WaitError checked here.
	_, err := c.GetBehaviors(ctx)
	var werr *WaitError
	if !errors.As(err, &werr) || !errors.Is(err, ErrRateLimited) || werr.Wait != 120*time.Second || werr.Op != "get behaviors" {
		t.Fatalf("err = %v (%T)", err, err)
	}
	msg := err.Error()
	for _, want := range []string{"get behaviors: not retried after 1 attempt: waiting 120s (rate limited (retry-after)) would pass the run's deadline in ", "; last answer: HTTP 429: 971 Please wait"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q lacks %q", msg, want)
		}
	}
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Status != 429 {
		t.Errorf("the 429 is not in the chain: %v", err)
	}
	if n := f.count("GET /behaviors"); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}

	// The budget is locked for 120s: a create with 20s left is refused
	// before it is sent, and that is not ambiguous.
	_, err = c.CreateIntegration(ctx, createReq())
	var amb *AmbiguousError
	if !errors.As(err, &werr) || errors.As(err, &amb) || !errors.Is(err, ErrRateLimited) {
		t.Fatalf("create: %v", err)
	}
	if msg := err.Error(); !strings.HasPrefix(msg, "create integration: not sent: waiting 1") {
		t.Errorf("create: %q", msg)
	}
	if n := f.count("POST /integrations"); n != 0 {
		t.Errorf("%d POSTs during the lock-out", n)
	}
}

// A retry backoff that would pass the deadline fails now too.
func TestBackoffPastDeadlineFailsNow(t *testing.T) {
	f := newFake(t)
	f.handle("GET /behaviors", fail(503, 1000, "unavailable"))
	c := f.client(func(c *Config) { c.RetryWaitMin, c.RetryWaitMax = time.Minute, time.Minute })
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	_, err := c.GetBehaviors(ctx) // a minute's backoff would pass the 20s: it ends with a WaitError at once
	var werr *WaitError
	if !errors.As(err, &werr) || errors.Is(err, ErrRateLimited) || werr.Why != "HTTP 503 (backoff)" {
		t.Fatalf("err = %v", err)
	}
	if !strings.HasPrefix(err.Error(), "get behaviors: not retried after 1 attempt: waiting 60s (HTTP 503 (backoff)) would pass the run's deadline in ") {
		t.Errorf("message %q", err)
	}
}

// The budget's wait is capped like a 429's: an announced reset an hour
// away fails now rather than hanging.
func TestBudgetWaitPastCapFailsNow(t *testing.T) {
	f := newFake(t)
	f.handle("GET /behaviors", withHeader("Ratelimit", `"default";r=0;t=3600`, okRaw(behaviorsJSON)))
	c := f.client(func(c *Config) { c.RetryAfterCap = 0 })
	if _, err := c.GetBehaviors(context.Background()); err != nil {
		t.Fatal(err)
	}
	_, err := c.GetBehaviors(context.Background())
	if !errors.Is(err, ErrRateLimited) || !strings.Contains(fmt.Sprint(err), "rate budget spent") ||
		!strings.Contains(fmt.Sprint(err), "more than the longest wait allowed, 300s") {
		t.Fatalf("err = %v", err)
	}
	if n := f.count("GET /behaviors"); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
}
