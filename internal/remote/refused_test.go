package remote

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
)

// closedPort returns a loopback address nothing listens on: a listener's
// port, closed.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	return addr
}

// countingTransport counts the attempts that reach the wire.
type countingTransport struct {
	n    atomic.Int32
	next http.RoundTripper
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.next.RoundTrip(r)
}

// A refused connection on loopback (no emulator running) is tried twice,
// not RetryMax+1 times, and the error names the base URL and the emulator.
func TestRefusedLoopbackFailsFast(t *testing.T) {
	base := "http://" + closedPort(t) + "/client/v4"
	rt := &countingTransport{next: http.DefaultTransport}
	f := newFake(t)
	c := f.client(func(c *Config) {
		c.BaseURL = base
		c.RetryMax = 8
		c.HTTPClient = &http.Client{Transport: rt}
	})
	_, err := c.GetBehaviors(context.Background())
	var rerr *RefusedError
	if !errors.As(err, &rerr) || !rerr.Loopback {
		t.Fatalf("err = %v; want a *RefusedError on loopback", err)
	}
	if n := rt.n.Load(); n != 1+refusedRetries {
		t.Errorf("%d attempts, want %d", n, 1+refusedRetries)
	}
	msg := err.Error()
	for _, want := range []string{`"` + base + `"`, "riskctl emulator serve", "--base-url"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q lacks %q", msg, want)
		}
	}
}

// A remote host that refuses gets the same one retry (a load balancer
// restarting may refuse for a moment), and no emulator hint.
func TestRefusedRemoteFailsFast(t *testing.T) {
	var n atomic.Int32
	rt := roundTripFunc(func(*http.Request) (*http.Response, error) {
		n.Add(1)
		return nil, (&netOpError{op: "dial"}).err()
	})
	f := newFake(t)
	c := f.client(func(c *Config) {
		c.BaseURL = "https://api.example.test/client/v4"
		c.RetryMax = 8
		c.HTTPClient = &http.Client{Transport: rt}
	})
	_, err := c.GetBehaviors(context.Background())
	var rerr *RefusedError
	if !errors.As(err, &rerr) || rerr.Loopback {
		t.Fatalf("err = %v; want a *RefusedError, not loopback", err)
	}
	if got := n.Load(); got != 1+refusedRetries {
		t.Errorf("%d attempts, want %d", got, 1+refusedRetries)
	}
	if msg := err.Error(); strings.Contains(msg, "emulator") || !strings.Contains(msg, `"https://api.example.test/client/v4"`) {
		t.Errorf("message %q", msg)
	}
}

// Other connection errors keep the full retry budget.
func TestResetStillRetried(t *testing.T) {
	var n atomic.Int32
	rt := roundTripFunc(func(*http.Request) (*http.Response, error) {
		n.Add(1)
		return nil, (&netOpError{op: "read"}).err()
	})
	f := newFake(t)
	_, err := f.client(func(c *Config) {
		c.RetryMax = 4
		c.HTTPClient = &http.Client{Transport: rt}
	}).GetBehaviors(context.Background())
	var rerr *RefusedError
	if err == nil || errors.As(err, &rerr) {
		t.Fatalf("err = %v", err)
	}
	if got := n.Load(); got != 5 {
		t.Errorf("%d attempts, want 5", got)
	}
}

// A 404 with code 7000 (no route) asks whether the base URL ends in
// /client/v4, naming it.
func TestNoRouteAsksForClientV4(t *testing.T) {
	f := newFake(t)
	f.handle("GET /behaviors", fail(404, CodeNoRoute, "No route for that URI"))
	_, err := f.client().GetBehaviors(context.Background())
	want := `get behaviors: HTTP 404: 7000 No route for that URI: does the base URL "` + f.srv.URL + `/client/v4" end in /client/v4?`
	if err == nil || err.Error() != want {
		t.Errorf("err = %v\nwant   %s", err, want)
	}
	// Another 404 says nothing of the base URL.
	f.handle("GET /behaviors", fail(404, 1404, "not found"))
	if _, err := f.client().GetBehaviors(context.Background()); err == nil || strings.Contains(err.Error(), "base URL") {
		t.Errorf("err = %v", err)
	}
}
