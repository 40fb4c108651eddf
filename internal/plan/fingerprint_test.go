package plan

import (
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/riskctl/riskctl/internal/state"
)

func fingerprintBase() state.Account {
	return state.Account{
		AccountID: "acc",
		Behaviors: map[string]state.Behavior{
			"imp_travel": {Enabled: true, RiskLevel: "high", Name: "Impossible Travel"},
			"high_dlp":   {RiskLevel: "medium"},
		},
		Integrations: []state.Integration{
			{ID: "1", ReferenceID: "r1", IntegrationType: "Okta", TenantURL: "https://a.okta.com", Active: true},
			{ID: "2", ReferenceID: "", IntegrationType: "Okta", TenantURL: "https://b.okta.com"},
			{ID: "3", ReferenceID: "r3", IntegrationType: "Okta", TenantURL: "https://c.okta.com", Active: true},
		},
	}
}

func TestFingerprintIgnoresOrder(t *testing.T) {
	a := fingerprintBase()
	want := Fingerprint(a)
	if !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(want) {
		t.Fatalf("Fingerprint = %q, want hex SHA-256", want)
	}
	b := fingerprintBase()
	slices.Reverse(b.Integrations)
	b.Behaviors = map[string]state.Behavior{} // another insertion order
	b.Behaviors["high_dlp"] = a.Behaviors["high_dlp"]
	b.Behaviors["imp_travel"] = a.Behaviors["imp_travel"]
	if got := Fingerprint(b); got != want {
		t.Errorf("Fingerprint changed with the order of the live state")
	}
	for range 10 {
		if got := Fingerprint(fingerprintBase()); got != want {
			t.Fatalf("Fingerprint is not deterministic")
		}
	}
}

func TestFingerprintChanges(t *testing.T) {
	base := Fingerprint(fingerprintBase())
	changes := map[string]func(*state.Account){
		"behavior enabled":     func(a *state.Account) { a.Behaviors["high_dlp"] = state.Behavior{Enabled: true, RiskLevel: "medium"} },
		"behavior risk_level":  func(a *state.Account) { a.Behaviors["high_dlp"] = state.Behavior{RiskLevel: "MEDIUM"} },
		"behavior added":       func(a *state.Account) { a.Behaviors["sentinel_one"] = state.Behavior{} },
		"behavior removed":     func(a *state.Account) { delete(a.Behaviors, "high_dlp") },
		"integration id":       func(a *state.Account) { a.Integrations[0].ID = "9" },
		"integration ref":      func(a *state.Account) { a.Integrations[1].ReferenceID = "r2" },
		"integration type":     func(a *state.Account) { a.Integrations[0].IntegrationType = "okta" },
		"integration url":      func(a *state.Account) { a.Integrations[0].TenantURL += "/" },
		"integration active":   func(a *state.Account) { a.Integrations[1].Active = true },
		"integration removed":  func(a *state.Account) { a.Integrations = a.Integrations[1:] },
		"integration repeated": func(a *state.Account) { a.Integrations = append(a.Integrations, a.Integrations[0]) },
	}
	for name, change := range changes {
		a := fingerprintBase()
		change(&a)
		if Fingerprint(a) == base {
			t.Errorf("%s: Fingerprint did not change", name)
		}
	}
	same := map[string]func(*state.Account){
		"behavior name":                  func(a *state.Account) { a.Behaviors["imp_travel"] = state.Behavior{Enabled: true, RiskLevel: "high"} },
		"account id":                     func(a *state.Account) { a.AccountID = "other" },
		"created_at (not read by plans)": func(a *state.Account) { a.Integrations[0].CreatedAt = a.Integrations[0].CreatedAt.Add(time.Hour) },
	}
	for name, change := range same {
		a := fingerprintBase()
		change(&a)
		if Fingerprint(a) != base {
			t.Errorf("%s: Fingerprint changed, but the plan does not depend on it", name)
		}
	}
}

func TestFingerprintEmpty(t *testing.T) {
	if Fingerprint(state.Account{}) != Fingerprint(state.Account{Behaviors: map[string]state.Behavior{}, Integrations: []state.Integration{}}) {
		t.Errorf("nil and empty live states fingerprint differently")
	}
}
