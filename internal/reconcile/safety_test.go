package reconcile

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/riskctl/riskctl/internal/plan"
	"github.com/riskctl/riskctl/internal/state"
)

// deletesPlan is a plan of account that deletes n live integrations
// (ref-000, ref-001, …), the first one replaced instead.
func deletesPlan(account string, n int) plan.Plan {
	p := plan.Plan{AccountID: account}
	for i := range n {
		live := &state.Integration{ID: fmt.Sprintf("id-%03d", i), ReferenceID: fmt.Sprintf("ref-%03d", i), IntegrationType: "Okta", TenantURL: fmt.Sprintf("https://t%03d.okta.com", i)}
		action := plan.Delete
		if i == 0 {
			action = plan.Replace
		}
		p.Changes = append(p.Changes, plan.Change{Action: action, Resource: plan.ResourceIntegration, Key: live.ReferenceID, Integration: &plan.IntegrationChange{Before: live}})
	}
	return p
}

// A refusal of 200 deletes is short: the sentence with the counts and the
// fix, 10 names with their tenant_url, "… and 190 more"; no line is long.
func TestDeleteLimitRefusalIsShort(t *testing.T) {
	err := checkDeletes([]*Account{{Plan: deletesPlan(acctA, 200)}}, 10)
	e, ok := err.(*DeleteLimitError)
	if !ok {
		t.Fatalf("checkDeletes = %v, want a *DeleteLimitError", err)
	}
	const sentence = "the plan deletes 200 integrations (199 deleted, 1 replaced), more than --max-deletes 10 allows; raise --max-deletes to 200 if these deletes are intended, or fix the spec."
	if e.Sentence() != sentence {
		t.Errorf("Sentence() = %q\nwant        %q", e.Sentence(), sentence)
	}
	lines := e.Lines()
	if len(lines) != 12 || lines[0] != sentence || lines[1] != "  - ref-000 (https://t000.okta.com, replace)" ||
		lines[10] != "  - ref-009 (https://t009.okta.com)" || lines[11] != "  … and 190 more" {
		t.Errorf("Lines() =\n%s", strings.Join(lines, "\n"))
	}
	if got := err.Error(); got != strings.Join(lines, "\n") {
		t.Errorf("Error() is not Lines():\n%s", got)
	}
	for _, l := range strings.Split(err.Error(), "\n") {
		if len(l) > 200 {
			t.Errorf("a %d-byte line: %q", len(l), l)
		}
	}
	one := e.OneLine()
	if !strings.HasPrefix(one, sentence+" Integrations: ref-000 (https://t000.okta.com, replace), ref-001") ||
		!strings.HasSuffix(one, "ref-009 (https://t009.okta.com), … and 190 more") || strings.Contains(one, "ref-010") {
		t.Errorf("OneLine() = %q", one)
	}
	if names, more := e.Shown(); len(names) != MaxRefusalNames || more != 190 {
		t.Errorf("Shown() = %d names, %d more; want 10, 190", len(names), more)
	}
}

// At or under 10 deletes every name is shown and nothing is "more"; with
// several accounts each name says its account.
func TestDeleteLimitRefusalFewNamesSeveralAccounts(t *testing.T) {
	err := checkDeletes([]*Account{{Plan: deletesPlan(acctA, 2)}, {Plan: deletesPlan(acctB, 1)}}, 0)
	want := "the plan deletes 3 integrations (1 deleted, 2 replaced), more than --max-deletes 0 allows; raise --max-deletes to 3 if these deletes are intended, or fix the spec.\n" +
		"  - ref-000 (https://t000.okta.com, replace, account " + acctA + ")\n" +
		"  - ref-001 (https://t001.okta.com, account " + acctA + ")\n" +
		"  - ref-000 (https://t000.okta.com, replace, account " + acctB + ")"
	if err == nil || err.Error() != want {
		t.Errorf("got\n%v\nwant\n%s", err, want)
	}
}

