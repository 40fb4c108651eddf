package emulator

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// An account holds at most MaxIntegrations: the next create is 400 code
// 1008, stores nothing, and the account keeps working.
func TestIntegrationCap(t *testing.T) {
	v := newTestEnv(t, Options{MaxIntegrations: 2})
	a := v.create("a", "https://a.okta.com")
	v.create("b", "https://b.okta.com")
	r := v.do("POST", path("/integrations"), createBody).wantError(t, http.StatusBadRequest, codeQuotaExceeded)
	if msg := r.errors[0].Message; !strings.Contains(msg, "quota exceeded") || !strings.Contains(msg, "holds 2 integrations") {
		t.Errorf("message %q", msg)
	}
	if n := len(v.e.Integrations(testAccount)); n != 2 {
		t.Errorf("%d integrations after a refused create", n)
	}
	// Invalid bodies still get their own answer; the cap is per account.
	v.do("POST", path("/integrations"), `{}`).wantError(t, http.StatusBadRequest, codeMissingField)
	v.do("POST", onAccount("0123456789abcdef0123456789abcdef", "/integrations"), createBody).wantOK(t)
	// Updates and deletes go on; a delete makes room.
	v.do("PUT", path("/integrations/"+a.ID), `{"tenant_url":"https://a2.okta.com","active":true}`).wantOK(t)
	v.do("DELETE", path("/integrations/"+a.ID), nil).wantOK(t)
	v.do("POST", path("/integrations"), createBody).wantOK(t)
}

func TestIntegrationCapDefault(t *testing.T) {
	v := newTestEnv(t, Options{})
	for range DefaultMaxIntegrations {
		v.e.PutIntegration(testAccount, Integration{TenantURL: "https://a.okta.com"}) // the Go API is not capped
	}
	v.do("POST", path("/integrations"), createBody).wantError(t, http.StatusBadRequest, codeQuotaExceeded)
	if _, err := New(Options{MaxIntegrations: -1}); err == nil || !strings.Contains(err.Error(), "MaxIntegrations") {
		t.Errorf("negative MaxIntegrations: %v", err)
	}
}

// The observed failure: 150 creates of 900 KB each were stored. Each
// stored string is capped, so such a create is a 400 and stores nothing,
// in memory or on disk.
func TestLongFieldsRefused(t *testing.T) {
	statePath := filepath.Join(t.TempDir(), "state.json")
	v := newTestEnv(t, Options{StatePath: statePath})
	huge := "https://a.okta.com/" + strings.Repeat("x", 900_000)
	for _, body := range []map[string]any{
		{"integration_type": "Okta", "tenant_url": huge},
		{"integration_type": "Okta", "tenant_url": "https://a.okta.com", "reference_id": strings.Repeat("r", 900_000)},
	} {
		r := v.do("POST", path("/integrations"), body).wantError(t, http.StatusBadRequest, codeInvalidValue)
		if len(r.raw) > 1000 {
			t.Errorf("the answer echoes the field: %d bytes", len(r.raw))
		}
	}
	in := v.create("r", "https://a.okta.com")
	v.do("PUT", path("/integrations/"+in.ID), map[string]any{"tenant_url": huge, "active": true}).wantError(t, http.StatusBadRequest, codeInvalidValue)
	v.do("PUT", path("/integrations/"+in.ID), map[string]any{"tenant_url": "https://a.okta.com", "active": true, "reference_id": strings.Repeat("r", maxReferenceIDBytes+1)}).
		wantError(t, http.StatusBadRequest, codeInvalidValue)
	// At the cap is fine.
	v.create(strings.Repeat("r", maxReferenceIDBytes), "https://a.okta.com/"+strings.Repeat("x", maxTenantURLBytes-len("https://a.okta.com/")))
	if err := v.e.Save(); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(statePath); err != nil || fi.Size() > 16<<10 {
		t.Errorf("state file: %v %v, want a few KiB", fi.Size(), err)
	}
}

