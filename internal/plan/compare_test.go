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
	in := func(typ, url string, active bool) state.Integration {
		return state.Integration{IntegrationType: typ, TenantURL: url, Active: active, ID: "ignored"}
	}
	b := func(enabled bool, level, name string) state.Behavior {
		return state.Behavior{Enabled: enabled, RiskLevel: level, Name: name}
	}
	tests := []struct {
		name string
		x, y any
		want []FieldDiff
	}{
		{"behavior equal", b(true, "high", "a"), b(true, "high", "b"), nil},
		{"risk level case", b(false, "HIGH", ""), b(false, "high", ""), nil},
		{"enabled only", b(false, "low", ""), b(true, "LOW", ""),
			[]FieldDiff{{Field: "enabled", Before: "false", After: "true"}}},
		{"both behavior fields", b(true, "low", ""), b(false, "high", ""),
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
			var changed, ignored bool
			var err error
			switch x := tt.x.(type) {
			case state.Behavior:
				y := tt.y.(state.Behavior)
				got, err = diff(behaviorCompared, &x, &y)
				changed, ignored = same(behaviorCompared, &x, &y, nil)
			case state.Integration:
				y := tt.y.(state.Integration)
				got, err = diff(integrationCompared, &x, &y)
				changed, ignored = same(integrationCompared, &x, &y, nil)
			}
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("diff (-want +got):\n%s", d)
			}
			// The fast path and go-cmp agree on whether the objects differ.
			if changed != (len(tt.want) > 0) || ignored {
				t.Errorf("same = changed %t, ignored %t; go-cmp found %d differences", changed, ignored, len(tt.want))
			}
		})
	}
}

// Every compared field, in both kinds, has a place in the field order.
func TestFieldOrderCoversComparedFields(t *testing.T) {
	for _, f := range state.Fields {
		if f.Compared != strings.Contains(" "+strings.Join(fieldOrder, " ")+" ", " "+f.Name+" ") {
			t.Errorf("field %s %s: compared %t, but in fieldOrder %v", f.Kind, f.Name, f.Compared, fieldOrder)
		}
	}
}
