// Package sdk checks the emulator against Cloudflare's own Go SDK. It is a
// module of its own (go.mod here), so that the SDK is a requirement of this
// test only, never of riskctl: the main module's go.mod does not list it
// (internal/remote/deps_test.go checks that).
package sdk

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cloudflare/cloudflare-go/v7"
	"github.com/cloudflare/cloudflare-go/v7/option"
	"github.com/cloudflare/cloudflare-go/v7/zero_trust"
	"github.com/google/uuid"

	"github.com/riskctl/riskctl/internal/contracttest"
	"github.com/riskctl/riskctl/internal/emulator"
)

// These tests drive all 11 operations, error answers included, through a
// client nobody here wrote: Cloudflare's official Go SDK, cloudflare-go v7
// (its zero_trust RiskScoring services, the code Terraform's provider is
// built on), over real HTTP. Every exchange also goes through the contract
// middleware, so what the SDK sends and what the emulator answers are both
// checked against the OpenAPI contract. The SDK is a test-only dependency.
//
// The SDK is large (a cold compile takes minutes), so the everyday go test
// and go vet of the main module leave this module out; .ci/run runs it:
//
//	cd test/sdk && go test ./...

const (
	sdkAccount = "023e105f4ecef8ad9ca31a8372d0c353"
	sdkToken   = "sdk-conformance-token"
	sdkKey     = "0f1e2d3c4b5a69788796a5b4c3d2e1f0abcde"
	sdkEmail   = "ops@example.com"
	sdkUnknown = "00000000-0000-4000-8000-000000000000"
)

// TestMain points contracttest at the main module's contract: it looks
// beside the nearest go.mod, which here is this module's.
func TestMain(m *testing.M) {
	if os.Getenv(contracttest.EnvSpec) == "" {
		root, err := filepath.Abs(filepath.Join("..", ".."))
		if err == nil {
			for _, p := range []string{contracttest.SharedSpecPath(root), contracttest.VendoredSpecPath(root)} {
				if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
					os.Setenv(contracttest.EnvSpec, p)
					break
				}
			}
		}
	}
	os.Exit(m.Run())
}

// sdkNow is the emulator's clock: the time of the contract's examples.
var sdkNow = time.Date(2025, 3, 19, 19, 53, 56, 0, time.UTC)

// sdkEnv is an emulator behind the contract middleware on a real server.
type sdkEnv struct {
	c   *contracttest.Contract
	e   *emulator.Emulator
	url string // base URL, .../client/v4
}

func newSDKEnv(t *testing.T, opts emulator.Options) *sdkEnv {
	t.Helper()
	// The SDK's NewClient reads CLOUDFLARE_*; these tests build services
	// from explicit options only, but keep the environment out anyway.
	for _, v := range []string{"CLOUDFLARE_BASE_URL", "CLOUDFLARE_API_TOKEN", "CLOUDFLARE_API_KEY", "CLOUDFLARE_EMAIL",
		"CLOUDFLARE_API_USER_SERVICE_KEY", "CLOUDFLARE_CUSTOM_HEADERS"} {
		t.Setenv(v, "") // restored after the test
		os.Unsetenv(v)  // set but empty would still send an empty header
	}
	if opts.Now == nil {
		opts.Now = func() time.Time { return sdkNow }
	}
	e, err := emulator.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	c := contracttest.Load(t)
	srv := httptest.NewServer(c.Middleware(t, e))
	t.Cleanup(srv.Close)
	return &sdkEnv{c: c, e: e, url: srv.URL + "/client/v4"}
}

// service is the SDK's risk scoring service, client.ZeroTrust.RiskScoring,
// with the given credentials; retries are off so every answer reaches the
// test.
func (v *sdkEnv) service(creds ...option.RequestOption) *zero_trust.RiskScoringService {
	opts := append([]option.RequestOption{option.WithBaseURL(v.url), option.WithMaxRetries(0)}, creds...)
	return cloudflare.NewClient(opts...).ZeroTrust.RiskScoring
}

// offContract marks requests the contract forbids (see contracttest.InvalidRequest).
var offContract = option.WithMiddleware(func(r *http.Request, next option.MiddlewareNext) (*http.Response, error) {
	return next(contracttest.InvalidRequest(r))
})

