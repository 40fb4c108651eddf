package reconcile

import (
	"errors"

	"github.com/riskctl/riskctl/internal/plan"
	"github.com/riskctl/riskctl/internal/remote"
	"github.com/riskctl/riskctl/internal/spec"
)

// Status is how a run, or one account of it, ended. The constants are in
// order of severity: a run over several accounts has the worst status of
// its accounts (Worst). The CLI maps each to an exit code, an exit reason
// and the exit-code lines of its help; reconcile knows none of those.
type Status int

const (
	// StatusOK: nothing to do, or everything done.
	StatusOK Status = iota
	// StatusChanges: changes pending (plan) or drift (drift).
	StatusChanges
	// StatusInvalid: input the user must fix: a spec, a target, an
	// output path, a saved plan that cannot be read.
	StatusInvalid
	// StatusRefused: a safety rule refused the run (the delete limit,
	// protect, a stale or edited saved plan, no one to approve).
	StatusRefused
	// StatusCancelled: the approval was asked for and not given; nothing
	// was applied.
	StatusCancelled
	// StatusPartial: apply applied some changes and not others.
	StatusPartial
	// StatusError: a failure that leaves the outcome unknown (the API,
	// the network, credentials). It ranks above everything.
	StatusError
)

// Statuses lists every Status, in order of severity.
var Statuses = []Status{StatusOK, StatusChanges, StatusInvalid, StatusRefused, StatusCancelled, StatusPartial, StatusError}

var statusNames = [...]string{"ok", "changes", "invalid", "refused", "cancelled", "partial", "error"}

func (s Status) String() string {
	if s < 0 || int(s) >= len(statusNames) {
		return "unknown"
	}
	return statusNames[s]
}

// Worst returns the more severe of a and b.
func Worst(a, b Status) Status { return max(a, b) }

// StatusOfResults is the status of changes made one at a time, apply's
// and `users reset`'s: applied is how many landed, failed the worst status
// of those that did not (StatusOK when none failed). Once anything was
// applied and anything failed the run is StatusPartial, whatever failed:
// what was changed matches neither the old state nor what was asked.
func StatusOfResults(applied int, failed Status) Status {
	if failed != StatusOK && applied > 0 {
		return StatusPartial
	}
	return failed
}

// StatusOf classifies an error: input errors (spec.Errors, an unknown
// target, *UsageError, a bad base URL) are StatusInvalid, safety
// refusals (plan.ErrRefused) StatusRefused, anything else StatusError.
// nil is StatusOK.
func StatusOf(err error) Status {
	if err == nil {
		return StatusOK
	}
	var specErrs spec.Errors
	var badTarget *plan.UnknownTargetError
	var usage *UsageError
	switch {
	case errors.As(err, &specErrs), errors.As(err, &badTarget), errors.As(err, &usage), errors.Is(err, remote.ErrBaseURL):
		return StatusInvalid
	case errors.Is(err, plan.ErrRefused):
		return StatusRefused
	}
	return StatusError
}
