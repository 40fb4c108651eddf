package cli

import (
	"context"
	"errors"
	"fmt"

	ucli "github.com/urfave/cli/v2"

	"github.com/riskctl/riskctl/internal/apply"
	"github.com/riskctl/riskctl/internal/plan"
	"github.com/riskctl/riskctl/internal/planfile"
	"github.com/riskctl/riskctl/internal/reconcile"
	"github.com/riskctl/riskctl/internal/report"
)

func applyCommand(g *globals) *ucli.Command {
	return &ucli.Command{
		Name:  "apply",
		Usage: "make the account match the spec (-f FILE...), or apply a saved plan (PLANFILE)",
		UsageText: "riskctl apply -f PATH... [--auto-approve] [--format text|json] [--max-deletes N] [--parallelism N] [--target T]... [--dedupe]\n" +
			"riskctl apply [--format text|json] [--max-deletes N] [--parallelism N] [--allow-other-version] PLANFILE",
		ArgsUsage: "[PLANFILE]",
		Description: "With -f, apply plans, shows the plan and asks for approval (--auto-approve\n" +
			"skips the question; without a terminal it is required). With PLANFILE, a plan\n" +
			"saved by 'riskctl plan --out' is the approval: it is applied exactly, unless the\n" +
			"account or the spec files changed since it was made (then it is refused, exit 4).\n" +
			"\n" +
			"Examples:\n" +
			"  riskctl apply -f prod.yaml                                   # shows the plan, asks for \"yes\"\n" +
			"  riskctl apply -f riskscoring/ --auto-approve --format json   # in CI: no terminal, no question\n" +
			"  riskctl apply plan.json --max-deletes 5                      # exactly the plan saved by plan --out",
		Flags: []ucli.Flag{
			fileFlag(),
			&ucli.BoolFlag{Name: "auto-approve", Usage: "apply without asking (required without a terminal)"},
			maxDeletesFlag(),
			targetFlag(),
			dedupeFlag(),
			&ucli.IntFlag{Name: "parallelism", Value: apply.DefaultParallelism, Usage: "API writes in flight at once (the default is Terraform's)"},
			&ucli.BoolFlag{Name: "allow-other-version", Usage: "apply a saved PLANFILE made by another riskctl version (refused by default)"},
			reportFormatFlag("text", "json"),
		},
		Action: action(applyOptionsFrom, g.apply),
	}
}