// sdkError returns the SDK's API error, failing unless err is one with the
// status and, first, the code.
func sdkError(t *testing.T, err error, status int, code int64) *cloudflare.Error {
	t.Helper()
	var apiErr *cloudflare.Error
	if !errors.As(err, &apiErr) {
		t.Fatalf("error %v (%T), want an API error %d code %d", err, err, status, code)
	}
	if apiErr.StatusCode != status || len(apiErr.Errors) == 0 || apiErr.Errors[0].Code != code {
		t.Fatalf("got %d %s, want %d code %d", apiErr.StatusCode, apiErr.JSON.RawJSON(), status, code)
	}
	for _, e := range apiErr.Errors {
		if e.Message == "" || e.JSON.Message.IsMissing() {
			t.Errorf("error item without a message: %s", apiErr.JSON.RawJSON())
		}
	}
	return apiErr
}

// errorChain is the error_chain of the first error item (the SDK does not
// model it, so it is read from the body the SDK kept).
func errorChain(t *testing.T, apiErr *cloudflare.Error) []int64 {
	t.Helper()
	var body struct {
		Errors []struct {
			ErrorChain []struct {
				Code int64 `json:"code"`
			} `json:"error_chain"`
		} `json:"errors"`
	}
	if err := json.Unmarshal([]byte(apiErr.JSON.RawJSON()), &body); err != nil || len(body.Errors) == 0 {
		t.Fatalf("error body %s: %v", apiErr.JSON.RawJSON(), err)
	}
	var codes []int64
	for _, c := range body.Errors[0].ErrorChain {
		codes = append(codes, c.Code)
	}
	return codes
}

// fieldStatus is the SDK's per-field decoding metadata (apijson.Field).
type fieldStatus interface {
	IsMissing() bool
	IsNull() bool
	IsInvalid() bool
}

// checkDecoded walks a result the SDK decoded and fails for every field
// tagged api:"required" that the SDK saw missing, null or of the wrong
// type, and for every enum value the SDK does not know. The SDK decodes
// leniently (a wrong shape is a zero value, not an error), so this is
// where a wrong answer shows.
func checkDecoded(t *testing.T, what string, v any) {
	t.Helper()
	walkDecoded(t, what, reflect.ValueOf(v))
}

func walkDecoded(t *testing.T, what string, rv reflect.Value) {
	t.Helper()
	for rv.Kind() == reflect.Pointer || rv.Kind() == reflect.Interface {
		if rv.IsNil() {
			return
		}
		rv = rv.Elem()
	}
	switch rv.Kind() {
	case reflect.Slice:
		for i := 0; i < rv.Len(); i++ {
			walkDecoded(t, what+"["+strconv.Itoa(i)+"]", rv.Index(i))
		}
		return
	case reflect.Map:
		iter := rv.MapRange()
		for iter.Next() {
			walkDecoded(t, what+"["+iter.Key().String()+"]", iter.Value())
		}
		return
	case reflect.Struct:
	default:
		return
	}
	meta := rv.FieldByName("JSON")
	if !meta.IsValid() {
		return
	}
	for i := 0; i < rv.NumField(); i++ {
		f := rv.Type().Field(i)
		if f.Name == "JSON" || !f.IsExported() {
			continue
		}
		name := what + "." + f.Name
		if m := meta.FieldByName(f.Name); m.IsValid() && m.CanInterface() {
			st, ok := m.Interface().(fieldStatus)
			switch {
			case !ok:
			case st.IsInvalid():
				t.Errorf("%s: the SDK could not decode it", name)
			case strings.Contains(f.Tag.Get("api"), "required") && st.IsNull():
				t.Errorf("%s: required, but missing or null", name)
			case st.IsNull():
				// An optional object that is absent: the fields it would
				// require are not missing (the Access shapes have many).
				continue
			}
		}
		fv := rv.Field(i)
		if k, ok := fv.Interface().(interface{ IsKnown() bool }); ok && fv.Kind() == reflect.String && fv.Len() > 0 && !k.IsKnown() {
			t.Errorf("%s: %q is not a value the SDK knows", name, fv.String())
		}
		walkDecoded(t, name, fv)
	}
}

