package apply

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/riskctl/riskctl/internal/remote"
)

// rateLimitedAPI is a client whose server answers every create with a 429
// asking for a wait of retryAfter seconds; posts counts the creates that
// reached it.
func rateLimitedAPI(t *testing.T, retryAfter string) (api *remote.Client, posts *atomic.Int32) {
	t.Helper()
	posts = new(atomic.Int32)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			posts.Add(1)
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Retry-After", retryAfter)
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = w.Write([]byte(`{"success":false,"errors":[{"code":971,"message":"Please wait"}],"messages":[],"result":null}`))
	}))
	t.Cleanup(srv.Close)
	api, err := remote.New(remote.Config{
		AccountID: testAccount, Credentials: remote.Credentials{Token: testToken},
		BaseURL: srv.URL + "/client/v4",
	})
	if err != nil {
		t.Fatal(err)
	}
	return api, posts
}

// Observed: with --timeout 20s, apply waited 4m50s before a create it had
// not sent (its requests run under the grace context, which has no
// deadline), and ended at the timeout plus the grace. Now the Retry-After
// of the first create, and the budget's lock-out it causes for the second,
// both fail at once, naming the run's deadline, and the second is never
// sent. (Had they waited, Execute would return only when the grace ends,
// with other errors.)
func TestWaitPastRunDeadlineFailsAtOnce(t *testing.T) {
	api, posts := rateLimitedAPI(t, "290")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	p := mkPlan(createChange("ref-a", "https://a.okta.com", true), createChange("ref-b", "https://b.okta.com", true))
	r := Execute(ctx, api, p, Options{Parallelism: 1, Grace: time.Second, DuplicateSettle: -1})
	wantCounts(t, r, 0, 2, 0)
	for _, a := range r.Actions {
		var werr *remote.WaitError
		if !errors.As(a.Err, &werr) || !strings.Contains(a.Err.Error(), "would pass the run's deadline in ") {
			t.Errorf("%s: err = %v, want a wait refused for the run's deadline", a.Change.Key, a.Err)
		}
	}
	if !strings.Contains(r.Actions[1].Err.Error(), "not sent: waiting ") {
		t.Errorf("second create: %v, want \"not sent\"", r.Actions[1].Err)
	}
	if n := posts.Load(); n != 1 {
		t.Errorf("%d creates reached the server, want 1: the second waits for the lock-out", n)
	}
}

// Observed: after a signal, apply still started waits for requests it had
// not sent. Once the run's context has ended, a step still in flight that
// needs a wait (here the retry its 429 asks for) fails at once, saying the
// run has stopped, instead of waiting out the grace.
func TestNoWaitStartsAfterTheRunStopped(t *testing.T) {
	api, posts := rateLimitedAPI(t, "2")
	ctx, cancel := context.WithCancelCause(context.Background())
	stopped := errors.New("interrupted")
	// The run stops as the first create is sent: its retry is the first
	// wait after the stop.
	p := mkPlan(createChange("ref-a", "https://a.okta.com", true))
	r := Execute(ctx, cancelOnSend{api, func() { cancel(stopped) }}, p, Options{Grace: time.Hour, DuplicateSettle: -1})
	wantCounts(t, r, 0, 1, 0)
	if err := r.Actions[0].Err; !errors.Is(err, stopped) || !strings.Contains(err.Error(), "the run has stopped (interrupted)") {
		t.Errorf("err = %v, want the stop named", err)
	}
	if n := posts.Load(); n != 1 {
		t.Errorf("%d creates reached the server, want 1", n)
	}
}

// cancelOnSend calls stop before its create goes out.
type cancelOnSend struct {
	*remote.Client
	stop func()
}

func (c cancelOnSend) CreateIntegration(ctx context.Context, req remote.CreateIntegrationRequest) (remote.Integration, error) {
	c.stop()
	return c.Client.CreateIntegration(ctx, req)
}
