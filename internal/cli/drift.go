package cli

import (
	"context"
	"errors"

	ucli "github.com/urfave/cli/v2"

	"github.com/riskctl/riskctl/internal/reconcile"
	"github.com/riskctl/riskctl/internal/report"
)

func driftCommand(g *globals) *ucli.Command {
	return withExitCodes("drift", &ucli.Command{
		Name:      "drift",
		Usage:     "read-only check that the account matches the spec (the exit code says whether it drifted)",
		UsageText: "riskctl drift -f PATH... [--format text|json|markdown] [--access-impact on|off] [--audit-window 30d] [--notify URL]... [--notify-state FILE]",
		ArgsUsage: " ",
		Description: "Examples:\n" +
			"  riskctl drift -f riskscoring/                              # every spec in the directory\n" +
			"  riskctl drift -f riskscoring/ --format markdown            # the body of a drift issue\n" +
			"  riskctl drift -f prod.yaml -f staging.yaml --format json   # two accounts, one report",
		Flags:  append([]ucli.Flag{fileFlag(), reportFormatFlag("text", "json", "markdown"), accessImpactFlag("on"), auditWindowFlag()}, g.notifyFlags()...),
		Action: action(driftOptionsFrom, g.drift),
	})
}

// driftOptions are drift's flags, checked.
type driftOptions struct {
	Files    []string               // -f: spec files and directories
	Format   string                 // --format: text, json or markdown
	NoAccess bool                   // --access-impact=off
	Audit    reconcile.AuditOptions // --audit-window
	Notify   notifyOptions
}

// driftOptionsFrom reads drift's flags; errors are usage errors (exit 3).
func driftOptionsFrom(c *ucli.Context) (driftOptions, error) {
	format, err := checkFormat(c, "text", "json", "markdown")
	if err != nil {
		return driftOptions{}, err
	}
	files, err := specFiles(c)
	if err != nil {
		return driftOptions{}, err
	}
	noAccess, err := accessOff(c)
	if err != nil {
		return driftOptions{}, err
	}
	notifyOpts, err := notifyOptionsFrom(c)
	if err != nil {
		return driftOptions{}, err
	}
	audit, err := auditOptions(c)
	if err != nil {
		return driftOptions{}, err
	}
	return driftOptions{Files: files, Format: format, NoAccess: noAccess, Audit: audit, Notify: notifyOpts}, nil
}

func (g *globals) drift(ctx context.Context, o driftOptions) error {
	in := g.inputs(o.Files)
	in.NoAccess, in.Audit = o.NoAccess, o.Audit
	out := reconcile.Drift(ctx, reconcile.DriftOptions{Inputs: in})
	err := g.renderDrift(o, out)
	g.notify(ctx, o.Notify, report.KindDrift, out)
	return err
}

// renderDrift prints a drift outcome: the report on stdout, failures on
// stderr, and the exit code of its status.
func (g *globals) renderDrift(o driftOptions, out reconcile.Outcome) error {
	if out.StoppedAtInputs {
		return out.Err
	}
	r := g.newReport(report.KindDrift, out.Accounts)
	if err := g.writeReport(o.Format, r); err != nil {
		return err
	}
	g.accountFailures(r)
	var err error
	switch out.Status {
	case reconcile.StatusOK:
	case reconcile.StatusChanges:
		err = statusError(out.Status, errors.New("drift detected"), true)
	default:
		err = statusError(out.Status, errors.New("some accounts failed"), true)
	}
	return g.finish(r, out.Status, err)
}
