package report

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/riskctl/riskctl/internal/apply"
	"github.com/riskctl/riskctl/internal/assess"
	"github.com/riskctl/riskctl/internal/plan"
	"github.com/riskctl/riskctl/internal/reconcile"
	"github.com/riskctl/riskctl/internal/remote"
	"github.com/riskctl/riskctl/internal/state"
	"github.com/riskctl/riskctl/internal/textutil"
)

// Kind is the command a Report is about.
type Kind string

const (
	KindPlan  Kind = "plan"  // riskctl plan: what apply would do
	KindApply Kind = "apply" // riskctl apply: what was done
	KindDrift Kind = "drift" // riskctl drift: how live differs from the spec
)

// Report is the outcome of one run over one or more accounts, in the order
// the accounts were given. Renderers read only these values.
type Report struct {
	Kind     Kind
	Accounts []Account
	// RiskctlVersion is written to the JSON form (and to the Markdown
	// footer when not empty).
	RiskctlVersion string
	// Emulated: the run's API was the embedded emulator (--emulate), so
	// no Cloudflare account was read or changed. Every format says so
	// (emulatedNote, the Markdown title, "emulated" in JSON and the step
	// outputs). Only what riskctl knows for sure: a base URL pointing at
	// `riskctl emulator serve` cannot be told from a real API, and is not
	// marked.
	Emulated bool
	// ApplyRefusal, when not nil, is why apply will refuse this plan (a
	// safety rule such as the delete limit, with its fix): plan says so
	// before merge, in every format, rather than apply after it. Every
	// format shows the same short content (refusalLines, refusalOneLine).
	ApplyRefusal error
	// Writes are every write apply made and had answered
	// (reconcile.Outcome.Writes): riskctl's own audit-log entries, in the
	// JSON report and the step outputs (attribution.go). KindApply only.
	Writes []remote.Write
}

// Account is the outcome for one account.
type Account struct {
	// AccountID names the account; when empty, Plan.AccountID is used.
	AccountID string
	// SpecFiles are the spec files the account's desired state came from.
	SpecFiles []string
	// Plan is nil when the account failed before planning.
	Plan *plan.Plan
	// Result is what apply did (KindApply only); nil when apply did not
	// start (no changes, a refusal, an earlier error).
	Result *apply.Result
	// Err is this account's failure, already safe to print (no secrets).
	Err error
	// Status is how this account ended (the run's is the worst).
	Status reconcile.Status

	// What the plan means (reconcile.Account's fields of the same names,
	// rendered by meaning.go): Access impact, whether Access was read, and
	// the wiring findings.
	AccessImpact     []assess.Impact
	AccessChecked    bool
	AccessNotChecked string
	AccessOff        bool // not read on purpose: JSON says so, text and Markdown do not
	Findings         []assess.Finding

	// Who changed each drifted object, by index in Plan.Changes, and why
	// nobody could be named for any (reconcile.Account's fields of the
	// same names, rendered by attribution.go).
	Attribution map[int]reconcile.Attribution
	AuditNote   string
}

// HasUnmanagedActive reports whether a has an active integration no spec
// manages (a finding the spec does not allow): drift, though no object of
// the spec differs.
func (a Account) HasUnmanagedActive() bool {
	for _, f := range a.Findings {
		if f.Kind == assess.KindUnmanagedActiveIntegration {
			return true
		}
	}
	return false
}

// Drifted reports whether a drift report counts a as drifted: changes, or
// an active integration no spec manages.
func (a Account) Drifted() bool { return a.HasChanges() || a.HasUnmanagedActive() }

// ID is the account's id: AccountID, else the plan's, else "".
func (a Account) ID() string {
	if a.AccountID != "" {
		return a.AccountID
	}
	if a.Plan != nil {
		return a.Plan.AccountID
	}
	return ""
}

// HasChanges reports whether the account's plan has changes: changes
// pending (plan), drift (drift) or changes attempted (apply).
func (a Account) HasChanges() bool { return a.Plan != nil && a.Plan.HasChanges() }

// Summary counts the account's plan changes (zero without a plan).
func (a Account) Summary() plan.Summary {
	if a.Plan == nil {
		return plan.Summary{}
	}
	return a.Plan.Summary()
}

// HasChanges reports whether any account's plan has changes; for drift,
// whether any account drifted (Drifted).
func (r Report) HasChanges() bool {
	for _, a := range r.Accounts {
		if a.HasChanges() || (r.Kind == KindDrift && a.Drifted()) {
			return true
		}
	}
	return false
}

// Totals counts the changes of every account's plan, as plan.Summary does.
func (r Report) Totals() plan.Summary {
	var all []plan.Change
	for _, a := range r.Accounts {
		if a.Plan != nil {
			all = append(all, a.Plan.Changes...)
		}
	}
	return plan.SummaryOf(all)
}

// weakeningItem is one weakening change in a banner: its title (with
// its account when the report has several) and what it weakens. Both are
// raw live and spec values: each renderer makes them safe.
type weakeningItem struct{ title, what string }

