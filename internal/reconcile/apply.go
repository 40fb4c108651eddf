package reconcile

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/riskctl/riskctl/internal/apply"
)

// ApplyOptions steer Apply.
type ApplyOptions struct {
	// Parallelism bounds the actions of one phase in flight at once; 0
	// means apply.DefaultParallelism.
	Parallelism int
	// Progress receives apply's progress lines and a heading per account
	// when there are several, nothing else: one line per settled action
	// (applied, failed or skipped), counted as "[37/100, 4m12s elapsed]"
	// (settled out of the account's changes; the time since Apply began),
	// the same on a terminal as in a CI log.
	//
	// Lines about waits inside a request ("waiting 12s: rate limited") are
	// not apply's: the CLI prints them from the API client's
	// remote.Config.OnWait hook, only when stderr is a terminal and the
	// format is text, so CI logs (and --format json runs) carry just the
	// per-action lines.
	Progress io.Writer
	// Now is the clock of the progress lines' durations; nil means
	// time.Now.
	Now func() time.Time
	// DuplicateSettle is apply.Options.DuplicateSettle.
	DuplicateSettle time.Duration
}

// Apply executes every account's plan, one account after the other so the
// progress lines of one account stay together, and returns one result per
// account (nil for an account without changes), in order. A cancelled ctx
// starts nothing new; what was in flight finishes and is reported.
func Apply(ctx context.Context, accounts []*Account, opts ApplyOptions) []*apply.Result {
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	started := now() // one elapsed time across the accounts
	progress := opts.Progress
	if progress == nil {
		progress = io.Discard
	}
	results := make([]*apply.Result, len(accounts))
	for i, a := range accounts {
		if !a.Plan.HasChanges() {
			continue
		}
		if len(accounts) > 1 {
			fmt.Fprintf(progress, "Applying account %s:\n", a.Plan.AccountID)
		}
		res := apply.Execute(ctx, a.API, a.Plan, apply.Options{
			Parallelism: opts.Parallelism,
			Progress:    opts.Progress,
			Now:         now,
			Started:     started,

			DuplicateSettle: opts.DuplicateSettle,
		})
		results[i] = &res
	}
	return results
}
