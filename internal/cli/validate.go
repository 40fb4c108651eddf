package cli

import (
	"context"
	"fmt"

	ucli "github.com/urfave/cli/v2"

	"github.com/riskctl/riskctl/internal/spec"
	"github.com/riskctl/riskctl/internal/textutil"
)

func validateCommand(g *globals) *ucli.Command {
	return withExitCodes("validate", &ucli.Command{
		Name:      "validate",
		Usage:     "check spec files offline (no credentials needed)",
		UsageText: "riskctl validate -f PATH...",
		ArgsUsage: " ",
		Description: "Warnings (a reference_id that is not a UUID) go to stderr and do not fail.\n" +
			"\n" +
			"Examples:\n" +
			"  riskctl validate -f riskscoring/                # every *.yaml in the directory\n" +
			"  riskctl validate -f prod.yaml -f staging.yaml   # before a commit: no token needed",
		Flags:  []ucli.Flag{fileFlag()},
		Action: action(validateOptionsFrom, g.validate),
	})
}

// validateOptions are validate's flags, checked.
type validateOptions struct {
	Files []string // -f: spec files and directories
}

// validateOptionsFrom reads validate's flags; errors are usage errors (exit 3).
func validateOptionsFrom(c *ucli.Context) (validateOptions, error) {
	files, err := specFiles(c)
	if err != nil {
		return validateOptions{}, err
	}
	return validateOptions{Files: files}, nil
}

func (g *globals) validate(_ context.Context, o validateOptions) error {
	files, err := spec.Load(o.Files, g.specOptions())
	if err != nil {
		return err
	}
	for _, f := range files {
		for _, w := range f.Warnings() {
			fmt.Fprintf(g.streams.Err, "Warning: %s\n", textutil.Visible(fmt.Sprint(w)))
		}
		a := f.Account
		fmt.Fprintf(g.streams.Out, "%s: valid (account %s: %d behaviors, %d integrations)\n",
			textutil.Visible(f.Path), a.AccountID, len(a.Behaviors), len(a.Integrations)) // a file name begins the line
	}
	return nil
}