// weakening lists the first maxBannerItems weakening changes of every
// account's plan, in order (state.Weakening: internal/state/classes.go
// decides), and counts them all.
func (r Report) weakening() (items []weakeningItem, total int) {
	for _, a := range r.Accounts {
		if a.Plan == nil {
			continue
		}
		for _, c := range a.Plan.Changes {
			if c.Class() != state.Weakening {
				continue
			}
			if total++; total > maxBannerItems {
				continue // counted, not named: no words to build
			}
			title := c.Title()
			if len(r.Accounts) > 1 {
				title += " (account " + a.ID() + ")"
			}
			var whats []string
			for _, e := range c.Effects() {
				if e.Class == state.Weakening {
					whats = append(whats, e.What)
				}
			}
			items = append(items, weakeningItem{title: title, what: strings.Join(whats, "; ")})
		}
	}
	return items, total
}

// weakeningLead is the banner's first sentence for n weakening changes.
func weakeningLead(n int) string {
	return "This plan weakens detection or the flow of risk scores: " + plural(n, "change", "changes") + "."
}

// weakeningRule says what apply does with them.
const weakeningRule = "riskctl apply refuses it without --approve-weakening."

// failed counts the accounts with an error.
func (r Report) failed() int {
	n := 0
	for _, a := range r.Accounts {
		if a.Err != nil {
			n++
		}
	}
	return n
}

// totalChanges counts the plan changes over every account.
func (r Report) totalChanges() int {
	n := 0
	for _, a := range r.Accounts {
		if a.Plan != nil {
			n += len(a.Plan.Changes)
		}
	}
	return n
}

// plural returns "1 thing" or "n things".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// emulatedNote opens the text of an emulated run, and closes an emulated
// apply's.
const emulatedNote = EmulatedNote

// EmulatedNote is the line that says a run was against the embedded
// emulator; commands whose output has no header (lists, export, users)
// print it on stderr (internal/cli's stopEmulator).
const EmulatedNote = "Emulated (--emulate): no Cloudflare account was read or changed."

// tally counts what apply did, as Terraform does: the applied actions by
// what they did (a behavior update is a change), and those that failed or
// did not start.
type tally struct {
	added, changed, replaced, destroyed int
	failed, notStarted                  int
}

// tallyOf counts the actions of results.
func tallyOf(results ...*apply.Result) tally {
	var t tally
	for _, r := range results {
		if r == nil {
			continue
		}
		for _, ar := range r.Actions {
			switch {
			case ar.Status == apply.StatusFailed:
				t.failed++
			case ar.Status != apply.StatusApplied:
				t.notStarted++
			case ar.Change.Action == plan.Create:
				t.added++
			case ar.Change.Action == plan.Replace:
				t.replaced++
			case ar.Change.Action == plan.Delete:
				t.destroyed++
			default:
				t.changed++
			}
		}
	}
	return t
}

// tally counts apply's results over every account that applied.
func (r Report) tally() tally {
	results := make([]*apply.Result, 0, len(r.Accounts))
	for _, a := range r.Accounts {
		results = append(results, a.Result)
	}
	return tallyOf(results...)
}

// done reads "2 added, 3 changed, 0 replaced, 1 destroyed".
func (t tally) done() string {
	return fmt.Sprintf("%d added, %d changed, %d replaced, %d destroyed", t.added, t.changed, t.replaced, t.destroyed)
}

// line is apply's result: "Apply complete! 2 added, 3 changed, 0
// replaced, 1 destroyed." only when nothing failed or was left, else
// "Apply incomplete: …; 1 failed, 4 not started."
func (t tally) line() string {
	if t.failed+t.notStarted == 0 {
		return "Apply complete! " + t.done() + "."
	}
	return fmt.Sprintf("Apply incomplete: %s; %d failed, %d not started.", t.done(), t.failed, t.notStarted)
}

// counts reads "2 added, 3 changed, 0 replaced, 1 destroyed; 1 failed,
// 4 not started": an account's or a run's results, with the counts of
// the result line (line).
func (t tally) counts() string {
	return fmt.Sprintf("%s; %d failed, %d not started", t.done(), t.failed, t.notStarted)
}

// ignoredLine reads "N differences ignored by the spec's ignore lists".
func ignoredLine(n int) string {
	return plural(n, "difference", "differences") + " ignored by the spec's ignore lists"
}

// shortRefusal is a refusal that says itself in short lines: a sentence,
// a few names and how many more (reconcile.DeleteLimitError).
type shortRefusal interface {
	Lines() []string
	OneLine() string
}

// refusalLines is err as the lines every format shows: a short refusal's
// own, else the lines of its message, each with its invisible characters
// made visible.
func refusalLines(err error) []string {
	var sr shortRefusal
	if errors.As(err, &sr) {
		return sr.Lines()
	}
	lines := strings.Split(textutil.JoinLines(strings.TrimRight(err.Error(), "\n"), "\n"), "\n")
	for i, l := range lines {
		lines[i] = textutil.Visible(l)
	}
	return lines
}

// refusalOneLine is err on one line (the GitHub output apply_refusal, the
// JSON report's), with the same content as refusalLines.
func refusalOneLine(err error) string {
	var sr shortRefusal
	if errors.As(err, &sr) {
		return sr.OneLine()
	}
	return strings.TrimSpace(textutil.Visible(textutil.OneLine(err.Error())))
}