// Live reference ids are printed inert: one line each, control characters
// made visible, so no name can forge a line or move the terminal.
func TestDeleteLimitRefusalEscapesNames(t *testing.T) {
	p := deletesPlan(acctA, 0)
	for _, ref := range []string{"evil\nError: forged line", "ansi\x1b[2J\x1b[31m", "bidi\u202Egnp.exe", ""} {
		live := &state.Integration{ID: "11111111-2222-4333-8444-555555555555", ReferenceID: ref, TenantURL: "https://x.okta.com\r\n"}
		p.Changes = append(p.Changes, plan.Change{Action: plan.Delete, Resource: plan.ResourceIntegration, Key: ref, Integration: &plan.IntegrationChange{Before: live}})
	}
	err := checkDeletes([]*Account{{Plan: p}}, 0)
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != 5 {
		t.Fatalf("%d lines, want the sentence and 4 names:\n%s", len(lines), err)
	}
	for _, raw := range []string{"\x1b", "\u202E", "\r"} {
		if strings.Contains(err.Error(), raw) {
			t.Errorf("holds %q raw:\n%q", raw, err.Error())
		}
	}
	// A tenant URL is shown as every output shows one (state.DisplayURL):
	// its line break as \u escapes.
	for _, want := range []string{`  - evil Error: forged line (https://x.okta.com\u000D\u000A)`, `ansi\u001B[2J\u001B[31m`, `bidi\u202Egnp.exe`, `  - id 11111111-2222-4333-8444-555555555555 (https://x.okta.com\u000D\u000A)`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("no %q in:\n%s", want, err)
		}
	}
}

// weakeningPlan is a plan of account with n behaviors disabled (b-000,
// b-001, …) and one integration created active (strengthening).
func weakeningPlan(account string, n int) plan.Plan {
	p := plan.Plan{AccountID: account}
	for i := range n {
		before := state.Behavior{Enabled: true, RiskLevel: "high", Name: fmt.Sprintf("Behavior %d", i)}
		after := before
		after.Enabled = false
		p.Changes = append(p.Changes, plan.Change{Action: plan.Update, Resource: plan.ResourceBehavior, Key: fmt.Sprintf("b-%03d", i),
			Behavior: &plan.BehaviorChange{Before: before, After: after}, Fields: []plan.FieldDiff{{Field: state.FieldEnabled, Before: "true", After: "false"}}})
	}
	in := &state.Integration{ReferenceID: "idp-new", IntegrationType: "Okta", TenantURL: "https://new.okta.com", Active: true}
	p.Changes = append(p.Changes, plan.Change{Action: plan.Create, Resource: plan.ResourceIntegration, Key: in.ReferenceID, Integration: &plan.IntegrationChange{After: in}})
	return p
}

// Weakening changes are refused unless approved, named like the delete
// limit's: the sentence, at most 10 names with what each weakens, "… and
// N more"; strengthening changes are not named.
func TestWeakeningRefusal(t *testing.T) {
	if err := checkWeakening([]*Account{{Plan: weakeningPlan(acctA, 12)}}, true); err != nil {
		t.Errorf("approved: %v", err)
	}
	if err := checkWeakening([]*Account{{Plan: weakeningPlan(acctA, 0)}}, false); err != nil {
		t.Errorf("nothing weakens: %v", err)
	}
	err := checkWeakening([]*Account{{Plan: weakeningPlan(acctA, 12)}}, false)
	e, ok := err.(*WeakeningError)
	if !ok || !errors.Is(err, plan.ErrRefused) {
		t.Fatalf("checkWeakening = %v, want a *WeakeningError matching plan.ErrRefused", err)
	}
	lines := e.Lines()
	want0 := "12 changes weaken detection or the flow of risk scores; apply them with --approve-weakening once someone other than their author has approved them, or fix the spec."
	if len(lines) != 12 || lines[0] != want0 ||
		lines[1] != `  - behavior "b-000": disabled — "Behavior 0" detections stop raising risk scores` ||
		lines[11] != "  … and 2 more" || strings.Contains(err.Error(), "idp-new") {
		t.Errorf("Lines() =\n%s", strings.Join(lines, "\n"))
	}
	if one := e.OneLine(); !strings.HasPrefix(one, want0+` Weakening: behavior "b-000": disabled`) || !strings.HasSuffix(one, "; … and 2 more") {
		t.Errorf("OneLine() = %q", one)
	}
	two := checkWeakening([]*Account{{Plan: weakeningPlan(acctA, 1)}, {Plan: weakeningPlan(acctB, 0)}}, false)
	if two == nil || !strings.Contains(two.Error(), `behavior "b-000" (account `+acctA+`): disabled`) || !strings.HasPrefix(two.Error(), "1 change weakens") {
		t.Errorf("several accounts: %v", two)
	}
}
