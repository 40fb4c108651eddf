package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	ucli "github.com/urfave/cli/v2"
)

// defaultTimeout is --timeout when it is not given: long enough for any
// apply riskctl is meant for, short enough that a hung CI job ends.
const defaultTimeout = 30 * time.Minute

// timeoutError is the cause of a run's context ending at --timeout. It
// wraps context.DeadlineExceeded, so it is also what ctx.Err() matches.
type timeoutError struct{ limit time.Duration }

func (e *timeoutError) Error() string {
	return fmt.Sprintf("timed out after %s (--timeout)", shortDuration(e.limit))
}

func (e *timeoutError) Unwrap() error { return context.DeadlineExceeded }

// shortDuration writes d as a person would give it: 30m, 1h, 1h30m, 200ms.
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// withTimeout returns ctx ending limit from now with the cause
// *timeoutError, or, when limit is 0, ctx with only a cancel.
func withTimeout(ctx context.Context, limit time.Duration) (context.Context, context.CancelFunc) {
	if limit <= 0 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeoutCause(ctx, limit, &timeoutError{limit: limit})
}

// runTimeout is --timeout over one run. The app's Before hook arms it,
// once the flags are parsed, on the context every command then runs with:
// when it ends, the run stops as on an interrupt (apply starts nothing new
// and its requests in flight get apply's grace; plan, drift and the users
// commands stop), and Main reports the timeout (see explain). No request
// waits past it, in the grace neither (internal/remote/deadline.go), so an
// apply ends by the deadline plus internal/apply.DefaultGrace: a CI job's
// limit must leave that much and the runner's cancellation
// (docs/plan-and-apply.md#timeout).
type runTimeout struct {
	ctx    context.Context // the run's context with the deadline; nil until armed
	cancel context.CancelFunc
}

// beforeRun is the app's Before hook: the globals' load, then limit armed
// with --timeout.
func (g *globals) beforeRun(limit *runTimeout) ucli.BeforeFunc {
	return func(c *ucli.Context) error {
		if err := g.load(c); err != nil {
			return err
		}
		return limit.arm(c, g.timeout)
	}
}

// arm puts the limit on c's context, for the commands below the app.
// `emulator serve` runs until interrupted: the default limit is not for
// it, only a --timeout given on its command line.
func (t *runTimeout) arm(c *ucli.Context, limit time.Duration) error {
	if limit < 0 {
		return usageErrorf("--timeout %s: expected a duration of 0 (no limit) or more", limit)
	}
	if args := c.Args().Slice(); !c.IsSet("timeout") && len(args) >= 2 && args[0] == "emulator" && args[1] == "serve" {
		limit = 0
	}
	if t.cancel != nil {
		t.cancel()
	}
	t.ctx, t.cancel = withTimeout(c.Context, limit)
	c.Context = t.ctx
	return nil
}

// stop releases the deadline's timer.
func (t *runTimeout) stop() {
	if t.cancel != nil {
		t.cancel()
	}
}

// explain makes err, the run's outcome, say that the run timed out when
// it did and failed for it: an error (exit 1) or a partial apply (exit 5).
// The exit code stays err's. A quiet err (whose details are printed
// already, as an account's failure) becomes the timeout message; an err
// that does not name the timeout already is prefixed with it.
func (t *runTimeout) explain(err error) error {
	if err == nil || t.ctx == nil {
		return err
	}
	var timedOut *timeoutError
	if !errors.As(context.Cause(t.ctx), &timedOut) {
		return err // no timeout, or the run was interrupted first
	}
	code := ExitCode(err)
	if code != ExitError && code != ExitPartial {
		return err // an outcome of its own: refused, invalid, changes pending
	}
	var ee *exitError
	if errors.As(err, &ee) && ee.quiet {
		return &exitError{code: code, err: timedOut}
	}
	var named *timeoutError
	if errors.As(err, &named) {
		return err
	}
	return &exitError{code: code, err: fmt.Errorf("%w: %w", timedOut, err)}
}
