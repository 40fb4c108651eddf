package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"

	ucli "github.com/urfave/cli/v2"

	"github.com/riskctl/riskctl/internal/emulator"
	"github.com/riskctl/riskctl/internal/plan"
	"github.com/riskctl/riskctl/internal/remote"
	"github.com/riskctl/riskctl/internal/report"
	"github.com/riskctl/riskctl/internal/spec"
	"github.com/riskctl/riskctl/internal/state"
)

// accountsInFlight bounds how many accounts are fetched at once. Each plan
// is two requests, and Cloudflare's rate limit is per token, shared by all.
const accountsInFlight = 4

// account is one spec file's account as a command works on it.
type account struct {
	file    *spec.File
	session *session
	live    state.Account
	plan    plan.Plan
	err     error // failure of this account; the others carry on
}

// loadSpecs loads and validates the -f files and directories; errors are
// spec.Errors (exit 3).
func (g *globals) loadSpecs(c *ucli.Context) ([]*spec.File, error) {
	if c.Args().Present() {
		return nil, usageErrorf("unexpected argument %q: spec files are given with -f", c.Args().First())
	}
	if len(c.StringSlice("file")) == 0 {
		return nil, usageErrorf("no spec file: pass -f FILE or -f DIRECTORY (repeatable)")
	}
	return spec.Load(c.StringSlice("file"), g.specOptions())
}

// specOptions are the inputs a spec may draw on besides its text.
func (g *globals) specOptions() spec.Options {
	return spec.Options{DefaultAccountID: g.defaultAccountID(), Secrets: g.secrets}
}

func (g *globals) defaultAccountID() string {
	if g.accountID == "" && g.emulate {
		return emulator.DemoAccountID
	}
	return g.accountID
}

// parseTargets reads the repeatable --target flag.
func parseTargets(c *ucli.Context) ([]plan.Target, error) {
	var targets []plan.Target
	for _, s := range c.StringSlice("target") {
		t, err := plan.ParseTarget(s)
		if err != nil {
			return nil, usageErrorf("--target %q: %v", s, err)
		}
		targets = append(targets, t)
	}
	return targets, nil
}

// planAccounts fetches every account's live state and computes its plan,
// several accounts at once. A failing account does not stop the others.
func (g *globals) planAccounts(ctx context.Context, files []*spec.File, targets []plan.Target) []*account {
	accounts := make([]*account, len(files))
	sem := make(chan struct{}, accountsInFlight)
	var wg sync.WaitGroup
	for i, f := range files {
		accounts[i] = &account{file: f}
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			g.planAccount(ctx, accounts[i], targets)
		})
	}
	wg.Wait()
	return accounts
}

func (g *globals) planAccount(ctx context.Context, a *account, targets []plan.Target) {
	s, err := g.connect(a.file.Account.AccountID)
	if err != nil {
		a.err = err
		return
	}
	a.session = s
	if a.live, err = remote.Fetch(ctx, s.api, s.accountID); err != nil {
		a.err = g.explain(err, s.accountID)
		return
	}
	a.plan, a.err = plan.ComputeWith(a.file.Account, a.live, plan.Options{Targets: targets})
	a.err = withSpecPositions(a.err, a.file)
}

// withSpecPositions points a missing-behavior error at the spec lines that
// name the keys, so it reads like any other spec error (exit 3).
func withSpecPositions(err error, f *spec.File) error {
	var missing *plan.MissingBehaviorsError
	if !errors.As(err, &missing) {
		return err
	}
	has := strings.Join(missing.Available, ", ")
	var errs spec.Errors
	for _, key := range missing.Keys {
		errs = append(errs, &spec.Error{Pos: f.BehaviorPos[key], Msg: fmt.Sprintf(
			"behavior %q does not exist in account %s (behaviors cannot be created); the account has: %s",
			key, f.Account.AccountID, has)})
	}
	return errs
}

// newReport turns accounts into the report every output format renders.
func newReport(kind report.Kind, accounts []*account) report.Report {
	r := report.Report{Kind: kind, RiskctlVersion: Version()}
	for _, a := range accounts {
		ra := report.Account{AccountID: a.file.Account.AccountID, SpecFiles: []string{a.file.Path}, ExitCode: ExitCode(a.err)}
		if a.err != nil {
			ra.Err = a.err
		} else {
			p := a.plan
			ra.Plan = &p
		}
		r.Accounts = append(r.Accounts, ra)
	}
	return r
}

// reportFormatFlag is --format for plan, drift and apply; the first format is the default.
func reportFormatFlag(formats ...string) *ucli.StringFlag {
	return &ucli.StringFlag{Name: "format", Value: formats[0], Usage: "output format: " + strings.Join(formats, ", ")}
}

func checkFormat(c *ucli.Context, formats ...string) (string, error) {
	f := c.String("format")
	for _, ok := range formats {
		if f == ok {
			return f, nil
		}
	}
	return "", usageErrorf("--format %q: expected %s", f, strings.Join(formats, ", "))
}

// writeReport prints r on stdout in format.
func (g *globals) writeReport(format string, r report.Report) error {
	switch format {
	case "json":
		return report.WriteJSON(g.streams.Out, r)
	case "markdown":
		return report.WriteMarkdown(g.streams.Out, r, 0)
	default:
		// Failed accounts are reported on stderr (see accountFailures);
		// the text on stdout is the plans of the others.
		ok := r
		ok.Accounts = nil
		for _, a := range r.Accounts {
			if a.Err == nil {
				ok.Accounts = append(ok.Accounts, a)
			}
		}
		return report.WriteText(g.streams.Out, ok, plan.TextOptions{Color: g.color()})
	}
}

// finish publishes r to GitHub Actions (when running there) with the exit
// code and reason of err, the command's outcome, and returns err.
func (g *globals) finish(r report.Report, err error, reason string) error {
	code := ExitCode(err)
	if reason == "" {
		reason = report.ExitReason(r.Kind, code, r.HasChanges())
	}
	gh := report.GitHubFromEnv(os.Getenv)
	gh.Filter = g.secrets.Bytes
	if pubErr := gh.Publish(r, code, reason); pubErr != nil {
		fmt.Fprintf(g.streams.Err, "warning: GitHub Actions outputs: %v\n", pubErr)
	}
	return err
}

// severity ranks exit codes for runs over several accounts: the run exits
// with the most severe. An error leaves the outcome unknown, so it ranks
// above a partial apply, a refusal, an invalid spec and pending changes.
var severity = map[int]int{ExitOK: 0, ExitChanges: 1, ExitInvalid: 2, ExitRefused: 3, ExitPartial: 4, ExitError: 5}

// accountFailures reports each failed account on stderr (naming it when
// there are several) and returns a quiet error with the most severe code.
func (g *globals) accountFailures(r report.Report) error {
	worst := ExitOK
	for _, a := range r.Accounts {
		if a.Err == nil {
			continue
		}
		if len(r.Accounts) > 1 {
			fmt.Fprintf(g.streams.Err, "Error: account %s: %v\n", a.AccountID, a.Err)
		} else {
			fmt.Fprintf(g.streams.Err, "Error: %v\n", a.Err)
		}
		if code := ExitCode(a.Err); severity[code] > severity[worst] {
			worst = code
		}
	}
	if worst == ExitOK {
		return nil
	}
	return &exitError{code: worst, err: errors.New("some accounts failed"), quiet: true}
}

// color reports whether output may carry ANSI colour: only on a terminal,
// and never with --no-color or NO_COLOR.
func (g *globals) color() bool {
	return !g.noColor && g.streams.OutIsTerminal != nil && g.streams.OutIsTerminal()
}