// applyOptions are apply's flags and argument, checked. Exactly one of
// Files and PlanFile is set: the two forms of apply.
type applyOptions struct {
	Files    []string      // -f: plan these specs, then apply (asking unless AutoApprove)
	Targets  []plan.Target // --target: only with Files (a saved plan keeps its own)
	Dedupe   bool          // --dedupe: only with Files (a saved plan records it)
	PlanFile string        // PLANFILE: apply this saved plan; it is the approval

	AutoApprove       bool // --auto-approve
	AllowOtherVersion bool // --allow-other-version: a PLANFILE made by another riskctl
	MaxDeletes        int  // --max-deletes
	Parallelism       int  // --parallelism: 1 or more
	Format            string
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
		AllowOtherVersion: c.Bool("allow-other-version"),
		Format:            format,
	}
	if c.NArg() > 0 {
		if len(c.StringSlice("file")) > 0 || len(c.StringSlice("target")) > 0 || c.IsSet("dedupe") {
			return applyOptions{}, usageErrorf("apply takes either -f FILE... or a saved PLANFILE, not both (a saved plan keeps its own targets and --dedupe)")
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
	if o.Parallelism = c.Int("parallelism"); o.Parallelism < 1 {
		return applyOptions{}, usageErrorf("--parallelism %d: expected 1 or more", o.Parallelism)
	}
	return o, nil
}

func (g *globals) apply(ctx context.Context, o applyOptions) error {
	if o.PlanFile != "" {
		return g.applySaved(ctx, o)
	}
	files, err := g.loadSpecs(o.Files)
	if err != nil {
		return err
	}
	accounts := reconcile.PlanAccounts(ctx, files, reconcile.PlanOptions{Connect: g.connector(), Targets: o.Targets, Dedupe: o.Dedupe})
	r := g.newReport(report.KindApply, accounts)
	if failed := g.accountFailures(r); failed != nil {
		return g.finish(r, failed, "")
	}
	return g.applyPlans(ctx, o, accounts, !o.AutoApprove)
}

// applySaved applies the plan o.PlanFile saved by `plan --out`, exactly as
// reviewed, unless reconcile.LoadSaved refuses it.
func (g *globals) applySaved(ctx context.Context, o applyOptions) error {
	saved, err := planfile.Read(o.PlanFile)
	if err != nil {
		return usageErrorf("%v", err)
	}
	accounts, err := reconcile.LoadSaved(ctx, saved, reconcile.LoadOptions{
		Connect:           g.connector(),
		Spec:              g.specOptions(),
		RiskctlVersion:    Version(),
		AllowOtherVersion: o.AllowOtherVersion,
		Warn:              func(err error) { fmt.Fprintf(g.streams.Err, "Warning: %v\n", err) },
	})
	if err != nil {
		reason := report.ReasonRefused
		var stale *planfile.StaleError
		if errors.As(err, &stale) {
			reason = report.ReasonStalePlan
		}
		// The accounts are checked in order: the failing one is the next.
		if n := len(accounts); n < len(saved.Accounts) {
			err = g.explain(err, saved.Accounts[n].AccountID)
		}
		return g.finish(g.newReport(report.KindApply, accounts), err, reason)
	}
	// A saved plan was reviewed when it was made: it is the approval.
	return g.applyPlans(ctx, o, accounts, false)
}

// applyPlans shows the plans, enforces the delete limit, asks for approval
// when askApproval, and executes. Both apply forms end here.
func (g *globals) applyPlans(ctx context.Context, o applyOptions, accounts []*reconcile.Account, askApproval bool) error {
	// What will be done, shown as a plan: there is no result to tally yet.
	preview := g.newReport(report.KindPlan, accounts)
	if o.Format == "text" {
		if err := g.writeReport("text", preview); err != nil {
			return err
		}
	}
	if !preview.HasChanges() {
		r := g.newReport(report.KindApply, accounts)
		if o.Format == "json" {
			if err := g.writeReport("json", r); err != nil {
				return err
			}
		}
		return g.finish(r, nil, report.ReasonNoChanges)
	}
	if err := reconcile.CheckDeletes(accounts, o.MaxDeletes); err != nil {
		return g.finish(g.newReport(report.KindApply, accounts), err, report.ReasonRefused)
	}
	if askApproval {
		if err := g.confirm("Do you want to perform these actions?", "--auto-approve"); err != nil {
			return g.finish(g.newReport(report.KindApply, accounts), err, report.ReasonRefused)
		}
	}
	// One counted line per action on stderr, in CI as on a terminal. When
	// ctx ends (an interrupt, --timeout), nothing new starts and what is
	// in flight gets apply's grace; the outcome below says what landed.
	opts := reconcile.ApplyOptions{Parallelism: o.Parallelism, Progress: g.streams.Err}
	if g.emulate {
		// The embedded emulator's state has one process at a time (its
		// lock), so no concurrent run can create a copy to wait for.
		opts.DuplicateSettle = -1
	}
	results := reconcile.Apply(ctx, accounts, opts)
	return g.reportApply(o.Format, accounts, results)
}

// reportApply prints what apply did, truthfully: "Apply complete!" only
// when every action applied. The run exits with the most severe outcome.
func (g *globals) reportApply(format string, accounts []*reconcile.Account, results []*apply.Result) error {
	r := g.newReport(report.KindApply, accounts)
	var applied, failed, skipped int
	for i, res := range results {
		if res == nil {
			continue
		}
		r.Accounts[i].Result = res
		applied, failed, skipped = applied+res.Applied, failed+res.Failed, skipped+res.Skipped
		switch err := res.Err(); {
		case err == nil:
		case res.Partial():
			r.Accounts[i].Err, r.Accounts[i].ExitCode = err, ExitPartial
		default:
			r.Accounts[i].Err, r.Accounts[i].ExitCode = err, ExitError
		}
	}
	if format == "json" {
		if err := g.writeReport("json", r); err != nil {
			return err
		}
	} else if failed+skipped == 0 {
		fmt.Fprintf(g.streams.Out, "\nApply complete! %d applied.\n", applied)
	} else {
		fmt.Fprintf(g.streams.Out, "\nApply incomplete: %d applied, %d failed, %d not started.\n", applied, failed, skipped)
	}
	var outcome error
	for _, a := range r.Accounts {
		if a.Err == nil {
			continue
		}
		err := a.Err
		if len(r.Accounts) > 1 {
			err = fmt.Errorf("account %s: %w", a.AccountID, err)
		}
		if a.ExitCode == ExitPartial {
			err = &exitError{code: ExitPartial, err: err}
		}
		if outcome == nil || severity[ExitCode(err)] > severity[ExitCode(outcome)] {
			outcome = err
		}
	}
	// Every failure here is a known outcome of apply: when anything was
	// applied (in any account), the run is partial, whatever failed.
	if outcome != nil && applied > 0 && ExitCode(outcome) != ExitPartial {
		outcome = &exitError{code: ExitPartial, err: outcome}
	}
	return g.finish(r, outcome, "")
}