// A body over the cap is 413 with the usual envelope, before it is parsed,
// and stores nothing; also when it comes without a Content-Length.
func TestBodyTooLargeIs413(t *testing.T) {
	v := newTestEnv(t, Options{})
	big := `{"integration_type":"Okta","tenant_url":"https://a.okta.com","pad":"` + strings.Repeat("x", maxBodyBytes) + `"}`
	r := v.do("POST", path("/integrations"), big).wantError(t, http.StatusRequestEntityTooLarge, codeBodyTooLarge)
	if msg := r.errors[0].Message; !strings.Contains(msg, "larger than 1048576 bytes") {
		t.Errorf("message %q", msg)
	}
	req, err := http.NewRequest("PUT", v.srv.URL+path("/behaviors"), struct{ *strings.Reader }{strings.NewReader(big)}) // no length: chunked
	if err != nil {
		t.Fatal(err)
	}
	resp, err := v.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	checkEnvelope(t, resp).wantError(t, http.StatusRequestEntityTooLarge, codeBodyTooLarge)
	if n := len(v.e.Integrations(testAccount)); n != 0 {
		t.Errorf("%d integrations stored", n)
	}
}

// With ReadLag, reads show integrations as they were ReadLag ago: a
// create appears, an update shows, a delete disappears only once ReadLag
// has passed; the list, GET by id and GET by reference_id agree.
func TestReadLag(t *testing.T) {
	v := newTestEnv(t, Options{ReadLag: 2 * time.Second})
	advance := v.withClock().advance
	list := func() []wireIntegration {
		var got []wireIntegration
		v.do("GET", path("/integrations"), nil).wantOK(t).result(t, &got)
		return got
	}

	in := v.create("ref", "https://a.okta.com") // the answer shows it
	if got := list(); len(got) != 0 {
		t.Errorf("list right after create: %+v", got)
	}
	v.do("GET", path("/integrations/"+in.ID), nil).wantError(t, http.StatusNotFound, codeNoIntegration)
	v.do("GET", path("/integrations/reference_id/ref"), nil).wantError(t, http.StatusNotFound, codeNoReference)
	if n := len(v.e.Integrations(testAccount)); n != 1 {
		t.Errorf("the Go API shows %d integrations, want the create at once", n)
	}
	advance(1999 * time.Millisecond)
	if got := list(); len(got) != 0 {
		t.Errorf("list before ReadLag passed: %+v", got)
	}
	advance(time.Millisecond)
	if got := list(); len(got) != 1 || got[0].ID != in.ID {
		t.Errorf("list once ReadLag passed: %+v", got)
	}
	v.do("GET", path("/integrations/reference_id/ref"), nil).wantOK(t)

	// An update: the old values, then the new.
	v.do("PUT", path("/integrations/"+in.ID), `{"tenant_url":"https://b.okta.com","active":false,"reference_id":"ref2"}`).wantOK(t)
	var got wireIntegration
	v.do("GET", path("/integrations/"+in.ID), nil).wantOK(t).result(t, &got)
	if got.TenantURL != "https://a.okta.com" || !got.Active {
		t.Errorf("GET right after update: %+v, want the old values", got)
	}
	v.do("GET", path("/integrations/reference_id/ref"), nil).wantOK(t)
	advance(2 * time.Second)
	v.do("GET", path("/integrations/"+in.ID), nil).wantOK(t).result(t, &got)
	if got.TenantURL != "https://b.okta.com" || got.Active {
		t.Errorf("GET once ReadLag passed: %+v, want the new values", got)
	}

	// A delete: still listed, then gone.
	v.do("DELETE", path("/integrations/"+in.ID), nil).wantOK(t)
	if got := list(); len(got) != 1 {
		t.Errorf("list right after delete: %+v", got)
	}
	v.do("GET", path("/integrations/reference_id/ref2"), nil).wantOK(t)
	advance(2 * time.Second)
	if got := list(); len(got) != 0 {
		t.Errorf("list once ReadLag passed: %+v", got)
	}

	// Only the writes of the last ReadLag are kept.
	v.e.mu.Lock()
	n := len(v.e.lag)
	v.e.mu.Unlock()
	if n != 0 {
		t.Errorf("%d lag entries kept past ReadLag", n)
	}
	if _, err := New(Options{ReadLag: -time.Second}); err == nil || !strings.Contains(err.Error(), "ReadLag") {
		t.Errorf("negative ReadLag: %v", err)
	}
}
