package sdk

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/cloudflare/cloudflare-go/v7"
	"github.com/cloudflare/cloudflare-go/v7/accounts"
	"github.com/cloudflare/cloudflare-go/v7/option"

	"github.com/riskctl/riskctl/internal/emulator"
)

// The emulator's audit log (docs/emulator.md#audit-log) through the SDK's
// own client.Accounts.Logs.Audit: the answer decodes into
// accounts.LogAuditListResponse with every field the emulator sets, and
// the SDK's auto-pager follows the cursor. The route is not part of the
// risk scoring OpenAPI contract, so these exchanges skip the contract
// middleware.

const (
	auditAlice = "sdk-alice-token"
	auditBob   = "sdk-bob-token"
)

// auditEnv is an emulator with two named tokens, and an SDK client that
// reads the audit log with the main token.
func auditEnv(t *testing.T, noRead bool) (*emulator.Emulator, *cloudflare.Client, string) {
	t.Helper()
	e, err := emulator.New(emulator.Options{
		Token:       sdkToken,
		Actors:      map[string]string{auditAlice: "alice@example.com", auditBob: "bob@example.com"},
		NoAuditRead: noRead,
		Now:         func() time.Time { return sdkNow },
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	url := srv.URL + "/client/v4"
	return e, cloudflare.NewClient(option.WithBaseURL(url), option.WithAPIToken(sdkToken), option.WithMaxRetries(0)), url
}

// write sends one write with token and returns its cf-ray and Cf-Auditlog-Id.
func write(t *testing.T, url, token, method, op, body string) (ray, id string) {
	t.Helper()
	req, err := http.NewRequest(method, url+"/accounts/"+sdkAccount+"/zt_risk_scoring"+op, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s %s: %d", method, op, resp.StatusCode)
	}
	ray, _, _ = strings.Cut(resp.Header.Get("Cf-Ray"), "-")
	return ray, resp.Header.Get("Cf-Auditlog-Id")
}

// window is the day of sdkNow, as the SDK sends since and before: dates.
func window() accounts.LogAuditListParams {
	day := sdkNow.Truncate(24 * time.Hour)
	return accounts.LogAuditListParams{
		AccountID: cloudflare.F(sdkAccount),
		Since:     cloudflare.F(day),
		Before:    cloudflare.F(day.Add(24 * time.Hour)),
	}
}

// TestSDKAuditLog: three writes by alice and bob, read back with the
// SDK's auto-pager two at a time, newest first, every field decoded; the
// SDK's exclusion filter (actor_email.not) drops alice's.
func TestSDKAuditLog(t *testing.T) {
	e, client, url := auditEnv(t, false)
	ctx := context.Background()
	aliceRay, aliceID := write(t, url, auditAlice, "PUT", "/behaviors", `{"behaviors":{"imp_travel":{"enabled":true,"risk_level":"high"}}}`)
	write(t, url, auditBob, "POST", "/integrations", `{"integration_type":"Okta","tenant_url":"https://a.okta.com"}`)
	in := e.Integrations(sdkAccount)[0]
	bobRay, bobID := write(t, url, auditBob, "DELETE", "/integrations/"+in.ID, "")

	params := window()
	params.Limit = cloudflare.F(2.0)
	var got []accounts.LogAuditListResponse
	pages := 0
	page, err := client.Accounts.Logs.Audit.List(ctx, params)
	for ; err == nil && page != nil && len(page.Result) > 0; page, err = page.GetNextPage() {
		pages++
		got = append(got, page.Result...)
	}
	if err != nil {
		t.Fatal(err)
	}
	checkDecoded(t, "audit", got)
	if len(got) != 3 || pages != 2 {
		t.Fatalf("%d entries in %d pages, want 3 in 2", len(got), pages)
	}
	newest, oldest := got[0], got[2]
	if newest.ID != bobID || newest.Action.Type != "delete" || newest.Resource.ID != in.ID || newest.Raw.CfRayID != bobRay ||
		newest.Actor.Email != "bob@example.com" || newest.Actor.TokenName != "Token for bob@example.com" {
		t.Errorf("newest %s", newest.JSON.RawJSON())
	}
	a := oldest
	if a.ID != aliceID || a.Account.ID != sdkAccount || a.Action.Description == "" || a.Action.Result != "success" ||
		!a.Action.Time.Equal(sdkNow) || a.Action.Type != "update" ||
		a.Actor.ID == "" || a.Actor.Context != accounts.LogAuditListResponseActorContextAPIToken || a.Actor.Email != "alice@example.com" ||
		a.Actor.IPAddress != "127.0.0.1" || a.Actor.TokenID != emulator.TokenID(auditAlice) || a.Actor.TokenName != "Token for alice@example.com" ||
		a.Actor.Type != accounts.LogAuditListResponseActorTypeUser ||
		a.Raw.CfRayID != aliceRay || a.Raw.Method != "PUT" || a.Raw.StatusCode != 200 ||
		a.Raw.URI != "/client/v4/accounts/"+sdkAccount+"/zt_risk_scoring/behaviors" || a.Raw.UserAgent == "" ||
		a.Resource.ID != "imp_travel" || a.Resource.Product != "zt_risk_scoring" || a.Resource.Type != emulator.ResourceBehavior || a.Resource.Scope != "accounts" {
		t.Errorf("alice's entry %s", a.JSON.RawJSON())
	}
	if a.Actor.JSON.Email.IsMissing() || a.Actor.JSON.TokenID.IsMissing() || a.Raw.JSON.CfRayID.IsMissing() || a.Resource.JSON.Scope.IsMissing() {
		t.Errorf("fields missing for the SDK: %s", a.JSON.RawJSON())
	}

	params = window()
	params.ActorEmail = cloudflare.F(accounts.LogAuditListParamsActorEmail{Not: cloudflare.F([]string{"alice@example.com"})})
	var bobs int
	for it := client.Accounts.Logs.Audit.ListAutoPaging(ctx, params); it.Next(); {
		if it.Current().Actor.Email != "bob@example.com" {
			t.Errorf("excluded actor listed: %s", it.Current().JSON.RawJSON())
		}
		bobs++
		if err := it.Err(); err != nil {
			t.Fatal(err)
		}
	}
	if bobs != 2 {
		t.Errorf("%d entries of bob", bobs)
	}

	// since and before are required.
	_, err = client.Accounts.Logs.Audit.List(ctx, accounts.LogAuditListParams{AccountID: cloudflare.F(sdkAccount)})
	sdkError(t, err, http.StatusBadRequest, 1006)
}

// TestSDKAuditLogWithoutPermission: with --no-audit-read the list is 403
// code 10000, as for a token without audit-log read permission.
func TestSDKAuditLogWithoutPermission(t *testing.T) {
	_, client, _ := auditEnv(t, true)
	_, err := client.Accounts.Logs.Audit.List(context.Background(), window())
	sdkError(t, err, http.StatusForbidden, 10000)
}
