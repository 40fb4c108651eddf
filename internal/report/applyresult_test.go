package report

import (
	"strings"
	"testing"

	"github.com/riskctl/riskctl/internal/apply"
	"github.com/riskctl/riskctl/internal/plan"
)

// results is an apply.Result of actions "ACTION:STATUS" (create:applied).
func results(actions ...string) *apply.Result {
	r := &apply.Result{}
	for _, a := range actions {
		action, status, _ := strings.Cut(a, ":")
		ar := apply.ActionResult{Change: plan.Change{Action: plan.Action(action)}, Status: apply.Status(status)}
		switch ar.Status {
		case apply.StatusApplied:
			r.Applied++
		case apply.StatusFailed:
			r.Failed++
		default:
			r.Skipped++
		}
		r.Actions = append(r.Actions, ar)
	}
	return r
}

// Apply's closing line is Terraform's: "complete" only when every action
// of every account applied, with what was added, changed (behavior
// updates included), replaced and destroyed, summed over accounts; an
// incomplete apply gives the same counts of what landed, then what failed
// and what did not start. An emulated run says so after it.
func TestWriteApplyResult(t *testing.T) {
	for _, tc := range []struct {
		name     string
		results  []*apply.Result
		emulated bool
		want     string
	}{
		{"complete", []*apply.Result{results("update:applied", "create:applied", "delete:applied")}, false,
			"\nApply complete! 1 added, 1 changed, 0 replaced, 1 destroyed.\n"},
		{"two accounts", []*apply.Result{results("update:applied", "update:applied", "replace:applied"), nil, results("create:applied", "create:applied")}, false,
			"\nApply complete! 2 added, 2 changed, 1 replaced, 0 destroyed.\n"},
		{"incomplete", []*apply.Result{results("create:applied", "update:failed"), results("delete:applied", "update:applied", "create:skipped", "create:skipped", "delete:skipped", "replace:skipped")}, false,
			"\nApply incomplete: 1 added, 1 changed, 0 replaced, 1 destroyed; 1 failed, 4 not started.\n"},
		{"emulated", []*apply.Result{results("create:applied")}, true,
			"\nApply complete! 1 added, 0 changed, 0 replaced, 0 destroyed.\nEmulated (--emulate): no Cloudflare account was read or changed.\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := Report{Kind: KindApply, Emulated: tc.emulated}
			for _, res := range tc.results {
				r.Accounts = append(r.Accounts, Account{AccountID: "a", Result: res})
			}
			var b strings.Builder
			if err := WriteApplyResult(&b, r); err != nil {
				t.Fatal(err)
			}
			if b.String() != tc.want {
				t.Errorf("got %q, want %q", b.String(), tc.want)
			}
		})
	}
}

// A plan's notes on stderr are report's text too.
func TestPlanNotes(t *testing.T) {
	var b strings.Builder
	if err := WritePartialWarning(&b); err != nil {
		t.Fatal(err)
	}
	for _, n := range []struct{ out, saved, notSaved string }{
		{"", "", ""},
		{"p.json", "p.json", ""},
		{"q.json", "", "apply would refuse it"},
	} {
		if err := WriteSaveNote(&b, n.out, n.saved, n.notSaved); err != nil {
			t.Fatal(err)
		}
	}
	want := "Warning: partial plan: only the targeted objects are planned; other differences are not shown.\n" +
		"Saved the plan to p.json. Apply exactly this plan with: riskctl apply p.json\n" +
		"Not saving the plan to q.json: apply would refuse it.\n"
	if b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
}
