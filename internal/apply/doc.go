// Package apply executes a computed plan.Plan against the Risk Scoring API.
//
// It is the last step of desired → plan → apply, and it decides nothing
// about *what* to change: every write it makes comes from a plan.Change's
// action and its Before/After values (never from Change.Reason, which is
// for people). What apply owns is *how* the changes are carried out:
//
//   - Order. The behaviors PUT (only the changed managed keys),
//     replaces (delete, then create), creates and integration updates go
//     out together as the first wave: they touch different objects. Prune
//     deletes start only once every create and replace has settled, so a
//     feed moved to a new reference_id is never removed before its
//     replacement exists.
//   - Bounded concurrency. Up to Options.Parallelism steps run at once.
//     A failure never cancels its neighbours; only a step that depends on
//     a failed one (the create half of a replace whose delete failed) is
//     not attempted.
//   - Tolerance of work already done, so an interrupted or faulted apply
//     converges when it is run again: a delete answered 404 counts as
//     done, and a create whose outcome is unknown (*remote.AmbiguousError:
//     5xx or a broken connection after the request was sent) is resolved
//     by looking the reference_id up before anything is created again, so
//     a retry never leaves a duplicate.
//     The look-up allows for reads that lag writes (Options.ReadLagWindow).
//   - No duplicates from concurrent runs: once its creates have settled, a
//     run waits until the server's clock has left the second of its last
//     create (settleAt, at most DuplicateSettle after that create's
//     answer), beside the prune deletes, lists the account once and, for
//     each reference_id it created that another integration shares,
//     keeps state.Survivor's pick and deletes only its own copy, or a
//     late copy of a create whose answer was lost (see duplicates.go for
//     the argument and the window that remains).
//   - Reporting. Execute returns a Result with one ActionResult per plan
//     change, in plan order, and writes one progress line per settled
//     step to Options.Progress, counting the changes settled out of all
//     ("[37/100, 4m12s elapsed]") and timing the step's own work, not its
//     wait for a parallelism slot; a line when a step has been in flight
//     for Options.InFlightNotice and every Options.Heartbeat after, so a
//     slow API never looks like a hang; the duplicate check's lines; and,
//     when the run stops, one line counting the changes not started. The
//     lines are whole and plain, so they read the same in a CI log.
package apply
