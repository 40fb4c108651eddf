package remote

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/riskctl/riskctl/internal/testwait"
)

// notices records what Config.OnWait is told.
type notices struct {
	mu   sync.Mutex
	whys []string
}

func (w *notices) onWait(op string, d time.Duration, why string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.whys = append(w.whys, op+": "+why)
}

// Observed: with no --timeout, a server that accepts and never answers held
// plan for 5 attempts of 60s. With the default limits (asserted in
// TestNewDefaults) an operation gives up after NoAnswerAttempts attempts
// that timed out, naming the operation, the server and "no answer". The
// attempt timeout is shortened here; the count is the default's.
func TestSilentServerGivesUpAfterNoAnswerAttempts(t *testing.T) {
	f := newFake(t)
	f.handle("GET /behaviors", silent)
	var w notices
	c := f.client(func(c *Config) {
		c.AttemptTimeout = 50 * time.Millisecond
		c.RetryMax = 0 // the default, 4: more than NoAnswerAttempts allows
		c.OnWait = w.onWait
	})
	_, err := c.GetBehaviors(testwait.Context(t))
	host := strings.TrimPrefix(f.srv.URL, "http://")
	want := "get behaviors: giving up after 3 attempts: no answer from " + host + " within 50ms"
	if err == nil || err.Error() != want {
		t.Fatalf("err = %v\nwant  %s", err, want)
	}
	if n := f.count("GET /behaviors"); n != DefaultNoAnswerAttempts {
		t.Errorf("%d attempts, want %d", n, DefaultNoAnswerAttempts)
	}
	for _, why := range w.whys {
		if !strings.Contains(why, "no answer from "+host) || strings.Contains(why, "HTTP") {
			t.Errorf("retry notice %q: want the server's silence, no status", why)
		}
	}
}

// Observed: a 200 whose body timed out was retried with the notice "HTTP
// 200 (backoff)". The status of an answer that never arrived whole is no
// reason to give.
func TestRetryNoticeAfterBodyTimeoutGivesNoStatus(t *testing.T) {
	f := newFake(t)
	f.handle("GET /behaviors", sequence(trickle, okRaw(behaviorsJSON)))
	var w notices
	log, buf := logBuffer()
	c := f.client(func(c *Config) { c.AttemptTimeout = 100 * time.Millisecond; c.OnWait = w.onWait; c.Logger = log })
	if _, err := c.GetBehaviors(testwait.Context(t)); err != nil {
		t.Fatal(err)
	}
	if len(w.whys) != 1 || !strings.Contains(w.whys[0], "no complete answer from ") {
		t.Errorf("notices %q, want one naming the incomplete answer", w.whys)
	}
	for _, rec := range buf.records(t) {
		if rec["msg"] == "http retry" && (strings.Contains(rec["why"].(string), "HTTP 200") || strings.Contains(rec["after"].(string), "HTTP 200")) {
			t.Errorf("retry record gives a status it did not get: %v", rec)
		}
	}
}

// A request made under a context that outlives the run (apply's grace,
// WithRun) notices for the budget only while the wait ends before the
// run's deadline; else it fails at once, unsent.
func TestBudgetWaitPastRunDeadlineIsNotSent(t *testing.T) {
	f := newFake(t)
	f.handle("POST /integrations", okRaw(integrationJSON))
	c := f.client()
	c.s.budget.lockOut(time.Now().Add(290*time.Second), "rate limited (retry-after)", true)
	run, cancel := context.WithTimeout(context.Background(), 12*time.Second)
	defer cancel()
	_, err := c.CreateIntegration(WithRun(context.Background(), run), createReq())
	var werr *WaitError
	var amb *AmbiguousError
	if !errors.As(err, &werr) || errors.As(err, &amb) {
		t.Fatalf("err = %v (%T)", err, err)
	}
	if msg := err.Error(); !strings.HasPrefix(msg, "create integration: not sent: waiting 290s (rate limited (retry-after)) would pass the run's deadline in 1") {
		t.Errorf("message %q", msg)
	}
	if n := f.count("POST /integrations"); n != 0 {
		t.Errorf("%d POSTs", n)
	}
}

// After the run stopped, no wait starts: not for the budget, not before a
// retry. A request that needs none still goes (apply's grace finishes
// what is in flight).
func TestNoWaitAfterTheRunStopped(t *testing.T) {
	f := newFake(t)
	f.handle("GET /behaviors", sequence(fail(503, 1000, "unavailable"), okRaw(behaviorsJSON)))
	f.handle("GET /summary", okRaw(`{"users":[]}`))
	c := f.client()
	run, cancel := context.WithCancelCause(context.Background())
	stopped := errors.New("interrupted")
	cancel(stopped)
	ctx := WithRun(context.Background(), run)
	if _, err := c.GetSummary(ctx); err != nil {
		t.Fatalf("a request that needs no wait: %v", err)
	}
	_, err := c.GetBehaviors(ctx)
	if !errors.Is(err, stopped) || !strings.Contains(err.Error(), "get behaviors: not retried after 1 attempt: the run has stopped (interrupted)") {
		t.Errorf("retry: %v", err)
	}
	c.s.budget.lockOut(time.Now().Add(time.Second), "rate limited (retry-after)", true)
	_, err = c.GetSummary(ctx)
	if !errors.Is(err, stopped) || !strings.Contains(err.Error(), "get risk summary: not sent: the run has stopped (interrupted)") {
		t.Errorf("budget: %v", err)
	}
	if n := f.count("GET /behaviors"); n != 1 {
		t.Errorf("%d GET /behaviors, want 1", n)
	}
}

// A budget wait under way when the run stops ends then, unsent.
func TestBudgetWaitEndsWhenTheRunStops(t *testing.T) {
	f := newFake(t)
	f.handle("GET /summary", okRaw(`{"users":[]}`))
	run, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	stopped := errors.New("interrupted")
	waiting := make(chan struct{}, 1)
	c := f.client(func(c *Config) {
		c.RetryAfterCap = 0 // the default, 5 minutes: the lock-out is within it
		c.OnWait = func(string, time.Duration, string) {
			select {
			case waiting <- struct{}{}:
			default:
			}
		}
	})
	c.s.budget.lockOut(time.Now().Add(time.Minute), "rate limited (retry-after)", false)
	go func() {
		<-waiting
		cancel(stopped)
	}()
	_, err := c.GetSummary(WithRun(testwait.Context(t), run))
	if !errors.Is(err, stopped) || !strings.Contains(err.Error(), "get risk summary: not sent: the run has stopped (interrupted)") {
		t.Errorf("err = %v", err)
	}
	if n := f.count("GET /summary"); n != 0 {
		t.Errorf("%d requests sent", n)
	}
}
