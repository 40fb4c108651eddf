package remote

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestNewRejectsMissingAccountAndCredentials(t *testing.T) {
	token := Credentials{Token: "t"}
	cases := []struct {
		name string
		cfg  Config
		want error
	}{
		{"no account", Config{Credentials: token}, ErrNoAccount},
		{"blank account", Config{AccountID: "  ", Credentials: token}, ErrNoAccount},
		{"no credentials", Config{AccountID: "a"}, ErrNoCredentials},
		{"key without email", Config{AccountID: "a", Credentials: Credentials{APIKey: "k"}}, ErrNoCredentials},
		{"email without key", Config{AccountID: "a", Credentials: Credentials{Email: "e@x"}}, ErrNoCredentials},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := New(tc.cfg)
			if !errors.Is(err, tc.want) || c != nil {
				t.Errorf("New = %v, %v; want %v", c, err, tc.want)
			}
		})
	}
	for _, creds := range []Credentials{token, {APIKey: "k", Email: "e@x"}} {
		if _, err := New(Config{AccountID: "a", Credentials: creds}); err != nil {
			t.Errorf("New with %+v: %v", creds, err)
		}
	}
}

func TestNewRejectsBadBaseURL(t *testing.T) {
	for _, base := range []string{
		"api.cloudflare.com/client/v4", // no scheme
		"ftp://api.cloudflare.com",
		"https://",
		"https://user:pw@api.cloudflare.com/client/v4",
		"https://api.cloudflare.com/client/v4?x=1",
		"http://[::1",
	} {
		_, err := New(Config{AccountID: "a", Credentials: Credentials{Token: "t"}, BaseURL: base})
		if err == nil {
			t.Errorf("BaseURL %q accepted", base)
		} else if strings.Contains(err.Error(), "pw@") {
			t.Errorf("error shows the URL password: %v", err)
		}
	}
}

func TestNewDefaults(t *testing.T) {
	c, err := New(Config{AccountID: "acc", Credentials: Credentials{Token: "t"}})
	if err != nil {
		t.Fatal(err)
	}
	s := c.s
	if s.apiRoot != DefaultBaseURL || s.userAgent != DefaultUserAgent {
		t.Errorf("apiRoot %q, userAgent %q", s.apiRoot, s.userAgent)
	}
	if s.retryMax != 4 || s.waitMin != time.Second || s.waitMax != 30*time.Second || s.retryAfterCap != 5*time.Minute {
		t.Errorf("retry defaults: %+v", s)
	}
	// A silent server fails an operation in about a minute:
	// 3 attempts of 20s, and two backoffs of at most 2s and 4s.
	if s.attemptTimeout != 20*time.Second || s.noAnswerMax != 3 || c.pageConcurrency != 8 {
		t.Errorf("attempt timeout %v, no-answer attempts %d, page concurrency %d", s.attemptTimeout, s.noAnswerMax, c.pageConcurrency)
	}
	if worst := time.Duration(s.noAnswerMax)*s.attemptTimeout + 2*s.waitMin + 4*s.waitMin; worst > 70*time.Second {
		t.Errorf("a silent server holds an operation for up to %v", worst)
	}
	if s.budget == nil {
		t.Errorf("no budget: want a private one")
	}
	st := s.budget.Status()
	if st.Quota != 1200 || st.Window != 5*time.Minute || st.Remaining != 1200 || st.Announced || st.LockedFor != 0 {
		t.Errorf("budget defaults %+v", st)
	}
	if b := s.budget; b.perSecond != 180 || reserve(b.quota) != 60 || spreadZone(b.quota) != 240 {
		t.Errorf("per second %d, reserve %d, spread zone %d", b.perSecond, reserve(b.quota), spreadZone(b.quota))
	}
	unbounded, err := New(Config{AccountID: "acc", Credentials: Credentials{Token: "t"}, AttemptTimeout: -1})
	if err != nil {
		t.Fatal(err)
	}
	if unbounded.s.attemptTimeout != 0 {
		t.Errorf("AttemptTimeout -1: attempt timeout %v, want none", unbounded.s.attemptTimeout)
	}
	if s.logger != nil {
		t.Errorf("logger should stay nil (silent)")
	}
	if c.AccountID() != "acc" {
		t.Errorf("AccountID = %q", c.AccountID())
	}
}

func TestRetryMaxNegativeDisablesRetries(t *testing.T) {
	f := newFake(t)
	f.handle("GET /behaviors", fail(503, 1000, "unavailable"))
	_, err := f.client(func(c *Config) { c.RetryMax = -1 }).GetBehaviors(context.Background())
	if err == nil || f.count("GET /behaviors") != 1 {
		t.Errorf("err %v, %d requests; want one request", err, f.count("GET /behaviors"))
	}
}

func TestBaseURLWithOrWithoutTrailingSlash(t *testing.T) {
	for _, suffix := range []string{"/client/v4", "/client/v4/", "/client/v4//"} {
		f := newFake(t)
		f.handle("GET /behaviors", okRaw(behaviorsJSON))
		c := f.client(func(c *Config) { c.BaseURL = f.srv.URL + suffix })
		if _, err := c.GetBehaviors(context.Background()); err != nil {
			t.Errorf("base %q: %v (requests %+v)", suffix, err, f.requests())
		}
	}
}

func TestRedirectsAreNotFollowed(t *testing.T) {
	f := newFake(t)
	f.handle("GET /elsewhere", okRaw(behaviorsJSON))
	f.handle("GET /behaviors", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, testRoot+"/elsewhere", http.StatusFound)
	})
	c := f.client(func(c *Config) { c.HTTPClient = &http.Client{} })
	_, err := c.GetBehaviors(context.Background())
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Status != http.StatusFound {
		t.Fatalf("err = %v, want an APIError with status 302", err)
	}
	if n := f.count("GET /elsewhere"); n != 0 {
		t.Errorf("redirect followed (%d requests)", n)
	}
}

func TestCustomHTTPClientTransportIsUsed(t *testing.T) {
	f := newFake(t)
	f.handle("GET /behaviors", okRaw(behaviorsJSON))
	var seen int
	rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		seen++
		return http.DefaultTransport.RoundTrip(r)
	})
	base := &http.Client{Transport: rt}
	c := f.client(func(c *Config) { c.HTTPClient = base })
	if _, err := c.GetBehaviors(context.Background()); err != nil {
		t.Fatal(err)
	}
	if seen != 1 {
		t.Errorf("custom transport saw %d requests", seen)
	}
	if base.Transport == nil || base.CheckRedirect != nil {
		t.Errorf("New modified the caller's http.Client")
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
