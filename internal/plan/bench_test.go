package plan

import (
	"fmt"
	"testing"

	"github.com/riskctl/riskctl/internal/state"
)

// benchAccounts builds a desired and a live account with n integrations, a
// tenth of which differ, so Compute does real diffing work.
func benchAccounts(n int) (desired, live state.Account) {
	desired = state.Account{AccountID: "0123456789abcdef0123456789abcdef", Behaviors: map[string]state.Behavior{
		"imp_travel": {Enabled: true, RiskLevel: "high"},
		"high_dlp":   {Enabled: true, RiskLevel: "medium"},
	}}
	live = state.Account{AccountID: desired.AccountID, Behaviors: map[string]state.Behavior{
		"imp_travel":   {Enabled: false, RiskLevel: "high", Name: "Impossible Travel"},
		"high_dlp":     {Enabled: true, RiskLevel: "medium"},
		"sentinel_one": {Enabled: false, RiskLevel: "medium"},
	}}
	for i := range n {
		ref := fmt.Sprintf("idp-%05d", i)
		url := fmt.Sprintf("https://t%05d.okta.com", i)
		desired.Integrations = append(desired.Integrations, state.Integration{
			ReferenceID: ref, IntegrationType: "Okta", TenantURL: url, Active: true})
		if i%10 == 0 {
			url += "/old"
		}
		live.Integrations = append(live.Integrations, state.Integration{
			ReferenceID: ref, IntegrationType: "Okta", TenantURL: url, Active: true,
			ID: fmt.Sprintf("00000000-0000-4000-8000-%012d", i)})
	}
	return desired, live
}

func BenchmarkCompute(b *testing.B) {
	for _, n := range []int{10, 1000} {
		desired, live := benchAccounts(n)
		b.Run(fmt.Sprintf("integrations=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Compute(desired, live); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
