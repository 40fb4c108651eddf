package cli

import (
	"context"
	"errors"
	"fmt"

	ucli "github.com/urfave/cli/v2"

	"github.com/riskctl/riskctl/internal/plan"
	"github.com/riskctl/riskctl/internal/reconcile"
	"github.com/riskctl/riskctl/internal/report"
)

func applyCommand(g *globals) *ucli.Command {
	return withExitCodes("apply", &ucli.Command{
		Name:  "apply",
		Usage: "make the account match the spec (-f FILE...), or apply a saved plan (PLANFILE)",
		UsageText: "riskctl apply -f PATH... [--auto-approve] [--approve-weakening] [--format text|json] [--max-deletes N] [--parallelism N] [--target T]... [--dedupe] [--access-impact on|off] [--notify URL]... [--notify-state FILE]\n" +
			"riskctl apply [--approve-weakening] [--format text|json] [--max-deletes N] [--parallelism N] [--allow-other-version] [--notify URL]... [--notify-state FILE] PLANFILE",
		ArgsUsage: "[PLANFILE]",
		Description: "With -f, apply plans, shows the plan and asks for approval (--auto-approve\n" +
			"skips the question; without a terminal it is required). With PLANFILE, a plan\n" +
			"saved by 'riskctl plan --out' is the approval: it is applied exactly, unless the\n" +
			"account or the spec files changed since it was made (then it is refused).\n" +
			"\n" +
			"A plan with weakening changes (a behavior disabled or its level lowered, an\n" +
			"integration deactivated, deleted, replaced or moved to another tenant_url) is\n" +
			"refused unless --approve-weakening is given, with -f or PLANFILE alike: the\n" +
			"approval is this run's, not the saved plan's.\n" +
			"\n" +
			"Examples:\n" +
			"  riskctl apply -f prod.yaml                                   # shows the plan, asks for \"yes\"\n" +
			"  riskctl apply -f riskscoring/ --auto-approve --format json   # in CI: no terminal, no question\n" +
			"  riskctl apply plan.json --max-deletes 5                      # exactly the plan saved by plan --out",
		Flags: append([]ucli.Flag{
			fileFlag(),
			&ucli.BoolFlag{Name: "auto-approve", Usage: "apply without asking (required without a terminal)"},
			&ucli.BoolFlag{Name: "approve-weakening", Usage: "apply weakening changes (a detection disabled or lowered, a risk-score feed stopped or moved); without it a plan with any is refused"},
			maxDeletesFlag(),
			targetFlag(),
			dedupeFlag(),
			accessImpactFlag("off"),
			&ucli.IntFlag{Name: "parallelism", Value: reconcile.DefaultParallelism, Usage: "API writes in flight at once in each account (the default is Terraform's); several accounts apply at once, 180 ÷ N of them (docs/plan-and-apply.md)"},
			&ucli.BoolFlag{Name: "allow-other-version", Usage: "apply a saved PLANFILE made by another riskctl version (refused by default)"},
			reportFormatFlag("text", "json"),
		}, g.notifyFlags()...),
		Action: action(applyOptionsFrom, g.apply),
	})
}

// applyOptions are apply's flags and argument, checked. Exactly one of
// Files and PlanFile is set: the two forms of apply.
type applyOptions struct {
	Files    []string      // -f: plan these specs, then apply (asking unless AutoApprove)
	Targets  []plan.Target // --target: only with Files (a saved plan keeps its own)
	Dedupe   bool          // --dedupe: only with Files (a saved plan records it)
	PlanFile string        // PLANFILE: apply this saved plan; it is the approval

	AutoApprove       bool // --auto-approve
	ApproveWeakening  bool // --approve-weakening: with -f or PLANFILE, a decision of this run
	AllowOtherVersion bool // --allow-other-version: a PLANFILE made by another riskctl
	MaxDeletes        int  // --max-deletes
	Parallelism       int  // --parallelism: 1 or more
	Format            string
	NoAccess          bool // --access-impact=off: only with Files
	Notify            notifyOptions
}

