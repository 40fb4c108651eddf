package remote

import (
	"context"
	"errors"
	"net/http"
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
	if msg := err.Error(); !contains(msg, "get behaviors: giving up after 3 attempts") {
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
		start := time.Now()
		_, err := c.GetBehaviors(ctx)
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v", err)
		}
		if time.Since(start) > 10*time.Second || f.count("GET /behaviors") != 1 {
			t.Errorf("took %v, %d requests", time.Since(start), f.count("GET /behaviors"))
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
