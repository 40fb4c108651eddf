package planfile

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/riskctl/riskctl/internal/plan"
	"github.com/riskctl/riskctl/internal/state"
)

// saved is account A's plan, saved and read back as apply reads it.
func saved(t *testing.T) (Account, string) {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "plan.json")
	if err := Write(path, sampleFile(t, dir)); err != nil {
		t.Fatal(err)
	}
	f, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	return f.Accounts[0], f.Accounts[0].SpecDigest
}

func TestCheckStaleUnchanged(t *testing.T) {
	a, d := saved(t)
	live := liveA()
	// The API may list integrations in another order and names are not
	// part of the fingerprint.
	live.Integrations[0], live.Integrations[3] = live.Integrations[3], live.Integrations[0]
	b := live.Behaviors["high_dlp"]
	b.Name = "renamed by Cloudflare"
	live.Behaviors["high_dlp"] = b
	if err := CheckStale(a, live, d); err != nil {
		t.Errorf("CheckStale of an unchanged account: %v", err)
	}
	if got := LiveChanges(a.Live, live); len(got) != 0 {
		t.Errorf("LiveChanges of an unchanged account: %q", got)
	}
}

func TestCheckStaleNamesEveryChange(t *testing.T) {
	a, d := saved(t)
	live := liveA()
	// behavior fields
	live.Behaviors["imp_travel"] = state.Behavior{Enabled: true, RiskLevel: "high"}
	live.Behaviors["high_dlp"] = state.Behavior{Enabled: false, RiskLevel: "HIGH"}
	// a behavior Cloudflare added, one it removed
	live.Behaviors["new_key"] = state.Behavior{RiskLevel: "low"}
	delete(live.Behaviors, "sentinel_one")
	// integration fields, a deletion, creations with and without reference_id
	live.Integrations[0].TenantURL = "https://changed.okta.com"
	live.Integrations[0].Active = false
	live.Integrations[1].IntegrationType = "Okta"
	live.Integrations[3].ReferenceID = "now-named"
	live.Integrations = append(live.Integrations[:2], live.Integrations[3:]...) // idp-gone deleted
	live.Integrations = append(live.Integrations,
		state.Integration{ID: "77777777-7777-4777-8777-777777777777", ReferenceID: "idp-new", IntegrationType: "Okta", TenantURL: "https://new-a.okta.com", Active: true},
		state.Integration{ID: "88888888-8888-4888-8888-888888888888", IntegrationType: "Okta", TenantURL: "https://x.okta.com"},
	)

	err := CheckStale(a, live, d)
	var se *StaleError
	if !errors.As(err, &se) {
		t.Fatalf("CheckStale: %v, want a *StaleError", err)
	}
	if !errors.Is(err, plan.ErrRefused) {
		t.Errorf("errors.Is(%T, plan.ErrRefused) is false", err)
	}
	wantChanges := []string{
		`behavior "high_dlp": risk_level "medium" → "HIGH"`,
		`behavior "imp_travel": enabled false → true`,
		`behavior "imp_travel": risk_level "low" → "high"`,
		`behavior "new_key": added by Cloudflare`,
		`behavior "sentinel_one": removed from the account`,
		`integration (id "44444444-4444-4444-8444-444444444444", no reference_id, https://anon.okta.com?a=1&b=2): reference_id "" → "now-named"`,
		`integration (id "88888888-8888-4888-8888-888888888888", no reference_id, https://x.okta.com): created`,
		`integration "idp-gone" (https://gone.okta.com): deleted (id 33333333-3333-4333-8333-333333333333)`,
		`integration "idp-new" (https://new-a.okta.com): created (id 77777777-7777-4777-8777-777777777777)`,
		`integration "idp-replace" (https://replace.okta.com): integration_type "Legacy" → "Okta"`,
		`integration "idp-update" (https://old.okta.com): tenant_url "https://old.okta.com" → "https://changed.okta.com"`,
		`integration "idp-update" (https://old.okta.com): active true → false`,
	}
	if diff := cmp.Diff(wantChanges, se.LiveChanges); diff != "" {
		t.Errorf("LiveChanges (-want +got):\n%s", diff)
	}
	if se.SpecChanged || se.AccountID != accountA {
		t.Errorf("StaleError %+v", se)
	}
	want := "plan for account " + accountA + " is stale: the account changed since the plan was made:\n  " +
		strings.Join(wantChanges, "\n  ") + "\nrun riskctl plan again and review the new plan"
	if err.Error() != want {
		t.Errorf("Error():\n%s\nwant:\n%s", err, want)
	}

	// Deterministic: whatever order the API lists them in.
	for i := range 5 {
		shuffled := live
		shuffled.Integrations = append([]state.Integration{}, live.Integrations[i%len(live.Integrations):]...)
		shuffled.Integrations = append(shuffled.Integrations, live.Integrations[:i%len(live.Integrations)]...)
		if diff := cmp.Diff(wantChanges, LiveChanges(a.Live, shuffled)); diff != "" {
			t.Errorf("rotation %d: LiveChanges (-want +got):\n%s", i, diff)
		}
	}
}

