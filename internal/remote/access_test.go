package remote

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/riskctl/riskctl/internal/state"
)

// The Access reads against the fake server. Bodies are shaped after
// cloudflare-go v7.9.0's list responses (docs/api.md#access-policies-and-identity-providers):
// fields riskctl drops (app_count, session_duration, approval groups,
// emails in rules) are present, so the tests show they are dropped.

// accessRoute is a fake route for GET /accounts/{id}/access{path}: the
// fake matches paths relative to the risk-scoring root, and Access paths
// are not below it, so they are matched whole.
func accessRoute(path string) string {
	return "GET /client/v4/accounts/" + testAccount + "/access" + path
}

const (
	policyHighBlock = `{"id":"p1","name":"Block high risk","decision":"allow","app_count":2,"reusable":true,` +
		`"session_duration":"24h","approval_groups":[{"approvals_needed":1,"email_addresses":["boss@example.com"]}],` +
		`"include":[{"email":{"email":"ada@example.com"}},{"everyone":{}}],` +
		`"require":[{"group":{"id":"g1"}}],` +
		`"exclude":[{"user_risk_score":{"user_risk_score":["high"]}}]}`
	policyOddLevels = `{"id":"p2","name":"Odd levels","decision":"deny","reusable":true,` +
		`"include":[{"user_risk_score":{"user_risk_score":["HIGH","Unscored","critical"]}}],` +
		`"require":[],"exclude":[{"ip":{"ip":"192.0.2.1/32"}}]}`
	policyPlain = `{"id":"p3","name":"Staff","decision":"bypass","include":[{"email_domain":{"domain":"example.com"}}]}`
)

