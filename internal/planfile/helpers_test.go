package planfile

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/riskctl/riskctl/internal/plan"
	"github.com/riskctl/riskctl/internal/spec"
	"github.com/riskctl/riskctl/internal/state"
)

const (
	accountA = "0123456789abcdef0123456789abcdef"
	accountB = "fedcba9876543210fedcba9876543210"
)

// liveA is an account where the spec below needs every action kind.
func liveA() state.Account {
	return state.Account{
		AccountID: accountA,
		Behaviors: map[string]state.Behavior{
			"imp_travel":   {Enabled: false, RiskLevel: "low", Name: "Impossible Travel"},
			"high_dlp":     {Enabled: false, RiskLevel: "medium", Name: "High Number of DLP Policies Triggered"},
			"sentinel_one": {Enabled: false, RiskLevel: "medium", Name: "SentinelOne Infection Detected"},
		},
		Integrations: []state.Integration{
			{ID: "11111111-1111-4111-8111-111111111111", ReferenceID: "idp-update", IntegrationType: "Okta", TenantURL: "https://old.okta.com", Active: true},
			{ID: "22222222-2222-4222-8222-222222222222", ReferenceID: "idp-replace", IntegrationType: "Legacy", TenantURL: "https://replace.okta.com", Active: true},
			{ID: "33333333-3333-4333-8333-333333333333", ReferenceID: "idp-gone", IntegrationType: "Okta", TenantURL: "https://gone.okta.com", Active: false},
			{ID: "44444444-4444-4444-8444-444444444444", IntegrationType: "Okta", TenantURL: "https://anon.okta.com?a=1&b=2", Active: true},
		},
	}
}

func desiredA() state.Account {
	return state.Account{
		AccountID: accountA,
		Behaviors: map[string]state.Behavior{
			"imp_travel": {Enabled: true, RiskLevel: "high"},
			"high_dlp":   {Enabled: true, RiskLevel: "medium"},
		},
		Integrations: []state.Integration{
			{ReferenceID: "idp-update", IntegrationType: "Okta", TenantURL: "https://new.okta.com", Active: true},
			{ReferenceID: "idp-replace", IntegrationType: "Okta", TenantURL: "https://replace.okta.com", Active: true},
			{ReferenceID: "idp-new", IntegrationType: "Okta", TenantURL: "https://new-a.okta.com", Active: true},
			{ReferenceID: "idp-new-off", IntegrationType: "Okta", TenantURL: "https://new-b.okta.com", Active: false},
		},
	}
}

// policyOf is the spec policy of desiredA (prune) and desiredB (none).
func policyOf(desired state.Account) spec.Policy {
	return spec.Policy{Prune: desired.AccountID == accountA}
}

// liveB and desiredB: no prune, so unmanaged integrations (one without a
// reference_id) and behaviors.
func liveB() state.Account {
	return state.Account{
		AccountID: accountB,
		Behaviors: map[string]state.Behavior{
			"imp_travel":   {Enabled: true, RiskLevel: "high", Name: "Impossible Travel"},
			"high_dlp":     {Enabled: false, RiskLevel: "low"},
			"sentinel_one": {Enabled: true, RiskLevel: "high"},
		},
		Integrations: []state.Integration{
			{ID: "55555555-5555-4555-8555-555555555555", ReferenceID: "other", IntegrationType: "Okta", TenantURL: "https://other.okta.com", Active: true},
			{ID: "66666666-6666-4666-8666-666666666666", IntegrationType: "Okta", TenantURL: "https://anon.okta.com", Active: false},
		},
	}
}

func desiredB() state.Account {
	return state.Account{
		AccountID: accountB,
		Behaviors: map[string]state.Behavior{"high_dlp": {Enabled: true, RiskLevel: "medium"}},
	}
}

func compute(t *testing.T, desired, live state.Account) plan.Plan {
	t.Helper()
	p, err := plan.ComputeWith(desired, live, plan.Options{Policy: policyOf(desired)})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// writeSpec writes content to dir/name and returns its path.
func writeSpec(t *testing.T, dir, name, content string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func specDigest(t *testing.T, paths ...string) string {
	t.Helper()
	d, err := SpecDigest(paths)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// sampleFile is a realistic two-account saved plan, its spec files in dir.
func sampleFile(t *testing.T, dir string) File {
	t.Helper()
	specA := writeSpec(t, dir, "a.yaml", "version: 1\naccount_id: "+accountA+"\n")
	specB := writeSpec(t, dir, "b.yaml", "version: 1\naccount_id: "+accountB+"\n")
	pa := compute(t, desiredA(), liveA())
	pb := compute(t, desiredB(), liveB())
	pb.Targets = []string{"behavior:high_dlp"}
	return File{
		RiskctlVersion: "v0.4.0 (abc1234)",
		Accounts: []Account{
			NewAccount([]string{specA}, specDigest(t, specA), liveA(), pa),
			NewAccount([]string{specB}, specDigest(t, specB), liveB(), pb),
		},
	}
}

// snapshot is what a saved live state reads back as: the fingerprinted
// fields only.
func snapshot(live state.Account) state.Account {
	out := state.Account{AccountID: live.AccountID, Behaviors: map[string]state.Behavior{}}
	for k, b := range live.Behaviors {
		out.Behaviors[k] = state.Behavior{Enabled: b.Enabled, RiskLevel: b.RiskLevel}
	}
	for _, in := range live.Integrations {
		out.Integrations = append(out.Integrations, state.Integration{
			ID: in.ID, ReferenceID: in.ReferenceID, IntegrationType: in.IntegrationType, TenantURL: in.TenantURL, Active: in.Active,
		})
	}
	return out
}
