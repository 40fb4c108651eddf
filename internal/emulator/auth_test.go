package emulator

import (
	"net/http"
	"strings"
	"testing"
)

func TestTokenAuth(t *testing.T) {
	v := newTestEnv(t, Options{Token: "s3cret-token"})
	v.do("GET", path("/behaviors"), nil).wantError(t, http.StatusUnauthorized, codeAuth)
	r := v.do("GET", path("/behaviors"), nil, "Authorization", "Bearer wrong").wantError(t, http.StatusForbidden, codeAuth)
	if r.errors[0].Message != "Authentication error" {
		t.Errorf("403 message %q", r.errors[0].Message)
	}
	v.do("GET", path("/behaviors"), nil, "Authorization", "Basic s3cret-token").wantError(t, http.StatusForbidden, codeAuth)
	v.do("GET", path("/behaviors"), nil, "X-Auth-Key", "s3cret-token", "X-Auth-Email", "a@b.c").wantError(t, http.StatusForbidden, codeAuth)
	v.do("GET", path("/behaviors"), nil, "Authorization", "Bearer s3cret-token").wantOK(t)
	v.do("GET", path("/behaviors"), nil, "Authorization", "bearer s3cret-token").wantOK(t)
	// Writes are guarded too.
	v.do("POST", path("/integrations"), `{"integration_type":"Okta","tenant_url":"https://a.okta.com"}`).wantError(t, http.StatusUnauthorized, codeAuth)
	if n := len(v.e.Integrations(testAccount)); n != 0 {
		t.Errorf("unauthenticated POST stored %d integrations", n)
	}
	for _, rq := range v.e.Requests() {
		if strings.Contains(rq.Path, "s3cret") {
			t.Errorf("token in request log: %+v", rq)
		}
	}
}

func TestKeyAndEmailAuth(t *testing.T) {
	v := newTestEnv(t, Options{APIKey: "k3y", Email: "ops@example.com"})
	v.do("GET", path("/behaviors"), nil).wantError(t, http.StatusUnauthorized, codeAuth)
	v.do("GET", path("/behaviors"), nil, "X-Auth-Key", "k3y", "X-Auth-Email", "other@example.com").wantError(t, http.StatusForbidden, codeAuth)
	v.do("GET", path("/behaviors"), nil, "X-Auth-Key", "nope", "X-Auth-Email", "ops@example.com").wantError(t, http.StatusForbidden, codeAuth)
	v.do("GET", path("/behaviors"), nil, "X-Auth-Key", "k3y").wantError(t, http.StatusForbidden, codeAuth)
	v.do("GET", path("/behaviors"), nil, "Authorization", "Bearer k3y").wantError(t, http.StatusForbidden, codeAuth)
	v.do("GET", path("/behaviors"), nil, "X-Auth-Key", "k3y", "X-Auth-Email", "ops@example.com").wantOK(t)
}

func TestEitherConfiguredSchemeIsAccepted(t *testing.T) {
	v := newTestEnv(t, Options{Token: "t", APIKey: "k", Email: "e@example.com"})
	v.do("GET", path("/behaviors"), nil, "Authorization", "Bearer t").wantOK(t)
	v.do("GET", path("/behaviors"), nil, "X-Auth-Key", "k", "X-Auth-Email", "e@example.com").wantOK(t)
}

func TestNoCredentialsConfiguredAcceptsAnything(t *testing.T) {
	v := newTestEnv(t, Options{})
	v.do("GET", path("/behaviors"), nil).wantOK(t)
	v.do("GET", path("/behaviors"), nil, "Authorization", "Bearer anything").wantOK(t)
}

// Routing comes before auth: a bad path is a 404 even without credentials.
func TestRoutingBeforeAuth(t *testing.T) {
	v := newTestEnv(t, Options{Token: "t"})
	v.do("GET", path("/nope/nope"), nil).wantError(t, http.StatusNotFound, codeNoRoute)
}

func TestAccountRestriction(t *testing.T) {
	const other = "ffffffffffffffffffffffffffffffff"
	v := newTestEnv(t, Options{Accounts: []string{testAccount}})
	v.do("GET", path("/behaviors"), nil).wantOK(t)
	r := v.do("GET", "/client/v4/accounts/"+other+"/zt_risk_scoring/behaviors", nil).wantError(t, http.StatusForbidden, codeAuth)
	if r.errors[0].Message != "Authentication error" {
		t.Errorf("message %q", r.errors[0].Message)
	}
	v.do("POST", "/client/v4/accounts/"+other+"/zt_risk_scoring/integrations", `{"integration_type":"Okta","tenant_url":"https://a.okta.com"}`).
		wantError(t, http.StatusForbidden, codeAuth)
	if v.e.Behaviors(other) != nil || v.e.Integrations(other) != nil || v.e.Users(other) != nil {
		t.Error("helpers serve an account outside Options.Accounts")
	}
	v.e.PutIntegration(other, Integration{TenantURL: "https://x"})
	v.e.mu.Lock()
	_, stored := v.e.st.Accounts[other]
	v.e.mu.Unlock()
	if stored {
		t.Error("an account outside Options.Accounts was provisioned")
	}
}

func TestAnyAccountProvisionedOnFirstUse(t *testing.T) {
	v := newTestEnv(t, Options{SeedUsers: 2})
	for _, acct := range []string{"a1", DemoAccountID} {
		r := v.do("GET", "/client/v4/accounts/"+acct+"/zt_risk_scoring/summary", nil).wantOK(t)
		if got := r.info(t); got[3] != 2 {
			t.Errorf("account %s: %d seeded users, want 2", acct, got[3])
		}
	}
}
