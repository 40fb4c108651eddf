// Package reconcile is riskctl's run: the specs of a run, one API client
// per account, live state fetched and plans computed across accounts
// concurrently, the safety rules every plan passes (the delete limit; plan
// itself enforces protect, targets and duplicate live references), saving
// a plan and loading a saved one for apply (checked by package planfile),
// applying across accounts, and drift.
//
// It is plain functions over option structs, io.Writers and a context. It
// may read spec files, write a saved plan, and talk to the API through the
// clients its Connect gives it. It knows nothing of flags, environment
// variables, exit codes or output formats: errors carry their meaning as
// types (spec.Errors, plan.ErrRefused, *UsageError), which the CLI maps to
// exit codes, and reports are rendered by package report.
package reconcile
