package reconcile

import (
	"context"
	"fmt"
	"io"

	"github.com/riskctl/riskctl/internal/apply"
)

// ApplyOptions steer Apply.
type ApplyOptions struct {
	Parallelism int
	// Progress receives apply's progress lines, and a heading per account
	// when there are several.
	Progress io.Writer
}

// Apply executes every account's plan, one account after the other so the
// progress lines of one account stay together, and returns one result per
// account (nil for an account without changes), in order. A cancelled ctx
// starts nothing new; what was in flight finishes and is reported.
func Apply(ctx context.Context, accounts []*Account, opts ApplyOptions) []*apply.Result {
	results := make([]*apply.Result, len(accounts))
	for i, a := range accounts {
		if !a.Plan.HasChanges() {
			continue
		}
		if len(accounts) > 1 {
			fmt.Fprintf(opts.Progress, "Applying account %s:\n", a.Plan.AccountID)
		}
		res := apply.Execute(ctx, a.API, a.Plan, apply.Options{Parallelism: opts.Parallelism, Progress: opts.Progress})
		results[i] = &res
	}
	return results
}
