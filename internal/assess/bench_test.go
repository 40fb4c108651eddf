package assess

import (
	"fmt"
	"testing"

	"github.com/riskctl/riskctl/internal/state"
)

// benchAccount is the size issue 17 names: 200 reusable policies, 100
// applications (each using two reusable policies and embedding one of its
// own) and 50 groups nested up to 10 deep, every object with
// user_risk_score rules; the plan disables every behavior at high.
func benchAccount() (state.Access, map[string]state.Behavior, map[string]state.Behavior) {
	levels := [][]string{{"high"}, {"medium", "high"}, {"low", "medium", "unscored"}, {"low", "unscored"}, {"high", "unscored"}}
	risk := func(i int) state.AccessRule { return state.AccessRule{RiskLevels: levels[i%len(levels)]} }
	var acc state.Access
	for i := range 50 {
		g := state.AccessGroup{ID: fmt.Sprintf("g%02d", i), Name: fmt.Sprintf("Group %02d", i), Rules: state.AccessRules{
			Include: []state.AccessRule{risk(i), {Other: "email"}},
			Exclude: []state.AccessRule{risk(i + 1)},
		}}
		if i%10 != 9 {
			g.Rules.Require = []state.AccessRule{{GroupID: fmt.Sprintf("g%02d", i+1)}}
		}
		acc.Groups = append(acc.Groups, g)
	}
	decisions := []string{state.DecisionAllow, state.DecisionDeny, state.DecisionBypass, state.DecisionNonIdentity}
	for i := range 200 {
		acc.Policies = append(acc.Policies, state.AccessPolicy{
			ID: fmt.Sprintf("p%03d", i), Name: fmt.Sprintf("Policy %03d", i), Decision: decisions[i%len(decisions)], Reusable: true,
			Rules: state.AccessRules{
				Include: []state.AccessRule{{GroupID: fmt.Sprintf("g%02d", i%50)}, {Other: "everyone"}},
				Require: []state.AccessRule{risk(i)},
				Exclude: []state.AccessRule{risk(i + 2)},
			},
		})
	}
	for i := range 100 {
		acc.Apps = append(acc.Apps, state.AccessApp{
			ID: fmt.Sprintf("a%03d", i), Name: fmt.Sprintf("App %03d", i), Domain: fmt.Sprintf("app%03d.example.com", i),
			Policies: []state.AccessPolicy{
				{ID: fmt.Sprintf("p%03d", i)},
				{ID: fmt.Sprintf("p%03d", 199-i)},
				{ID: fmt.Sprintf("e%03d", i), Name: fmt.Sprintf("App %03d own", i), Decision: state.DecisionAllow, Rules: state.AccessRules{
					Include: []state.AccessRule{{GroupID: fmt.Sprintf("g%02d", (i*7)%50)}},
					Require: []state.AccessRule{risk(i + 3)},
				}},
			},
		})
	}
	before := map[string]state.Behavior{}
	after := map[string]state.Behavior{}
	for i, l := range []string{"low", "medium", "high", "high", "medium", "low", "high"} {
		key := fmt.Sprintf("behavior_%d", i)
		before[key] = state.Behavior{Enabled: true, RiskLevel: l}
		after[key] = state.Behavior{Enabled: l != "high", RiskLevel: l}
	}
	return acc, before, after
}

func BenchmarkAccessImpact(b *testing.B) {
	acc, before, after := benchAccount()
	b.ReportAllocs()
	var n int
	for b.Loop() {
		n = len(AccessImpact(acc, before, after))
	}
	b.ReportMetric(float64(n), "impacts")
}
