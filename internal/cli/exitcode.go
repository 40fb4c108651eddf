package cli

import (
	"errors"
	"fmt"

	"github.com/riskctl/riskctl/internal/plan"
	"github.com/riskctl/riskctl/internal/reconcile"
	"github.com/riskctl/riskctl/internal/remote"
	"github.com/riskctl/riskctl/internal/spec"
)

// Exit codes: one table for every command (see docs/exit-codes.md).
const (
	ExitOK      = 0 // success; no changes pending
	ExitError   = 1 // runtime error: API, network, auth, missing credentials
	ExitChanges = 2 // changes pending (plan --detailed-exitcode, drift)
	ExitInvalid = 3 // invalid spec or usage
	ExitRefused = 4 // refused by a safety rule: protected object, ambiguous identity, no approval without a TTY
	ExitPartial = 5 // partial apply: some changes applied, some failed
)

// exitError attaches an exit code to an error. Commands return it through
// the helpers below; ExitCode is the only place that maps errors to codes.
type exitError struct {
	code  int
	err   error
	quiet bool // the outcome, not a failure: Main prints nothing for it
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// usageErrorf reports bad flags or arguments: exit 3.
func usageErrorf(format string, args ...any) error {
	return &exitError{code: ExitInvalid, err: fmt.Errorf(format, args...)}
}

// refusedErrorf reports a safety refusal: exit 4.
func refusedErrorf(format string, args ...any) error {
	return &exitError{code: ExitRefused, err: fmt.Errorf(format, args...)}
}

// ExitCode maps an error returned by a command to the process exit code.
func ExitCode(err error) int {
	if err == nil {
		return ExitOK
	}
	var ee *exitError
	var specErrs spec.Errors
	var badTarget *plan.UnknownTargetError
	var usage *reconcile.UsageError
	switch {
	case errors.As(err, &ee):
		return ee.code
	case errors.As(err, &specErrs), errors.As(err, &badTarget), errors.As(err, &usage), errors.Is(err, remote.ErrBaseURL):
		return ExitInvalid
	case errors.Is(err, plan.ErrRefused):
		return ExitRefused
	}
	return ExitError
}
