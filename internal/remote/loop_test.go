package remote

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// The attempt loop is go-retryablehttp's: these tests take the library
// client a call uses, replace one hook, and watch the attempts follow the
// hook alone. Nothing else in the client (the transport, the Budget)
// repeats a request.

// probe builds the request, call and library client of one GET, as do
// does.
func probe(t *testing.T, c *Client, path string) (*retryablehttp.Client, *retryablehttp.Request, *call) {
	t.Helper()
	req, cl, err := c.newRequest(context.Background(), request{op: "probe", method: http.MethodGet, path: path})
	if err != nil {
		t.Fatal(err)
	}
	rc := c.retryClient(cl)
	if rc.Logger != nil || rc.RetryMax != c.s.retryMax || rc.CheckRetry == nil || rc.Backoff == nil ||
		rc.RequestLogHook == nil || rc.ErrorHandler == nil {
		t.Fatalf("library client not configured: %+v", rc)
	}
	return rc, req, cl
}

// CheckRetry is the only judge of what is retried, and RetryMax the only
// bound: told to retry everything, the loop sends a 400 (which the policy
// never retries) 1+RetryMax times, and ErrorHandler turns the last answer
// into the call's error.
func TestLoopRetriesWhatCheckRetrySays(t *testing.T) {
	f := newFake(t)
	f.handle("GET /behaviors", fail(400, 1001, "bad"))
	c := f.client(func(c *Config) { c.RetryMax = 2 })
	rc, req, cl := probe(t, c, "/behaviors")
	rc.CheckRetry = func(context.Context, *http.Response, error) (bool, error) { return true, nil }
	resp, err := rc.Do(req)
	var apiErr *APIError
	if resp != nil || !errors.As(err, &apiErr) || apiErr.Status != 400 || apiErr.Attempts != 3 {
		t.Fatalf("resp %v, err %v: want the 400 as an *APIError after 3 attempts", resp, err)
	}
	if n := f.count("GET /behaviors"); n != 3 {
		t.Errorf("%d requests, want 3", n)
	}
	if cl.attempt != 3 {
		t.Errorf("call saw attempt %d last, want 3 (retryablehttp's count)", cl.attempt)
	}
}

// Told never to retry, the loop sends a 503 (which the policy retries)
// once.
func TestLoopStopsWhenCheckRetrySays(t *testing.T) {
	f := newFake(t)
	f.handle("GET /behaviors", fail(503, 1000, "unavailable"))
	c := f.client()
	rc, req, _ := probe(t, c, "/behaviors")
	rc.CheckRetry = func(context.Context, *http.Response, error) (bool, error) { return false, nil }
	resp, err := rc.Do(req)
	if err != nil || resp == nil || resp.StatusCode != 503 {
		t.Fatalf("resp %v, err %v: want the 503 back", resp, err)
	}
	_ = resp.Body.Close()
	if n := f.count("GET /behaviors"); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
}

// Backoff is the only wait between attempts: with the policy's backoff an
// hour long, a Backoff hook answering 0 lets the retries through at once,
// and the hook sees retryablehttp's attempt numbers.
func TestLoopWaitsWhatBackoffSays(t *testing.T) {
	f := newFake(t)
	f.handle("GET /behaviors", sequence(fail(503, 1000, "a"), fail(502, 1000, "b"), okRaw(behaviorsJSON)))
	c := f.client(func(c *Config) { c.RetryWaitMin, c.RetryWaitMax = time.Hour, time.Hour })
	rc, req, cl := probe(t, c, "/behaviors")
	var asked []int
	rc.Backoff = func(_, _ time.Duration, attempt int, _ *http.Response) time.Duration {
		asked = append(asked, attempt)
		if cl.wait < time.Hour {
			t.Errorf("CheckRetry chose %v, want the policy's hour", cl.wait)
		}
		return 0
	}
	resp, err := rc.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("resp %v, err %v", resp, err)
	}
	_ = resp.Body.Close()
	if len(asked) != 2 || asked[0] != 0 || asked[1] != 1 {
		t.Errorf("Backoff asked for attempts %v, want [0 1]", asked)
	}
	if n := f.count("GET /behaviors"); n != 3 {
		t.Errorf("%d requests, want 3", n)
	}
}

// The hooks as configured carry the policy: a 503 and a 429 are retried,
// a 400 is not, and the attempts are the library's count.
func TestLoopHooksCarryThePolicy(t *testing.T) {
	f := newFake(t)
	f.handle("GET /summary", sequence(fail(503, 1000, "a"), fail(429, 971, "Please wait"), fail(400, 1001, "bad")))
	c := f.client(func(c *Config) { c.RetryMax = 5 })
	rc, req, cl := probe(t, c, "/summary")
	resp, err := rc.Do(req)
	if err != nil || resp.StatusCode != 400 {
		t.Fatalf("resp %v, err %v: want the 400 back", resp, err)
	}
	_ = resp.Body.Close()
	if n := f.count("GET /summary"); n != 3 || cl.attempt != 3 {
		t.Errorf("%d requests, attempt %d; want 3 and 3", n, cl.attempt)
	}
}
