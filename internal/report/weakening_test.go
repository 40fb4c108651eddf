package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/riskctl/riskctl/internal/plan"
	"github.com/riskctl/riskctl/internal/state"
)

// weakeningReport is a plan of n active integrations deactivated, the
// first with a hostile reference_id and tenant_url, and one behavior
// enabled (strengthening, never in the banner).
func weakeningReport(n int) Report {
	p := &plan.Plan{AccountID: acctA}
	before := state.Behavior{Enabled: false, RiskLevel: "high", Name: "Impossible Travel"}
	after := before
	after.Enabled = true
	p.Changes = append(p.Changes, plan.Change{Action: plan.Update, Resource: plan.ResourceBehavior, Key: "imp_travel",
		Behavior: &plan.BehaviorChange{Before: before, After: after}, Fields: []plan.FieldDiff{{Field: state.FieldEnabled, Before: "false", After: "true"}}})
	for i := range n {
		ref, url := fmt.Sprintf("idp-%02d", i), fmt.Sprintf("https://t%02d.okta.com", i)
		if i == 0 {
			ref, url = "<img src=x onerror=alert(1)>`@octocat", "https://x.okta.com/\n### forged\x1b[2J"
		}
		live := &state.Integration{ID: fmt.Sprintf("00000000-0000-4000-8000-0000000000%02d", i), ReferenceID: ref, IntegrationType: "Okta", TenantURL: url, Active: true}
		desired := *live
		desired.Active = false
		p.Changes = append(p.Changes, plan.Change{Action: plan.Update, Resource: plan.ResourceIntegration, Key: ref,
			Integration: &plan.IntegrationChange{Before: live, After: &desired}, Fields: []plan.FieldDiff{{Field: state.FieldActive, Before: "true", After: "false"}}})
	}
	return Report{Kind: KindPlan, Accounts: []Account{{Plan: p, SpecFiles: []string{"prod.yaml"}}}}
}

// The observed failure: a PR that disables a detection or stops a
// risk-score feed looked like any other update. Now text and Markdown
// open with a banner naming each weakening change (at most 10, then "…
// and N more"), JSON has each change's class and the count in every
// summary, and the GitHub outputs have weakening=N.
func TestWeakeningBanner(t *testing.T) {
	r := weakeningReport(12)
	var text bytes.Buffer
	if err := WriteText(&text, r, TextOptions{}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(text.String(), "\n")
	if lines[0] != "Warning: This plan weakens detection or the flow of risk scores: 12 changes. riskctl apply refuses it without --approve-weakening." ||
		lines[2] != `  - integration "idp-01" (https://t01.okta.com): deactivated — Okta tenant https://t01.okta.com stops receiving risk scores` ||
		lines[11] != "  … and 2 more (--format json gives every change's class)" || lines[12] != "" ||
		!strings.HasPrefix(lines[13], "riskctl will perform the following actions") {
		t.Errorf("text does not open with the banner:\n%s", strings.Join(lines[:14], "\n"))
	}
	if strings.Contains(text.String(), "\x1b") || strings.Contains(lines[1], "imp_travel") || !strings.Contains(lines[1], `\u001B[2J`) {
		t.Errorf("the hostile line is not inert, or a strengthening change is named:\n%q", lines[1])
	}

	md := markdown(t, r, 0)
	banner, _, _ := strings.Cut(md, "<!-- riskctl:plan")
	if !strings.HasPrefix(banner, "> [!WARNING]\n> **This plan weakens detection or the flow of risk scores: 12 changes.**") ||
		!strings.Contains(banner, "> - `integration \"idp-01\" (https://t01.okta.com)`: `deactivated — Okta tenant https://t01.okta.com stops receiving risk scores`\n") ||
		!strings.Contains(banner, "> - … and 2 more") || strings.Contains(banner, "imp_travel") {
		t.Errorf("Markdown does not open with the banner:\n%s", banner)
	}
	if live := outsideCode(t, md); strings.Contains(live, "<img") || strings.Contains(live, "octocat") || strings.Contains(live, "forged") {
		t.Errorf("the banner shows live values outside code:\n%s", live)
	}

	var js bytes.Buffer
	if err := WriteJSON(&js, r, exitCodes); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Summary  struct{ Weakening *int }
		Accounts []struct {
			Summary struct{ Weakening *int }
			Plan    struct {
				Summary struct{ Weakening *int }
				Changes []struct{ Class string }
			}
		}
	}
	if err := json.Unmarshal(js.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	a := doc.Accounts[0]
	if doc.Summary.Weakening == nil || *doc.Summary.Weakening != 12 || a.Summary.Weakening == nil || *a.Summary.Weakening != 12 ||
		a.Plan.Summary.Weakening == nil || *a.Plan.Summary.Weakening != 12 {
		t.Errorf("JSON summaries lack weakening 12:\n%s", js.String())
	}
	if len(a.Plan.Changes) != 13 || a.Plan.Changes[0].Class != "strengthening" || a.Plan.Changes[1].Class != "weakening" {
		t.Errorf("JSON changes' classes: %+v", a.Plan.Changes)
	}

	if out := Outputs(r, 0, "changes"); !strings.Contains(out, "\nweakening=12\n") {
		t.Errorf("Outputs lack weakening=12:\n%s", out)
	}
}

// A plan with nothing weakening has no banner, and says weakening=0.
func TestNoWeakeningNoBanner(t *testing.T) {
	r := weakeningReport(0)
	var text bytes.Buffer
	if err := WriteText(&text, r, TextOptions{}); err != nil {
		t.Fatal(err)
	}
	if md := markdown(t, r, 0); strings.Contains(text.String(), "weakens") || strings.Contains(md, "weakens") {
		t.Errorf("a banner without weakening changes:\n%s\n%s", text.String(), md)
	}
	if out := Outputs(r, 0, "changes"); !strings.Contains(out, "\nweakening=0\n") {
		t.Errorf("Outputs lack weakening=0:\n%s", out)
	}
}
