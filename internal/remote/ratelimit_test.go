package remote

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/riskctl/riskctl/internal/testwait"
)

// Timing assertions here are lower bounds (pacing can make things slower
// than planned, never faster) or generous upper bounds, so they cannot
// flake on a slow machine. Exact schedules are checked in budget_test.go
// with a fixed clock.

// waits records OnWait calls.
type waits struct {
	mu  sync.Mutex
	got []string
}

func (w *waits) hook(op string, d time.Duration, why string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.got = append(w.got, fmt.Sprintf("%s|%s|%s", op, d, why))
}

func (w *waits) list() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.got...)
}

const otherAccount = "acc-2"

// otherRoute is a route of otherAccount on the fake (which strips only
// testRoot from paths).
func otherRoute(method, rel string) string {
	return method + " /client/v4/accounts/" + otherAccount + "/zt_risk_scoring" + rel
}

// Retries pass through the Budget like first attempts: a retry storm is
// what gets a credential locked out. The first answer spends the quota, so
// the retry waits for the announced reset.
func TestBudgetPacesRetries(t *testing.T) {
	f := newFake(t)
	f.handle("GET /behaviors", sequence(
		withHeader("Ratelimit", `"default";r=0;t=0.2`, withHeader("Ratelimit-Policy", `"default";q=100;w=10`,
			fail(503, 1000, "unavailable"))),
		okRaw(behaviorsJSON),
	))
	var seen waits
	log, buf := logBuffer()
	c := f.client(func(c *Config) { c.OnWait = seen.hook; c.Logger = log; c.RetryAfterCap = time.Minute })
	if _, err := c.GetBehaviors(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := f.count("GET /behaviors"); n != 2 {
		t.Errorf("%d requests, want 2", n)
	}
	var budgetWaits []string
	for _, w := range seen.list() {
		if strings.Contains(w, "rate budget spent") {
			budgetWaits = append(budgetWaits, w)
		}
	}
	if len(budgetWaits) != 1 || !strings.HasPrefix(budgetWaits[0], "get behaviors|") {
		t.Errorf("waits %q, want one for the spent budget before the retry", seen.list())
	}
	var retryWaited bool
	for _, r := range buf.records(t) {
		if r["msg"] == "rate wait" && r["attempt"] == float64(2) {
			retryWaited = true
		}
	}
	if !retryWaited {
		t.Errorf("no rate wait record for attempt 2:\n%s", buf.String())
	}
}

// A create whose context ends while it waits for the Budget was never sent:
// the error says so, and it is not ambiguous.
func TestBudgetWaitCanceledSendsNothing(t *testing.T) {
	f := newFake(t)
	f.handle("POST /integrations", okRaw(integrationJSON))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// Cancel as the wait starts (OnWait is called before it).
	c := f.client(func(c *Config) {
		c.OnWait = func(string, time.Duration, string) { cancel() }
		c.RetryAfterCap = time.Hour
	})
	c.s.budget.lockOut(time.Now().Add(time.Minute), "rate limited (retry-after)", false)
	_, err := c.CreateIntegration(ctx, createReq())
	var amb *AmbiguousError
	var lerr *limiterError
	if !errors.Is(err, context.Canceled) || errors.As(err, &amb) || !errors.As(err, &lerr) {
		t.Errorf("err = %v; nothing was sent, so it is not ambiguous", err)
	}
	if err != nil && err.Error() != "create integration: rate limiter: context canceled" {
		t.Errorf("message %q", err)
	}
	if n := f.count("POST /integrations"); n != 0 {
		t.Errorf("%d POSTs, want 0", n)
	}
}

// A 100-write apply is not slowed at all: no wait, on a fresh budget or on
// one the API keeps telling how much is left.
func TestBudgetLets100RequestsThrough(t *testing.T) {
	for _, announced := range []bool{false, true} {
		t.Run(fmt.Sprintf("announced=%v", announced), func(t *testing.T) {
			f := newFake(t)
			var mu sync.Mutex
			used := 0
			f.handle("PUT /integrations/"+integrationID, func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				used++
				left := 1200 - used
				mu.Unlock()
				if announced {
					w.Header().Set("Ratelimit", fmt.Sprintf(`"default";r=%d;t=300`, left))
					w.Header().Set("Ratelimit-Policy", `"default";q=1200;w=300`)
				}
				okRaw(integrationJSON)(w, r)
			})
			var seen waits
			log, buf := logBuffer()
			c := f.client(func(c *Config) { c.OnWait = seen.hook; c.Logger = log })
			var wg sync.WaitGroup
			errs := make(chan error, 100)
			for range 8 { // apply's workers
				wg.Go(func() {
					for range 100 / 8 {
						_, err := c.UpdateIntegration(context.Background(), integrationID, UpdateIntegrationRequest{TenantURL: "https://x.okta.com"})
						errs <- err
					}
				})
			}
			for range 100 % 8 {
				_, err := c.UpdateIntegration(context.Background(), integrationID, UpdateIntegrationRequest{TenantURL: "https://x.okta.com"})
				errs <- err
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
			if got := seen.list(); len(got) != 0 {
				t.Errorf("waits: %q", got)
			}
			if strings.Contains(buf.String(), "rate_wait") || strings.Contains(buf.String(), `"rate wait"`) {
				t.Errorf("requests waited for the budget:\n%s", buf.String())
			}
			// Announced: the last answer applied is the one to the request
			// sent last, which may have overtaken a few in flight; the
			// budget counts those as spent, so its estimate may be low by
			// the other workers' sends, never high (budget.go).
			st := c.s.budget.Status()
			if st.Remaining > 1100 || st.Remaining < 1100-8 || (!announced && st.Remaining != 1100) || st.Announced != announced {
				t.Errorf("status %+v, want 1100 left", st)
			}
		})
	}
}

// With little left, requests are spread over the time until the reset.
func TestBudgetSpreadsTinyRemaining(t *testing.T) {
	f := newFake(t)
	// Quota 100: 5 in reserve, the last 20 spread. r=8 leaves 3 usable,
	// announced again on every answer: each send waits a quarter of the
	// 400ms to the reset.
	f.handle("GET /behaviors", withHeader("Ratelimit", `"default";r=8;t=0.4`,
		withHeader("Ratelimit-Policy", `"default";q=100;w=10`, okRaw(behaviorsJSON))))
	var seen waits
	c := f.client(func(c *Config) { c.OnWait = seen.hook; c.RetryAfterCap = time.Minute })
	start := time.Now()
	for range 5 {
		if _, err := c.GetBehaviors(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if took := time.Since(start); took < 300*time.Millisecond {
		t.Errorf("5 requests with 3 usable took %v, want at least 300ms of the 400ms to the reset", took)
	}
	got := seen.list()
	if len(got) < 3 {
		t.Fatalf("waits %q, want one per paced request", got)
	}
	for _, w := range got {
		if !strings.HasPrefix(w, "get behaviors|") || !strings.Contains(w, "rate budget low: 8 of 100 requests left") {
			t.Errorf("wait %q", w)
		}
	}
	if st := c.s.budget.Status(); st.Quota != 100 || st.Window != 10*time.Second || !st.Announced {
		t.Errorf("status %+v", st)
	}
}

// Two clients (two accounts) with one budget: what the API tells one, the
// other knows, and both spend the same remaining.
func TestSharedBudgetLearnsAcrossAccounts(t *testing.T) {
	f := newFake(t)
	f.handle("GET /behaviors", withHeader("Ratelimit", `"default";r=500;t=100`,
		withHeader("Ratelimit-Policy", `"default";q=1000;w=100`, okRaw(behaviorsJSON))))
	f.handle(otherRoute("GET", "/behaviors"), sequence(
		okRaw(behaviorsJSON), // no headers: the budget counts the send itself
		withHeader("x-ratelimit-remaining", "42", okRaw(behaviorsJSON)),
	))
	budget := NewBudget()
	a := f.client(func(c *Config) { c.Budget = budget })
	b := f.client(func(c *Config) { c.Budget = budget; c.AccountID = otherAccount })
	ctx := context.Background()

	if _, err := a.GetBehaviors(ctx); err != nil {
		t.Fatal(err)
	}
	st := b.s.budget.Status()
	if st.Quota != 1000 || st.Window != 100*time.Second || st.Remaining != 500 || !st.Announced ||
		st.ResetIn <= 90*time.Second || st.ResetIn > 100*time.Second {
		t.Errorf("after a's answer: %+v", st)
	}
	if _, err := b.GetBehaviors(ctx); err != nil {
		t.Fatal(err)
	}
	if st := a.s.budget.Status(); st.Remaining != 499 {
		t.Errorf("after b's request: %+v, want 499 left", st)
	}
	if _, err := b.GetBehaviors(ctx); err != nil {
		t.Fatal(err)
	}
	if st := a.s.budget.Status(); st.Remaining != 42 || st.Quota != 1000 {
		t.Errorf("after b's second answer: %+v, want 42 left", st)
	}
}

// A 429 to one account's client locks out the other's too: it waits for the
// same Retry-After instead of hammering, and only the first is reported.
func TestSharedBudgetLockOut(t *testing.T) {
	f := newFake(t)
	f.handle("GET /behaviors", sequence(
		withHeader("Retry-After", "1", fail(429, 971, "Please wait and consider throttling your request speed")),
		okRaw(behaviorsJSON),
	))
	var (
		mu       sync.Mutex
		arrivals []time.Time
	)
	f.handle(otherRoute("GET", "/behaviors"), func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		arrivals = append(arrivals, time.Now())
		mu.Unlock()
		okRaw(behaviorsJSON)(w, r)
	})
	budget := NewBudget()
	var seenA, seenB waits
	logB, bufB := logBuffer()
	capped := func(c *Config) { c.Budget = budget; c.RetryAfterCap = 300 * time.Millisecond }
	a := f.client(capped, func(c *Config) { c.OnWait = seenA.hook })
	b := f.client(capped, func(c *Config) { c.AccountID = otherAccount; c.OnWait = seenB.hook; c.Logger = logB })

	aDone := make(chan error, 1)
	go func() { _, err := a.GetBehaviors(context.Background()); aDone <- err }()
	var before time.Time
	var locked time.Duration
	for deadline := time.Now().Add(testwait.Timeout(t)); ; {
		before = time.Now()
		if locked = budget.Status().LockedFor; locked > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the 429 never locked the budget")
		}
		time.Sleep(time.Millisecond)
	}
	if _, err := b.GetBehaviors(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := <-aDone; err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	arrived := arrivals[0]
	mu.Unlock()
	if end := before.Add(locked); arrived.Before(end) {
		t.Errorf("b's request arrived %v before the lock-out ended", end.Sub(arrived))
	}
	if got := seenA.list(); len(got) != 1 || got[0] != "get behaviors|300ms|rate limited (retry-after)" {
		t.Errorf("a's waits %q", got)
	}
	if got := seenB.list(); len(got) != 0 {
		t.Errorf("b's waits %q: the lock-out was reported already", got)
	}
	if !strings.Contains(bufB.String(), `"msg":"rate wait"`) || !strings.Contains(bufB.String(), `"why":"rate limited (retry-after)"`) {
		t.Errorf("b's log has no rate wait record:\n%s", bufB.String())
	}
}
