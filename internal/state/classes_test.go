package state

import (
	"strings"
	"testing"
)

// Every field with a rule, in every direction, and the fields without one.
func TestClassOf(t *testing.T) {
	for _, tc := range []struct {
		kind                 Kind
		field, before, after string
		want                 Class
	}{
		{KindBehavior, FieldEnabled, "true", "false", Weakening},
		{KindBehavior, FieldEnabled, "false", "true", Strengthening},
		{KindBehavior, FieldEnabled, "true", "true", Neutral},
		{KindBehavior, FieldRiskLevel, "high", "low", Weakening},
		{KindBehavior, FieldRiskLevel, "high", "medium", Weakening},
		{KindBehavior, FieldRiskLevel, "medium", "low", Weakening},
		{KindBehavior, FieldRiskLevel, "low", "high", Strengthening},
		{KindBehavior, FieldRiskLevel, "low", "medium", Strengthening},
		{KindBehavior, FieldRiskLevel, "medium", "high", Strengthening},
		{KindBehavior, FieldRiskLevel, "HIGH", "high", Neutral}, // case is not a change
		{KindBehavior, FieldRiskLevel, "high", "extreme", Weakening},
		{KindBehavior, FieldRiskLevel, "", "low", Weakening},
		{KindIntegration, FieldActive, "true", "false", Weakening},
		{KindIntegration, FieldActive, "false", "true", Strengthening},
		{KindIntegration, FieldActive, "false", "false", Neutral},
		{KindIntegration, FieldTenantURL, "https://a.okta.com", "https://b.okta.com", Weakening},
		{KindIntegration, FieldTenantURL, "https://b.okta.com", "https://a.okta.com", Weakening},
		{KindIntegration, FieldTenantURL, "https://acme.okta.com", "https://ACME.okta.com/", Neutral},  // the same URL
		{KindIntegration, FieldTenantURL, "https://acme.okta.com", "https://аcme.okta.com", Weakening}, // a Cyrillic а
		{KindIntegration, FieldIntegrationType, "Okta", "AzureAD", Neutral},                            // replace: IntegrationEffects
		{KindIntegration, FieldReferenceID, "a", "b", Neutral},
		{KindBehavior, "no_such_field", "a", "b", Neutral},
	} {
		if got := ClassOf(tc.kind, tc.field, tc.before, tc.after); got != tc.want {
			t.Errorf("ClassOf(%s, %s, %q, %q) = %s, want %s", tc.kind, tc.field, tc.before, tc.after, got, tc.want)
		}
	}
}

