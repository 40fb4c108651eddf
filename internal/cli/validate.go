package cli

import (
	"fmt"

	ucli "github.com/urfave/cli/v2"
)

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