// TestSDKConformance: every operation, success and error answers, through
// the official SDK with a token.
func TestSDKConformance(t *testing.T) {
	v := newSDKEnv(t, emulator.Options{Token: sdkToken, SeedUsers: 5})
	rs := v.service(option.WithAPIToken(sdkToken))
	ctx := context.Background()

	t.Run("behaviors", func(t *testing.T) {
		got, err := rs.Behaviours.Get(ctx, zero_trust.RiskScoringBehaviourGetParams{AccountID: cloudflare.F(sdkAccount)})
		if err != nil {
			t.Fatal(err)
		}
		checkDecoded(t, "behaviors", got)
		if b := got.Behaviors["imp_travel"]; b.Name != "Impossible Travel" || b.Enabled || b.RiskLevel != "high" {
			t.Errorf("imp_travel %+v", b)
		}
		upd, err := rs.Behaviours.Update(ctx, zero_trust.RiskScoringBehaviourUpdateParams{
			AccountID: cloudflare.F(sdkAccount),
			Behaviors: cloudflare.F(map[string]zero_trust.RiskScoringBehaviourUpdateParamsBehaviors{
				"high_dlp": {Enabled: cloudflare.F(true), RiskLevel: cloudflare.F(zero_trust.RiskScoringBehaviourUpdateParamsBehaviorsRiskLevelLow)},
			}),
		})
		if err != nil {
			t.Fatal(err)
		}
		checkDecoded(t, "updated behaviors", upd)
		if b := upd.Behaviors["high_dlp"]; !b.Enabled || b.RiskLevel != "low" {
			t.Errorf("high_dlp after PUT %+v", b)
		}
		if _, found := upd.Behaviors["imp_travel"]; !found {
			t.Error("PUT answered only the keys sent (the API answers every behavior, docs/api.md#behaviors)")
		}
		_, err = rs.Behaviours.Update(ctx, zero_trust.RiskScoringBehaviourUpdateParams{
			AccountID: cloudflare.F(sdkAccount),
			Behaviors: cloudflare.F(map[string]zero_trust.RiskScoringBehaviourUpdateParamsBehaviors{
				"no_such_key": {Enabled: cloudflare.F(true), RiskLevel: cloudflare.F(zero_trust.RiskScoringBehaviourUpdateParamsBehaviorsRiskLevelLow)},
			}),
		})
		sdkError(t, err, http.StatusBadRequest, 1005)
		_, err = rs.Behaviours.Update(ctx, zero_trust.RiskScoringBehaviourUpdateParams{
			AccountID: cloudflare.F(sdkAccount),
			Behaviors: cloudflare.F(map[string]zero_trust.RiskScoringBehaviourUpdateParamsBehaviors{
				"high_dlp": {Enabled: cloudflare.F(true), RiskLevel: cloudflare.F(zero_trust.RiskScoringBehaviourUpdateParamsBehaviorsRiskLevel("High"))},
			}),
		}, offContract)
		sdkError(t, err, http.StatusBadRequest, 1004)
	})

	t.Run("users", func(t *testing.T) {
		sum, err := rs.Summary.Get(ctx, zero_trust.RiskScoringSummaryGetParams{AccountID: cloudflare.F(sdkAccount)})
		if err != nil {
			t.Fatal(err)
		}
		checkDecoded(t, "summary", sum)
		if len(sum.Users) != 5 {
			t.Fatalf("%d users, want 5", len(sum.Users))
		}
		u := sum.Users[0]
		risk, err := rs.Get(ctx, u.UserID, zero_trust.RiskScoringGetParams{AccountID: cloudflare.F(sdkAccount)})
		if err != nil {
			t.Fatal(err)
		}
		checkDecoded(t, "user", risk)
		if risk.Email != u.Email || int64(len(risk.Events)) != u.EventCount || !risk.JSON.LastResetTime.IsNull() {
			t.Errorf("user %+v, summary row %+v", risk, u)
		}
		if _, err := rs.Reset(ctx, u.UserID, zero_trust.RiskScoringResetParams{AccountID: cloudflare.F(sdkAccount)}); err != nil {
			t.Fatal(err)
		}
		risk, err = rs.Get(ctx, u.UserID, zero_trust.RiskScoringGetParams{AccountID: cloudflare.F(sdkAccount)})
		if err != nil {
			t.Fatal(err)
		}
		if len(risk.Events) != 0 || !risk.LastResetTime.Equal(sdkNow) {
			t.Errorf("after reset: %d events, last_reset_time %v", len(risk.Events), risk.LastResetTime)
		}
		_, err = rs.Get(ctx, sdkUnknown, zero_trust.RiskScoringGetParams{AccountID: cloudflare.F(sdkAccount)})
		sdkError(t, err, http.StatusNotFound, 1103)
		_, err = rs.Reset(ctx, sdkUnknown, zero_trust.RiskScoringResetParams{AccountID: cloudflare.F(sdkAccount)})
		sdkError(t, err, http.StatusNotFound, 1103)
		_, err = rs.Get(ctx, "not-a-uuid", zero_trust.RiskScoringGetParams{AccountID: cloudflare.F(sdkAccount)}, offContract)
		sdkError(t, err, http.StatusBadRequest, 7003)
	})

	t.Run("integrations", func(t *testing.T) {
		in := rs.Integrations
		ref := uuid.NewString()
		created, err := in.New(ctx, zero_trust.RiskScoringIntegrationNewParams{
			AccountID:       cloudflare.F(sdkAccount),
			IntegrationType: cloudflare.F(zero_trust.RiskScoringIntegrationNewParamsIntegrationTypeOkta),
			TenantURL:       cloudflare.F("https://tenant.okta.com"),
			ReferenceID:     cloudflare.F(ref),
		})
		if err != nil {
			t.Fatal(err)
		}
		checkDecoded(t, "created", created)
		if created.ReferenceID != ref || !created.Active || created.AccountTag != sdkAccount ||
			created.WellKnownURL != "https://ssf.risk-score.teams.cloudflare.com/.well-known/sse-configuration/"+created.ID ||
			!created.CreatedAt.Equal(sdkNow) {
			t.Errorf("created %+v", created)
		}
		// No reference_id: the server picks a UUIDv4 (docs/api.md#integrations).
		noRef, err := in.New(ctx, zero_trust.RiskScoringIntegrationNewParams{
			AccountID:       cloudflare.F(sdkAccount),
			IntegrationType: cloudflare.F(zero_trust.RiskScoringIntegrationNewParamsIntegrationTypeOkta),
			TenantURL:       cloudflare.F("https://other.okta.com"),
		})
		if err != nil {
			t.Fatal(err)
		}
		if id, err := uuid.Parse(noRef.ReferenceID); err != nil || id.Version() != 4 {
			t.Errorf("reference_id of a create without one: %q", noRef.ReferenceID)
		}
		_, err = in.New(ctx, zero_trust.RiskScoringIntegrationNewParams{
			AccountID:       cloudflare.F(sdkAccount),
			IntegrationType: cloudflare.F(zero_trust.RiskScoringIntegrationNewParamsIntegrationType("okta")),
			TenantURL:       cloudflare.F("https://tenant.okta.com"),
		}, offContract)
		sdkError(t, err, http.StatusBadRequest, 1004)

		page, err := in.List(ctx, zero_trust.RiskScoringIntegrationListParams{AccountID: cloudflare.F(sdkAccount)})
		if err != nil {
			t.Fatal(err)
		}
		checkDecoded(t, "list", page.Result)
		if len(page.Result) != 2 || page.Result[0].ID != min(created.ID, noRef.ID) { // same created_at: by id
			t.Errorf("list %+v", page.Result)
		}
		var auto int
		for iter := in.ListAutoPaging(ctx, zero_trust.RiskScoringIntegrationListParams{AccountID: cloudflare.F(sdkAccount)}); iter.Next(); {
			auto++
		}
		if auto != 2 {
			t.Errorf("auto-paging saw %d integrations", auto)
		}

		got, err := in.Get(ctx, created.ID, zero_trust.RiskScoringIntegrationGetParams{AccountID: cloudflare.F(sdkAccount)})
		if err != nil {
			t.Fatal(err)
		}
		checkDecoded(t, "get", got)
		if got.ID != created.ID || got.TenantURL != created.TenantURL {
			t.Errorf("get %+v", got)
		}
		byRef, err := in.References.Get(ctx, ref, zero_trust.RiskScoringIntegrationReferenceGetParams{AccountID: cloudflare.F(sdkAccount)})
		if err != nil {
			t.Fatal(err)
		}
		checkDecoded(t, "by reference", byRef)
		if byRef.ID != created.ID {
			t.Errorf("by reference %+v", byRef)
		}

		upd, err := in.Update(ctx, created.ID, zero_trust.RiskScoringIntegrationUpdateParams{
			AccountID:   cloudflare.F(sdkAccount),
			Active:      cloudflare.F(false),
			TenantURL:   cloudflare.F("https://moved.okta.com"),
			ReferenceID: cloudflare.F(ref),
		})
		if err != nil {
			t.Fatal(err)
		}
		checkDecoded(t, "updated", upd)
		if upd.Active || upd.TenantURL != "https://moved.okta.com" || upd.ReferenceID != ref || upd.ID != created.ID {
			t.Errorf("updated %+v", upd)
		}

		if _, err := in.Delete(ctx, created.ID, zero_trust.RiskScoringIntegrationDeleteParams{AccountID: cloudflare.F(sdkAccount)}); err != nil {
			t.Fatal(err)
		}
		_, err = in.Get(ctx, created.ID, zero_trust.RiskScoringIntegrationGetParams{AccountID: cloudflare.F(sdkAccount)})
		sdkError(t, err, http.StatusNotFound, 1101)
		_, err = in.Delete(ctx, created.ID, zero_trust.RiskScoringIntegrationDeleteParams{AccountID: cloudflare.F(sdkAccount)})
		sdkError(t, err, http.StatusNotFound, 1101)
		_, err = in.Update(ctx, created.ID, zero_trust.RiskScoringIntegrationUpdateParams{
			AccountID: cloudflare.F(sdkAccount), Active: cloudflare.F(true), TenantURL: cloudflare.F("https://moved.okta.com"),
		})
		sdkError(t, err, http.StatusNotFound, 1101)
		_, err = in.References.Get(ctx, ref, zero_trust.RiskScoringIntegrationReferenceGetParams{AccountID: cloudflare.F(sdkAccount)})
		sdkError(t, err, http.StatusNotFound, 1102)
		_, err = in.Get(ctx, "not-a-uuid", zero_trust.RiskScoringIntegrationGetParams{AccountID: cloudflare.F(sdkAccount)}, offContract)
		sdkError(t, err, http.StatusBadRequest, 7003)
	})

	t.Run("auth", func(t *testing.T) {
		params := zero_trust.RiskScoringBehaviourGetParams{AccountID: cloudflare.F(sdkAccount)}
		_, err := v.service().Behaviours.Get(ctx, params, offContract)
		if e := sdkError(t, err, http.StatusBadRequest, 9106); e.Errors[0].Message != "Missing X-Auth-Key, X-Auth-Email or Authorization headers" {
			t.Errorf("9106 message %q", e.Errors[0].Message)
		}
		_, err = v.service(option.WithAPIToken("wrong-token")).Behaviours.Get(ctx, params)
		sdkError(t, err, http.StatusForbidden, 10000)
		// A token sent as a Global API Key: malformed X-Auth-Key.
		_, err = v.service(option.WithAPIKey(sdkToken), option.WithAPIEmail(sdkEmail)).Summary.Get(ctx,
			zero_trust.RiskScoringSummaryGetParams{AccountID: cloudflare.F(sdkAccount)})
		if chain := errorChain(t, sdkError(t, err, http.StatusBadRequest, 6003)); len(chain) != 1 || chain[0] != 6103 {
			t.Errorf("error_chain %v, want [6103]", chain)
		}
		_, err = v.service(option.WithAPIKey(sdkKey), option.WithAPIEmail("not-an-email")).Integrations.List(ctx,
			zero_trust.RiskScoringIntegrationListParams{AccountID: cloudflare.F(sdkAccount)})
		if chain := errorChain(t, sdkError(t, err, http.StatusBadRequest, 6003)); len(chain) != 1 || chain[0] != 6102 {
			t.Errorf("error_chain %v, want [6102]", chain)
		}
		_, err = v.service(option.WithHeader("Authorization", "Token "+sdkToken)).Behaviours.Get(ctx, params, offContract)
		if chain := errorChain(t, sdkError(t, err, http.StatusBadRequest, 6003)); len(chain) != 1 || chain[0] != 6111 {
			t.Errorf("error_chain %v, want [6111]", chain)
		}
		// A well-formed key pair that is not the configured one.
		_, err = v.service(option.WithAPIKey(sdkKey), option.WithAPIEmail(sdkEmail)).Behaviours.Get(ctx, params)
		sdkError(t, err, http.StatusForbidden, 10000)
	})

	t.Run("account ids", func(t *testing.T) {
		for _, bad := range []string{"account_id", strings.ToUpper(sdkAccount), sdkAccount[:31]} {
			_, err := rs.Behaviours.Get(ctx, zero_trust.RiskScoringBehaviourGetParams{AccountID: cloudflare.F(bad)})
			sdkError(t, err, http.StatusBadRequest, 7003)
			_, err = rs.Integrations.New(ctx, zero_trust.RiskScoringIntegrationNewParams{
				AccountID:       cloudflare.F(bad),
				IntegrationType: cloudflare.F(zero_trust.RiskScoringIntegrationNewParamsIntegrationTypeOkta),
				TenantURL:       cloudflare.F("https://tenant.okta.com"),
			})
			sdkError(t, err, http.StatusBadRequest, 7003)
		}
	})

	t.Run("rate limit", func(t *testing.T) {
		// The SDK retries a 429 after Retry-After: one retry gets through.
		v.e.InjectFault(emulator.Fault{Status: http.StatusTooManyRequests, RetryAfter: "0"})
		retrying := cloudflare.NewClient(option.WithBaseURL(v.url), option.WithAPIToken(sdkToken), option.WithMaxRetries(1)).ZeroTrust.RiskScoring
		if _, err := retrying.Behaviours.Get(ctx, zero_trust.RiskScoringBehaviourGetParams{AccountID: cloudflare.F(sdkAccount)}); err != nil {
			t.Errorf("after one 429: %v", err)
		}
		v.e.InjectFault(emulator.Fault{Status: http.StatusTooManyRequests, RetryAfter: "0"})
		_, err := rs.Behaviours.Get(ctx, zero_trust.RiskScoringBehaviourGetParams{AccountID: cloudflare.F(sdkAccount)})
		sdkError(t, err, http.StatusTooManyRequests, 971)
	})

	// Every operation was driven through the SDK, to a 200 and to a 4XX.
	v.c.CheckCoverage(t, 200)
	for op, statuses := range v.c.Statuses() {
		has4xx := false
		for _, st := range statuses {
			has4xx = has4xx || st >= 400 && st < 500
		}
		if !has4xx {
			t.Errorf("operation %s never answered a 4XX through the SDK (saw %v)", op, statuses)
		}
	}
	if n := len(v.c.Statuses()); n != 11 {
		t.Errorf("%d operations driven, want 11", n)
	}
}

