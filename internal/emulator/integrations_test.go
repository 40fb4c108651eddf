package emulator

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
)

func TestCreateIntegrationComputedFields(t *testing.T) {
	v := newTestEnv(t, Options{})
	in := v.create("0b3f1c4e-5d6a-4e7b-8c9d-0e1f2a3b4c5d", "https://acme.okta.com")
	id, err := uuid.Parse(in.ID)
	if err != nil || id.Version() != 4 || id.Variant() != uuid.RFC4122 || id.String() != in.ID {
		t.Errorf("id %q is not a canonical UUIDv4 (%v)", in.ID, err)
	}
	if in.AccountTag != testAccount {
		t.Errorf("account_tag %q", in.AccountTag)
	}
	if want := "https://ssf.risk-score.teams.cloudflare.com/.well-known/sse-configuration/" + in.ID; in.WellKnownURL != want {
		t.Errorf("well_known_url %q, want %q", in.WellKnownURL, want)
	}
	if in.CreatedAt != "2025-03-19T19:53:56Z" {
		t.Errorf("created_at %q, want RFC 3339 UTC seconds of Options.Now", in.CreatedAt)
	}
	if _, err := time.Parse(time.RFC3339, in.CreatedAt); err != nil {
		t.Error(err)
	}
	if !in.Active || in.IntegrationType != "Okta" || in.TenantURL != "https://acme.okta.com" || in.ReferenceID != "0b3f1c4e-5d6a-4e7b-8c9d-0e1f2a3b4c5d" {
		t.Errorf("integration %+v", in)
	}
}

func TestCreateIgnoresActiveAndExtraFields(t *testing.T) {
	v := newTestEnv(t, Options{})
	var in wireIntegration
	v.do("POST", path("/integrations"), `{"integration_type":"Okta","tenant_url":"https://a.okta.com","active":false,"whatever":{"x":1}}`).
		wantOK(t).result(t, &in)
	if !in.Active {
		t.Error("POST with active=false created an inactive integration")
	}
}

// TestReferenceIDOmittedIsRandomUUIDv4: "If omitted, a random UUIDv4 is
// used" (docs/api.md#integrations), in the answer and in the stored integration; an
// explicit "" stays "".
func TestReferenceIDOmittedIsRandomUUIDv4(t *testing.T) {
	v := newTestEnv(t, Options{})
	refs := map[string]bool{}
	for _, body := range []string{
		`{"integration_type":"Okta","tenant_url":"https://a.okta.com"}`,
		`{"integration_type":"Okta","tenant_url":"https://a.okta.com","reference_id":null}`,
	} {
		var in wireIntegration
		v.do("POST", path("/integrations"), body).wantOK(t).result(t, &in)
		id, err := uuid.Parse(in.ReferenceID)
		if err != nil || id.Version() != 4 || id.String() != in.ReferenceID {
			t.Errorf("%s: reference_id %q is not a canonical UUIDv4", body, in.ReferenceID)
		}
		if in.ReferenceID == in.ID {
			t.Errorf("%s: reference_id is the integration id", body)
		}
		refs[in.ReferenceID] = true
		var got wireIntegration
		v.do("GET", path("/integrations/reference_id/"+in.ReferenceID), nil).wantOK(t).result(t, &got)
		if got.ID != in.ID {
			t.Errorf("%s: the generated reference_id finds %q, want %q", body, got.ID, in.ID)
		}
	}
	if len(refs) != 2 {
		t.Errorf("two creates drew the same reference_id: %v", refs)
	}
	stored := v.e.Integrations(testAccount)
	if len(stored) != 2 || !refs[stored[0].ReferenceID] || !refs[stored[1].ReferenceID] {
		t.Errorf("stored %+v, want the answered reference_ids", stored)
	}
	r := v.do("POST", path("/integrations"), `{"integration_type":"Okta","tenant_url":"https://a.okta.com","reference_id":""}`).wantOK(t)
	if !strings.Contains(string(r.fields["result"]), `"reference_id":""`) {
		t.Errorf("explicit empty reference_id: result %s", r.fields["result"])
	}
}

