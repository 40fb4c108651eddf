package cli

import (
	ucli "github.com/urfave/cli/v2"

	"github.com/riskctl/riskctl/internal/remote"
	"github.com/riskctl/riskctl/internal/spec"
)

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

func (g *globals) export(c *ucli.Context) error {
	if c.Args().Present() {
		return usageErrorf("export takes no arguments")
	}
	s, err := g.connect(c.String("account-id"))
	if err != nil {
		return err
	}
	live, err := remote.Fetch(c.Context, s.api, s.accountID)
	if err != nil {
		return g.explain(err, s.accountID)
	}
	return spec.Write(g.streams.Out, live)
}
