package report

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/riskctl/riskctl/internal/assess"
	"github.com/riskctl/riskctl/internal/reconcile"
	"github.com/riskctl/riskctl/internal/state"
)

const rogueID = "77777777-7777-4777-8777-777777777777"

// meaningAccount is an account whose plan disables the last high behavior
// (an exclude [high] rule goes dead), with a standing mistake (a require
// rule without unscored), hostile policy and app names, and an active
// integration no spec manages.
func meaningAccount(t testing.TB, kind Kind) Account {
	desired, live := inSync(acctB)
	live.Behaviors["imp_travel"] = state.Behavior{Enabled: true, RiskLevel: "high", Name: "Impossible Travel"}
	desired.Behaviors["imp_travel"] = state.Behavior{Enabled: false, RiskLevel: "high"}
	live.Integrations = append(live.Integrations, liveOkta(rogueID, "rogue-idp", "https://rogue.okta.com", true))
	p := compute(t, desired, live)
	if kind == KindDrift {
		p = compute(t, live, live) // the rogue integration only
		p.UnmanagedIntegrations = append(p.UnmanagedIntegrations[:0:0], liveOkta(rogueID, "rogue-idp", "https://rogue.okta.com", true))
	}
	access := state.Access{
		Policies: []state.AccessPolicy{
			{ID: "pol-1", Name: "Block risky <!-- x", Decision: "deny", Reusable: true,
				Rules: state.AccessRules{Include: []state.AccessRule{{Other: "everyone"}}, Exclude: []state.AccessRule{{RiskLevels: []string{"high"}}}}},
			{ID: "pol-2", Name: "@octocat low only", Decision: "allow", Reusable: true,
				Rules: state.AccessRules{Require: []state.AccessRule{{RiskLevels: []string{"low"}}}}},
		},
		Apps:   []state.AccessApp{{ID: "app-1", Name: "<img src=x onerror=alert(1)>", Policies: []state.AccessPolicy{{ID: "pol-1"}, {ID: "pol-2"}}}},
		Groups: []state.AccessGroup{},
	}
	after := map[string]state.Behavior{}
	for k, b := range live.Behaviors {
		after[k] = b
	}
	if kind != KindDrift {
		after["imp_travel"] = state.Behavior{Enabled: false, RiskLevel: "high"}
	}
	findings := assess.Findings(assess.Wiring{
		Integrations: live.Integrations,
		IdentityProviders: []state.IdentityProvider{{ID: "idp-keep", Name: "Okta", Type: "okta", OktaAccount: "acme.okta.com"},
			{ID: "idp-manual", Name: "@octocat <img src=x>", Type: "saml"}},
		Live:    live.Integrations,
		Managed: map[string]bool{"idp-keep": true},
	})
	status := reconcile.StatusOK
	if kind == KindDrift {
		status = reconcile.StatusChanges
	}
	return Account{AccountID: acctB, SpecFiles: []string{"staging.yaml"}, Plan: p, Status: status,
		AccessImpact: assess.AccessImpact(access, live.Behaviors, after), AccessChecked: true, Findings: findings}
}

func meaningCases(t testing.TB) []reportCase {
	notChecked := meaningAccount(t, KindPlan)
	notChecked.AccessImpact, notChecked.AccessChecked = []assess.Impact{}, false
	notChecked.AccessNotChecked = `Access impact not checked: the token may not read Access policies (reading them needs the permission "Access: Apps and Policies Read")`
	return []reportCase{
		{"plan_meaning", Report{Kind: KindPlan, RiskctlVersion: "v0.0.0-test", Accounts: []Account{meaningAccount(t, KindPlan)}}},
		{"drift_unmanaged_active", Report{Kind: KindDrift, RiskctlVersion: "v0.0.0-test", Accounts: []Account{meaningAccount(t, KindDrift)}}},
		{"plan_access_not_checked", Report{Kind: KindPlan, RiskctlVersion: "v0.0.0-test", Accounts: []Account{notChecked}}},
	}
}

// TestGoldenMeaning renders the findings, the Access impact and what was
// not checked in every format (testdata/CASE.{txt,json,md}).
func TestGoldenMeaning(t *testing.T) {
	for _, tc := range meaningCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			var txt, js, md bytes.Buffer
			if err := WriteText(&txt, tc.report, TextOptions{}); err != nil {
				t.Fatal(err)
			}
			if err := WriteJSON(&js, tc.report, exitCodes); err != nil {
				t.Fatal(err)
			}
			if err := WriteMarkdown(&md, tc.report, 0); err != nil {
				t.Fatal(err)
			}
			checkGolden(t, tc.name+".txt", txt.String())
			checkGolden(t, tc.name+".json", js.String())
			checkGolden(t, tc.name+".md", md.String())
		})
	}
}