func TestCreateIntegrationValidation(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		code       int
		inMessage  string
	}{
		{"malformed", `{"integration_type":"Okta",`, codeMalformedBody, "Malformed"},
		{"missing type", `{"tenant_url":"https://a.okta.com"}`, codeMissingField, `"integration_type"`},
		{"missing tenant", `{"integration_type":"Okta"}`, codeMissingField, `"tenant_url"`},
		{"null tenant", `{"integration_type":"Okta","tenant_url":null}`, codeMissingField, `"tenant_url"`},
		{"type wrong case", `{"integration_type":"okta","tenant_url":"https://a.okta.com"}`, codeInvalidValue, `"okta"`},
		{"type unknown", `{"integration_type":"Azure","tenant_url":"https://a.okta.com"}`, codeInvalidValue, `"Azure"`},
		{"type wrong type", `{"integration_type":1,"tenant_url":"https://a.okta.com"}`, codeWrongType, `"integration_type"`},
		{"tenant wrong type", `{"integration_type":"Okta","tenant_url":true}`, codeWrongType, `"tenant_url"`},
		{"tenant relative", `{"integration_type":"Okta","tenant_url":"acme.okta.com"}`, codeInvalidValue, `"tenant_url"`},
		{"tenant no host", `{"integration_type":"Okta","tenant_url":"https://"}`, codeInvalidValue, `"tenant_url"`},
		{"tenant path only", `{"integration_type":"Okta","tenant_url":"/okta"}`, codeInvalidValue, `"tenant_url"`},
		{"tenant empty", `{"integration_type":"Okta","tenant_url":""}`, codeInvalidValue, `"tenant_url"`},
		{"reference wrong type", `{"integration_type":"Okta","tenant_url":"https://a.okta.com","reference_id":5}`, codeWrongType, `"reference_id"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := newTestEnv(t, Options{})
			r := v.do("POST", path("/integrations"), tc.body).wantError(t, http.StatusBadRequest, tc.code)
			if !strings.Contains(r.errors[0].Message, tc.inMessage) {
				t.Errorf("message %q lacks %q", r.errors[0].Message, tc.inMessage)
			}
			if n := len(v.e.Integrations(testAccount)); n != 0 {
				t.Errorf("a rejected POST stored %d integrations", n)
			}
		})
	}
}

func TestUpdateIntegrationOverwrites(t *testing.T) {
	v := newTestEnv(t, Options{})
	in := v.create("ref-1", "https://acme.okta.com")
	var got wireIntegration
	// Terraform sends integration_type on PUT: accepted and ignored.
	v.do("PUT", path("/integrations/"+in.ID), `{"integration_type":"Okta","tenant_url":"https://new.okta.com","active":false,"reference_id":"ref-2"}`).
		wantOK(t).result(t, &got)
	want := in
	want.TenantURL, want.Active, want.ReferenceID = "https://new.okta.com", false, "ref-2"
	if got != want {
		t.Errorf("PUT answered %+v, want %+v", got, want)
	}
	// reference_id omitted: cleared to "", not kept.
	v.do("PUT", path("/integrations/"+in.ID), `{"tenant_url":"https://new.okta.com","active":true}`).wantOK(t).result(t, &got)
	if got.ReferenceID != "" || !got.Active {
		t.Errorf("PUT without reference_id answered %+v", got)
	}
	v.do("GET", path("/integrations/"+in.ID), nil).wantOK(t).result(t, &got)
	if got.ReferenceID != "" || got.ID != in.ID || got.CreatedAt != in.CreatedAt || got.WellKnownURL != in.WellKnownURL {
		t.Errorf("GET after PUT = %+v", got)
	}
	v.do("GET", path("/integrations/reference_id/ref-1"), nil).wantError(t, http.StatusNotFound, codeNoReference)
}

func TestUpdateIntegrationValidation(t *testing.T) {
	v := newTestEnv(t, Options{})
	in := v.create("ref-1", "https://acme.okta.com")
	for _, tc := range []struct {
		name, body string
		code       int
	}{
		{"missing active", `{"tenant_url":"https://a.okta.com"}`, codeMissingField},
		{"missing tenant", `{"active":true}`, codeMissingField},
		{"active wrong type", `{"tenant_url":"https://a.okta.com","active":"false"}`, codeWrongType},
		{"tenant not absolute", `{"tenant_url":"a.okta.com","active":true}`, codeInvalidValue},
		{"reference wrong type", `{"tenant_url":"https://a.okta.com","active":true,"reference_id":[]}`, codeWrongType},
		{"not an object", `"x"`, codeMalformedBody},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v.do("PUT", path("/integrations/"+in.ID), tc.body).wantError(t, http.StatusBadRequest, tc.code)
		})
	}
	var got wireIntegration
	v.do("GET", path("/integrations/"+in.ID), nil).wantOK(t).result(t, &got)
	if got != in {
		t.Errorf("rejected PUTs changed the integration: %+v", got)
	}
}

func TestIntegrationNotFound(t *testing.T) {
	v := newTestEnv(t, Options{})
	const missing = "/integrations/0b3f1c4e-5d6a-4e7b-8c9d-0e1f2a3b4c5d"
	v.do("GET", path(missing), nil).wantError(t, http.StatusNotFound, codeNoIntegration)
	v.do("PUT", path(missing), `{"tenant_url":"https://a.okta.com","active":true}`).wantError(t, http.StatusNotFound, codeNoIntegration)
	v.do("DELETE", path(missing), nil).wantError(t, http.StatusNotFound, codeNoIntegration)
	v.do("GET", path("/integrations/reference_id/nope"), nil).wantError(t, http.StatusNotFound, codeNoReference)

	in := v.create("r", "https://a.okta.com")
	v.do("DELETE", path("/integrations/"+in.ID), nil).wantOK(t)
	v.do("GET", path("/integrations/"+in.ID), nil).wantError(t, http.StatusNotFound, codeNoIntegration)
	v.do("DELETE", path("/integrations/"+in.ID), nil).wantError(t, http.StatusNotFound, codeNoIntegration)
	// Ids are matched case-insensitively, as UUIDs are.
	in = v.create("r", "https://a.okta.com")
	v.do("GET", path("/integrations/"+strings.ToUpper(in.ID)), nil).wantOK(t)
}

func TestReferenceLookupReturnsOldest(t *testing.T) {
	now := fixedNow
	v := newTestEnv(t, Options{Now: func() time.Time { return now }})
	first := v.create("dup", "https://one.okta.com")
	now = now.Add(time.Minute)
	v.create("dup", "https://two.okta.com")
	var got wireIntegration
	v.do("GET", path("/integrations/reference_id/dup"), nil).wantOK(t).result(t, &got)
	if got.ID != first.ID {
		t.Errorf("got %s, want the oldest %s", got.ID, first.ID)
	}
}

func TestListIntegrationsBareArraySorted(t *testing.T) {
	v := newTestEnv(t, Options{})
	// Inserted newest first, and two with one timestamp, to test the order.
	ts := fixedNow
	v.e.PutIntegration(testAccount, Integration{ID: "ffffffff-0000-4000-8000-000000000000", TenantURL: "https://c.okta.com", CreatedAt: ts.Add(time.Hour)})
	v.e.PutIntegration(testAccount, Integration{ID: "bbbbbbbb-0000-4000-8000-000000000000", TenantURL: "https://b.okta.com", CreatedAt: ts})
	v.e.PutIntegration(testAccount, Integration{ID: "aaaaaaaa-0000-4000-8000-000000000000", TenantURL: "https://a.okta.com", CreatedAt: ts})
	r := v.do("GET", path("/integrations"), nil).wantOK(t)
	if _, ok := r.fields["result_info"]; ok {
		t.Errorf("bare list carries result_info: %s", r.raw)
	}
	var list []wireIntegration
	r.result(t, &list)
	var ids []string
	for _, in := range list {
		ids = append(ids, in.ID[:1])
	}
	if got := strings.Join(ids, ""); got != "abf" {
		t.Errorf("order %q, want abf", got)
	}
	// PutIntegration filled the computed fields.
	if in := list[0]; in.AccountTag != testAccount || in.IntegrationType != "Okta" || !strings.HasSuffix(in.WellKnownURL, "/"+in.ID) {
		t.Errorf("PutIntegration left computed fields empty: %+v", in)
	}
}

func TestListIntegrationsPaginated(t *testing.T) {
	v := newTestEnv(t, Options{IntegrationsPageSize: 2})
	for i := range 5 {
		v.create(fmt.Sprint("r", i), "https://a.okta.com")
	}
	seen := map[string]bool{}
	for page, want := range map[int][5]int{1: {2, 1, 2, 5, 3}, 2: {2, 2, 2, 5, 3}, 3: {1, 3, 2, 5, 3}, 4: {0, 4, 2, 5, 3}} {
		r := v.do("GET", path(fmt.Sprint("/integrations?page=", page)), nil).wantOK(t)
		if got := r.info(t); got != want {
			t.Errorf("page %d: result_info %v, want %v", page, got, want)
		}
		var list []wireIntegration
		r.result(t, &list)
		if list == nil {
			t.Errorf("page %d: result is not an array: %s", page, r.raw)
		}
		for _, in := range list {
			seen[in.ID] = true
		}
	}
	if len(seen) != 5 {
		t.Errorf("pages held %d distinct integrations, want 5", len(seen))
	}
	r := v.do("GET", path("/integrations?per_page=10"), nil).wantOK(t)
	if got := r.info(t); got != [5]int{5, 1, 10, 5, 1} {
		t.Errorf("per_page=10: %v", got)
	}
}
