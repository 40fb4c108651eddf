package cli

import (
	"regexp"
	"strings"
	"testing"

	ucli "github.com/urfave/cli/v2"

	"github.com/riskctl/riskctl/internal/reconcile"
	"github.com/riskctl/riskctl/internal/report"
)

// Every status of the engine has one row: an exit code, an exit reason
// and help words.
func TestStatusTableCoversEveryStatus(t *testing.T) {
	if len(statuses) != len(reconcile.Statuses) {
		t.Errorf("the table has %d rows for %d statuses", len(statuses), len(reconcile.Statuses))
	}
	codes := map[int]bool{}
	for _, s := range reconcile.Statuses {
		row, ok := statuses[s]
		if !ok {
			t.Errorf("status %v has no row", s)
			continue
		}
		if row.reason == "" || row.help == "" || row.code < 0 || row.code > 125 {
			t.Errorf("status %v: row %+v", s, row)
		}
		codes[row.code] = true
	}
	for _, c := range []int{ExitOK, ExitError, ExitChanges, ExitInvalid, ExitRefused, ExitPartial} {
		if !codes[c] {
			t.Errorf("exit code %d is no status's", c)
		}
	}
	if statuses[reconcile.StatusOK].code != 0 {
		t.Errorf("ok must exit 0")
	}
}

// The exit reason of each command and status, as GitHub outputs say it.
func TestReasonOf(t *testing.T) {
	for _, tc := range []struct {
		kind    report.Kind
		status  reconcile.Status
		changes bool
		want    string
	}{
		{report.KindPlan, reconcile.StatusOK, false, "no-changes"},
		{report.KindPlan, reconcile.StatusChanges, true, "changes"},
		{report.KindDrift, reconcile.StatusOK, false, "in-sync"},
		{report.KindDrift, reconcile.StatusChanges, true, "drift"},
		{report.KindApply, reconcile.StatusOK, true, "applied"},
		{report.KindApply, reconcile.StatusOK, false, "no-changes"},
		{report.KindApply, reconcile.StatusPartial, true, "partial"},
		{report.KindApply, reconcile.StatusRefused, true, "refused"},
		{report.KindApply, reconcile.StatusCancelled, true, "cancelled"},
		{report.KindPlan, reconcile.StatusRefused, true, "refused"},
		{report.KindPlan, reconcile.StatusInvalid, false, "invalid"},
		{report.KindDrift, reconcile.StatusInvalid, false, "invalid"},
		{report.KindDrift, reconcile.StatusError, false, "error"},
		{report.KindApply, reconcile.StatusError, true, "error"},
	} {
		if got := reasonOf(tc.kind, tc.status, tc.changes); got != tc.want {
			t.Errorf("reasonOf(%s, %v, %t) = %q, want %q", tc.kind, tc.status, tc.changes, got, tc.want)
		}
	}
}

// An exit code in help text: "exit 2", "Exit codes: 0 ...".
var exitCodeText = regexp.MustCompile(`(?i)\bexit (codes?:? *)?[0-9]|\bexit codes:`)

// No help text writes an exit code by hand: each command's "Exit codes:"
// lines are exitCodesHelp's, from the table, and nothing else in its help
// (usage, description, flags) names a code.
func TestHelpExitCodesComeFromTheTable(t *testing.T) {
	seen := map[string]bool{}
	var walk func(prefix string, cmds []*ucli.Command)
	walk = func(prefix string, cmds []*ucli.Command) {
		for _, c := range cmds {
			name := strings.TrimSpace(prefix + " " + c.Name)
			walk(name, c.Subcommands)
			desc := c.Description
			if lines, ok := commandExits[name]; ok {
				seen[name] = true
				want := exitCodesHelp(lines...)
				if !strings.HasPrefix(desc, want) {
					t.Errorf("%s: help does not start with the table's exit codes:\n%s", name, desc)
				}
				desc = strings.TrimPrefix(desc, want)
			}
			texts := []string{c.Usage, c.UsageText, desc}
			for _, f := range c.Flags {
				if u, ok := f.(interface{ GetUsage() string }); ok && u.GetUsage() != detailedExitcodeUsage() {
					texts = append(texts, u.GetUsage())
				}
			}
			for _, text := range texts {
				if m := exitCodeText.FindString(text); m != "" {
					t.Errorf("%s: help writes an exit code by hand (%q) in:\n%s", name, m, text)
				}
			}
		}
	}
	walk("", NewApp(Streams{}).Commands)
	for name := range commandExits {
		if !seen[name] {
			t.Errorf("commandExits names %q, which is not a command", name)
		}
	}
	if got := detailedExitcodeUsage(); got != "exit 2 when there are changes (0: none, 1: error)" {
		t.Errorf("--detailed-exitcode: %q", got)
	}
}
