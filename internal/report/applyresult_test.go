package report

import (
	"strings"
	"testing"

	"github.com/riskctl/riskctl/internal/apply"
)

// Apply's closing line is report's text like the rest: "complete" only
// when every action of every account applied, counts summed over accounts.
func TestWriteApplyResult(t *testing.T) {
	for _, tc := range []struct {
		name    string
		results []*apply.Result
		want    string
	}{
		{"complete", []*apply.Result{{Applied: 3}}, "\nApply complete! 3 applied.\n"},
		{"two accounts", []*apply.Result{{Applied: 3}, nil, {Applied: 2}}, "\nApply complete! 5 applied.\n"},
		{"incomplete", []*apply.Result{{Applied: 1, Failed: 1}, {Applied: 2, Skipped: 4}},
			"\nApply incomplete: 3 applied, 1 failed, 4 not started.\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := Report{Kind: KindApply}
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