func TestListAccessPoliciesFollowsEveryPage(t *testing.T) {
	f := newFake(t)
	pages := []string{`[` + policyHighBlock + `]`, `[` + policyOddLevels + `]`, `[` + policyPlain + `]`}
	f.handle(accessRoute("/policies"), paged(t, pages, func(p int) string {
		return fmt.Sprintf(`{"page":%d,"per_page":1,"count":1,"total_count":3,"total_pages":3}`, p)
	}))
	got, err := f.client().ListAccessPolicies(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := []state.AccessPolicy{
		{ID: "p1", Name: "Block high risk", Decision: state.DecisionAllow, Reusable: true, Rules: state.AccessRules{
			Include: []state.AccessRule{{Other: "email"}, {Other: "everyone"}},
			Require: []state.AccessRule{{GroupID: "g1"}},
			Exclude: []state.AccessRule{{RiskLevels: []string{"high"}}},
		}},
		// Known levels are lower-cased; an unknown one is kept as sent.
		{ID: "p2", Name: "Odd levels", Decision: state.DecisionDeny, Reusable: true, Rules: state.AccessRules{
			Include: []state.AccessRule{{RiskLevels: []string{"high", "unscored", "critical"}}},
			Exclude: []state.AccessRule{{Other: "ip"}},
		}},
		// Every policy of this collection is reusable, whether it says so or not.
		{ID: "p3", Name: "Staff", Decision: state.DecisionBypass, Reusable: true, Rules: state.AccessRules{
			Include: []state.AccessRule{{Other: "email_domain"}},
		}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
	// per_page on every page (AccessPerPage), page from the second on.
	if q := queries(f); len(q) != 3 || q[0] != "per_page=100" || !sameSet(q[1:], []string{"page=2&per_page=100", "page=3&per_page=100"}) {
		t.Errorf("queries %q", q)
	}
	// No personal data is held: no email address, no IP range.
	if s := fmt.Sprintf("%#v", got); strings.Contains(s, "@") || strings.Contains(s, "192.0.2") {
		t.Errorf("personal data kept: %s", s)
	}
}

func TestListAccessAppsEmbeddedPolicies(t *testing.T) {
	f := newFake(t)
	// One app embeds a policy of its own and references a reusable one by
	// id only; another (a bookmark) has no policies.
	apps := `[{"id":"a1","name":"Wiki","domain":"wiki.example.com","type":"self_hosted","aud":"x","policies":[` +
		`{"id":"e1","name":"Wiki staff","decision":"allow","precedence":1,"reusable":false,` +
		`"include":[{"group":{"id":"g2"}}],"require":[{"user_risk_score":{"user_risk_score":["low","medium","unscored"]}}]},` +
		`{"id":"p1","precedence":2}]},` +
		`{"id":"a2","name":"Docs link","domain":"docs.example.com","type":"bookmark"}]`
	f.handle(accessRoute("/apps"), okPage(apps, `{"page":1,"per_page":25,"count":2,"total_count":2,"total_pages":1}`))
	got, err := f.client().ListAccessApps(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := []state.AccessApp{
		{ID: "a1", Name: "Wiki", Domain: "wiki.example.com", Policies: []state.AccessPolicy{
			{ID: "e1", Name: "Wiki staff", Decision: state.DecisionAllow, Rules: state.AccessRules{
				Include: []state.AccessRule{{GroupID: "g2"}},
				Require: []state.AccessRule{{RiskLevels: []string{"low", "medium", "unscored"}}},
			}},
			{ID: "p1"},
		}},
		{ID: "a2", Name: "Docs link", Domain: "docs.example.com"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
}

func TestListAccessGroupsNestedGroupRules(t *testing.T) {
	f := newFake(t)
	groups := `[{"id":"g1","name":"Risky","include":[{"user_risk_score":{"user_risk_score":["medium","high"]}}],"exclude":[{"group":{"id":"g2"}}],"is_default":[]},` +
		`{"id":"g2","name":"Admins","include":[{"email":{"email":"root@example.com"}}],"require":[{"group":{"id":"g1"}}]}]`
	f.handle(accessRoute("/groups"), okRaw(groups))
	got, err := f.client().ListAccessGroups(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := []state.AccessGroup{
		{ID: "g1", Name: "Risky", Rules: state.AccessRules{
			Include: []state.AccessRule{{RiskLevels: []string{"medium", "high"}}},
			Exclude: []state.AccessRule{{GroupID: "g2"}},
		}},
		{ID: "g2", Name: "Admins", Rules: state.AccessRules{
			Include: []state.AccessRule{{Other: "email"}},
			Require: []state.AccessRule{{GroupID: "g1"}},
		}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
}

func TestListIdentityProvidersKeepsOnlyOktaAccount(t *testing.T) {
	f := newFake(t)
	idps := `[{"id":"i1","name":"Okta","type":"okta","config":{"okta_account":"https://acme.okta.com","client_id":"cid","claims":["email"]}},` +
		`{"id":"i2","name":"Entra","type":"azureAD","config":{"client_id":"cid2","directory_id":"dir","okta_account":"https://not-okta.example"}},` +
		`{"id":"i3","name":"PIN","type":"onetimepin","config":{}}]`
	f.handle(accessRoute("/identity_providers"), paged(t, []string{idps}, func(int) string {
		return `{"page":1,"per_page":50,"count":3,"total_count":3}`
	}))
	got, err := f.client().ListIdentityProviders(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := []state.IdentityProvider{
		{ID: "i1", Name: "Okta", Type: "okta", OktaAccount: "https://acme.okta.com"},
		{ID: "i2", Name: "Entra", Type: "azureAD"}, // okta_account counts for type okta only
		{ID: "i3", Name: "PIN", Type: "onetimepin"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
}

// A token without Access read permission: the caller must be able to tell
// "not permitted" from any other failure, and nothing is retried.
func TestAccessReadsNotPermitted(t *testing.T) {
	calls := map[string]func(*Client) error{
		"/policies":           func(c *Client) error { _, err := c.ListAccessPolicies(context.Background()); return err },
		"/apps":               func(c *Client) error { _, err := c.ListAccessApps(context.Background()); return err },
		"/groups":             func(c *Client) error { _, err := c.ListAccessGroups(context.Background()); return err },
		"/identity_providers": func(c *Client) error { _, err := c.ListIdentityProviders(context.Background()); return err },
	}
	for path, call := range calls {
		for _, tc := range []struct {
			status    int
			permitted bool
		}{{403, false}, {401, false}, {404, true}, {500, true}} {
			t.Run(fmt.Sprintf("%s/%d", strings.TrimPrefix(path, "/"), tc.status), func(t *testing.T) {
				f := newFake(t)
				f.handle(accessRoute(path), fail(tc.status, 10000, "Authentication error"))
				err := call(f.client(func(c *Config) { c.RetryMax = 1 }))
				if err == nil {
					t.Fatal("no error")
				}
				if NotPermitted(err) == tc.permitted {
					t.Errorf("NotPermitted(%v) = %v", err, !tc.permitted)
				}
				if tc.status == 403 && !errors.Is(err, ErrForbidden) {
					t.Errorf("403 is not ErrForbidden: %v", err)
				}
				if want := 1; tc.status < 500 && len(f.requests()) != want {
					t.Errorf("%d requests, want %d (a 4xx is not retried)", len(f.requests()), want)
				}
			})
		}
	}
}

// A server that claims endless pages is stopped by the client's page
// guard, as for every other listing.
func TestAccessPagesBounded(t *testing.T) {
	f := newFake(t)
	f.handle(accessRoute("/groups"), okPage(`[{"id":"g1","name":"x"}]`, `{"page":1,"per_page":1,"total_pages":1e12}`))
	_, err := f.client().ListAccessGroups(context.Background())
	if err == nil || !strings.Contains(err.Error(), "more than 1000 pages") {
		t.Fatalf("err = %v", err)
	}
	if n := len(f.requests()); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
}

// Malformed rules: a user_risk_score or group rule riskctl cannot read is
// refused, naming the object, the list and the rule's position; a selector
// riskctl does not evaluate is kept by name whatever its body.
func TestAccessRuleDecoding(t *testing.T) {
	for _, tc := range []struct {
		name, rule string
		want       state.AccessRule
		wantErr    string
	}{
		{"risk", `{"user_risk_score":{"user_risk_score":["low","High"]}}`, state.AccessRule{RiskLevels: []string{"low", "high"}}, ""},
		{"risk empty list", `{"user_risk_score":{"user_risk_score":[]}}`, state.AccessRule{RiskLevels: []string{}}, ""},
		{"risk unknown level", `{"user_risk_score":{"user_risk_score":["severe"]}}`, state.AccessRule{RiskLevels: []string{"severe"}}, ""},
		{"group", `{"group":{"id":"g1"}}`, state.AccessRule{GroupID: "g1"}, ""},
		{"unknown selector", `{"quantum_badge":{"anything":[1,2]}}`, state.AccessRule{Other: "quantum_badge"}, ""},
		{"unknown selector odd body", `{"everyone":"yes"}`, state.AccessRule{Other: "everyone"}, ""},
		{"two unknown selectors", `{"ip":{"ip":"192.0.2.1"},"geo":{"country_code":"FR"}}`, state.AccessRule{Other: "geo,ip"}, ""},
		{"risk not nested", `{"user_risk_score":["high"]}`, state.AccessRule{}, `policy "p9" ("Bad"): exclude rule 2: user_risk_score: want {"user_risk_score"`},
		{"risk null list", `{"user_risk_score":{"user_risk_score":null}}`, state.AccessRule{}, `exclude rule 2: user_risk_score: want`},
		{"risk numbers", `{"user_risk_score":{"user_risk_score":[3]}}`, state.AccessRule{}, `exclude rule 2: user_risk_score: want`},
		{"risk and more", `{"user_risk_score":{"user_risk_score":["high"]},"everyone":{}}`, state.AccessRule{}, `exclude rule 2: has several selectors (everyone, user_risk_score)`},
		{"group without id", `{"group":{}}`, state.AccessRule{}, `exclude rule 2: group: want {"id": "<group id>"}`},
		{"group id number", `{"group":{"id":7}}`, state.AccessRule{}, `exclude rule 2: group: want`},
		{"empty rule", `{}`, state.AccessRule{}, `exclude rule 2: names no selector`},
		{"not an object", `"everyone"`, state.AccessRule{}, `exclude rule 2: not a JSON object`},
		{"null rule", `null`, state.AccessRule{}, `exclude rule 2: not a JSON object`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			f.handle(accessRoute("/policies"), okRaw(`[{"id":"p9","name":"Bad","decision":"allow","exclude":[{"everyone":{}},`+tc.rule+`]}]`))
			got, err := f.client().ListAccessPolicies(context.Background())
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.HasPrefix(err.Error(), "list access policies: ") {
					t.Fatalf("err = %v, want it to contain %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if r := got[0].Rules.Exclude[1]; !reflect.DeepEqual(r, tc.want) {
				t.Errorf("rule %#v, want %#v", r, tc.want)
			}
		})
	}
}

func TestAccessMalformedItems(t *testing.T) {
	for _, tc := range []struct{ name, route, body, wantErr string }{
		{"null item", "/groups", `[{"id":"g1"},null]`, "list access groups: item 2: not a JSON object"},
		{"wrong field type", "/groups", `[{"id":1}]`, "list access groups: item 1: json: cannot unmarshal"},
		{"result not a list", "/groups", `{"id":"g1"}`, "list access groups: decode result"},
		{"app's embedded policy", "/apps", `[{"id":"a1","name":"Wiki","policies":[{"id":"e1","name":"P","include":[{"group":{"id":""}}]}]}]`,
			`list access apps: app "a1" ("Wiki"): policy "e1" ("P"): include rule 1: group: want`},
		{"okta config not an object", "/identity_providers", `[{"id":"i1","name":"Okta","type":"okta","config":"x"}]`,
			`list identity providers: identity provider "i1" ("Okta"): config: json: cannot unmarshal`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			f.handle(accessRoute(tc.route), okRaw(tc.body))
			c := f.client()
			var err error
			switch tc.route {
			case "/groups":
				_, err = c.ListAccessGroups(context.Background())
			case "/apps":
				_, err = c.ListAccessApps(context.Background())
			case "/identity_providers":
				_, err = c.ListIdentityProviders(context.Background())
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("err = %v, want %q", err, tc.wantErr)
			}
			if NotPermitted(err) {
				t.Errorf("a malformed answer is not a permission problem")
			}
		})
	}
}

// Strings are kept raw: markup and control characters in names are not
// the client's business (the renderers escape), and are not refused.
func TestAccessStringsKeptRaw(t *testing.T) {
	f := newFake(t)
	f.handle(accessRoute("/policies"), okRaw(`[{"id":"p<1>","name":"<!-- @octocat \u001b[31m","decision":"allow"}]`))
	got, err := f.client().ListAccessPolicies(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got[0].ID != "p<1>" || got[0].Name != "<!-- @octocat \x1b[31m" {
		t.Errorf("got %q %q", got[0].ID, got[0].Name)
	}
}

// The Access reads go through the client's retry policy like every other
// read: a 503 is retried, and the retry's answer is used.
func TestAccessReadsRetried(t *testing.T) {
	f := newFake(t)
	f.handle(accessRoute("/identity_providers"), sequence(
		fail(503, 10001, "service unavailable"),
		okRaw(`[{"id":"i1","name":"Okta","type":"okta","config":{"okta_account":"https://acme.okta.com"}}]`),
	))
	got, err := f.client().ListIdentityProviders(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].OktaAccount != "https://acme.okta.com" || len(f.requests()) != 2 {
		t.Errorf("got %+v after %d requests", got, len(f.requests()))
	}
}
