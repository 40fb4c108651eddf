package remote

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

// Every operation: the right method, path, body and headers go out, and a
// realistic response comes back decoded.

// checkRequest asserts the one request the fake saw.
func checkRequest(t *testing.T, f *fakeAPI, method, path, wantBody string) {
	t.Helper()
	reqs := f.requests()
	if len(reqs) != 1 {
		t.Fatalf("got %d requests, want 1: %+v", len(reqs), reqs)
	}
	r := reqs[0]
	if r.Method != method || r.Path != path {
		t.Errorf("request = %s %s, want %s %s", r.Method, r.Path, method, path)
	}
	if r.Query != "" {
		t.Errorf("query = %q, want none", r.Query)
	}
	checkHeaders(t, r, wantBody != "")
	if got := r.Header.Get("Authorization"); got != "Bearer "+testToken {
		t.Errorf("Authorization = %q", got)
	}
	if r.Header.Get("X-Auth-Key") != "" || r.Header.Get("X-Auth-Email") != "" {
		t.Errorf("token auth also sent key headers: %v", r.Header)
	}
	if wantBody == "" {
		if r.Body != "" {
			t.Errorf("body = %q, want none", r.Body)
		}
		return
	}
	var got, want any
	if err := json.Unmarshal([]byte(r.Body), &got); err != nil {
		t.Fatalf("body %q: %v", r.Body, err)
	}
	if err := json.Unmarshal([]byte(wantBody), &want); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("body = %s, want %s", r.Body, wantBody)
	}
}

func checkHeaders(t *testing.T, r recorded, hasBody bool) {
	t.Helper()
	if got := r.Header.Get("User-Agent"); got != testUA {
		t.Errorf("User-Agent = %q, want %q", got, testUA)
	}
	if got := r.Header.Get("Accept"); got != "application/json" {
		t.Errorf("Accept = %q", got)
	}
	ct := r.Header.Get("Content-Type")
	if hasBody && ct != "application/json" {
		t.Errorf("Content-Type = %q, want application/json", ct)
	}
	if !hasBody && ct != "" {
		t.Errorf("Content-Type = %q on a request without body", ct)
	}
}

func wantIntegration() Integration {
	return Integration{
		ID:              integrationID,
		AccountTag:      testAccount,
		IntegrationType: IntegrationTypeOkta,
		ReferenceID:     referenceID,
		TenantURL:       "https://example.oktapreview.com",
		WellKnownURL:    "https://ssf.risk-score.teams.cloudflare.com/.well-known/sse-configuration/" + integrationID,
		Active:          true,
		CreatedAt:       time.Date(2025, 3, 19, 19, 53, 56, 0, time.UTC),
	}
}