func TestCheckStaleSpecChanged(t *testing.T) {
	a, _ := saved(t)
	other := "sha256:" + strings.Repeat("ab", 32)
	err := CheckStale(a, liveA(), other)
	var se *StaleError
	if !errors.As(err, &se) || !se.SpecChanged || len(se.LiveChanges) != 0 {
		t.Fatalf("CheckStale with another spec digest: %#v", err)
	}
	if !errors.Is(err, plan.ErrRefused) {
		t.Errorf("errors.Is(%T, plan.ErrRefused) is false", err)
	}
	want := "plan for account " + accountA + " is stale: the spec files changed since the plan was made: " + a.SpecFiles[0] +
		"\nrun riskctl plan again and review the new plan"
	if err.Error() != want {
		t.Errorf("Error():\n%s\nwant:\n%s", err, want)
	}
}

func TestCheckStaleBoth(t *testing.T) {
	a, _ := saved(t)
	a.SpecFiles = []string{"a.yaml", "b.yaml"}
	live := liveA()
	live.Integrations[0].TenantURL = "https://b.okta.com"
	err := CheckStale(a, live, "sha256:"+strings.Repeat("0", 64))
	want := "plan for account " + accountA + " is stale: the account changed since the plan was made:\n" +
		`  integration "idp-update" (https://old.okta.com): tenant_url "https://old.okta.com" → "https://b.okta.com"` + "\n" +
		"the spec files changed since the plan was made: a.yaml, b.yaml\n" +
		"run riskctl plan again and review the new plan"
	if err == nil || err.Error() != want {
		t.Errorf("Error():\n%v\nwant:\n%s", err, want)
	}
}

// A fingerprint that differs while the snapshot agrees (a riskctl that
// fingerprints another way) is still stale, and says so.
func TestCheckStaleFingerprintOnly(t *testing.T) {
	a, d := saved(t)
	a.LiveFingerprint = strings.Repeat("0", 64)
	err := CheckStale(a, liveA(), d)
	var se *StaleError
	if !errors.As(err, &se) || len(se.LiveChanges) != 1 || !strings.Contains(se.LiveChanges[0], "fingerprint") {
		t.Errorf("CheckStale with another fingerprint: %v", err)
	}
}

func TestStaleErrorWrapped(t *testing.T) {
	err := error(&StaleError{AccountID: "x", SpecChanged: true, SpecFiles: []string{"a.yaml"}})
	wrapped := errors.Join(errors.New("other"), err)
	if !errors.Is(wrapped, plan.ErrRefused) {
		t.Errorf("a joined StaleError does not match plan.ErrRefused")
	}
	if errors.Is(errors.New("plain"), plan.ErrRefused) {
		t.Errorf("ErrRefused matches anything")
	}
}

func TestLiveChangesDuplicateIDs(t *testing.T) {
	in := state.Integration{ID: "dup", ReferenceID: "r", IntegrationType: "Okta", TenantURL: "https://a.okta.com", Active: true}
	before := state.Account{Integrations: []state.Integration{in}}
	after := state.Account{Integrations: []state.Integration{in, in}}
	got := LiveChanges(before, after)
	if diff := cmp.Diff([]string{`integration "r" (https://a.okta.com): created (id dup)`}, got); diff != "" {
		t.Errorf("LiveChanges (-want +got):\n%s", diff)
	}
}
