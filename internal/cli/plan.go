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

// errChangesPending makes plan --detailed-exitcode exit 2.
var errChangesPending = &exitError{code: ExitChanges, err: errors.New("changes pending"), quiet: true}

func planCommand(g *globals) *ucli.Command {
	return &ucli.Command{
		Name:      "plan",
		Usage:     "show what apply would change; never writes to the account",
		UsageText: "riskctl plan -f PATH... [--out PLANFILE] [--format text|json|markdown] [--detailed-exitcode] [--max-deletes N] [--target T]... [--dedupe]",
		ArgsUsage: " ",
		Description: "Exit codes: 0 no changes (or changes, without --detailed-exitcode), 2 changes\n" +
			"pending (--detailed-exitcode), 4 apply would refuse this plan (--max-deletes),\n" +
			"3 invalid spec or flags, 1 error.\n" +
			"\n" +
			"Examples:\n" +
			"  riskctl plan -f riskscoring/ --out plan.json                         # review it, then: riskctl apply plan.json\n" +
			"  riskctl plan -f riskscoring/ --format markdown --detailed-exitcode   # a PR comment; exit 2 on changes\n" +
			"  riskctl plan -f prod.yaml --target behavior:imp_travel               # only that behavior (a partial plan)",
		Flags: []ucli.Flag{
			fileFlag(),
			&ucli.StringFlag{Name: "out", TakesFile: true, Usage: "also save the plan to this file, for a later 'riskctl apply FILE'"},
			reportFormatFlag("text", "json", "markdown"),
			&ucli.BoolFlag{Name: "detailed-exitcode", Usage: "exit 2 when there are changes (0: none, 1: error)"},
			maxDeletesFlag(),
			targetFlag(),
			dedupeFlag(),
		},
		Action: action(planOptionsFrom, g.plan),
	}
}

// planOptions are plan's flags, checked.
type planOptions struct {
	Files            []string // -f: spec files and directories
	Out              string   // --out: also save the plan here ("": do not)
	Format           string   // --format: text, json or markdown
	DetailedExitcode bool     // --detailed-exitcode: exit 2 when there are changes
	MaxDeletes       int      // --max-deletes: the limit apply will enforce
	Targets          []plan.Target
	Dedupe           bool // --dedupe: delete the extras of a shared reference_id
}

// planOptionsFrom reads plan's flags; errors are usage errors (exit 3).
func planOptionsFrom(c *ucli.Context) (planOptions, error) {
	format, err := checkFormat(c, "text", "json", "markdown")
	if err != nil {
		return planOptions{}, err
	}
	targets, err := parseTargets(c)
	if err != nil {
		return planOptions{}, err
	}
	files, err := specFiles(c)
	if err != nil {
		return planOptions{}, err
	}
	limit, err := maxDeletes(c)
	if err != nil {
		return planOptions{}, err
	}
	return planOptions{
		Files:            files,
		Out:              c.String("out"),
		Format:           format,
		DetailedExitcode: c.Bool("detailed-exitcode"),
		MaxDeletes:       limit,
		Targets:          targets,
		Dedupe:           c.Bool("dedupe"),
	}, nil
}

// dedupeFlag is plan's and apply's --dedupe.
func dedupeFlag() ucli.Flag {
	return &ucli.BoolFlag{Name: "dedupe", Usage: "where live integrations share a spec reference_id, delete all but the earliest created (counted by --max-deletes) instead of refusing"}
}

func (g *globals) plan(ctx context.Context, o planOptions) error {
	files, err := g.loadSpecs(o.Files)
	if err != nil {
		return err
	}
	var save *reconcile.SaveTarget
	if o.Out != "" {
		// Checked before any request, so a refused --out writes nothing.
		if save, err = reconcile.PrepareSave(o.Out, files); err != nil {
			return err
		}
	}
	accounts := reconcile.PlanAccounts(ctx, files, reconcile.PlanOptions{Connect: g.connector(), Targets: o.Targets, Dedupe: o.Dedupe})
	r := g.newReport(report.KindPlan, accounts)
	if len(o.Targets) > 0 {
		fmt.Fprintln(g.streams.Err, "Warning: partial plan: only the targeted objects are planned; other differences are not shown.")
	}
	// The rules apply enforces, evaluated now, so a PR shows the refusal
	// before merge rather than after. A plan apply would refuse is not saved.
	var refusal error
	if !reconcile.Failed(accounts) {
		if err := reconcile.CheckDeletes(accounts, o.MaxDeletes); err != nil {
			refusal = fmt.Errorf("apply will refuse this plan: %w", err)
			r.ApplyRefusal = err.Error()
		}
	}
	if err := g.writeReport(o.Format, r); err != nil {
		return err
	}
	if outcome := g.accountFailures(r); outcome != nil {
		if save != nil {
			fmt.Fprintf(g.streams.Err, "Not saving the plan to %s: not every account was planned.\n", save.Path)
		}
		return g.finish(r, outcome, "")
	}
	if refusal != nil {
		if save != nil {
			fmt.Fprintf(g.streams.Err, "Not saving the plan to %s: apply would refuse it.\n", save.Path)
		}
		return g.finish(r, refusal, report.ReasonRefused)
	}
	if save != nil {
		if err := reconcile.SavePlan(save, accounts, reconcile.SaveOptions{RiskctlVersion: Version(), Secrets: g.secrets}); err != nil {
			return g.finish(r, err, report.ReasonError)
		}
		fmt.Fprintf(g.streams.Err, "Saved the plan to %s. Apply exactly this plan with: riskctl apply %s\n", save.Path, save.Path)
	}
	if r.HasChanges() && o.DetailedExitcode {
		return g.finish(r, errChangesPending, "")
	}
	return g.finish(r, nil, "")
}
