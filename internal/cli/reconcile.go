package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/riskctl/riskctl/internal/apply"
	"github.com/riskctl/riskctl/internal/emulator"
	"github.com/riskctl/riskctl/internal/plan"
	"github.com/riskctl/riskctl/internal/remote"
	"github.com/riskctl/riskctl/internal/spec"
)

// errChangesPending makes plan --detailed-exitcode exit 2.
var errChangesPending = &exitError{code: ExitChanges, err: errors.New("changes pending"), quiet: true}

func fileFlag() *ucli.StringSliceFlag {
	// Not Required: urfave/cli reports that as a plain error (exit 1) and
	// prints the whole help; loadSpecs gives a usage error instead.
	return &ucli.StringSliceFlag{Name: "file", Aliases: []string{"f"},
		Usage: "spec file (repeatable, one account per file)"}
}

func validateCommand(g *globals) *ucli.Command {
	return &ucli.Command{
		Name:      "validate",
		Usage:     "check spec files offline (no credentials needed)",
		ArgsUsage: " ",
		Flags:     []ucli.Flag{fileFlag()},
		Action: func(c *ucli.Context) error {
			files, err := g.loadSpecs(c)
			if err != nil {
				return err
			}
			for _, f := range files {
				a := f.Account
				fmt.Fprintf(g.streams.Out, "%s: valid (account %s: %d behaviors, %d integrations)\n",
					f.Path, a.AccountID, len(a.Behaviors), len(a.Integrations))
			}
			return nil
		},
	}
}

func planCommand(g *globals) *ucli.Command {
	return &ucli.Command{
		Name:      "plan",
		Usage:     "show what apply would change; never writes",
		ArgsUsage: " ",
		Flags: []ucli.Flag{
			fileFlag(),
			&ucli.StringFlag{Name: "format", Value: "text", Usage: "output format: text or json"},
			&ucli.BoolFlag{Name: "detailed-exitcode", Usage: "exit 2 when there are changes (0: none, 1: error)"},
		},
		Action: g.plan,
	}
}

func applyCommand(g *globals) *ucli.Command {
	return &ucli.Command{
		Name:      "apply",
		Usage:     "make the account match the spec",
		ArgsUsage: " ",
		Flags: []ucli.Flag{
			fileFlag(),
			&ucli.BoolFlag{Name: "auto-approve", Usage: "apply without asking (required without a terminal)"},
			&ucli.IntFlag{Name: "parallelism", Value: apply.DefaultParallelism, Usage: "API writes in flight at once"},
		},
		Action: g.apply,
	}
}

func exportCommand(g *globals) *ucli.Command {
	return &ucli.Command{
		Name:      "export",
		Usage:     "print the account's live configuration as a spec",
		ArgsUsage: " ",
		Flags: []ucli.Flag{
			&ucli.StringFlag{Name: "account-id", Usage: "account to export (default: the global --account-id / " + envAccountID + ")"},
		},
		Action: g.export,
	}
}

// loadSpecs loads and validates the -f files; errors are spec.Errors (exit 3).
func (g *globals) loadSpecs(c *ucli.Context) ([]*spec.File, error) {
	if c.Args().Present() {
		return nil, usageErrorf("unexpected argument %q: spec files are given with -f", c.Args().First())
	}
	if len(c.StringSlice("file")) == 0 {
		return nil, usageErrorf("no spec file: pass -f FILE (repeatable)")
	}
	defaultAccount := g.accountID
	if defaultAccount == "" && g.emulate {
		defaultAccount = emulator.DemoAccountID
	}
	return spec.Load(c.StringSlice("file"), spec.Options{DefaultAccountID: defaultAccount})
}

// accountPlan is the plan of one spec file, with the session it was made on.
type accountPlan struct {
	file    *spec.File
	plan    plan.Plan
	session *session
}

