package emulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

func TestTokenAuth(t *testing.T) {
	v := newTestEnv(t, Options{Token: "s3cret-token"})
	r := v.do("GET", path("/behaviors"), nil).wantError(t, http.StatusBadRequest, codeMissingAuth)
	if r.errors[0].Message != "Missing X-Auth-Key, X-Auth-Email or Authorization headers" {
		t.Errorf("9106 message %q", r.errors[0].Message)
	}
	r = v.do("GET", path("/behaviors"), nil, "Authorization", "Bearer wrong").wantError(t, http.StatusForbidden, codeAuth)
	if r.errors[0].Message != "Authentication error" {
		t.Errorf("403 message %q", r.errors[0].Message)
	}
	v.do("GET", path("/behaviors"), nil, "X-Auth-Key", testKey, "X-Auth-Email", "a@b.c").wantError(t, http.StatusForbidden, codeAuth)
	v.do("GET", path("/behaviors"), nil, "Authorization", "Bearer s3cret-token").wantOK(t)
	v.do("GET", path("/behaviors"), nil, "Authorization", "bearer s3cret-token").wantOK(t)
	// Writes are guarded too.
	v.do("POST", path("/integrations"), `{"integration_type":"Okta","tenant_url":"https://a.okta.com"}`).wantError(t, http.StatusBadRequest, codeMissingAuth)
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
	v := newTestEnv(t, Options{APIKey: testKey, Email: "ops@example.com"})
	v.do("GET", path("/behaviors"), nil).wantError(t, http.StatusBadRequest, codeMissingAuth)
	v.do("GET", path("/behaviors"), nil, "X-Auth-Key", testKey, "X-Auth-Email", "other@example.com").wantError(t, http.StatusForbidden, codeAuth)
	v.do("GET", path("/behaviors"), nil, "X-Auth-Key", strings.Repeat("0", 37), "X-Auth-Email", "ops@example.com").wantError(t, http.StatusForbidden, codeAuth)
	v.do("GET", path("/behaviors"), nil, "Authorization", "Bearer "+testKey).wantError(t, http.StatusForbidden, codeAuth)
	v.do("GET", path("/behaviors"), nil, "X-Auth-Key", testKey, "X-Auth-Email", "ops@example.com").wantOK(t)
	v.do("GET", path("/behaviors"), nil, "X-Auth-Key", strings.ToUpper(testKey), "X-Auth-Email", "ops@example.com").wantError(t, http.StatusForbidden, codeAuth)
}

