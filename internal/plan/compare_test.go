package plan

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/riskctl/riskctl/internal/state"
)

func TestCanonicalTenantURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://acme.okta.com", "https://acme.okta.com"},
		{"https://acme.okta.com/", "https://acme.okta.com"},
		{"https://ACME.okta.com/", "https://acme.okta.com"},
		{"HTTPS://Acme.Okta.Com", "https://acme.okta.com"},
		{"  https://acme.okta.com//  ", "https://acme.okta.com"},
		{"https://acme.okta.com:8443/", "https://acme.okta.com:8443"},
		{"https://acme.okta.com/Path/To/", "https://acme.okta.com/Path/To"},
		{"https://acme.okta.com/Path?Q=1", "https://acme.okta.com/Path?Q=1"},
		{"https://acme.okta.com/path/?q=1", "https://acme.okta.com/path?q=1"},
		{"https://acme.okta.com#Frag", "https://acme.okta.com#Frag"},
		{"acme.okta.com/", "acme.okta.com"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := CanonicalTenantURL(tt.in); got != tt.want {
			t.Errorf("CanonicalTenantURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if again := CanonicalTenantURL(tt.want); again != tt.want {
			t.Errorf("CanonicalTenantURL is not idempotent on %q: %q", tt.want, again)
		}
	}
}

func TestDiffReportsExactlyTheChangedFields(t *testing.T) {
	in := func(typ, url string, active bool) integrationView {
		return viewIntegration(state.Integration{IntegrationType: typ, TenantURL: url, Active: active, ID: "ignored", Protect: true})
	}
	tests := []struct {
		name string
		x, y any
		want []FieldDiff
	}{
		{"behavior equal", viewBehavior(state.Behavior{Enabled: true, RiskLevel: "high", Name: "a"}), viewBehavior(state.Behavior{Enabled: true, RiskLevel: "high", Name: "b"}), nil},
		{"risk level case", viewBehavior(state.Behavior{RiskLevel: "HIGH"}), viewBehavior(state.Behavior{RiskLevel: "high"}), nil},
		{"enabled only", viewBehavior(state.Behavior{RiskLevel: "low"}), viewBehavior(state.Behavior{Enabled: true, RiskLevel: "LOW"}),
			[]FieldDiff{{Field: "enabled", Before: "false", After: "true"}}},
		{"both behavior fields", viewBehavior(state.Behavior{Enabled: true, RiskLevel: "low"}), viewBehavior(state.Behavior{RiskLevel: "high"}),
			[]FieldDiff{{Field: "enabled", Before: "true", After: "false"}, {Field: "risk_level", Before: "low", After: "high"}}},
		{"integration equal after canonicalisation", in("okta", "https://ACME.okta.com/", true), in("Okta", "https://acme.okta.com", true), nil},
		{"tenant_url keeps the written values", in("Okta", "https://OLD.okta.com/", true), in("Okta", "https://new.okta.com", true),
			[]FieldDiff{{Field: "tenant_url", Before: "https://OLD.okta.com/", After: "https://new.okta.com"}}},
		{"active only", in("Okta", "https://a.okta.com", true), in("Okta", "https://a.okta.com", false),
			[]FieldDiff{{Field: "active", Before: "true", After: "false"}}},
		{"every integration field", in("AzureAD", "https://a.okta.com", false), in("Okta", "https://b.okta.com", true),
			[]FieldDiff{
				{Field: "integration_type", Before: "AzureAD", After: "Okta"},
				{Field: "tenant_url", Before: "https://a.okta.com", After: "https://b.okta.com"},
				{Field: "active", Before: "false", After: "true"},
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []FieldDiff
			var err error
			switch x := tt.x.(type) {
			case behaviorView:
				got, err = diff(x, tt.y.(behaviorView))
			case integrationView:
				got, err = diff(x, tt.y.(integrationView))
			}
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("diff (-want +got):\n%s", d)
			}
		})
	}
}

func TestDiffRecoversFromPanics(t *testing.T) {
	type unexported struct{ n int }
	_, err := diff(unexported{1}, unexported{2}) // go-cmp panics on unexported fields
	if err == nil || !strings.Contains(err.Error(), "comparing") {
		t.Errorf("diff of unexported fields = %v, want a recovered error", err)
	}
}

func TestDiffRejectsUnknownShapes(t *testing.T) {
	type nested struct{ Enabled struct{ X int } }
	if _, err := diff(nested{}, nested{Enabled: struct{ X int }{1}}); err == nil {
		t.Errorf("diff of a nested struct succeeded; views must be flat")
	}
	type unnamed struct{ Color string }
	if _, err := diff(unnamed{"a"}, unnamed{"b"}); err == nil || !strings.Contains(err.Error(), "no API name") {
		t.Errorf("diff of a field without an API name = %v", err)
	}
	type number struct{ Active int }
	if _, err := diff(number{1}, number{2}); err == nil || !strings.Contains(err.Error(), "cannot render") {
		t.Errorf("diff of an int field = %v", err)
	}
}

// Every view field has an API name and a place in the field order.
func TestViewFieldsAreNamed(t *testing.T) {
	for goName, api := range apiFieldNames {
		found := false
		for _, f := range fieldOrder {
			found = found || f == api
		}
		if !found {
			t.Errorf("%s → %s is not in fieldOrder", goName, api)
		}
	}
	if len(apiFieldNames) != len(fieldOrder) {
		t.Errorf("apiFieldNames has %d names, fieldOrder %d", len(apiFieldNames), len(fieldOrder))
	}
}