// TestMeaningFirst: the findings and the Access effects come before the
// changes in text and Markdown; hostile names are inert in Markdown.
func TestMeaningFirst(t *testing.T) {
	r := meaningCases(t)[0].report
	var txt bytes.Buffer
	if err := WriteText(&txt, r, TextOptions{}); err != nil {
		t.Fatal(err)
	}
	s := txt.String()
	f, im, ch := strings.Index(s, "Findings"), strings.Index(s, "Access impact"), strings.Index(s, "riskctl will perform")
	if f < 0 || im < 0 || ch < 0 || f > im || im > ch {
		t.Errorf("text: findings %d, Access impact %d, changes %d: want them in that order\n%s", f, im, ch, s)
	}
	md := markdown(t, r, 0)
	f, im, ch = strings.Index(md, "#### Findings"), strings.Index(md, "#### Access impact"), strings.Index(md, "#### Behaviors")
	if f < 0 || im < 0 || ch < 0 || f > im || im > ch {
		t.Errorf("Markdown: findings %d, Access impact %d, changes %d: want them in that order\n%s", f, im, ch, md)
	}
	h := renderHTML(t, md)
	checkHTML(t, h)
	// Outside code spans, no name from the server is left: no mention, no
	// HTML, no comment.
	outside := regexp.MustCompile(`(?s)<code>.*?</code>`).ReplaceAllString(h, "")
	for _, raw := range []string{"<!-- x", "<img", "img src", "octocat"} {
		if strings.Contains(outside, raw) {
			t.Errorf("%q is live in the HTML:\n%s", raw, h)
		}
	}
	if !strings.Contains(md, "<details><summary>Access lint (standing mistakes)") {
		t.Errorf("lint is not folded:\n%s", md)
	}
}

// TestDriftNamesUnmanagedActive: drift of an account whose only news is
// an active integration no spec manages says drift, never "No drift", and
// names it.
func TestDriftNamesUnmanagedActive(t *testing.T) {
	r := meaningCases(t)[1].report
	var txt bytes.Buffer
	if err := WriteText(&txt, r, TextOptions{}); err != nil {
		t.Fatal(err)
	}
	md := markdown(t, r, 0)
	for name, s := range map[string]string{"text": txt.String(), "markdown": md} {
		if strings.Contains(s, "No drift") || !strings.Contains(s, "Drift detected") || !strings.Contains(s, "rogue.okta.com") ||
			!strings.Contains(s, assess.KindUnmanagedActiveIntegration) {
			t.Errorf("%s does not report the rogue integration as drift:\n%s", name, s)
		}
	}
}

// TestOutputsCountMeaning: GitHub outputs access_impact=N and findings=N.
func TestOutputsCountMeaning(t *testing.T) {
	r := meaningCases(t)[0].report
	out := Outputs(r, 0, "ok")
	a := r.Accounts[0]
	for _, want := range []string{"access_impact=" + strconv.Itoa(len(a.AccessImpact)) + "\n", "findings=" + strconv.Itoa(len(a.Findings)) + "\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("outputs miss %q:\n%s", want, out)
		}
	}
	if len(a.AccessImpact) == 0 || len(a.Findings) == 0 {
		t.Fatalf("the case has no impact or no finding: %+v", a)
	}
}

// TestTextMeaningEscapesNamesOnce: a policy name with a control, bidi or
// line-break character prints in text escaped once, as an app name does
// ("\x1b", not "\\u001B"), and its CR or LF is shown, not turned into a
// space that hides it.
func TestTextMeaningEscapesNamesOnce(t *testing.T) {
	name := "P\x1b[31m\u202e\rX"
	desired, live := inSync(acctB)
	a := Account{AccountID: acctB, Plan: compute(t, desired, live), AccessChecked: true,
		AccessImpact: []assess.Impact{{PolicyID: "p", PolicyName: name, Decision: "allow", List: "exclude",
			Levels: []string{"high"}, Apps: []string{name}, Effect: assess.EffectDead, Detail: "d"}}}
	var txt bytes.Buffer
	if err := WriteText(&txt, Report{Kind: KindPlan, Accounts: []Account{a}}, TextOptions{}); err != nil {
		t.Fatal(err)
	}
	want := "policy " + strconv.Quote(name) + " (allow"
	if s := txt.String(); !strings.Contains(s, want) || strings.Contains(s, `\\`) {
		t.Errorf("want %s, escaped once:\n%s", want, s)
	}
}

// TestMarkdownCapKeepsChangesBeforeImpact: when a comment must be cut, the
// plan's change rows are kept before the Access impact rows, which come
// first on the page: thousands of impact rows (many policies reaching
// many groups) once left "0 of 1 changes shown".
func TestMarkdownCapKeepsChangesBeforeImpact(t *testing.T) {
	a := meaningAccount(t, KindPlan)
	one := a.AccessImpact[0]
	for i := range 2000 {
		im := one
		im.PolicyName = fmt.Sprintf("Policy %04d", i)
		a.AccessImpact = append(a.AccessImpact, im)
	}
	md := markdown(t, Report{Kind: KindPlan, Accounts: []Account{a}}, 20000)
	if len(md) > 20000 {
		t.Fatalf("%d bytes, want at most 20000", len(md))
	}
	total := len(a.Plan.Changes)
	want := fmt.Sprintf("output truncated: %d of %d changes shown", total, total)
	if !strings.Contains(md, want) || !strings.Contains(md, "Access impact: ") || !strings.Contains(md, "update | `imp_travel` | enabled |") {
		t.Errorf("want every change kept (%q), then as much Access impact as fits:\n%s", want, md)
	}
}
