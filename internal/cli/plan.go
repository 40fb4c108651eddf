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

func planCommand(g *globals) *ucli.Command {
	return withExitCodes("plan", &ucli.Command{
		Name:      "plan",
		Usage:     "show what apply would change; never writes to the account",
		UsageText: "riskctl plan -f PATH... [--out PLANFILE] [--format text|json|markdown] [--detailed-exitcode] [--max-deletes N] [--target T]... [--dedupe] [--access-impact on|off] [--audit-window 30d] [--notify URL]... [--notify-state FILE]",
		ArgsUsage: " ",
		Description: "Examples:\n" +
			"  riskctl plan -f riskscoring/ --out plan.json                         # review it, then: riskctl apply plan.json\n" +
			"  riskctl plan -f riskscoring/ --format markdown --detailed-exitcode   # a PR comment; its own exit code on changes\n" +
			"  riskctl plan -f prod.yaml --target behavior:imp_travel               # only that behavior (a partial plan)",
		Flags: append([]ucli.Flag{
			fileFlag(),
			&ucli.StringFlag{Name: "out", TakesFile: true, Usage: "also save the plan to this file, for a later 'riskctl apply FILE'"},
			reportFormatFlag("text", "json", "markdown"),
			&ucli.BoolFlag{Name: "detailed-exitcode", Usage: detailedExitcodeUsage()},
			maxDeletesFlag(),
			targetFlag(),
			dedupeFlag(),
			accessImpactFlag("on"),
			auditWindowFlag(),
		}, g.notifyFlags()...),
		Action: action(planOptionsFrom, g.plan),
	})
}

// detailedExitcodeUsage is the help of --detailed-exitcode, its codes
// from the table.
func detailedExitcodeUsage() string {
	return fmt.Sprintf("exit %d when there are changes (%d: none, %d: error)",
		statuses[reconcile.StatusChanges].code, statuses[reconcile.StatusOK].code, statuses[reconcile.StatusError].code)
}

// planOptions are plan's flags, checked.
type planOptions struct {
	Files            []string // -f: spec files and directories
	Out              string   // --out: also save the plan here ("": do not)
	Format           string   // --format: text, json or markdown
	DetailedExitcode bool     // --detailed-exitcode: exit 2 when there are changes
	MaxDeletes       int      // --max-deletes: the limit apply will enforce
	Targets          []plan.Target
	Dedupe           bool                   // --dedupe: delete the extras of a shared reference_id
	NoAccess         bool                   // --access-impact=off
	Audit            reconcile.AuditOptions // --audit-window
	Notify           notifyOptions
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
	noAccess, err := accessOff(c)
	if err != nil {
		return planOptions{}, err
	}
	notifyOpts, err := notifyOptionsFrom(c)
	if err != nil {
		return planOptions{}, err
	}
	audit, err := auditOptions(c)
	if err != nil {
		return planOptions{}, err
	}
	return planOptions{
		Audit:            audit,
		Notify:           notifyOpts,
		Files:            files,
		Out:              c.String("out"),
		Format:           format,
		DetailedExitcode: c.Bool("detailed-exitcode"),
		MaxDeletes:       limit,
		Targets:          targets,
		Dedupe:           c.Bool("dedupe"),
		NoAccess:         noAccess,
	}, nil
}

// dedupeFlag is plan's and apply's --dedupe.
func dedupeFlag() ucli.Flag {
	return &ucli.BoolFlag{Name: "dedupe", Usage: "where live integrations share a spec reference_id, delete all but the earliest created (counted by --max-deletes) instead of refusing"}
}

func (g *globals) plan(ctx context.Context, o planOptions) error {
	in := g.inputs(o.Files)
	in.NoAccess, in.Audit = o.NoAccess, o.Audit
	out := reconcile.Plan(ctx, reconcile.PlanOptions{
		Inputs:         in,
		Targets:        o.Targets,
		Dedupe:         o.Dedupe,
		MaxDeletes:     o.MaxDeletes,
		Out:            o.Out,
		RiskctlVersion: Version(),
		Secrets:        g.secrets,
	})
	err := g.renderPlan(o, out)
	g.notify(ctx, o.Notify, report.KindPlan, out)
	return err
}

// renderPlan prints a plan's outcome: the report on stdout, failures and
// what became of --out on stderr, and the exit code of its status
// (changes exit 0 without --detailed-exitcode).
func (g *globals) renderPlan(o planOptions, out reconcile.Outcome) error {
	if out.StoppedAtInputs {
		return out.Err
	}
	r := g.newReport(report.KindPlan, out.Accounts)
	if len(o.Targets) > 0 {
		if err := report.WritePartialWarning(g.streams.Err); err != nil {
			return err
		}
	}
	if out.Refusal != nil {
		// The rules apply enforces, evaluated now, so a PR shows the
		// refusal before merge rather than after.
		r.ApplyRefusal = out.Refusal
	}
	if err := g.writeReport(o.Format, r); err != nil {
		return err
	}
	g.accountFailures(r)
	if err := report.WriteSaveNote(g.streams.Err, o.Out, out.Saved, out.NotSaved); err != nil {
		return err
	}
	var err error
	switch {
	case out.Err != nil:
		err = statusError(out.Status, out.Err, false)
	case out.Refusal != nil:
		err = statusError(out.Status, fmt.Errorf("apply will refuse this plan: %w", out.Refusal), false)
	case out.Status == reconcile.StatusChanges && !o.DetailedExitcode:
		// Changes pending are news, not a failure, unless asked for.
	case out.Status == reconcile.StatusChanges:
		err = statusError(out.Status, errors.New("changes pending"), true)
	case out.Status != reconcile.StatusOK:
		err = statusError(out.Status, errors.New("some accounts failed"), true)
	}
	return g.finish(r, out.Status, err)
}
