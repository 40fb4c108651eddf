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
		UsageText: "riskctl export [--account-id ID]",
		Description: "Prints the account's behaviors and integrations as a spec on stdout: a\n" +
			"plan of it shows no changes, so it is where a repository starts.\n\n" +
			"Examples:\n" +
			"  riskctl export > prod.yaml\n" +
			"  riskctl export --account-id 699d98642c564d2e855e9661899b7252\n" +
			"  riskctl --emulate export",
		ArgsUsage: " ",
		Flags: []ucli.Flag{
			&ucli.StringFlag{Name: "account-id", Usage: "account to export (default: the global --account-id / " + envAccountID + ")"},
		},
		Action: g.export,
	}
}

// exportOptions are the options of `export`.
type exportOptions struct {
	AccountID string // "" means the global --account-id
}

// exportOptionsFrom builds and checks the options of `export`.
func exportOptionsFrom(c *ucli.Context) (exportOptions, error) {
	if c.Args().Present() {
		return exportOptions{}, usageErrorf("export takes no arguments")
	}
	return exportOptions{AccountID: c.String("account-id")}, nil
}

func (g *globals) export(c *ucli.Context) error {
	opts, err := exportOptionsFrom(c)
	if err != nil {
		return err
	}
	s, err := g.connect(opts.AccountID)
	if err != nil {
		return err
	}
	live, err := remote.Fetch(c.Context, s.api, s.accountID)
	if err != nil {
		return g.explain(err, s.accountID)
	}
	return spec.Write(g.streams.Out, live)
}
