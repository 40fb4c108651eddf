package remote

import (
	"context"
	"time"
)

// The run's deadline
//
// A request not yet sent never waits past the run's deadline, and never
// starts a wait once the run has stopped. Usually the request's own context
// is the run's and says both. Apply is the exception: once the run ends
// (--timeout, a signal) its steps in flight go on, for a grace, under a
// context that does not end with the run (internal/apply/apply.go:
// graceful), so that a create already sent is reported as it landed. Such a
// context carries the run's through WithRun, and every wait — for the
// Budget and between attempts — checks it before it starts: a wait that
// would end after the run's deadline, or any wait after the run stopped,
// fails at once with a *WaitError, sending nothing more.

type runKey struct{}

// WithRun returns ctx carrying run, the context of the whole run: waits of
// requests made under the result never start once run is done, nor end
// after its deadline, even though ctx itself may go on.
func WithRun(ctx, run context.Context) context.Context {
	return context.WithValue(ctx, runKey{}, run)
}

// waitLimit is when a wait under ctx must end at the latest (ok false: no
// limit), and, when no wait may start at all, why: the cause the run
// stopped with.
func waitLimit(ctx context.Context) (deadline time.Time, ok bool, stopped error) {
	deadline, ok = ctx.Deadline()
	run, _ := ctx.Value(runKey{}).(context.Context)
	if run == nil {
		return deadline, ok, nil
	}
	if run.Err() != nil {
		return deadline, ok, context.Cause(run)
	}
	if rd, rok := run.Deadline(); rok && (!ok || rd.Before(deadline)) {
		deadline, ok = rd, true
	}
	return deadline, ok, nil
}

// runDone is the channel closed when the run carried by ctx stops; nil
// (never ready) when ctx carries none.
func runDone(ctx context.Context) <-chan struct{} {
	if run, _ := ctx.Value(runKey{}).(context.Context); run != nil {
		return run.Done()
	}
	return nil
}

// tooLate returns the *WaitError for a wait of d (why) starting at now
// under ctx, or nil when the wait may start.
func tooLate(ctx context.Context, now time.Time, d time.Duration, why string, limited bool) *WaitError {
	dl, ok, stopped := waitLimit(ctx)
	switch {
	case stopped != nil:
		return &WaitError{Wait: d, Why: why, Stopped: stopped, RateLimited: limited}
	case ok && now.Add(d).After(dl):
		return &WaitError{Wait: d, Why: why, Left: max(dl.Sub(now), 0), RateLimited: limited}
	}
	return nil
}
