package spec_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/riskctl/riskctl/internal/spec"
	"github.com/riskctl/riskctl/internal/state"
)

// export writes a live host that is not ASCII (the API may hold one a
// person typed in the dashboard) in punycode, which validate accepts and
// plans compare as the same host; it writes no label, which live state
// never has.
func TestExportWritesPunycodeHostsAndNoLabel(t *testing.T) {
	live := state.Account{AccountID: acct, Behaviors: map[string]state.Behavior{}, Integrations: []state.Integration{
		{ID: "id-1", ReferenceID: "r1", IntegrationType: "Okta", TenantURL: "https://\u0410cme.okta.com:8443/x", Active: true},
	}}
	var b bytes.Buffer
	if err := spec.Write(&b, live); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if !strings.Contains(out, "tenant_url: https://xn--cme-5cd.okta.com:8443/x\n") || strings.Contains(out, "label") {
		t.Errorf("export:\n%s", out)
	}
	f, err := parse(out, spec.Options{})
	if err != nil {
		t.Fatal(err)
	}
	tenant, _ := state.Lookup(state.KindIntegration, state.FieldTenantURL)
	if got := f.Account.Integrations[0].TenantURL; !tenant.Equal(got, live.Integrations[0].TenantURL) {
		t.Errorf("read back %q, which a plan does not compare equal to the live %q", got, live.Integrations[0].TenantURL)
	}
}
