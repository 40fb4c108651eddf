package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/riskctl/riskctl/internal/plan"
	"github.com/riskctl/riskctl/internal/state"
)

// FuzzMarkdown renders a plan holding fuzzed reference ids and tenant URLs
// at a fuzzed cap: the output must fit the cap and keep <details> balanced.
func FuzzMarkdown(f *testing.F) {
	f.Add("idp-new", "https://new.okta.com", "idp-gone", "https://gone.okta.com/", uint16(0))
	f.Add("a|b`c", "https://x.okta.com/<details>", "</details>\n\n", "https://y.okta.com", uint16(1200))
	f.Add("line\nbreak", "https://z.okta.com/"+strings.Repeat("p", 300), "``` fence", "https://\u2028.okta.com", uint16(59500))
	f.Add(strings.Repeat("r", 2000), strings.Repeat("u", 2000), "<summary>", "*", uint16(3000))
	f.Add("", "", "", "", uint16(65535))
	f.Fuzz(func(t *testing.T, ref1, url1, ref2, url2 string, capRaw uint16) {
		maxBytes := 500 + int(capRaw)%(60000-500+1)
		desired := state.Account{
			AccountID: acctA,
			Behaviors: map[string]state.Behavior{"imp_travel": {Enabled: true, RiskLevel: "low"}},
			Integrations: []state.Integration{
				okta(ref1, url1, true),
				okta("idp-upd", url2, false),
			},
		}
		live := state.Account{
			AccountID: acctA,
			Behaviors: liveBehaviors(),
			Integrations: []state.Integration{
				liveOkta("11111111-1111-4111-8111-111111111111", "idp-upd", url1, true),
				liveOkta("22222222-2222-4222-8222-222222222222", ref2, url2, true),
				liveOkta("33333333-3333-4333-8333-333333333333", "", url1, false),
			},
		}
		p, err := plan.ComputeWith(desired, live, plan.Options{Policy: pruned})
		if err != nil {
			return
		}
		for _, r := range []Report{
			{Kind: KindPlan, Accounts: []Account{{Plan: &p}}},
			{Kind: KindDrift, Accounts: []Account{{Plan: &p}, {AccountID: acctB, Plan: &p}}},
		} {
			var b bytes.Buffer
			if err := WriteMarkdown(&b, r, maxBytes); err != nil {
				t.Fatalf("WriteMarkdown: %v", err)
			}
			out := b.String()
			if len(out) > maxBytes {
				t.Fatalf("output is %d bytes, over the cap of %d:\n%s", len(out), maxBytes, out)
			}
			open, closed := 0, 0
			for _, line := range strings.Split(out, "\n") {
				if strings.HasPrefix(line, "<details>") {
					open++
				}
				if line == "</details>" {
					closed++
				}
			}
			if open != closed {
				t.Fatalf("%d <details> but %d </details> at cap %d:\n%s", open, closed, maxBytes, out)
			}
		}
	})
}
