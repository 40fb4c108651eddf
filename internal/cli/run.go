package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/riskctl/riskctl/internal/emulator"
	"github.com/riskctl/riskctl/internal/plan"
	"github.com/riskctl/riskctl/internal/planfile"
	"github.com/riskctl/riskctl/internal/reconcile"
	"github.com/riskctl/riskctl/internal/remote"
	"github.com/riskctl/riskctl/internal/report"
	"github.com/riskctl/riskctl/internal/spec"
)

// What the reconcile commands (validate, plan, apply, drift) share: the
// flags that name specs and targets and the helpers their options builders
// (planOptionsFrom, ...) check them with, the engine's inputs derived from
// the globals, and how an outcome becomes a report, output and exit code.

func fileFlag() *ucli.StringSliceFlag {
	// Not Required: urfave/cli reports that as a plain error (exit 1) and
	// prints the whole help; specFiles discovers the spec directory, or
	// gives a usage error.
	return &ucli.StringSliceFlag{Name: "file", Aliases: []string{"f"}, TakesFile: true,
		Usage: "spec file or directory of *.yaml files (repeatable; one account per file; default: " + specDir + "/ when it exists)"}
}

// specDir is where the specs are when no -f names them: the directory the
// CI kit's workflows watch and plan, so that in such a repository a bare
// `riskctl plan` plans what a pull request would.
const specDir = "riskscoring"

// discoverSpecDir returns specDir when the working directory holds it, and
// otherwise a usage error (exit 3) that says how to name the specs.
func discoverSpecDir() (string, error) {
	info, err := os.Stat(specDir)
	switch {
	case err == nil && info.IsDir():
		return specDir, nil
	case err == nil:
		return "", usageErrorf("no spec file: pass -f FILE or -f DIRECTORY (repeatable); %s here is not a directory", specDir)
	}
	return "", usageErrorf("no spec file: pass -f FILE or -f DIRECTORY (repeatable), or run riskctl where a %s/ directory holds the specs", specDir)
}

func targetFlag() *ucli.StringSliceFlag {
	return &ucli.StringSliceFlag{Name: "target",
		Usage: "only plan this object: behavior:KEY or integration:REFERENCE_ID (repeatable; a partial plan)"}
}

func maxDeletesFlag() *ucli.IntFlag {
	return &ucli.IntFlag{Name: "max-deletes", Value: reconcile.DefaultMaxDeletes,
		Usage: "refuse plans that delete (or replace) more integrations than this"}
}

// action is the Action of a reconcile command: its options built from the
// flags (a usage error stops it there, before any file is read or request
// sent), then the command run on them.
func action[O any](from func(*ucli.Context) (O, error), run func(context.Context, O) error) ucli.ActionFunc {
	return func(c *ucli.Context) error {
		o, err := from(c)
		if err != nil {
			return err
		}
		return run(c.Context, o)
	}
}

// specFiles reads -f for a command that takes no argument: spec files or
// directories, by default the spec directory (discoverSpecDir).
func specFiles(c *ucli.Context) ([]string, error) {
	if c.Args().Present() {
		return nil, usageErrorf("unexpected argument %q: spec files are given with -f", c.Args().First())
	}
	files := c.StringSlice("file")
	if len(files) == 0 {
		dir, err := discoverSpecDir()
		if err != nil {
			return nil, err
		}
		files = []string{dir}
	}
	return files, nil
}

// maxDeletes reads --max-deletes: 0 or more (0 refuses any delete).
func maxDeletes(c *ucli.Context) (int, error) {
	n := c.Int("max-deletes")
	if n < 0 {
		return 0, usageErrorf("--max-deletes %d: expected 0 or more (0 refuses every delete)", n)
	}
	return n, nil
}

// inputs are the engine's inputs for spec files and directories: how a
// spec is read (specOptions) and how each account is reached (connector).
func (g *globals) inputs(files []string) reconcile.Inputs {
	return reconcile.Inputs{Files: files, Spec: g.specOptions(), Connect: g.connector()}
}