// planFile fetches the live state of f's account and computes its plan.
// The caller closes the returned session.
func (g *globals) planFile(ctx context.Context, f *spec.File) (*accountPlan, error) {
	s, err := g.connect(ctx, f.Account.AccountID)
	if err != nil {
		return nil, err
	}
	live, err := remote.Fetch(ctx, s.api, s.accountID)
	if err != nil {
		s.close()
		return nil, g.explain(err, s.accountID)
	}
	p, err := plan.Compute(f.Account, live)
	if err != nil {
		s.close()
		return nil, withSpecPositions(err, f)
	}
	return &accountPlan{file: f, plan: p, session: s}, nil
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

func (g *globals) plan(c *ucli.Context) error {
	format := c.String("format")
	if format != "text" && format != "json" {
		return usageErrorf("--format %q: expected text or json", format)
	}
	files, err := g.loadSpecs(c)
	if err != nil {
		return err
	}
	changes := false
	for _, f := range files {
		ap, err := g.planFile(c.Context, f)
		if err != nil {
			return err
		}
		ap.session.close()
		changes = changes || ap.plan.HasChanges()
		if format == "json" {
			err = plan.RenderJSON(g.streams.Out, ap.plan)
		} else {
			err = plan.RenderText(g.streams.Out, ap.plan, plan.TextOptions{Color: g.color()})
		}
		if err != nil {
			return err
		}
	}
	if changes && c.Bool("detailed-exitcode") {
		return errChangesPending
	}
	return nil
}

func (g *globals) apply(c *ucli.Context) error {
	files, err := g.loadSpecs(c)
	if err != nil {
		return err
	}
	var plans []*accountPlan
	defer func() {
		for _, ap := range plans {
			ap.session.close()
		}
	}()
	pending := 0
	for _, f := range files {
		ap, err := g.planFile(c.Context, f)
		if err != nil {
			return err
		}
		plans = append(plans, ap)
		if ap.plan.HasChanges() {
			pending++
			if err := plan.RenderText(g.streams.Out, ap.plan, plan.TextOptions{Color: g.color()}); err != nil {
				return err
			}
		}
	}
	if pending == 0 {
		for _, ap := range plans {
			fmt.Fprintf(g.streams.Out, "No changes. Account %s matches the spec; nothing to apply.\n", ap.plan.AccountID)
		}
		return nil
	}
	if !c.Bool("auto-approve") {
		if err := g.confirm("Do you want to perform these actions?", "--auto-approve"); err != nil {
			return err
		}
	}
	var applied, failed, skipped int
	var errs []error
	for _, ap := range plans {
		if !ap.plan.HasChanges() {
			continue
		}
		res := apply.Execute(c.Context, ap.session.api, ap.plan, apply.Options{
			Parallelism: c.Int("parallelism"),
			Progress:    g.streams.Err,
		})
		applied += res.Applied
		failed += res.Failed
		skipped += res.Skipped
		if err := res.Err(); err != nil {
			errs = append(errs, fmt.Errorf("account %s: %w", ap.plan.AccountID, err))
		}
	}
	fmt.Fprintf(g.streams.Out, "\nApply complete! %d applied, %d failed, %d skipped.\n", applied, failed, skipped)
	switch {
	case len(errs) == 0:
		return nil
	case applied > 0:
		return &exitError{code: ExitPartial, err: errors.Join(errs...)}
	default:
		return errors.Join(errs...)
	}
}

func (g *globals) export(c *ucli.Context) error {
	if c.Args().Present() {
		return usageErrorf("export takes no arguments")
	}
	s, err := g.connect(c.Context, c.String("account-id"))
	if err != nil {
		return err
	}
	defer s.close()
	live, err := remote.Fetch(c.Context, s.api, s.accountID)
	if err != nil {
		return g.explain(err, s.accountID)
	}
	return spec.Write(g.streams.Out, live)
}

// color reports whether output may carry ANSI colour: only on a terminal,
// and never with --no-color or NO_COLOR.
func (g *globals) color() bool {
	return !g.noColor && g.streams.OutIsTerminal != nil && g.streams.OutIsTerminal()
}
