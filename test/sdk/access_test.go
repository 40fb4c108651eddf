package sdk

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"testing"

	"github.com/cloudflare/cloudflare-go/v7"
	"github.com/cloudflare/cloudflare-go/v7/option"
	"github.com/cloudflare/cloudflare-go/v7/zero_trust"

	"github.com/riskctl/riskctl/internal/emulator"
)

// The read-only Access lists the emulator serves from an Access file
// (docs/emulator.md#access-objects), through the SDK's own services:
// client.ZeroTrust.Access.Policies, .Applications, .Groups and
// client.ZeroTrust.IdentityProviders. They are not part of the risk
// scoring OpenAPI contract, so these exchanges skip the contract
// middleware; checkAccessEnvelope checks their envelope instead.

// accessEnv serves examples/emulator/access.yaml, with or without Access read.
func accessEnv(t *testing.T, noRead bool) (*cloudflare.Client, string) {
	t.Helper()
	data, err := emulator.LoadAccess(filepath.Join("..", "..", "examples", "emulator", "access.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	e, err := emulator.New(emulator.Options{Token: sdkToken, Access: data, NoAccessRead: noRead, PageSize: 1})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	url := srv.URL + "/client/v4"
	return cloudflare.NewClient(option.WithBaseURL(url), option.WithAPIToken(sdkToken), option.WithMaxRetries(0)), url
}

// levels are the levels of a user_risk_score rule, or nil for another rule.
func levels(r zero_trust.AccessRule) []string {
	u, ok := r.AsUnion().(zero_trust.AccessRuleAccessUserRiskScoreRule)
	if !ok {
		return nil
	}
	var out []string
	for _, l := range u.UserRiskScore.UserRiskScore {
		out = append(out, string(l))
	}
	return out
}

// TestSDKAccessLists: the four lists decode into the SDK's types, page by
// page (the emulator pages one object at a time here, so auto-paging
// follows every page), and the user_risk_score rules round-trip.
func TestSDKAccessLists(t *testing.T) {
	client, url := accessEnv(t, false)
	ctx := context.Background()
	acct := cloudflare.F(sdkAccount)

	var policies []zero_trust.AccessPolicyListResponse
	for it := client.ZeroTrust.Access.Policies.ListAutoPaging(ctx, zero_trust.AccessPolicyListParams{AccountID: acct}); it.Next(); {
		policies = append(policies, it.Current())
		if err := it.Err(); err != nil {
			t.Fatal(err)
		}
	}
	checkDecoded(t, "policies", policies)
	if len(policies) != 2 {
		t.Fatalf("%d policies, want 2", len(policies))
	}
	block := policies[0]
	if block.Name != "Block high risk" || block.Decision != zero_trust.DecisionAllow || !bool(block.Reusable) ||
		len(block.Exclude) != 1 || !slices.Equal(levels(block.Exclude[0]), []string{"high"}) || len(block.Include) != 1 || levels(block.Include[0]) != nil {
		t.Errorf("policy %s", block.JSON.RawJSON())
	}
	if g, ok := policies[1].Include[0].AsUnion().(zero_trust.GroupRule); !ok || g.Group.ID != "9e3f0a4c-5b6d-4c7e-8f9a-2b3c4d5e6f70" {
		t.Errorf("group rule %s decoded as %T", policies[1].Include[0].JSON.RawJSON(), policies[1].Include[0].AsUnion())
	}

	var groups []zero_trust.AccessGroupListResponse
	for it := client.ZeroTrust.Access.Groups.ListAutoPaging(ctx, zero_trust.AccessGroupListParams{AccountID: acct}); it.Next(); {
		groups = append(groups, it.Current())
	}
	checkDecoded(t, "groups", groups)
	if len(groups) != 1 || len(groups[0].Require) != 1 || !slices.Equal(levels(groups[0].Require[0]), []string{"low", "medium", "unscored"}) {
		t.Errorf("groups %+v", groups)
	}

	var apps []zero_trust.AccessApplicationListResponse
	for it := client.ZeroTrust.Access.Applications.ListAutoPaging(ctx, zero_trust.AccessApplicationListParams{AccountID: acct}); it.Next(); {
		apps = append(apps, it.Current())
	}
	checkDecoded(t, "apps", apps)
	if len(apps) != 1 || apps[0].Name != "Intranet" || apps[0].Domain != "intranet.acme.com" || apps[0].Type != zero_trust.ApplicationTypeSelfHosted {
		t.Fatalf("apps %+v", apps)
	}
	app, ok := apps[0].AsUnion().(zero_trust.AccessApplicationListResponseSelfHostedApplication)
	if !ok || len(app.Policies) != 2 || app.Policies[0].ID != block.ID || app.Policies[0].Precedence != 1 ||
		!slices.Equal(levels(app.Policies[0].Exclude[0]), []string{"high"}) {
		t.Errorf("app decoded as %T: %s", apps[0].AsUnion(), apps[0].JSON.RawJSON())
	}

	var idps []zero_trust.IdentityProviderListResponse
	for it := client.ZeroTrust.IdentityProviders.ListAutoPaging(ctx, zero_trust.IdentityProviderListParams{AccountID: acct}); it.Next(); {
		idps = append(idps, it.Current())
	}
	checkDecoded(t, "identity providers", idps)
	if len(idps) != 2 || idps[0].ID != "2f6f6d8e-4b1a-4c3e-9d5f-7a8b9c0d1e2f" || idps[0].Type != zero_trust.IdentityProviderTypeOkta {
		t.Fatalf("identity providers %+v", idps)
	}
	// The SDK's IdentityProvider union has no discriminator and may pick
	// another variant than Okta for an okta provider (AzureAD, which
	// drops okta_account): a client reads config from the raw JSON, as
	// the SDK keeps it.
	var cfg struct {
		OktaAccount string `json:"okta_account"`
	}
	raw := idps[0].JSON.Config.Raw()
	if err := json.Unmarshal([]byte(raw), &cfg); err != nil || cfg.OktaAccount != "https://acme.okta.com" {
		t.Errorf("config %s: %v", raw, err)
	}

	// One page at a time: the SDK asked for every page, then one past the
	// end (empty) to stop.
	page, err := client.ZeroTrust.Access.Policies.List(ctx, zero_trust.AccessPolicyListParams{AccountID: acct, Page: cloudflare.F(int64(2))})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Result) != 1 || page.Result[0].ID != policies[1].ID || page.ResultInfo.Page != 2 || page.ResultInfo.PerPage != 1 {
		t.Errorf("page 2: %s", page.JSON.RawJSON())
	}
	for _, kind := range []string{"identity_providers", "policies", "apps", "groups"} {
		checkAccessEnvelope(t, url+"/accounts/"+sdkAccount+"/access/"+kind+"?per_page=50", http.StatusOK)
	}
}

// TestSDKAccessWithoutPermission: with --no-access-read every list is 403
// code 10000, as for a token without "Access: Apps and Policies Read".
func TestSDKAccessWithoutPermission(t *testing.T) {
	client, url := accessEnv(t, true)
	ctx := context.Background()
	acct := cloudflare.F(sdkAccount)
	_, err := client.ZeroTrust.Access.Policies.List(ctx, zero_trust.AccessPolicyListParams{AccountID: acct})
	sdkError(t, err, http.StatusForbidden, 10000)
	_, err = client.ZeroTrust.Access.Applications.List(ctx, zero_trust.AccessApplicationListParams{AccountID: acct})
	sdkError(t, err, http.StatusForbidden, 10000)
	_, err = client.ZeroTrust.Access.Groups.List(ctx, zero_trust.AccessGroupListParams{AccountID: acct})
	sdkError(t, err, http.StatusForbidden, 10000)
	_, err = client.ZeroTrust.IdentityProviders.List(ctx, zero_trust.IdentityProviderListParams{AccountID: acct})
	sdkError(t, err, http.StatusForbidden, 10000)
	checkAccessEnvelope(t, url+"/accounts/"+sdkAccount+"/access/policies", http.StatusForbidden)
}

// checkAccessEnvelope checks an Access list's envelope, which the SDK
// reads leniently: success, errors and messages always; on success a
// result array and result_info with page, per_page, count and
// total_count; on failure result null and no result_info.
func checkAccessEnvelope(t *testing.T, url string, status int) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("Authorization", "Bearer "+sdkToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var env map[string]json.RawMessage
	if err := json.NewDecoder(resp.Body).Decode(&env); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != status || resp.Header.Get("Content-Type") != "application/json; charset=UTF-8" {
		t.Errorf("%s: status %d, Content-Type %q", url, resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	want := fmt.Sprint(status == http.StatusOK)
	if string(env["success"]) != want || string(env["messages"]) != "[]" {
		t.Errorf("%s: envelope %v", url, env)
	}
	if status != http.StatusOK {
		if string(env["result"]) != "null" || len(env["errors"]) < 3 || env["result_info"] != nil {
			t.Errorf("%s: failure envelope %v", url, env)
		}
		return
	}
	var result []map[string]any
	var info map[string]*int
	if string(env["errors"]) != "[]" || json.Unmarshal(env["result"], &result) != nil || result == nil ||
		json.Unmarshal(env["result_info"], &info) != nil {
		t.Fatalf("%s: envelope %v", url, env)
	}
	for _, k := range []string{"page", "per_page", "count", "total_count"} {
		if info[k] == nil {
			t.Errorf("%s: result_info lacks %s: %s", url, k, env["result_info"])
		}
	}
	if *info["count"] != len(result) {
		t.Errorf("%s: count %d, %d objects", url, *info["count"], len(result))
	}
}