// specOptions are the inputs a spec may draw on besides its text. The
// --account-id flag and CLOUDFLARE_ACCOUNT_ID are interchangeable, so the
// flag also fills ${CLOUDFLARE_ACCOUNT_ID}.
func (g *globals) specOptions() spec.Options {
	lookup := os.LookupEnv
	if g.accountID != "" {
		lookup = func(name string) (string, bool) {
			if name == envAccountID {
				return g.accountID, true
			}
			return os.LookupEnv(name)
		}
	}
	return spec.Options{LookupEnv: lookup, DefaultAccountID: g.defaultAccountID(), Secrets: g.secrets}
}

func (g *globals) defaultAccountID() string {
	if g.accountID == "" && g.emulate {
		return emulator.DemoAccountID
	}
	return g.accountID
}

// connector is the engine's Connect: one client per account.
func (g *globals) connector() reconcile.Connect {
	return func(accountID string) (remote.API, error) {
		s, err := g.connect(accountID)
		if err != nil {
			return nil, err
		}
		return s.api, nil
	}
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

// newReport turns accounts into the report every output format renders.
func (g *globals) newReport(kind report.Kind, accounts []*reconcile.Account) report.Report {
	r := report.Report{Kind: kind, RiskctlVersion: Version(), Emulated: g.emulate}
	g.emulationSaid = g.emulate
	for _, a := range accounts {
		ra := report.Account{AccountID: a.ID(), SpecFiles: []string{a.File.Path}, Status: a.Status, Result: a.Result,
			AccessImpact: a.AccessImpact, AccessChecked: a.AccessChecked, AccessNotChecked: a.AccessNotChecked, AccessOff: a.AccessOff, Findings: a.Findings,
			Attribution: a.Attribution, AuditNote: a.AuditNote}
		switch {
		case a.Result != nil: // apply's own error, which names what failed
			ra.Err = a.Err
		case a.Err != nil:
			ra.Err = g.explain(a.Err, a.ID())
		}
		if a.Err == nil || a.Result != nil {
			p := a.Plan
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
		return report.WriteJSON(g.streams.Out, r, exitCodeOf)
	case "markdown":
		return report.WriteMarkdown(g.streams.Out, r, 0)
	default:
		// Failed accounts are reported on stderr (see accountFailures);
		// the text on stdout is the plans of the others, and nothing when
		// there are none: stdout never contradicts the error.
		ok := r
		ok.Accounts = nil
		for _, a := range r.Accounts {
			if a.Err == nil {
				ok.Accounts = append(ok.Accounts, a)
			}
		}
		if len(ok.Accounts) == 0 && len(r.Accounts) > 0 {
			return nil
		}
		return report.WriteText(g.streams.Out, ok, report.TextOptions{Color: g.color()})
	}
}

// exitCodeOf is the exit code of a status, for report.WriteJSON.
func exitCodeOf(s reconcile.Status) int { return statuses[s].code }

// finish publishes r to GitHub Actions (when running there) with the exit
// code of err, the command's outcome, and the exit reason of status, then
// returns err.
func (g *globals) finish(r report.Report, status reconcile.Status, err error) error {
	reason := reasonOf(r.Kind, status, r.HasChanges())
	var stale *planfile.StaleError
	if errors.As(err, &stale) {
		reason = reasonStalePlan
	}
	gh := report.GitHubFromEnv(os.Getenv)
	gh.Filter = g.secrets.Bytes
	if pubErr := gh.Publish(r, ExitCode(err), reason); pubErr != nil {
		fmt.Fprintf(g.streams.Err, "warning: GitHub Actions outputs: %s\n", errorText(pubErr))
	}
	return err
}

// accountFailures reports each failed account of r on stderr, naming it
// when there are several.
func (g *globals) accountFailures(r report.Report) {
	for _, a := range r.Accounts {
		switch {
		case a.Err == nil:
		case len(r.Accounts) > 1:
			fmt.Fprintf(g.streams.Err, "Error: account %s: %s\n", a.AccountID, errorText(a.Err))
		default:
			fmt.Fprintf(g.streams.Err, "Error: %s\n", errorText(a.Err))
		}
	}
}

// color reports whether output may carry ANSI colour: only on a terminal,
// and never with --no-color or NO_COLOR.
func (g *globals) color() bool {
	return !g.noColor && g.streams.OutIsTerminal != nil && g.streams.OutIsTerminal()
}
