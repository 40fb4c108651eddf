package remote

import (
	"context"
	"sync/atomic"
	"time"
)

type waitTallyKey struct{}

// WithWaitTally returns a context whose requests add up the time they spend
// waiting rather than being answered: for the budget (pacing, a rate
// limit) and between retries. waited reports the total so far. apply uses
// it so that an action's duration is its own work, not time queued.
func WithWaitTally(ctx context.Context) (_ context.Context, waited func() time.Duration) {
	var total atomic.Int64
	return context.WithValue(ctx, waitTallyKey{}, &total), func() time.Duration { return time.Duration(total.Load()) }
}

// tallyWait adds d to ctx's wait tally, if it has one.
func tallyWait(ctx context.Context, d time.Duration) {
	if total, ok := ctx.Value(waitTallyKey{}).(*atomic.Int64); ok && d > 0 {
		total.Add(int64(d))
	}
}
