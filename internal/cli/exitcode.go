package cli

import (
	"errors"
	"fmt"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/riskctl/riskctl/internal/reconcile"
	"github.com/riskctl/riskctl/internal/report"
)

// Exit codes, one per reconcile.Status (statuses maps them; docs/exit-codes.md).
const (
	ExitOK      = 0 // success; no changes pending
	ExitError   = 1 // runtime error: API, network, auth, missing credentials; apply cancelled at its prompt
	ExitChanges = 2 // changes pending (plan --detailed-exitcode, drift)
	ExitInvalid = 3 // invalid spec or usage
	ExitRefused = 4 // refused by a safety rule, or the approval was not given
	ExitPartial = 5 // partial apply: some changes applied, some failed
)

// statusRow is what the CLI makes of one reconcile.Status.
type statusRow struct {
	code int
	// reason is the exit_reason written to GitHub Actions' step outputs;
	// ok and changes read differently per command (reasonOf).
	reason string
	// help is the status's meaning in the "Exit codes:" line of a
	// command's help, unless the command says it in its own words.
	help string
}

// statuses is the one table from a run's status to its exit code, its
// exit reason and its line in every command's help (exitCodesHelp). A
// cancelled apply (answered no at its prompt) exits 1, Terraform's code
// for it: the user stopped it, no safety rule did, so not ExitRefused.
var statuses = map[reconcile.Status]statusRow{
	reconcile.StatusOK:        {ExitOK, "no-changes", "success"},
	reconcile.StatusChanges:   {ExitChanges, "changes", "changes pending"},
	reconcile.StatusInvalid:   {ExitInvalid, "invalid", "invalid spec or flags"},
	reconcile.StatusRefused:   {ExitRefused, "refused", "refused by a safety rule"},
	reconcile.StatusCancelled: {ExitError, "cancelled", "cancelled at the prompt: the answer was not yes"},
	reconcile.StatusPartial:   {ExitPartial, "partial", "some changes applied, some not"},
	reconcile.StatusError:     {ExitError, "error", "error (API, network, credentials)"},
}

// Exit reasons that depend on the command, and on a saved plan's refusal.
const (
	reasonApplied   = "applied"    // apply: every change applied
	reasonInSync    = "in-sync"    // drift: live matches the spec
	reasonDrift     = "drift"      // drift: live differs from the spec
	reasonStalePlan = "stale-plan" // apply PLANFILE: live state or spec changed
)

// reasonOf is the exit_reason of a run of kind that ended with status;
// changes says whether its plans had changes. A plan with changes says
// "changes" also when it exits 0 (without --detailed-exitcode).
func reasonOf(kind report.Kind, status reconcile.Status, changes bool) string {
	switch {
	case kind == report.KindDrift && status == reconcile.StatusOK:
		return reasonInSync
	case kind == report.KindDrift && status == reconcile.StatusChanges:
		return reasonDrift
	case kind == report.KindApply && status == reconcile.StatusOK && changes:
		return reasonApplied
	}
	return statuses[status].reason
}

// exitLine is a status in a command's "Exit codes:" help line, with the
// command's own words for it ("" means the table's).
type exitLine struct {
	status reconcile.Status
	words  string
}

// exitCodesHelp writes the "Exit codes:" paragraph of a command's help
// from the table, one line per status, ending in a blank line.
func exitCodesHelp(lines ...exitLine) string {
	var b strings.Builder
	b.WriteString("Exit codes:\n")
	for _, l := range lines {
		words := l.words
		if words == "" {
			words = statuses[l.status].help
		}
		fmt.Fprintf(&b, "  %d  %s\n", statuses[l.status].code, words)
	}
	return b.String() + "\n"
}

