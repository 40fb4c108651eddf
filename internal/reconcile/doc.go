// Package reconcile is riskctl's engine: one entry per command that
// reconciles, each taking options and returning an Outcome with one
// Status (ok, changes, invalid, refused, cancelled, partial, error):
//
//   - Plan: load the specs, connect to each account, fetch its live state
//     and compute its plan (several accounts at once), check the rules
//     apply enforces (the delete limit), and save the plan when asked.
//   - Apply: the same plans from spec files, or a saved plan loaded and
//     checked (package planfile); the delete limit; the Approve hook (the
//     CLI's prompt); execution (package apply), one account after the
//     other.
//   - Drift: the plans, as a report of how live differs from the specs.
//
// The rules that turn what happened into a Status live here: an account's
// status from its error (StatusOf), the worst account's status for the run
// (Worst), partial once anything was applied, a refusal's and a declined
// approval's, and when a plan is not saved.
//
// It is plain functions over option structs, io.Writers and a context. It
// may read spec files, write a saved plan, and talk to the API through the
// clients its Connect gives it. It knows nothing of flags, environment
// variables, exit codes or output formats: the CLI maps a Status to those,
// and package report renders an Outcome.
package reconcile
