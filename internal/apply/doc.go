// Package apply executes a computed plan.Plan against the Risk Scoring API.
//
// It is the last step of desired → plan → apply, and it decides nothing
// about *what* to change: every write it makes comes from a plan.Change's
// action and its Before/After values (never from Change.Reason, which is
// for people). What apply owns is *how* the changes are carried out:
//
//   - Order. Changes run in phases, each waiting for the previous one:
//     the behaviors (one PUT carrying only the changed managed keys),
//     integration updates, replaces (delete, then create), creates, and
//     prune deletes last, so nothing is removed before everything else
//     has had its chance.
//   - Bounded concurrency. Within a phase up to Options.Parallelism
//     actions run at once. A failure never cancels its neighbours; only a
//     step that depends on a failed one (the create half of a replace
//     whose delete failed) is not attempted.
//   - Tolerance of work already done, so an interrupted or faulted apply
//     converges when it is run again: a delete answered 404 counts as
//     done, and a create whose outcome is unknown (*remote.AmbiguousError:
//     5xx or a broken connection after the request was sent) is resolved
//     by looking the reference_id up before anything is created again, so
//     a retry never leaves a duplicate.
//   - No duplicates from concurrent runs: after its creates, a run lists
//     the account once (DuplicateSettle after its last create answer) and,
//     for each reference_id it created that another integration shares,
//     keeps state.Survivor's pick and deletes only its own copy (see
//     duplicates.go for the argument and the window that remains).
//   - Reporting. Execute returns a Result with one ActionResult per plan
//     change, in plan order, and writes one progress line per settled
//     step to Options.Progress, counting the changes settled out of all
//     ("[37/100, 4m12s elapsed]") and timing the step's own work, not its
//     wait for a parallelism slot. It writes nothing else (no "still
//     waiting" lines), so the lines read the same in a CI log.
package apply
