package remote

import (
	"context"
	"errors"
	"testing"
	"time"

	"golang.org/x/time/rate"
)

// These assert lower bounds only: a limiter can make things slower than
// planned, never faster, so they cannot flake on a slow machine.

func TestRateLimiterPacesRequests(t *testing.T) {
	f := newFake(t)
	f.handle("GET /behaviors", okRaw(behaviorsJSON))
	c := f.client(func(c *Config) { c.RateLimit = 10; c.RateBurst = 1 })
	start := time.Now()
	for range 5 {
		if _, err := c.GetBehaviors(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	// One token up front, then one per 100ms: at least 400ms for 5.
	if took := time.Since(start); took < 350*time.Millisecond {
		t.Errorf("5 requests at 10/s burst 1 took %v", took)
	}
}

func TestRateLimiterPacesRetries(t *testing.T) {
	f := newFake(t)
	f.handle("GET /behaviors", sequence(fail(503, 1000, "x"), fail(503, 1000, "x"), okRaw(behaviorsJSON)))
	c := f.client(func(c *Config) { c.RateLimit = 10; c.RateBurst = 1 })
	start := time.Now()
	if _, err := c.GetBehaviors(context.Background()); err != nil {
		t.Fatal(err)
	}
	// 3 attempts, 1ms backoff: the ~200ms come from the limiter.
	if took := time.Since(start); took < 150*time.Millisecond {
		t.Errorf("3 attempts at 10/s burst 1 took %v; retries bypass the limiter?", took)
	}
}

func TestSharedLimiter(t *testing.T) {
	f := newFake(t)
	f.handle("GET /behaviors", okRaw(behaviorsJSON))
	lim := rate.NewLimiter(10, 1)
	a := f.client(func(c *Config) { c.Limiter = lim })
	b := f.client(func(c *Config) { c.Limiter = lim; c.RateLimit = rate.Inf })
	start := time.Now()
	for _, c := range []*Client{a, b, a, b} {
		if _, err := c.GetBehaviors(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if took := time.Since(start); took < 250*time.Millisecond {
		t.Errorf("4 requests through one 10/s limiter took %v", took)
	}
}

func TestLimiterDeadlineSendsNothing(t *testing.T) {
	f := newFake(t)
	f.handle("POST /integrations", okRaw(integrationJSON))
	c := f.client(func(c *Config) { c.RateLimit = 0.1; c.RateBurst = 1 })
	if _, err := c.CreateIntegration(context.Background(), createReq()); err != nil {
		t.Fatal(err)
	}
	// The next token is 10s away; a 50ms deadline cannot be met.
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.CreateIntegration(ctx, createReq())
	var amb *AmbiguousError
	var lerr *limiterError
	if err == nil || errors.As(err, &amb) || !errors.As(err, &lerr) {
		t.Errorf("err = %v; nothing was sent, so it is not ambiguous", err)
	}
	if n := f.count("POST /integrations"); n != 1 {
		t.Errorf("%d POSTs, want 1", n)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("limiter error retried for %v", took)
	}
}
