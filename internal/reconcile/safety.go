package reconcile

import (
	"fmt"
	"strings"

	"github.com/riskctl/riskctl/internal/plan"
	"github.com/riskctl/riskctl/internal/state"
	"github.com/riskctl/riskctl/internal/textutil"
)

// DefaultMaxDeletes is how many integrations one apply may delete (prune
// deletes and replaces together) before it needs a higher limit.
const DefaultMaxDeletes = 3

// MaxRefusalNames is how many integrations a delete-limit refusal names;
// the others are counted ("… and 190 more"), so that a refusal of hundreds
// of deletes stays a few short lines in a terminal, a CI log, a step
// output and a pull-request comment.
const MaxRefusalNames = 10

// DeleteLimitError refuses plans that delete more integrations than
// allowed: a typo in a spec with prune on must not wipe an account. It
// matches plan.ErrRefused.
//
// It is the one rendering of the refusal: every output (the error on
// stderr, the Markdown caution, the JSON report, the GitHub step output)
// shows Sentence, then at most MaxRefusalNames names and how many more
// (Shown), as Lines or OneLine.
type DeleteLimitError struct {
	Limit int // --max-deletes
	// Names are the integrations the plans delete or replace, in plan
	// order: the reference_id (or "id ID" without one), then in
	// parentheses what is known of it: its tenant_url (host in ASCII,
	// state.DisplayURL), its label, "replace", and its account when the
	// run has several. They are raw live values: Shown
	// makes them safe to print.
	Names []string
	// Replaces counts the replaces among Names.
	Replaces int
}

// Deletes is how many integrations the plans delete, replaces included.
func (e *DeleteLimitError) Deletes() int { return len(e.Names) }

// Sentence is the refusal in one sentence: the counts and the fix.
func (e *DeleteLimitError) Sentence() string {
	n := e.Deletes()
	counts := ""
	if e.Replaces > 0 {
		counts = fmt.Sprintf(" (%d deleted, %d replaced)", n-e.Replaces, e.Replaces)
	}
	return fmt.Sprintf("the plan deletes %d integrations%s, more than --max-deletes %d allows; raise --max-deletes to %d if these deletes are intended, or fix the spec.",
		n, counts, e.Limit, n)
}

// Shown is the first MaxRefusalNames names, each on one line with its
// invisible characters made visible (textutil.Visible: a reference_id
// from live state may hold a newline, ANSI escapes or bidi controls), and
// how many names are left out.
func (e *DeleteLimitError) Shown() (names []string, more int) { return shownNames(e.Names) }

// shownNames are the first MaxRefusalNames of a refusal's names, each on
// one line and escaped, and how many are left out: the one rule for how
// both refusals (the delete limit, weakening) name what they refuse.
func shownNames(all []string) (names []string, more int) {
	for i, name := range all {
		if i == MaxRefusalNames {
			break
		}
		names = append(names, textutil.Visible(textutil.OneLine(name)))
	}
	return names, len(all) - len(names)
}

// refusalLines is a refusal as short lines: its sentence, "  - NAME" per
// name shown, and "  … and N more".
func refusalLines(sentence string, all []string) []string {
	names, more := shownNames(all)
	lines := []string{sentence}
	for _, n := range names {
		lines = append(lines, "  - "+n)
	}
	if more > 0 {
		lines = append(lines, "  "+moreLine(more))
	}
	return lines
}

// refusalOneLine is a refusal on one line: its sentence, then label and
// the names shown joined by sep, then "… and N more".
func refusalOneLine(sentence, label, sep string, all []string) string {
	names, more := shownNames(all)
	if more > 0 {
		names = append(names, moreLine(more))
	}
	return sentence + " " + label + ": " + strings.Join(names, sep)
}

// moreLine is what stands for the names left out: "… and 190 more".
func moreLine(more int) string { return fmt.Sprintf("… and %d more", more) }

// Lines is the refusal as short lines: the sentence, then one line per
// name shown ("  - NAME") and "  … and N more".
func (e *DeleteLimitError) Lines() []string { return refusalLines(e.Sentence(), e.Names) }

// OneLine is the refusal on one line (a GitHub step output): the
// sentence, then "Integrations: A, B, … and N more".
func (e *DeleteLimitError) OneLine() string {
	return refusalOneLine(e.Sentence(), "Integrations", ", ", e.Names)
}

