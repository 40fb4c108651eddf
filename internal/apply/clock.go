package apply

import (
	"context"
	"fmt"
	"time"
)

// The duplicate check (duplicates.go) must list the account only once the
// server's clock has left the second in which it stamped this run's last
// create: created_at has whole seconds (docs/api.md#integrations), so a
// copy a concurrent run creates later in that same second gets the same
// created_at and may outrank this run's copy on its id, and the check has
// to see it. The server's clock is not ours, but every create answer
// bounds it from below:
//
//   - an answer stamped S (created_at, the server's clock floored to the
//     second when it created the integration) and received at local time t
//     proves that the server's clock read at least S by t, i.e. its offset
//     from ours (server − local) is at least S − t;
//   - the largest such bound over all answers of the run, offset_lo, holds
//     for all of them (the clocks run at the same rate over seconds);
//   - the server's clock has passed S_last + 1 s (S_last the latest
//     created_at of the run) once the local clock reads
//     S_last + 1 s − offset_lo.
//
// For one create that is exactly one second after its answer (S − t + 1 s
// − (S − t)); with several, one answer received just after the server's
// clock turned a second pins the offset down to its round trip, and the
// wait is often much shorter: answers received at 14:02:07.02 and
// 14:02:07.90 (local), both stamped 14:02:07, need the server's clock past
// 14:02:08 and prove its offset is at least −20 ms, so the check lists at
// 14:02:08.02 local (plus clockMargin), 0.12 s after the last answer
// rather than a second. The bound
// never exceeds DuplicateSettle after the answer that carried S_last, so a
// server that stamps in the future cannot make the check wait longer than
// that, only shorter (it then leaves a duplicate, never
// deletes a copy wrongly: see duplicates.go).
//
// An answer without created_at proves nothing about the offset; its own
// stamp, whatever it is, lies before its answer, so the server's clock has
// passed that stamp's second one second after the answer: that is the
// bound for such a create.
//
// clockMargin is added to the bound: a server stamps created_at before its
// write becomes visible to a list (the row is stamped, then committed), and
// a list served exactly at the turn of the second could miss a copy
// stamped just before it. It is small next to the second it guards, and
// the list also reaches the server after it is sent, which only helps.
const clockMargin = 50 * time.Millisecond

// DuplicateSettle is the longest the duplicate check waits after the last
// create's answer: created_at's one-second resolution and clockMargin
// (see settleAt). Most checks wait less.
const DuplicateSettle = time.Second + clockMargin

// clockObs is one create answer: its created_at (zero when the answer had
// none) and the local time it was received at.
type clockObs struct {
	stamp time.Time
	recv  time.Time
}

// settleAt is the local time after which a list shows every copy stamped
// in or before the second of the latest created_at of obs (see the comment
// above), and that second plus one (the zero time when no answer had a
// created_at). It is the zero time when obs is empty.
//
// Answers should be received with time.Now, whose monotonic reading the
// result keeps.
func settleAt(obs []clockObs) (at, serverPast time.Time) {
	var best *clockObs // the answer with the largest offset bound
	var last time.Time // the latest stamp, floored to its second
	for i, o := range obs {
		if o.stamp.IsZero() {
			// No stamp: one second after its answer (see above).
			at = later(at, o.recv.Add(time.Second+clockMargin))
			continue
		}
		if best == nil || o.stamp.Sub(o.recv) > best.stamp.Sub(best.recv) {
			best = &obs[i]
		}
		if s := o.stamp.Truncate(time.Second); s.After(last) {
			last = s
		}
	}
	if best == nil {
		return at, time.Time{}
	}
	// S_last + 1 s − offset_lo, with offset_lo = best.stamp − best.recv,
	// written from best.recv so that the monotonic reading is kept.
	pass := last.Add(time.Second)
	return later(at, best.recv.Add(pass.Sub(best.stamp)+clockMargin)), pass
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// waitUntil waits until the local time t, unless the run (Execute's ctx)
// has stopped or its deadline comes before t: as the API client's own
// waits (internal/remote/deadline.go), a wait of this run never starts
// once the run has stopped nor ends after its deadline; it fails at once
// instead, saying why. It also ends, failing, when ctx (the requests'
// context) or the run ends while it waits.
func (x *executor) waitUntil(ctx context.Context, t time.Time) error {
	d := t.Sub(x.wall())
	if d <= 0 {
		return nil
	}
	if x.runCtx.Err() != nil {
		return fmt.Errorf("the run has stopped (%v), so not waiting %s", stopCause(x.runCtx), roundDuration(d))
	}
	if dl, ok := x.runCtx.Deadline(); ok && dl.Before(t) {
		return fmt.Errorf("waiting %s would pass the run's deadline in %s", roundDuration(d), roundDuration(max(dl.Sub(x.wall()), 0)))
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-x.runCtx.Done():
		return fmt.Errorf("the run stopped (%v) while waiting", stopCause(x.runCtx))
	case <-ctx.Done():
		return ctx.Err()
	}
}
