package notify

import (
	"github.com/riskctl/riskctl/internal/apply"
	"github.com/riskctl/riskctl/internal/reconcile"
	"github.com/riskctl/riskctl/internal/report"
	"github.com/riskctl/riskctl/internal/state"
)

// Run is one run's outcome as the notifier reads it: what the CLI
// rendered, nothing more.
type Run struct {
	// Report is the run's report (its Kind is the command).
	Report report.Report
	// Status is the run's status.
	Status reconcile.Status
	// Refusal is why a safety rule refused the run (apply), or why apply
	// would refuse the plan (plan); nil when none did.
	Refusal error
	// Err is a failure of the run itself, beside its accounts (a saved
	// plan refused, specs that do not load), already safe to print.
	Err error
	// RunURL is where the run can be read (a CI job's page), "" when
	// unknown.
	RunURL string
	// Actor is who started the run (the CI's user), "" when unknown.
	// Messages about plan and apply name it; drift's do not, since a
	// scheduled job's "actor" is whoever last edited the schedule.
	Actor string
}

// Event is one thing a run did that the people on call should hear of.
type Event string

// The events, in the order a message tells them (the most urgent first:
// the first names the message).
const (
	// EventApplyFailed: apply failed in an account (nothing or part of
	// the plan applied), or could not start.
	EventApplyFailed Event = "apply_failed"
	// EventApplyRefused: a safety rule refused apply; nothing was changed.
	EventApplyRefused Event = "apply_refused"
	// EventApplyWeakened: apply applied changes that weaken detection or
	// the flow of risk scores (approved with --approve-weakening).
	EventApplyWeakened Event = "apply_weakened"
	// EventDrift: live differs from the spec, or an active integration no
	// spec manages streams risk scores.
	EventDrift Event = "drift"
	// EventDriftCheckFailed: drift could not check an account: drift may
	// be there unseen.
	EventDriftCheckFailed Event = "drift_check_failed"
	// EventFindings: the wiring is broken (assess.Findings): an identity
	// provider missing or mismatched, an active integration unmanaged.
	EventFindings Event = "findings"
	// EventCleared: the last message's events are gone (only known with
	// a state file): drift cleared, findings fixed, apply back to normal.
	EventCleared Event = "cleared"
)

var eventOrder = []Event{EventApplyFailed, EventApplyRefused, EventApplyWeakened, EventDrift, EventDriftCheckFailed, EventFindings, EventCleared}

// Events are the events of run, in eventOrder; none means the run is
// quiet (a plan with changes and nothing broken, a clean apply, no drift).
func Events(run Run) []Event {
	r := run.Report
	has := map[Event]bool{}
	switch r.Kind {
	case report.KindApply:
		switch run.Status {
		case reconcile.StatusRefused:
			has[EventApplyRefused] = true
		case reconcile.StatusInvalid, reconcile.StatusPartial, reconcile.StatusError:
			has[EventApplyFailed] = true
		}
		if len(weakenedApplied(r)) > 0 {
			has[EventApplyWeakened] = true
		}
	case report.KindDrift:
		if run.Status >= reconcile.StatusInvalid {
			has[EventDriftCheckFailed] = true
		}
		for _, a := range r.Accounts {
			if a.Err == nil && a.Drifted() {
				has[EventDrift] = true
			}
		}
	}
	for _, a := range r.Accounts {
		if len(a.Findings) > 0 {
			has[EventFindings] = true
		}
	}
	var out []Event
	for _, e := range eventOrder {
		if has[e] {
			out = append(out, e)
		}
	}
	return out
}

// appliedChange is one change apply made, with its account.
type appliedChange struct {
	account string
	result  apply.ActionResult
}

// weakenedApplied lists the weakening changes apply applied, over every
// account (state.Weakening: internal/state/classes.go decides).
func weakenedApplied(r report.Report) []appliedChange {
	if r.Kind != report.KindApply {
		return nil
	}
	var out []appliedChange
	for _, a := range r.Accounts {
		if a.Result == nil {
			continue
		}
		for _, ar := range a.Result.Actions {
			if ar.Status == apply.StatusApplied && ar.Change.Class() == state.Weakening {
				out = append(out, appliedChange{account: a.ID(), result: ar})
			}
		}
	}
	return out
}