func (e *DeleteLimitError) Error() string { return strings.Join(e.Lines(), "\n") }

func (e *DeleteLimitError) Is(target error) bool { return target == plan.ErrRefused }

// checkDeletes returns a *DeleteLimitError when the accounts' plans
// together delete (or replace) more than maxDeletes integrations. Plan and
// apply both call it, so a plan warns of what apply will refuse.
func checkDeletes(accounts []*Account, maxDeletes int) error {
	e := &DeleteLimitError{Limit: maxDeletes}
	for _, a := range accounts {
		for _, ch := range a.Plan.Changes {
			if !ch.Action.DeletesLive() {
				continue
			}
			name, about := ch.Key, []string{}
			if ch.Integration != nil && ch.Integration.Before != nil {
				if name == "" {
					name = "id " + ch.Integration.Before.ID
				}
				if u := ch.Integration.Before.TenantURL; u != "" {
					// Its host in ASCII, as every output prints it.
					about = append(about, state.DisplayURL(u))
				}
			}
			if l := ch.Label(); l != "" {
				about = append(about, fmt.Sprintf("label %q", l))
			}
			if ch.Action == plan.Replace {
				about = append(about, string(plan.Replace))
				e.Replaces++
			}
			if len(accounts) > 1 {
				about = append(about, "account "+a.Plan.AccountID)
			}
			if len(about) > 0 {
				name += " (" + strings.Join(about, ", ") + ")"
			}
			e.Names = append(e.Names, name)
		}
	}
	if e.Deletes() <= maxDeletes {
		return nil
	}
	return e
}

// WeakeningError refuses plans with weakening changes (a behavior
// disabled or its level lowered, an integration deactivated, deleted,
// replaced or moved to another tenant_url: internal/state/classes.go)
// unless the run approves them (ApplyOptions.ApproveWeakening,
// --approve-weakening): a detection removed in a pull request needs more
// than the usual approval. It matches plan.ErrRefused and renders like
// DeleteLimitError: Sentence, then at most MaxRefusalNames names and how
// many more.
type WeakeningError struct {
	// Names are the weakening changes, in plan order: the change's title,
	// its account when the run has several, and what it weakens. They
	// are raw live and spec values: Shown makes them safe to print.
	Names []string
}

// Sentence is the refusal in one sentence: the count and the fix.
func (e *WeakeningError) Sentence() string {
	n := len(e.Names)
	what := "change weakens"
	if n != 1 {
		what = "changes weaken"
	}
	return fmt.Sprintf("%d %s detection or the flow of risk scores; apply them with --approve-weakening once someone other than their author has approved them, or fix the spec.", n, what)
}

// Shown is the first MaxRefusalNames names made safe to print, and how
// many are left out.
func (e *WeakeningError) Shown() (names []string, more int) { return shownNames(e.Names) }

// Lines is the refusal as short lines: the sentence, "  - NAME" per name
// shown and "  … and N more".
func (e *WeakeningError) Lines() []string { return refusalLines(e.Sentence(), e.Names) }

// OneLine is the refusal on one line: the sentence, then "Weakening: A;
// B; … and N more" (names hold commas).
func (e *WeakeningError) OneLine() string {
	return refusalOneLine(e.Sentence(), "Weakening", "; ", e.Names)
}

func (e *WeakeningError) Error() string { return strings.Join(e.Lines(), "\n") }

func (e *WeakeningError) Is(target error) bool { return target == plan.ErrRefused }

// checkWeakening returns a *WeakeningError when the accounts' plans have
// weakening changes and approved is false. Apply calls it after the
// delete limit, before its approval question: a "yes" at the prompt is
// the author's own and does not approve a weakening.
func checkWeakening(accounts []*Account, approved bool) error {
	if approved {
		return nil
	}
	e := &WeakeningError{}
	for _, a := range accounts {
		for _, ch := range a.Plan.Changes {
			effects := ch.Effects()
			if state.ClassOfEffects(effects) != state.Weakening {
				continue
			}
			name := ch.Title()
			if len(accounts) > 1 {
				name += " (account " + a.Plan.AccountID + ")"
			}
			var whats []string
			for _, ef := range effects {
				if ef.Class == state.Weakening {
					whats = append(whats, ef.What)
				}
			}
			e.Names = append(e.Names, name+": "+strings.Join(whats, "; "))
		}
	}
	if len(e.Names) == 0 {
		return nil
	}
	return e
}
