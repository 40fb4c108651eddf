package apply

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/riskctl/riskctl/internal/plan"
	"github.com/riskctl/riskctl/internal/remote"
	"github.com/riskctl/riskctl/internal/textutil"
)

// Status is how one plan change ended.
type Status string

const (
	// StatusApplied: the live object now matches the change's After (or,
	// for a delete, is gone), whether by this run or an earlier one.
	StatusApplied Status = "applied"
	// StatusFailed: an API call failed; Err says which and why. Part of
	// the change may have happened (a replace whose create failed has
	// deleted the old integration); a fresh plan shows what is left.
	StatusFailed Status = "failed"
	// StatusSkipped: the change was never started, because the context
	// ended first. Nothing was sent for it.
	StatusSkipped Status = "skipped"
)

// ErrNotStarted is wrapped by the Err of a skipped action, together with
// the context's error.
var ErrNotStarted = errors.New("not started")

// ActionResult is the outcome of one plan change.
type ActionResult struct {
	// Index is the change's position in plan.Plan.Changes.
	Index int
	// Change is the plan change itself.
	Change plan.Change
	Status Status
	// Err is nil when Status is StatusApplied.
	Err error
	// ID is the server id of the integration the action ended on: the
	// updated or deleted one, or the one created (also when a later step
	// of the same action failed). Empty for behaviors, and when no
	// integration was reached.
	ID string
	// Note says what the run did beyond the change itself: for a create,
	// that a concurrent run had created the same reference_id first and
	// this run's copy was deleted (ID is then the survivor's).
	Note string
	// Duration is the wall time of the action's API calls (for behaviors,
	// of the one PUT they share), from when its step got a parallelism
	// slot and started its first request: time queued for the slot is not
	// counted. Zero for a skipped action.
	Duration time.Duration
	// Writes are the action's answered writes with their Cf-Auditlog-Id
	// and cf-ray (for behaviors, the one PUT they share): riskctl's own
	// entries in the account's audit log (docs/attribution.md).
	Writes []remote.Write
}

// Result is what Execute did.
type Result struct {
	// Actions holds one entry per plan change, in plan order.
	Actions []ActionResult
	// Applied, Failed and Skipped count Actions by Status.
	Applied, Failed, Skipped int
}

// Partial reports that some changes were applied and others were not
// (failed or skipped): live state is between the old and the planned one,
// and a re-run converges. The CLI exits 5 for it, and 1 when nothing was
// applied.
func (r Result) Partial() bool {
	return r.Applied > 0 && r.Failed+r.Skipped > 0
}

// Err returns nil when every action was applied, and an *Error otherwise.
func (r Result) Err() error {
	if r.Failed == 0 && r.Skipped == 0 {
		return nil
	}
	e := &Error{Total: len(r.Actions), Failed: r.Failed, Skipped: r.Skipped}
	// Behavior updates share one PUT, hence one error: report it once,
	// naming every key it failed.
	type group struct {
		keys []string
		err  error
	}
	var behaviors []*group
	byMsg := map[string]*group{}
	var skipErr error
	for _, a := range r.Actions {
		switch {
		case a.Status == StatusSkipped:
			if skipErr == nil && a.Err != nil {
				skipErr = a.Err
			}
		case a.Status != StatusFailed || a.Err == nil:
		case a.Change.Resource == plan.ResourceBehavior:
			g, seen := byMsg[a.Err.Error()]
			if !seen {
				g = &group{err: a.Err}
				byMsg[a.Err.Error()] = g
				behaviors = append(behaviors, g)
			}
			g.keys = append(g.keys, a.Change.Key)
		default:
			e.Errs = append(e.Errs, &ActionError{Label: label(a.Change), Err: a.Err})
		}
	}
	var first []error
	for _, g := range behaviors {
		first = append(first, &ActionError{Label: "behaviors " + strings.Join(g.keys, ", "), Err: g.err})
	}
	e.Errs = append(first, e.Errs...)
	if skipErr != nil {
		e.Errs = append(e.Errs, skipErr)
	}
	return e
}

// Error summarises an apply that did not fully succeed. It unwraps to the
// errors of the failed actions (and the reason actions were skipped), so
// errors.Is and errors.As see e.g. a *remote.APIError or
// context.Canceled.
type Error struct {
	Total   int     // actions in the plan
	Failed  int     // actions that failed
	Skipped int     // actions never started
	Errs    []error // one per failure (behaviors share one), then the skip reason
}

// Error reads "apply: 2 of 5 actions failed, 1 skipped", followed by one
// line per failure.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("apply: ")
	switch {
	case e.Failed > 0 && e.Skipped > 0:
		fmt.Fprintf(&b, "%d of %d actions failed, %d skipped", e.Failed, e.Total, e.Skipped)
	case e.Failed > 0:
		fmt.Fprintf(&b, "%d of %d actions failed", e.Failed, e.Total)
	default:
		fmt.Fprintf(&b, "%d of %d actions skipped", e.Skipped, e.Total)
	}
	for _, err := range e.Errs {
		b.WriteString("\n  ")
		b.WriteString(strings.ReplaceAll(err.Error(), "\n", "\n    "))
	}
	return b.String()
}

func (e *Error) Unwrap() []error { return e.Errs }

// ActionError is the failure of one action (or of the behaviors PUT),
// labelled with what it was about.
type ActionError struct {
	Label string // e.g. `integration "0b3f…"`, "behaviors imp_travel, high_dlp"
	Err   error
}

// Error is the label and the error, each line with textutil.Visible's
// escapes. The ids the server returned are escaped where an error names
// them, and the server's text by package remote, so data breaks no line;
// this keeps a terminal sequence out of any other (docs/security.md).
func (e *ActionError) Error() string {
	lines := strings.Split(e.Label+": "+e.Err.Error(), "\n")
	for i, l := range lines {
		lines[i] = textutil.Visible(l)
	}
	return strings.Join(lines, "\n")
}
func (e *ActionError) Unwrap() error { return e.Err }

// label names a change for progress lines and errors: behavior KEY
// (apply's own, shorter wording), or for an integration plan.Change.Title,
// which shows its tenant URL (host in ASCII) and its label, so that a
// progress line says which Okta tenant a write is about.
func label(c plan.Change) string {
	if c.Resource == plan.ResourceBehavior {
		return fmt.Sprintf("behavior %s", c.Key)
	}
	return c.Title()
}