// applyOptionsFrom reads apply's flags and argument; errors are usage
// errors (exit 3).
func applyOptionsFrom(c *ucli.Context) (applyOptions, error) {
	format, err := checkFormat(c, "text", "json")
	if err != nil {
		return applyOptions{}, err
	}
	o := applyOptions{
		AutoApprove:       c.Bool("auto-approve"),
		ApproveWeakening:  c.Bool("approve-weakening"),
		AllowOtherVersion: c.Bool("allow-other-version"),
		Format:            format,
	}
	if c.NArg() > 0 {
		if len(c.StringSlice("file")) > 0 || len(c.StringSlice("target")) > 0 || c.IsSet("dedupe") || c.IsSet("access-impact") {
			return applyOptions{}, usageErrorf("apply takes either -f FILE... or a saved PLANFILE, not both (a saved plan keeps its own targets and --dedupe, and is applied without Access reads)")
		}
		if c.NArg() > 1 {
			return applyOptions{}, usageErrorf("apply takes one PLANFILE, got %d arguments", c.NArg())
		}
		if o.PlanFile = c.Args().First(); o.PlanFile == "" {
			return applyOptions{}, usageErrorf("PLANFILE is empty: name a plan saved by 'riskctl plan --out'")
		}
	} else {
		if format == "json" && !o.AutoApprove {
			return applyOptions{}, usageErrorf("apply --format json needs --auto-approve: JSON output shows no plan to approve")
		}
		if o.Targets, err = parseTargets(c); err != nil {
			return applyOptions{}, err
		}
		o.Dedupe = c.Bool("dedupe")
		if o.Files, err = specFiles(c); err != nil {
			return applyOptions{}, err
		}
	}
	if o.MaxDeletes, err = maxDeletes(c); err != nil {
		return applyOptions{}, err
	}
	if o.NoAccess, err = accessOff(c); err != nil {
		return applyOptions{}, err
	}
	if o.Parallelism = c.Int("parallelism"); o.Parallelism < 1 {
		return applyOptions{}, usageErrorf("--parallelism %d: expected 1 or more", o.Parallelism)
	}
	if o.Notify, err = notifyOptionsFrom(c); err != nil {
		return applyOptions{}, err
	}
	return o, nil
}

func (g *globals) apply(ctx context.Context, o applyOptions) error {
	in := g.inputs(o.Files)
	in.NoAccess = o.NoAccess
	opts := reconcile.ApplyOptions{
		Inputs:            in,
		Targets:           o.Targets,
		Dedupe:            o.Dedupe,
		PlanFile:          o.PlanFile,
		RiskctlVersion:    Version(),
		AllowOtherVersion: o.AllowOtherVersion,
		Warn:              func(err error) { fmt.Fprintf(g.streams.Err, "Warning: %s\n", errorText(err)) },
		MaxDeletes:        o.MaxDeletes,
		ApproveWeakening:  o.ApproveWeakening,
		// What will be done, shown as a plan: there is no result yet.
		Review: func(out *reconcile.Outcome) error {
			if o.Format != "text" {
				return nil
			}
			return g.writeReport("text", g.newReport(report.KindPlan, out.Accounts))
		},
		// One counted line per action on stderr, in CI as on a terminal.
		// When ctx ends (an interrupt, --timeout), nothing new starts and
		// what is in flight gets apply's grace; the outcome says what landed.
		Execute: reconcile.ExecuteOptions{Parallelism: o.Parallelism, Progress: g.streams.Err},
	}
	if !o.AutoApprove {
		opts.Approve = func(context.Context, *reconcile.Outcome) (bool, error) {
			return g.ask("Do you want to perform these actions?", "--auto-approve")
		}
	}
	if g.emulate {
		// The embedded emulator's state has one process at a time (its
		// lock), so no concurrent run can create a copy to wait for.
		opts.Execute.DuplicateSettle = -1
	}
	out := reconcile.Apply(ctx, opts)
	err := g.renderApply(o, out)
	g.notify(ctx, o.Notify, report.KindApply, out)
	return err
}

// renderApply prints what apply did, truthfully ("Apply complete!" only
// when every action applied), and exits with the outcome's status.
func (g *globals) renderApply(o applyOptions, out reconcile.Outcome) error {
	if out.StoppedAtInputs {
		return out.Err
	}
	r := g.newReport(report.KindApply, out.Accounts)
	r.Writes = out.Writes
	switch {
	case out.Err != nil: // a saved plan refused, or the plan not shown
		return g.finish(r, out.Status, statusError(out.Status, g.explain(out.Err, out.ErrAccount), false))
	case !out.Executed && out.WorstAccount() != nil: // not every account planned
		g.accountFailures(r)
		return g.finish(r, out.Status, statusError(out.Status, errors.New("some accounts failed"), true))
	case out.Status == reconcile.StatusCancelled:
		// The user's own answer, not a failure: said once, as Terraform
		// does, with no "Error:" (docs/exit-codes.md).
		if err := report.WriteApplyCancelled(g.streams.Out); err != nil {
			return err
		}
		return g.finish(r, out.Status, statusError(out.Status, out.Refusal, true))
	case out.Refusal != nil:
		return g.finish(r, out.Status, statusError(out.Status, out.Refusal, false))
	case !out.Executed: // no changes
		if o.Format == "json" {
			if err := g.writeReport("json", r); err != nil {
				return err
			}
		}
		return g.finish(r, out.Status, nil)
	}
	if o.Format == "json" {
		if err := g.writeReport("json", r); err != nil {
			return err
		}
	} else if err := report.WriteApplyResult(g.streams.Out, r); err != nil {
		return err
	}
	var err error
	if worst := out.WorstAccount(); worst != nil {
		err = worst.Err
		if len(out.Accounts) > 1 {
			err = fmt.Errorf("account %s: %w", worst.ID(), err)
		}
		err = statusError(out.Status, err, false)
	}
	return g.finish(r, out.Status, err)
}
