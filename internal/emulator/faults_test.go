package emulator

import (
	"net/http"
	"slices"
	"testing"
)

const createBody = `{"integration_type":"Okta","tenant_url":"https://a.okta.com"}`

func TestInjected429WithRetryAfter(t *testing.T) {
	v := newTestEnv(t, Options{})
	v.e.InjectFault(Fault{Method: "GET", Status: http.StatusTooManyRequests, RetryAfter: "1"})
	r := v.do("GET", path("/behaviors"), nil).wantError(t, http.StatusTooManyRequests, codeRateLimited)
	if got := r.header.Get("Retry-After"); got != "1" {
		t.Errorf("Retry-After %q, want 1", got)
	}
	if r.errors[0].Message != "Please wait and consider throttling your request speed" {
		t.Errorf("message %q", r.errors[0].Message)
	}
	v.do("GET", path("/behaviors"), nil).wantOK(t) // one-shot
}

func TestInjected5xxChangesNothing(t *testing.T) {
	v := newTestEnv(t, Options{})
	v.e.InjectFault(Fault{Method: "POST", PathSuffix: "/integrations", Status: http.StatusServiceUnavailable})
	v.do("POST", path("/integrations"), createBody).wantError(t, http.StatusServiceUnavailable, 1503)
	if n := len(v.e.Integrations(testAccount)); n != 0 {
		t.Errorf("a 503 stored %d integrations", n)
	}
	v.do("POST", path("/integrations"), createBody).wantOK(t)
}

func TestInjectedResetDropsConnection(t *testing.T) {
	v := newTestEnv(t, Options{})
	v.e.InjectFault(Fault{Method: "POST", Reset: true})
	// A fresh connection, so net/http cannot quietly retry on another one.
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := v.send(client, "POST", path("/integrations"), createBody)
	if err == nil {
		resp.Body.Close()
		t.Fatalf("got status %d, want a connection error", resp.StatusCode)
	}
	if n := len(v.e.Integrations(testAccount)); n != 0 {
		t.Errorf("a reset stored %d integrations", n)
	}
	log := v.e.Requests()
	if len(log) != 1 || log[0] != (Request{Method: "POST", Path: path("/integrations"), Status: 0}) {
		t.Errorf("request log %+v, want one POST with status 0", log)
	}
	v.do("POST", path("/integrations"), createBody).wantOK(t)
}

func TestInjectedCommitThenFail(t *testing.T) {
	v := newTestEnv(t, Options{})
	v.e.InjectFault(Fault{Method: "POST", PathSuffix: "/integrations", CommitThenFail: true})
	v.do("POST", path("/integrations"), createBody).wantError(t, http.StatusInternalServerError, 1500)
	if n := len(v.e.Integrations(testAccount)); n != 1 {
		t.Fatalf("commit-then-fail stored %d integrations, want 1", n)
	}
	// With a status, and on a request that fails by itself: its own answer wins.
	v.e.InjectFault(Fault{CommitThenFail: true, Status: http.StatusBadGateway})
	v.do("POST", path("/integrations"), `{}`).wantError(t, http.StatusBadRequest, codeMissingField)
	v.e.InjectFault(Fault{CommitThenFail: true, Status: http.StatusBadGateway})
	v.do("PUT", path("/behaviors"), `{"behaviors":{"imp_travel":{"enabled":true,"risk_level":"low"}}}`).wantError(t, http.StatusBadGateway, 1502)
	if !v.e.Behaviors(testAccount)["imp_travel"].Enabled {
		t.Error("commit-then-fail PUT was not applied")
	}
}

func TestFaultMatchingIsFIFOAndSelective(t *testing.T) {
	v := newTestEnv(t, Options{})
	v.e.InjectFault(Fault{Method: "PUT", Status: 500})
	v.e.InjectFault(Fault{PathSuffix: "/summary", Status: 502})
	v.e.InjectFault(Fault{PathSuffix: "/summary", Status: 503})
	v.do("GET", path("/behaviors"), nil).wantOK(t) // matches none
	v.do("GET", path("/summary"), nil).wantError(t, 502, 1502)
	v.do("GET", path("/summary"), nil).wantError(t, 503, 1503)
	v.do("GET", path("/summary"), nil).wantOK(t)
	v.do("put", path("/behaviors"), `{"behaviors":{}}`).wantError(t, 500, 1500) // method matched case-insensitively
	v.do("PUT", path("/behaviors"), `{"behaviors":{}}`).wantOK(t)
}

func TestFaultDice(t *testing.T) {
	t.Run("server errors", func(t *testing.T) {
		v := newTestEnv(t, Options{ServerErrorRate: 1})
		seen := map[int]bool{}
		for range 30 {
			r := v.do("POST", path("/integrations"), createBody)
			if r.status != 500 && r.status != 502 && r.status != 503 {
				t.Fatalf("status %d", r.status)
			}
			seen[r.status] = true
		}
		if len(seen) != 3 {
			t.Errorf("statuses seen %v, want all of 500, 502, 503", seen)
		}
		if n := len(v.e.Integrations(testAccount)); n != 0 {
			t.Errorf("5xx stored %d integrations", n)
		}
	})
	t.Run("commit then fail only on writes", func(t *testing.T) {
		v := newTestEnv(t, Options{CommitThenFailRate: 1})
		v.do("GET", path("/integrations"), nil).wantOK(t)
		v.do("POST", path("/integrations"), createBody).wantError(t, 500, 1500)
		if n := len(v.e.Integrations(testAccount)); n != 1 {
			t.Errorf("stored %d, want 1", n)
		}
	})
	t.Run("resets", func(t *testing.T) {
		v := newTestEnv(t, Options{ResetRate: 1})
		client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
		if resp, err := v.send(client, "GET", path("/behaviors"), nil); err == nil {
			resp.Body.Close()
			t.Fatal("want a connection error")
		}
	})
	t.Run("reproducible for a seed", func(t *testing.T) {
		statuses := func(seed uint64) []int {
			v := newTestEnv(t, Options{Seed: seed, ServerErrorRate: 0.5})
			var out []int
			for range 40 {
				out = append(out, v.do("GET", path("/behaviors"), nil).status)
			}
			return out
		}
		a, b := statuses(9), statuses(9)
		if !slices.Equal(a, b) {
			t.Errorf("same seed, different faults:\n%v\n%v", a, b)
		}
		ok := 0
		for _, s := range a {
			if s == 200 {
				ok++
			}
		}
		if ok == 0 || ok == len(a) {
			t.Errorf("rate 0.5 gave %d successes of %d", ok, len(a))
		}
	})
}
