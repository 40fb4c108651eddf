package cli

import (
	"context"
	"errors"

	ucli "github.com/urfave/cli/v2"

	"github.com/riskctl/riskctl/internal/reconcile"
	"github.com/riskctl/riskctl/internal/report"
)

func driftCommand(g *globals) *ucli.Command {
	return &ucli.Command{
		Name:      "drift",
		Usage:     "read-only check that the account matches the spec: exit 0 in sync, 2 drift, 1 error",
		UsageText: "riskctl drift -f PATH... [--format text|json|markdown]",
		ArgsUsage: " ",
		Description: "Examples:\n" +
			"  riskctl drift -f riskscoring/                              # exit 0 in sync, 2 drift, 1 error\n" +
			"  riskctl drift -f riskscoring/ --format markdown            # the body of a drift issue\n" +
			"  riskctl drift -f prod.yaml -f staging.yaml --format json   # two accounts, one report",
		Flags:  []ucli.Flag{fileFlag(), reportFormatFlag("text", "json", "markdown")},
		Action: action(driftOptionsFrom, g.drift),
	}
}

// driftOptions are drift's flags, checked.
type driftOptions struct {
	Files  []string // -f: spec files and directories
	Format string   // --format: text, json or markdown
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
	return driftOptions{Files: files, Format: format}, nil
}

func (g *globals) drift(ctx context.Context, o driftOptions) error {
	files, err := g.loadSpecs(o.Files)
	if err != nil {
		return err
	}
	accounts := reconcile.PlanAccounts(ctx, files, reconcile.PlanOptions{Connect: g.connector()})
	r := g.newReport(report.KindDrift, accounts)
	if err := g.writeReport(o.Format, r); err != nil {
		return err
	}
	outcome := g.accountFailures(r)
	if outcome == nil && r.HasChanges() {
		outcome = &exitError{code: ExitChanges, err: errors.New("drift detected"), quiet: true}
	}
	return g.finish(r, outcome, "")
}