// TestSDKConformanceKeyAuth: the email-and-key scheme, and the answers of
// an account without the entitlement, through the SDK.
func TestSDKConformanceKeyAuth(t *testing.T) {
	const unentitled = "ffffffffffffffffffffffffffffffff"
	v := newSDKEnv(t, emulator.Options{APIKey: sdkKey, Email: sdkEmail, UnentitledAccounts: []string{unentitled}})
	rs := v.service(option.WithAPIKey(sdkKey), option.WithAPIEmail(sdkEmail))
	ctx := context.Background()
	got, err := rs.Behaviours.Get(ctx, zero_trust.RiskScoringBehaviourGetParams{AccountID: cloudflare.F(sdkAccount)})
	if err != nil {
		t.Fatal(err)
	}
	checkDecoded(t, "behaviors", got)
	_, err = rs.Integrations.List(ctx, zero_trust.RiskScoringIntegrationListParams{AccountID: cloudflare.F(unentitled)})
	if e := sdkError(t, err, http.StatusForbidden, 3314); e.Errors[0].Message != "Forbidden" {
		t.Errorf("3314 message %q", e.Errors[0].Message)
	}
	_, err = rs.Integrations.New(ctx, zero_trust.RiskScoringIntegrationNewParams{
		AccountID:       cloudflare.F(unentitled),
		IntegrationType: cloudflare.F(zero_trust.RiskScoringIntegrationNewParamsIntegrationTypeOkta),
		TenantURL:       cloudflare.F("https://tenant.okta.com"),
	})
	sdkError(t, err, http.StatusForbidden, 3314)
	if _, err := rs.Behaviours.Get(ctx, zero_trust.RiskScoringBehaviourGetParams{AccountID: cloudflare.F(unentitled)}); err != nil {
		t.Errorf("behaviors of the unentitled account: %v", err)
	}
}
