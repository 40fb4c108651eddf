package remote

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/riskctl/riskctl/internal/testwait"
)

// trickle answers 200 with the headers and the start of a body at once,
// then one byte every 20ms, never finishing, until the client hangs up.
func trickle(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", "100000")
	w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(w, `{"success":true,"errors":[],"messages":[],"result":{"behaviors":{`)
	rc := http.NewResponseController(w)
	_ = rc.Flush()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-time.After(20 * time.Millisecond):
		}
		if _, err := io.WriteString(w, " "); err != nil {
			return
		}
		if rc.Flush() != nil {
			return
		}
	}
}

// silent never answers, until the client hangs up.
func silent(_ http.ResponseWriter, r *http.Request) { <-r.Context().Done() }

func TestAttemptTimeoutBoundsTheWholeAnswer(t *testing.T) {
	for name, want := range map[string]string{"trickling body": "no complete answer from ", "silent server": "no answer from "} {
		h := map[string]http.HandlerFunc{"trickling body": trickle, "silent server": silent}[name]
		t.Run(name, func(t *testing.T) {
			f := newFake(t)
			f.handle("GET /behaviors", h)
			log, buf := logBuffer()
			c := f.client(func(c *Config) { c.AttemptTimeout = 150 * time.Millisecond; c.RetryMax = -1; c.Logger = log })
			// Were the attempt not bounded, the test's own deadline would
			// end it, with another error.
			_, err := c.GetBehaviors(testwait.Context(t))
			host := strings.TrimPrefix(f.srv.URL, "http://")
			if err == nil || err.Error() != "get behaviors: "+want+host+" within 150ms" {
				t.Fatalf("err = %v", err)
			}
			if !strings.Contains(buf.String(), "timeout: "+want+host+" within 150ms") {
				t.Errorf("the attempt record does not say it timed out:\n%s", buf.String())
			}
		})
	}
}

func TestAttemptTimeoutIsRetried(t *testing.T) {
	f := newFake(t)
	f.handle("GET /behaviors", sequence(trickle, silent, okRaw(behaviorsJSON)))
	c := f.client(func(c *Config) { c.AttemptTimeout = 100 * time.Millisecond })
	got, err := c.GetBehaviors(context.Background())
	if err != nil || len(got) != 3 {
		t.Fatalf("got %v, %v", got, err)
	}
	if n := f.count("GET /behaviors"); n != 3 {
		t.Errorf("%d requests, want 3", n)
	}

	f.handle("GET /summary", trickle)
	_, err = f.client(func(c *Config) { c.AttemptTimeout = 100 * time.Millisecond; c.RetryMax = 1 }).GetSummary(context.Background())
	if err == nil || err.Error() != "get risk summary: giving up after 2 attempts: no complete answer from "+strings.TrimPrefix(f.srv.URL, "http://")+" within 100ms" {
		t.Errorf("err = %v", err)
	}
}

// A create that timed out may have happened: ambiguous, not retried.
func TestAttemptTimeoutOnCreateIsAmbiguous(t *testing.T) {
	f := newFake(t)
	f.handle("POST /integrations", silent)
	_, err := f.client(func(c *Config) { c.AttemptTimeout = 100 * time.Millisecond }).CreateIntegration(context.Background(), createReq())
	amb := requireAmbiguous(t, err)
	if !strings.Contains(amb.Error(), "no answer from "+strings.TrimPrefix(f.srv.URL, "http://")+" within 100ms") {
		t.Errorf("err = %v", amb)
	}
	if n := f.count("POST /integrations"); n != 1 {
		t.Errorf("%d POSTs, want 1", n)
	}
}

// The caller's context still ends an attempt first, and says so.
func TestCallerDeadlineBeforeAttemptTimeout(t *testing.T) {
	f := newFake(t)
	f.handle("GET /behaviors", trickle)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := f.client(func(c *Config) { c.AttemptTimeout = time.Hour }).GetBehaviors(ctx)
	if !errors.Is(err, context.DeadlineExceeded) || strings.Contains(err.Error(), "no complete answer") {
		t.Errorf("err = %v, want the caller's deadline", err)
	}
}

// A slow but complete answer within the attempt timeout is fine, and the
// connection is reused after it (the deadline ends with the body).
func TestAttemptTimeoutLetsCompleteAnswersThrough(t *testing.T) {
	f := newFake(t)
	f.handle("GET /behaviors", func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(20 * time.Millisecond)
		okRaw(behaviorsJSON)(w, r)
	})
	c := f.client(func(c *Config) { c.AttemptTimeout = 10 * time.Second })
	for range 3 {
		if _, err := c.GetBehaviors(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
}
