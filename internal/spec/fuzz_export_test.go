package spec_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/riskctl/riskctl/internal/spec"
	"github.com/riskctl/riskctl/internal/state"
)

// FuzzExportRoundTrip exports an account built from fuzzed strings; when
// Write accepts it, the export must parse (reading no variable but the
// account id), plan no change against the account and give back its values
// (a risk level up to case: the export writes it in lower case).
func FuzzExportRoundTrip(f *testing.F) {
	f.Add("imp_travel", uint8(2), true, "Impossible travel", "idp-keep", "https://acme.okta.com", true)
	f.Add("high_dlp", uint8(0), false, "a\nprune: true", "${RISKCTL_VAR_REF}$$x$", "https://c.okta.com/${HOME}", false)
	f.Add("Imp-Travel", uint8(3), true, "", "  ", "http://c.okta.com", true)
	f.Add("b", uint8(1), false, "#x: 'y'", "ref: \"q\"", " https://c.okta.com/x ", true)
	f.Add("x", uint8(4), true, "\xff", "é\u2028", "https://c.okta.com/?a=1", false)
	levels := []string{"low", "medium", "high", "critical", "MEDIUM"}
	f.Fuzz(func(t *testing.T, key string, level uint8, enabled bool, name, ref, url string, active bool) {
		live := state.Account{
			AccountID: rtAccount,
			Behaviors: map[string]state.Behavior{key: {Enabled: enabled, RiskLevel: levels[int(level)%len(levels)], Name: name}},
			Integrations: []state.Integration{{
				ReferenceID: ref, IntegrationType: "Okta", TenantURL: url, Active: active,
				ID: "11111111-1111-4111-8111-111111111111",
			}},
		}
		var out bytes.Buffer
		if err := spec.Write(&out, live); err != nil {
			return
		}
		text, file := roundTrip(t, live)
		b, ok := file.Account.Behaviors[key]
		if !ok || b.Enabled != enabled || !strings.EqualFold(b.RiskLevel, live.Behaviors[key].RiskLevel) {
			t.Fatalf("behavior %q: read back %+v (present %v), live %+v\n%s", key, b, ok, live.Behaviors[key], text)
		}
		// An integration without a reference_id is exported as a comment
		// only: a spec cannot name it.
		wantIntegrations := 1
		if ref == "" {
			wantIntegrations = 0
		}
		if len(file.Account.Behaviors) != 1 || len(file.Account.Integrations) != wantIntegrations {
			t.Fatalf("read back %+v, want one behavior and %d integration(s)\n%s", file.Account, wantIntegrations, text)
		}
		if wantIntegrations == 0 {
			return
		}
		in := file.Account.Integrations[0]
		if in.ReferenceID != ref || in.Active != active || in.IntegrationType != "Okta" {
			t.Fatalf("integration: read back %+v, live %+v\n%s", in, live.Integrations[0], text)
		}
	})
}
