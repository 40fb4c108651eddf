package cli

import (
	ucli "github.com/urfave/cli/v2"

	"github.com/riskctl/riskctl/internal/spec"
)

func schemaCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "schema",
		Usage:     "print the JSON Schema of the spec (for editors: yaml-language-server, VS Code)",
		ArgsUsage: " ",
		Action: func(c *ucli.Context) error {
			_, err := c.App.Writer.Write(spec.JSONSchema())
			return err
		},
	}
}