func TestGetBehaviors(t *testing.T) {
	f := newFake(t)
	f.handle("GET /behaviors", okRaw(behaviorsJSON))
	got, err := f.client().GetBehaviors(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	checkRequest(t, f, "GET", "/behaviors", "")
	if len(got) != 3 {
		t.Fatalf("got %d behaviors: %+v", len(got), got)
	}
	want := Behavior{Name: "Impossible Travel", Description: got["imp_travel"].Description, Enabled: true, RiskLevel: RiskHigh}
	if got["imp_travel"] != want || got["imp_travel"].Description == "" {
		t.Errorf("imp_travel = %+v", got["imp_travel"])
	}
	if b := got["sentinel_one"]; b.Enabled || b.RiskLevel != RiskMedium {
		t.Errorf("sentinel_one = %+v", b)
	}
}

func TestUpdateBehaviors(t *testing.T) {
	f := newFake(t)
	// docs/api.md#behaviors: the PUT answers with enabled/risk_level only.
	f.handle("PUT /behaviors", okRaw(`{"behaviors":{"imp_travel":{"enabled":false,"risk_level":"low"}}}`))
	got, err := f.client().UpdateBehaviors(context.Background(), map[string]BehaviorUpdate{
		"imp_travel": {Enabled: false, RiskLevel: RiskLow},
	})
	if err != nil {
		t.Fatal(err)
	}
	checkRequest(t, f, "PUT", "/behaviors", `{"behaviors":{"imp_travel":{"enabled":false,"risk_level":"low"}}}`)
	if want := (map[string]Behavior{"imp_travel": {RiskLevel: RiskLow}}); !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

func TestListIntegrations(t *testing.T) {
	f := newFake(t)
	// The real API: a bare array, no result_info.
	f.handle("GET /integrations", okRaw(`[`+integrationJSON+`]`))
	got, err := f.client().ListIntegrations(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	checkRequest(t, f, "GET", "/integrations", "")
	if want := []Integration{wantIntegration()}; !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
}

func TestListIntegrationsEmpty(t *testing.T) {
	f := newFake(t)
	f.handle("GET /integrations", okRaw(`[]`))
	got, err := f.client().ListIntegrations(context.Background())
	if err != nil || got == nil || len(got) != 0 {
		t.Fatalf("got %#v, %v; want an empty non-nil slice", got, err)
	}
}

func TestGetIntegration(t *testing.T) {
	f := newFake(t)
	f.handle("GET /integrations/"+integrationID, okRaw(integrationJSON))
	got, err := f.client().GetIntegration(context.Background(), integrationID)
	if err != nil {
		t.Fatal(err)
	}
	checkRequest(t, f, "GET", "/integrations/"+integrationID, "")
	if got != wantIntegration() {
		t.Errorf("got %+v", got)
	}
}

func TestGetIntegrationByReference(t *testing.T) {
	f := newFake(t)
	f.handle("GET /integrations/reference_id/"+referenceID, okRaw(integrationJSON))
	got, err := f.client().GetIntegrationByReference(context.Background(), referenceID)
	if err != nil {
		t.Fatal(err)
	}
	checkRequest(t, f, "GET", "/integrations/reference_id/"+referenceID, "")
	if got != wantIntegration() {
		t.Errorf("got %+v", got)
	}
}

func TestPathParamsAreEscaped(t *testing.T) {
	f := newFake(t)
	// Reference ids are free strings: "/" and "?" must stay in the segment.
	const ref = "team a/okta?x=1#frag%"
	f.handle("GET /integrations/reference_id/team%20a%2Fokta%3Fx=1%23frag%25", okRaw(integrationJSON))
	if _, err := f.client().GetIntegrationByReference(context.Background(), ref); err != nil {
		t.Fatalf("%v; requests: %+v", err, f.requests())
	}
	if q := f.requests()[0].Query; q != "" {
		t.Errorf("query %q leaked out of the path segment", q)
	}
}

func TestInvalidPathParamsSendNothing(t *testing.T) {
	f := newFake(t)
	c := f.client()
	ctx := context.Background()
	checks := map[string]error{}
	_, checks["get ''"] = c.GetIntegration(ctx, "")
	_, checks["get .."] = c.GetIntegration(ctx, "..")
	_, checks["ref ."] = c.GetIntegrationByReference(ctx, ".")
	checks["delete ''"] = c.DeleteIntegration(ctx, "")
	_, checks["update ''"] = c.UpdateIntegration(ctx, "", UpdateIntegrationRequest{})
	_, checks["user summary"] = c.GetUserRisk(ctx, "summary")
	checks["reset behaviors"] = c.ResetUserRisk(ctx, "behaviors")
	for name, err := range checks {
		if err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if n := len(f.requests()); n != 0 {
		t.Errorf("sent %d requests for invalid ids", n)
	}
}

func TestCreateIntegration(t *testing.T) {
	f := newFake(t)
	f.handle("POST /integrations", okRaw(integrationJSON))
	got, err := f.client().CreateIntegration(context.Background(), CreateIntegrationRequest{
		IntegrationType: IntegrationTypeOkta, TenantURL: "https://example.oktapreview.com", ReferenceID: referenceID,
	})
	if err != nil {
		t.Fatal(err)
	}
	checkRequest(t, f, "POST", "/integrations",
		`{"integration_type":"Okta","tenant_url":"https://example.oktapreview.com","reference_id":"`+referenceID+`"}`)
	if got != wantIntegration() {
		t.Errorf("got %+v", got)
	}
}

func TestUpdateIntegration(t *testing.T) {
	f := newFake(t)
	f.handle("PUT /integrations/"+integrationID, okRaw(integrationJSON))
	got, err := f.client().UpdateIntegration(context.Background(), integrationID, UpdateIntegrationRequest{
		TenantURL: "https://example.oktapreview.com", Active: false, ReferenceID: referenceID,
	})
	if err != nil {
		t.Fatal(err)
	}
	// active:false must be sent, not omitted: the PUT overwrites all three.
	checkRequest(t, f, "PUT", "/integrations/"+integrationID,
		`{"tenant_url":"https://example.oktapreview.com","active":false,"reference_id":"`+referenceID+`"}`)
	if got != wantIntegration() {
		t.Errorf("got %+v", got)
	}
}

func TestDeleteIntegration(t *testing.T) {
	f := newFake(t)
	f.handle("DELETE /integrations/"+integrationID, okRaw(`{}`))
	if err := f.client().DeleteIntegration(context.Background(), integrationID); err != nil {
		t.Fatal(err)
	}
	checkRequest(t, f, "DELETE", "/integrations/"+integrationID, "")
}

func TestGetSummary(t *testing.T) {
	f := newFake(t)
	f.handle("GET /summary", okPage(`{"users":[`+
		`{"user_id":"`+userID+`","name":"Ada Lovelace","email":"ada@example.com","max_risk_level":"high","event_count":3,"last_event":"2026-07-01T10:00:00Z"},`+
		`{"user_id":"1e2d3c4b-5a69-4788-9a0b-1c2d3e4f5a6b","name":"Alan Turing","email":"alan@example.com","max_risk_level":"low","event_count":1,"last_event":"2026-06-30T08:30:00Z"}]}`,
		`{"count":2,"page":1,"per_page":20,"total_count":2,"total_pages":1}`))
	got, err := f.client().GetSummary(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	checkRequest(t, f, "GET", "/summary", "")
	want := []UserRiskInfo{
		{UserID: userID, Name: "Ada Lovelace", Email: "ada@example.com", MaxRiskLevel: RiskHigh, EventCount: 3, LastEvent: time.Date(2026, 7, 1, 10, 0, 0, 0, time.UTC)},
		{UserID: "1e2d3c4b-5a69-4788-9a0b-1c2d3e4f5a6b", Name: "Alan Turing", Email: "alan@example.com", MaxRiskLevel: RiskLow, EventCount: 1, LastEvent: time.Date(2026, 6, 30, 8, 30, 0, 0, time.UTC)},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
}

func TestGetUserRisk(t *testing.T) {
	f := newFake(t)
	f.handle("GET /"+userID, okPage(`{"name":"Ada Lovelace","email":"ada@example.com","risk_level":"high","last_reset_time":null,"events":[`+
		`{"id":"ev-1","name":"Impossible Travel","risk_level":"high","timestamp":"2026-07-01T10:00:00Z","event_details":{"ip":"203.0.113.7","country":"NZ"}}]}`,
		`{"count":1,"page":1,"per_page":20,"total_count":1,"total_pages":1}`))
	got, err := f.client().GetUserRisk(context.Background(), userID)
	if err != nil {
		t.Fatal(err)
	}
	checkRequest(t, f, "GET", "/"+userID, "")
	want := UserRisk{
		Name: "Ada Lovelace", Email: "ada@example.com", RiskLevel: RiskHigh,
		Events: []RiskEvent{{
			ID: "ev-1", Name: "Impossible Travel", RiskLevel: RiskHigh,
			Timestamp:    time.Date(2026, 7, 1, 10, 0, 0, 0, time.UTC),
			EventDetails: map[string]any{"ip": "203.0.113.7", "country": "NZ"},
		}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
}

func TestGetUserRiskLastReset(t *testing.T) {
	f := newFake(t)
	f.handle("GET /"+userID, okRaw(`{"name":"Ada","email":"ada@example.com","last_reset_time":"2026-07-02T00:00:00Z","events":[]}`))
	got, err := f.client().GetUserRisk(context.Background(), userID)
	if err != nil {
		t.Fatal(err)
	}
	if got.LastResetTime == nil || !got.LastResetTime.Equal(time.Date(2026, 7, 2, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("LastResetTime = %v", got.LastResetTime)
	}
	if got.Events == nil || len(got.Events) != 0 {
		t.Errorf("Events = %#v, want empty", got.Events)
	}
}

func TestResetUserRisk(t *testing.T) {
	f := newFake(t)
	f.handle("POST /"+userID+"/reset", okRaw(`{}`))
	if err := f.client().ResetUserRisk(context.Background(), userID); err != nil {
		t.Fatal(err)
	}
	checkRequest(t, f, "POST", "/"+userID+"/reset", "")
}

func TestAPIKeyAuth(t *testing.T) {
	f := newFake(t)
	f.handle("GET /behaviors", okRaw(behaviorsJSON))
	c := f.client(func(cfg *Config) {
		cfg.Credentials = Credentials{APIKey: Secret(testKey), Email: testEmail}
	})
	if _, err := c.GetBehaviors(context.Background()); err != nil {
		t.Fatal(err)
	}
	r := f.requests()[0]
	if r.Header.Get("X-Auth-Key") != testKey || r.Header.Get("X-Auth-Email") != testEmail {
		t.Errorf("key headers = %q / %q", r.Header.Get("X-Auth-Key"), r.Header.Get("X-Auth-Email"))
	}
	if r.Header.Get("Authorization") != "" {
		t.Errorf("Authorization sent with key auth")
	}
	checkHeaders(t, r, false)
}

func TestTokenWinsOverKey(t *testing.T) {
	f := newFake(t)
	f.handle("GET /behaviors", okRaw(behaviorsJSON))
	c := f.client(func(cfg *Config) {
		cfg.Credentials = Credentials{Token: Secret(testToken), APIKey: Secret(testKey), Email: testEmail}
	})
	if _, err := c.GetBehaviors(context.Background()); err != nil {
		t.Fatal(err)
	}
	r := f.requests()[0]
	if r.Header.Get("Authorization") != "Bearer "+testToken || r.Header.Get("X-Auth-Key") != "" {
		t.Errorf("headers = %v", r.Header)
	}
}

func TestDefaultUserAgent(t *testing.T) {
	f := newFake(t)
	f.handle("GET /behaviors", okRaw(behaviorsJSON))
	if _, err := f.client(func(cfg *Config) { cfg.UserAgent = "" }).GetBehaviors(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := f.requests()[0].Header.Get("User-Agent"); got != DefaultUserAgent {
		t.Errorf("User-Agent = %q", got)
	}
}