func TestCombine(t *testing.T) {
	for _, tc := range []struct {
		in   []Class
		want Class
	}{
		{nil, Neutral},
		{[]Class{Neutral}, Neutral},
		{[]Class{Neutral, Strengthening}, Strengthening},
		{[]Class{Strengthening, Weakening, Neutral}, Weakening},
		{[]Class{Weakening, Strengthening}, Weakening},
	} {
		if got := Combine(tc.in...); got != tc.want {
			t.Errorf("Combine(%v) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestBehaviorEffects(t *testing.T) {
	b := Behavior{Name: "Impossible Travel", Enabled: true}
	off := Behavior{Name: "Impossible Travel"}
	for _, tc := range []struct {
		before Behavior
		diffs  []Diff
		class  Class
		what   string
	}{
		{b, []Diff{{FieldEnabled, "true", "false"}}, Weakening, `disabled — "Impossible Travel" detections stop raising risk scores`},
		{off, []Diff{{FieldEnabled, "false", "true"}}, Strengthening, `enabled — "Impossible Travel" detections start raising risk scores`},
		{b, []Diff{{FieldRiskLevel, "high", "low"}}, Weakening, `risk_level high → low — "Impossible Travel" detections raise a user's risk to low instead of high`},
		{b, []Diff{{FieldRiskLevel, "low", "medium"}}, Strengthening, `risk_level low → medium`},
		// The level of a behavior disabled on either side has no effect of
		// its own: enabling or disabling it is the effect.
		{off, []Diff{{FieldRiskLevel, "high", "low"}}, Neutral, ``},
		{off, []Diff{{FieldRiskLevel, "low", "high"}}, Neutral, ``},
		{off, []Diff{{FieldEnabled, "false", "true"}, {FieldRiskLevel, "high", "low"}}, Strengthening, `enabled`},
		{b, []Diff{{FieldEnabled, "true", "false"}, {FieldRiskLevel, "low", "high"}}, Weakening, `disabled`},
	} {
		effects := BehaviorEffects(tc.before, tc.diffs)
		if got := ClassOfEffects(effects); got != tc.class || BehaviorClass(tc.before, tc.diffs) != got {
			t.Errorf("%v: class %s (BehaviorClass %s), want %s", tc.diffs, got, BehaviorClass(tc.before, tc.diffs), tc.class)
		}
		var whats []string
		for _, e := range effects {
			whats = append(whats, e.What)
		}
		if all := strings.Join(whats, "\n"); !strings.Contains(all, tc.what) || tc.what == "" && all != "" || len(effects) > 1 && tc.what != `risk_level` {
			t.Errorf("%v: effects %q, want only one containing %q", tc.diffs, all, tc.what)
		}
	}
	if e := BehaviorEffects(Behavior{}, []Diff{{FieldEnabled, "true", "false"}}); len(e) != 1 || !strings.Contains(e[0].What, "its detections stop") {
		t.Errorf("a behavior without a name: %+v", e)
	}
}

func TestIntegrationEffects(t *testing.T) {
	active := &Integration{ReferenceID: "ref", IntegrationType: "Okta", TenantURL: "https://acme.okta.com", Active: true}
	inactive := &Integration{ReferenceID: "ref", IntegrationType: "Okta", TenantURL: "https://acme.okta.com"}
	moved := &Integration{ReferenceID: "ref", IntegrationType: "Okta", TenantURL: "https://rogue.okta.com", Active: true}
	azure := &Integration{ReferenceID: "ref", IntegrationType: "AzureAD", TenantURL: "https://acme.okta.com", Active: true}
	azureOff := &Integration{ReferenceID: "ref", IntegrationType: "AzureAD", TenantURL: "https://acme.okta.com"}
	typeDiff := Diff{FieldIntegrationType, "Okta", "AzureAD"}
	for _, tc := range []struct {
		name          string
		before, after *Integration
		diffs         []Diff
		class         Class
		what          string
	}{
		{"delete active", active, nil, nil, Weakening, "deleted — Okta tenant https://acme.okta.com stops receiving risk scores"},
		{"delete inactive", inactive, nil, nil, Neutral, ""},
		{"create active", nil, active, nil, Strengthening, "created active — Okta tenant https://acme.okta.com starts receiving risk scores"},
		{"create inactive", nil, inactive, nil, Neutral, ""},
		{"deactivate", active, inactive, []Diff{{FieldActive, "true", "false"}}, Weakening, "deactivated — Okta tenant https://acme.okta.com stops receiving risk scores"},
		{"activate", inactive, active, []Diff{{FieldActive, "false", "true"}}, Strengthening, "activated — Okta tenant https://acme.okta.com starts receiving risk scores"},
		{"tenant_url moves", active, moved, []Diff{{FieldTenantURL, active.TenantURL, moved.TenantURL}}, Weakening,
			"tenant_url https://acme.okta.com → https://rogue.okta.com — risk scores go to https://rogue.okta.com instead of Okta tenant https://acme.okta.com"},
		// An inactive integration has no feed to move: activating it is the
		// effect, naming the tenant it will feed.
		{"activate and move", inactive, moved, []Diff{{FieldTenantURL, inactive.TenantURL, moved.TenantURL}, {FieldActive, "false", "true"}}, Strengthening, "activated — Okta tenant https://rogue.okta.com starts"},
		{"move while inactive", inactive, &Integration{TenantURL: "https://rogue.okta.com", IntegrationType: "Okta"}, []Diff{{FieldTenantURL, inactive.TenantURL, "https://rogue.okta.com"}}, Neutral, ""},
		{"move and deactivate", active, &Integration{TenantURL: "https://rogue.okta.com", IntegrationType: "Okta"}, []Diff{{FieldTenantURL, active.TenantURL, "https://rogue.okta.com"}, {FieldActive, "true", "false"}}, Weakening, "risk scores go to https://rogue.okta.com"},
		{"replace active", active, azure, []Diff{typeDiff}, Weakening, "replaced (deleted, then created) — Okta tenant https://acme.okta.com stops receiving risk scores until the create lands"},
		{"replace inactive, stays inactive", inactive, azureOff, []Diff{typeDiff}, Neutral, ""},
		{"replace inactive, comes back active", inactive, azure, []Diff{typeDiff, {FieldActive, "false", "true"}}, Strengthening, "replaced, and active"},
		{"replace active, comes back inactive", active, azureOff, []Diff{typeDiff, {FieldActive, "true", "false"}}, Weakening, "replaced (deleted"},
		{"nothing", nil, nil, nil, Neutral, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			effects := IntegrationEffects(tc.before, tc.after, tc.diffs)
			if got := ClassOfEffects(effects); got != tc.class || IntegrationClass(tc.before, tc.after, tc.diffs) != got {
				t.Errorf("class %s (IntegrationClass %s), want %s (%+v)", got, IntegrationClass(tc.before, tc.after, tc.diffs), tc.class, effects)
			}
			var whats []string
			for _, e := range effects {
				whats = append(whats, e.What)
			}
			if all := strings.Join(whats, "\n"); tc.what == "" && all != "" || !strings.Contains(all, tc.what) {
				t.Errorf("effects %q, want %q", all, tc.what)
			}
		})
	}
}