// exitError attaches an exit code to an error. Commands return it through
// the helpers below; ExitCode is the only place that maps errors to codes.
type exitError struct {
	code  int
	err   error
	quiet bool // the outcome, not a failure: Main prints nothing for it
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// statusError is err, ending the run with status's exit code.
func statusError(status reconcile.Status, err error, quiet bool) error {
	return &exitError{code: statuses[status].code, err: err, quiet: quiet}
}

// usageErrorf reports bad flags or arguments: exit 3.
func usageErrorf(format string, args ...any) error {
	return statusError(reconcile.StatusInvalid, fmt.Errorf(format, args...), false)
}

// refusedErrorf reports a safety refusal: exit 4.
func refusedErrorf(format string, args ...any) error {
	return statusError(reconcile.StatusRefused, fmt.Errorf(format, args...), false)
}

// ExitCode maps an error returned by a command to the process exit code:
// an *exitError's own, else that of the error's reconcile.StatusOf.
func ExitCode(err error) int {
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	return statuses[reconcile.StatusOf(err)].code
}

// commandExits are the statuses each command can end with, in the order
// its help lists them, with its own words where the table's are too
// general. Every command that speaks of exit codes in its help gets them
// from here (withExitCodes), so the help and the table cannot disagree.
var commandExits = map[string][]exitLine{
	"validate": {
		{reconcile.StatusOK, "every spec is valid"},
		{reconcile.StatusInvalid, ""},
	},
	"plan": {
		{reconcile.StatusOK, "no changes (or changes, without --detailed-exitcode)"},
		{reconcile.StatusChanges, "changes pending (--detailed-exitcode)"},
		{reconcile.StatusRefused, "apply would refuse this plan (--max-deletes)"},
		{reconcile.StatusInvalid, ""},
		{reconcile.StatusError, ""},
	},
	"apply": {
		{reconcile.StatusOK, "every change applied, or nothing to change"},
		{reconcile.StatusRefused, "refused (--max-deletes, weakening changes without --approve-weakening, a stale or edited PLANFILE, no terminal without --auto-approve)"},
		{reconcile.StatusPartial, ""},
		{reconcile.StatusInvalid, ""},
		{reconcile.StatusCancelled, ""},
		{reconcile.StatusError, "error: nothing applied, or the outcome is unknown"},
	},
	"drift": {
		{reconcile.StatusOK, "in sync"},
		{reconcile.StatusChanges, "drift"},
		{reconcile.StatusInvalid, ""},
		{reconcile.StatusError, ""},
	},
	"fmt": {
		{reconcile.StatusOK, "done, or every file is formatted (--check)"},
		{reconcile.StatusInvalid, "a file is not YAML, cannot be read, or is not formatted (--check)"},
	},
	"import terraform": {
		{reconcile.StatusOK, "imported"},
		{reconcile.StatusInvalid, "the state cannot be imported, bad flags, a file exists without --force, an output path holds a symbolic link, or two outputs are one file (nothing written)"},
		{reconcile.StatusError, "cannot write"},
	},
	"init": {
		{reconcile.StatusOK, "set up (or would be, --dry-run), or the kit's copy is consistent (--check)"},
		{reconcile.StatusInvalid, "bad flags, a file exists without --force, a path goes through a symbolic link, or the spec directory holds other specs (nothing written); or the kit's copy has problems (--check)"},
		{reconcile.StatusError, "the credentials cannot read an account, or the API failed (nothing written)"},
	},
	"users reset": {
		{reconcile.StatusOK, "every user reset"},
		{reconcile.StatusRefused, "not confirmed: no terminal, and no --yes"},
		{reconcile.StatusCancelled, ""},
		{reconcile.StatusPartial, "some resets failed"},
		{reconcile.StatusInvalid, ""},
		{reconcile.StatusError, ""},
	},
}

// withExitCodes puts the "Exit codes:" paragraph of command name (see
// commandExits) at the head of cmd's Description.
func withExitCodes(name string, cmd *ucli.Command) *ucli.Command {
	cmd.Description = exitCodesHelp(commandExits[name]...) + cmd.Description
	return cmd
}