// TestMalformedCredentialHeaders: a credential header that is sent but
// malformed is 400 code 6003 "Invalid request headers", with one
// error_chain item per bad header (docs/api.md#authentication), whatever the credential.
func TestMalformedCredentialHeaders(t *testing.T) {
	v := newTestEnv(t, Options{Token: "tok", APIKey: testKey, Email: "ops@example.com"})
	for _, tc := range []struct {
		name    string
		headers []string
		chain   []int
	}{
		{"basic scheme", []string{"Authorization", "Basic dG9rOg=="}, []int{codeBadAuthz}},
		{"token without scheme", []string{"Authorization", "tok"}, []int{codeBadAuthz}},
		{"empty bearer", []string{"Authorization", "Bearer"}, []int{codeBadAuthz}},
		{"blank bearer", []string{"Authorization", "Bearer   "}, []int{codeBadAuthz}},
		{"token with a space", []string{"Authorization", "Bearer to k"}, []int{codeBadAuthz}},
		{"token as key", []string{"X-Auth-Key", "tok", "X-Auth-Email", "ops@example.com"}, []int{codeBadKey}},
		{"key one short", []string{"X-Auth-Key", testKey[1:], "X-Auth-Email", "ops@example.com"}, []int{codeBadKey}},
		{"key not hex", []string{"X-Auth-Key", "z" + testKey[1:], "X-Auth-Email", "ops@example.com"}, []int{codeBadKey}},
		{"bad email", []string{"X-Auth-Key", testKey, "X-Auth-Email", "ops.example.com"}, []int{codeBadEmail}},
		{"email with space", []string{"X-Auth-Key", testKey, "X-Auth-Email", "ops @example.com"}, []int{codeBadEmail}},
		{"key without email", []string{"X-Auth-Key", testKey}, []int{codeBadEmail}},
		{"email without key", []string{"X-Auth-Email", "ops@example.com"}, []int{codeBadKey}},
		{"both bad", []string{"X-Auth-Key", "k", "X-Auth-Email", "e"}, []int{codeBadKey, codeBadEmail}},
		{"bad token, bad key", []string{"Authorization", "Bearer to k", "X-Auth-Key", "k", "X-Auth-Email", "ops@example.com"}, []int{codeBadAuthz, codeBadKey}},
		{"bad token, lone email", []string{"Authorization", "Basic x", "X-Auth-Email", "ops@example.com"}, []int{codeBadAuthz, codeBadKey}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := v.do("GET", path("/behaviors"), nil, tc.headers...).wantError(t, http.StatusBadRequest, codeBadHeaders)
			var errs []apiError
			if err := json.Unmarshal(r.fields["errors"], &errs); err != nil || len(errs) != 1 {
				t.Fatalf("errors %s", r.fields["errors"])
			}
			if errs[0].Message != "Invalid request headers" {
				t.Errorf("message %q", errs[0].Message)
			}
			var got []int
			for _, c := range errs[0].ErrorChain {
				got = append(got, c.Code)
				if c.Message == "" || !strings.HasPrefix(c.Message, "Invalid format for ") {
					t.Errorf("chain item %+v", c)
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.chain) {
				t.Errorf("error_chain codes %v, want %v: %s", got, tc.chain, r.raw)
			}
			for i := 1; i < len(tc.headers); i += 2 {
				if len(tc.headers[i]) >= 6 && strings.Contains(string(r.raw), tc.headers[i]) {
					t.Errorf("the answer echoes the header value %q", tc.headers[i])
				}
			}
		})
	}
	if n := len(v.e.Integrations(testAccount)); n != 0 {
		t.Errorf("%d integrations", n)
	}
}

// TestEmptyCredentialHeadersAreNotSent: an empty header counts as absent
// (cloudflare-go sends X-Auth-Key: "" for an empty CLOUDFLARE_API_KEY).
func TestEmptyCredentialHeadersAreNotSent(t *testing.T) {
	v := newTestEnv(t, Options{Token: "tok"})
	v.do("GET", path("/behaviors"), nil, "Authorization", "", "X-Auth-Key", " ", "X-Auth-Email", "").wantError(t, http.StatusBadRequest, codeMissingAuth)
	v.do("GET", path("/behaviors"), nil, "Authorization", "Bearer tok", "X-Auth-Key", "", "X-Auth-Email", "").wantOK(t)
}

func TestCredentialOptionsAreChecked(t *testing.T) {
	for _, tc := range []struct {
		opts Options
		want string
	}{
		{Options{APIKey: "k3y", Email: "ops@example.com"}, "Options.APIKey: must be a Global API Key: 37 hex characters"},
		{Options{APIKey: testKey, Email: "ops"}, `Options.Email: "ops" is not an email address`},
		{Options{Token: "two words"}, "Options.Token: must not contain spaces"},
		{Options{Token: " tok"}, "Options.Token: must not contain spaces"},
	} {
		_, err := New(tc.opts)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("New(%+v) = %v, want %q", tc.opts, err, tc.want)
		}
	}
}

