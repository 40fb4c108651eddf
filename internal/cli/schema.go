package cli

import (
	ucli "github.com/urfave/cli/v2"

	"github.com/riskctl/riskctl/internal/spec"
)

// schemaCommand has no flags and takes no arguments: nothing to map into
// options, its action is the one write.
func schemaCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "schema",
		Usage:     "print the JSON Schema of the spec (for editors: yaml-language-server, VS Code)",
		UsageText: "riskctl schema",
		Description: "Prints the JSON Schema of riskctl's spec files, for editors that\n" +
			"validate and complete YAML against a schema.\n\n" +
			"Examples:\n" +
			"  riskctl schema > riskctl.schema.json\n" +
			"  riskctl schema | jq '.properties | keys'",
		ArgsUsage: " ",
		Action: func(c *ucli.Context) error {
			_, err := c.App.Writer.Write(spec.JSONSchema())
			return err
		},
	}
}
