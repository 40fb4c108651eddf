package cli

import (
	"errors"

	ucli "github.com/urfave/cli/v2"

	"github.com/riskctl/riskctl/internal/reconcile"
	"github.com/riskctl/riskctl/internal/report"
)

func driftCommand(g *globals) *ucli.Command {
	return &ucli.Command{
		Name:      "drift",
		Usage:     "read-only check that the account matches the spec: exit 0 in sync, 2 drift, 1 error",
		ArgsUsage: " ",
		Flags:     []ucli.Flag{fileFlag(), reportFormatFlag("text", "json", "markdown")},
		Action:    g.drift,
	}
}

func (g *globals) drift(c *ucli.Context) error {
	format, err := checkFormat(c, "text", "json", "markdown")
	if err != nil {
		return err
	}
	files, err := g.loadSpecs(c)
	if err != nil {
		return err
	}
	accounts := reconcile.PlanAccounts(c.Context, files, reconcile.PlanOptions{Connect: g.connector()})
	r := g.newReport(report.KindDrift, accounts)
	if err := g.writeReport(format, r); err != nil {
		return err
	}
	outcome := g.accountFailures(r)
	if outcome == nil && r.HasChanges() {
		outcome = &exitError{code: ExitChanges, err: errors.New("drift detected"), quiet: true}
	}
	return g.finish(r, outcome, "")
}