func TestEitherConfiguredSchemeIsAccepted(t *testing.T) {
	v := newTestEnv(t, Options{Token: "t", APIKey: testKey, Email: "e@example.com"})
	v.do("GET", path("/behaviors"), nil, "Authorization", "Bearer t").wantOK(t)
	v.do("GET", path("/behaviors"), nil, "X-Auth-Key", testKey, "X-Auth-Email", "e@example.com").wantOK(t)
	// A wrong token next to the right key pair: the pair lets it in.
	v.do("GET", path("/behaviors"), nil, "Authorization", "Bearer x", "X-Auth-Key", testKey, "X-Auth-Email", "e@example.com").wantOK(t)
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
	for _, acct := range []string{"0123456789abcdef0123456789abcdef", DemoAccountID} {
		r := v.do("GET", onAccount(acct, "/summary"), nil).wantOK(t)
		if got := r.info(t); got[3] != 2 {
			t.Errorf("account %s: %d seeded users, want 2", acct, got[3])
		}
	}
}

// TestMalformedAccountIDs: Cloudflare routes on the account id's form, so
// anything but 32 lower-case hex is 400 7003 (+7000), on every route and
// before auth, and is never provisioned (docs/api.md#account-ids).
func TestMalformedAccountIDs(t *testing.T) {
	v := newTestEnv(t, Options{Token: "tok"})
	auth := []string{"Authorization", "Bearer tok"}
	for _, acct := range []string{
		"a1", "account_id", "%20", strings.ToUpper(testAccount), testAccount[:31], testAccount + "0",
		testAccount[:31] + "g", "023e105f-4ece-f8ad-9ca3-1a8372d0c353", "%30" + testAccount[1:] + "%20",
	} {
		for _, op := range []struct{ method, path string }{
			{"GET", "/behaviors"}, {"PUT", "/behaviors"}, {"GET", "/summary"}, {"GET", "/integrations"},
			{"POST", "/integrations"}, {"GET", "/integrations/00000000-0000-4000-8000-000000000000"},
			{"GET", "/integrations/reference_id/r"}, {"GET", "/00000000-0000-4000-8000-000000000000"},
		} {
			r := v.do(op.method, onAccount(acct, op.path), `{}`, auth...).wantError(t, http.StatusBadRequest, codeBadIdentifier)
			if !strings.HasPrefix(r.errors[0].Message, "Could not route to /client/v4/accounts/") ||
				!strings.HasSuffix(r.errors[0].Message, ", perhaps your object identifier is invalid?") ||
				len(r.errors) != 2 || r.errors[1].Code != codeNoRoute {
				t.Errorf("%s %s on %q: %s", op.method, op.path, acct, r.raw)
			}
		}
		// Routing comes before auth.
		v.do("GET", onAccount(acct, "/behaviors"), nil).wantError(t, http.StatusBadRequest, codeBadIdentifier)
	}
	v.e.mu.Lock()
	n := len(v.e.st.Accounts)
	v.e.mu.Unlock()
	if n != 0 {
		t.Errorf("malformed account ids provisioned %d accounts", n)
	}
	if v.e.Behaviors("a1") != nil || v.e.Integrations("A1") != nil {
		t.Error("the helpers serve a malformed account id")
	}
	for _, bad := range [][]string{{"a1"}, {strings.ToUpper(testAccount)}, {""}} {
		if _, err := New(Options{Accounts: bad}); err == nil || !strings.Contains(err.Error(), "expected 32 lower-case hex characters") {
			t.Errorf("Accounts %q: %v", bad, err)
		}
		if _, err := New(Options{UnentitledAccounts: bad}); err == nil || !strings.Contains(err.Error(), "Options.UnentitledAccounts") {
			t.Errorf("UnentitledAccounts %q: %v", bad, err)
		}
	}
}

