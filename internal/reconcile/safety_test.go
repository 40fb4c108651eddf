package reconcile

import (
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
