package emulator

import (
	"net/http"
	"strings"
	"testing"
)

func TestEveryOperationHappyPath(t *testing.T) {
	v := newTestEnv(t, Options{SeedUsers: 3})

	var beh struct {
		Behaviors map[string]wireBehavior `json:"behaviors"`
	}
	v.do("GET", path("/behaviors"), nil).wantOK(t).result(t, &beh)
	if len(beh.Behaviors) == 0 {
		t.Fatal("no behaviors")
	}
	v.do("PUT", path("/behaviors"), `{"behaviors":{"imp_travel":{"enabled":true,"risk_level":"high"}}}`).wantOK(t)

	rows, _ := v.summary("")
	if len(rows) != 3 {
		t.Fatalf("summary has %d users, want 3", len(rows))
	}
	var u wireUser
	v.do("GET", path("/"+rows[0].UserID), nil).wantOK(t).result(t, &u)
	if u.Email != rows[0].Email {
		t.Errorf("user email %q, summary %q", u.Email, rows[0].Email)
	}
	v.do("POST", path("/"+rows[0].UserID+"/reset"), nil).wantOK(t)

	in := v.create("ref-1", "https://acme.okta.com")
	var list []wireIntegration
	v.do("GET", path("/integrations"), nil).wantOK(t).result(t, &list)
	if len(list) != 1 || list[0] != in {
		t.Fatalf("list = %+v, want [%+v]", list, in)
	}
	var got wireIntegration
	v.do("GET", path("/integrations/"+in.ID), nil).wantOK(t).result(t, &got)
	if got != in {
		t.Errorf("get = %+v, want %+v", got, in)
	}
	v.do("GET", path("/integrations/reference_id/ref-1"), nil).wantOK(t).result(t, &got)
	if got != in {
		t.Errorf("by reference = %+v, want %+v", got, in)
	}
	v.do("PUT", path("/integrations/"+in.ID), map[string]any{"tenant_url": "https://acme.okta.com", "active": false, "reference_id": "ref-1"}).wantOK(t)
	r := v.do("DELETE", path("/integrations/"+in.ID), nil).wantOK(t)
	if string(r.fields["result"]) != "{}" {
		t.Errorf("delete result = %s, want {}", r.fields["result"])
	}
	if n := len(v.e.Requests()); n != 11 {
		t.Errorf("request log has %d entries, want 11", n)
	}
}

// The real API's routing quirk: /{user_id} must not shadow the literal
// segments.
func TestLiteralSegmentsAreNotUserIDs(t *testing.T) {
	v := newTestEnv(t, Options{SeedUsers: 1})
	for op, key := range map[string]string{"/summary": `"users"`, "/behaviors": `"behaviors"`} {
		r := v.do("GET", path(op), nil).wantOK(t)
		if !strings.Contains(string(r.fields["result"]), key) {
			t.Errorf("GET %s answered %s", op, r.raw)
		}
	}
	r := v.do("GET", path("/integrations"), nil).wantOK(t)
	if string(r.fields["result"]) != "[]" {
		t.Errorf("GET /integrations = %s, want []", r.fields["result"])
	}
}

func TestMalformedIdentifiersAre7003(t *testing.T) {
	v := newTestEnv(t, Options{})
	for _, tc := range []struct{ method, op string }{
		{"GET", "/not-a-uuid"},
		{"POST", "/not-a-uuid/reset"},
		{"GET", "/integrations/not-a-uuid"},
		{"PUT", "/integrations/not-a-uuid"},
		{"DELETE", "/integrations/not-a-uuid"},
		{"GET", "/0b3f1c4e5d6a4e7b8c9d0e1f2a3b4c5d"},       // bare hex is not canonical
		{"GET", "/{0b3f1c4e-5d6a-4e7b-8c9d-0e1f2a3b4c5d}"}, // nor braces
		{"POST", "/summary/reset"},
	} {
		r := v.do(tc.method, path(tc.op), `{}`).wantError(t, http.StatusBadRequest, codeBadIdentifier)
		want := "Could not route to " + path(tc.op) + ", perhaps your object identifier is invalid?"
		if r.errors[0].Message != want || len(r.errors) != 2 || r.errors[1].Code != codeNoRoute {
			t.Errorf("%s %s: errors %+v", tc.method, tc.op, r.errors)
		}
	}
}

func TestUnknownRoutesAre404(t *testing.T) {
	v := newTestEnv(t, Options{})
	for _, p := range []string{
		"/",
		"/client/v4/user",
		"/client/v4/accounts/" + testAccount,
		"/client/v4/accounts/" + testAccount + "/zt_risk_scoring",
		path("/"),
		"/client/v4/accounts/" + testAccount + "/dlp/behaviors",
		"/client/v4/accounts//zt_risk_scoring/behaviors",
		path("/behaviors/extra"),
		path("/integrations/reference_id/"),
		path("/integrations/a/b/c"),
		path("/0b3f1c4e-5d6a-4e7b-8c9d-0e1f2a3b4c5d/reset/now"),
	} {
		r := v.do("GET", p, nil).wantError(t, http.StatusNotFound, codeNoRoute)
		if r.errors[0].Message != "No route for that URI" {
			t.Errorf("%s: message %q", p, r.errors[0].Message)
		}
	}
}

func TestWrongMethodIs405InEnvelope(t *testing.T) {
	v := newTestEnv(t, Options{})
	const uid = "/0b3f1c4e-5d6a-4e7b-8c9d-0e1f2a3b4c5d"
	for _, tc := range []struct{ method, op, allow string }{
		{"DELETE", "/behaviors", "GET, PUT"},
		{"POST", "/summary", "GET"},
		{"PUT", "/integrations", "GET, POST"},
		{"PATCH", "/integrations" + uid, "DELETE, GET, PUT"},
		{"POST", "/integrations/reference_id/x", "GET"},
		{"DELETE", uid, "GET"},
		{"GET", uid + "/reset", "POST"},
	} {
		r := v.do(tc.method, path(tc.op), nil).wantError(t, http.StatusMethodNotAllowed, codeMethod)
		if got := r.header.Get("Allow"); got != tc.allow {
			t.Errorf("%s %s: Allow %q, want %q", tc.method, tc.op, got, tc.allow)
		}
	}
}

func TestEscapedReferenceID(t *testing.T) {
	v := newTestEnv(t, Options{})
	in := v.create("team/okta prod", "https://acme.okta.com")
	var got wireIntegration
	v.do("GET", path("/integrations/reference_id/team%2Fokta%20prod"), nil).wantOK(t).result(t, &got)
	if got.ID != in.ID {
		t.Errorf("got %+v", got)
	}
}