// TestAccountCap: without Options.Accounts, first-use provisioning stops
// once the state holds MaxAccounts accounts; known ones are still served.
func TestAccountCap(t *testing.T) {
	v := newTestEnv(t, Options{MaxAccounts: 3})
	ids := []string{
		"00000000000000000000000000000001", "00000000000000000000000000000002",
		"00000000000000000000000000000003", "00000000000000000000000000000004",
	}
	for _, id := range ids[:3] {
		v.do("GET", onAccount(id, "/behaviors"), nil).wantOK(t)
	}
	r := v.do("GET", onAccount(ids[3], "/behaviors"), nil).wantError(t, http.StatusForbidden, codeAuth)
	if msg := r.errors[0].Message; !strings.HasPrefix(msg, "Authentication error") || !strings.Contains(msg, "--max-accounts") {
		t.Errorf("message %q", msg)
	}
	v.do("POST", onAccount(ids[3], "/integrations"), `{"integration_type":"Okta","tenant_url":"https://a.okta.com"}`).wantError(t, http.StatusForbidden, codeAuth)
	for _, id := range ids[:3] {
		v.do("GET", onAccount(id, "/integrations"), nil).wantOK(t)
	}
	if v.e.Behaviors(ids[3]) != nil {
		t.Error("a helper provisioned an account past the cap")
	}
	v.e.mu.Lock()
	n := len(v.e.st.Accounts)
	v.e.mu.Unlock()
	if n != 3 {
		t.Errorf("%d accounts, want 3", n)
	}
}

// TestAccountCapDefault: the default cap is DefaultMaxAccounts, and
// Options.Accounts are provisioned whatever the cap.
func TestAccountCapDefault(t *testing.T) {
	v := newTestEnv(t, Options{})
	for i := range DefaultMaxAccounts {
		v.do("GET", onAccount(fmt.Sprintf("%032x", i), "/behaviors"), nil).wantOK(t)
	}
	v.do("GET", onAccount(fmt.Sprintf("%032x", DefaultMaxAccounts), "/behaviors"), nil).wantError(t, http.StatusForbidden, codeAuth)

	many := make([]string, 3)
	for i := range many {
		many[i] = fmt.Sprintf("%032x", i+1)
	}
	w := newTestEnv(t, Options{Accounts: many, MaxAccounts: 1})
	for _, id := range many {
		w.do("GET", onAccount(id, "/behaviors"), nil).wantOK(t)
	}
	if _, err := New(Options{MaxAccounts: -1}); err == nil || !strings.Contains(err.Error(), "MaxAccounts") {
		t.Errorf("MaxAccounts -1: %v", err)
	}
}

// TestUnentitledAccount: an account without the risk-scoring entitlement
// gets 403 code 3314 "Forbidden" on the integrations list and on create
// (docs/api.md#error-codes); its other routes work.
func TestUnentitledAccount(t *testing.T) {
	const other = "ffffffffffffffffffffffffffffffff"
	v := newTestEnv(t, Options{Token: "tok", UnentitledAccounts: []string{testAccount}})
	auth := []string{"Authorization", "Bearer tok"}
	r := v.do("GET", path("/integrations"), nil, auth...).wantError(t, http.StatusForbidden, codeNotEntitled)
	if r.errors[0].Message != "Forbidden" {
		t.Errorf("message %q", r.errors[0].Message)
	}
	v.do("POST", path("/integrations"), `{"integration_type":"Okta","tenant_url":"https://a.okta.com"}`, auth...).wantError(t, http.StatusForbidden, codeNotEntitled)
	// Even with a body that is wrong: entitlement comes first.
	v.do("POST", path("/integrations"), `[`, auth...).wantError(t, http.StatusForbidden, codeNotEntitled)
	if n := len(v.e.Integrations(testAccount)); n != 0 {
		t.Errorf("unentitled create stored %d integrations", n)
	}
	v.do("GET", path("/behaviors"), nil, auth...).wantOK(t)
	// Auth still comes first.
	v.do("GET", path("/integrations"), nil).wantError(t, http.StatusBadRequest, codeMissingAuth)
	v.do("GET", path("/integrations"), nil, "Authorization", "Bearer nope").wantError(t, http.StatusForbidden, codeAuth)
	// Other accounts are entitled.
	v.do("GET", onAccount(other, "/integrations"), nil, auth...).wantOK(t)
	v.do("POST", onAccount(other, "/integrations"), `{"integration_type":"Okta","tenant_url":"https://a.okta.com"}`, auth...).wantOK(t)
}
