package cli

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	ucli "github.com/urfave/cli/v2"

	"github.com/riskctl/riskctl/internal/reconcile"
	"github.com/riskctl/riskctl/internal/safefile"
	"github.com/riskctl/riskctl/internal/tfimport"
)

func importCommand(g *globals) *ucli.Command {
	return &ucli.Command{
		Name:  "import",
		Usage: "take over configuration managed by another tool",
		Subcommands: []*ucli.Command{withExitCodes("import terraform", &ucli.Command{
			Name:      "terraform",
			Usage:     "turn Terraform state into specs, and tell Terraform to forget it",
			UsageText: "riskctl import terraform FILE [-o DIR] [--handoff FILE] [--force]",
			Description: "FILE is the output of `terraform show -json` (or `tofu show -json`) or a\n" +
				"state file (terraform.tfstate, `terraform state pull`); - reads stdin.\n" +
				"Its risk-scoring resources (provider v5 and v4 types, in any module,\n" +
				"count and for_each instances) become one spec per account: on stdout\n" +
				"when there is one account, else with -o DIR as DIR/ACCOUNT_ID.yaml.\n" +
				"Existing files are not overwritten without --force, no file is written\n" +
				"through a symbolic link, and each file is written whole or not at all.\n" +
				"Nothing is sent to the API: plan the specs next, they should show no\n" +
				"changes.\n\n" +
				"The handoff (on stderr, or --handoff FILE) is a Terraform file of\n" +
				"removed blocks (destroy = false) and the equivalent `terraform state\n" +
				"rm` commands: Terraform must forget the resources, not destroy them.\n" +
				"Data sources and other resources are left to Terraform and listed.\n\n" +
				"Examples:\n" +
				"  terraform show -json | riskctl import terraform - > riskscoring.yaml\n" +
				"  riskctl import terraform terraform.tfstate -o riskscoring/ --handoff riskctl_handoff.tf",
			Flags: []ucli.Flag{
				&ucli.StringFlag{Name: "output", Aliases: []string{"o"}, TakesFile: true, Usage: "write one spec per account into this directory, as ACCOUNT_ID.yaml (default: stdout, one account only)"},
				&ucli.StringFlag{Name: "handoff", Usage: "write the handoff (removed blocks, state rm commands) to this file instead of stderr"},
				&ucli.BoolFlag{Name: "force", Usage: "overwrite existing spec and handoff files"},
			},
			Action: action(importOptionsFrom, g.importTerraform),
		})},
	}
}

// importOptions are the options of `import terraform`.
type importOptions struct {
	File    string // the state; tfimport.Stdin for stdin
	OutDir  string // -o: one spec per account here ("": stdout)
	Handoff string // --handoff ("": stderr)
	Force   bool   // overwrite existing files
}

func importOptionsFrom(c *ucli.Context) (importOptions, error) {
	if c.NArg() != 1 {
		return importOptions{}, usageErrorf("import terraform takes one FILE (the output of terraform show -json, or a state file; - for stdin), got %d arguments", c.NArg())
	}
	o := importOptions{File: c.Args().First(), OutDir: c.String("output"), Handoff: c.String("handoff"), Force: c.Bool("force")}
	if o.File == "" {
		return importOptions{}, usageErrorf("import terraform: FILE is empty")
	}
	return o, nil
}

// maxSkippedListed caps the list of instances left to Terraform: a state
// may hold thousands of other resources.
const maxSkippedListed = 20

// output is one file the import writes (a tfimport.Output), as
// writeOutputs and the closing report take it.
type output struct {
	path    string
	data    []byte
	handoff bool // the --handoff file, not a spec
}

func (o output) what() string { return tfimport.Output{Handoff: o.handoff}.What() }

func (g *globals) importTerraform(_ context.Context, o importOptions) error {
	imp, err := tfimport.Import(tfimport.Options{File: o.File, Stdin: g.streams.In, OutDir: o.OutDir, Handoff: o.Handoff, Force: o.Force})
	var invalid *tfimport.InvalidError
	switch {
	case errors.As(err, &invalid):
		return statusError(reconcile.StatusInvalid, err, false)
	case err != nil:
		return err
	}
	outs := make([]output, len(imp.Outputs))
	for i, out := range imp.Outputs {
		outs[i] = output{path: out.Path, data: out.Data, handoff: out.Handoff}
	}
	if testHookBeforeWrite != nil {
		testHookBeforeWrite()
	}

	g.reportSkipped(imp.Result.Skipped)
	if o.OutDir == "" {
		if _, err := g.streams.Out.Write(imp.Spec); err != nil {
			return err
		}
	}
	if err := writeOutputs(outs, o.Force); err != nil {
		return err
	}
	if o.Handoff == "" {
		fmt.Fprintln(g.streams.Err)
		if _, err := g.streams.Err.Write(imp.Handoff); err != nil {
			return err
		}
		fmt.Fprintln(g.streams.Err)
	}
	g.reportImported(imp.Name, imp.Result, outs)
	return nil
}

// testHookBeforeWrite, when set, runs between tfimport.Import's checks and
// writeOutputs: tests change the file system there.
var testHookBeforeWrite func()

// writeOutputs writes the files, each atomically (a whole new file or the
// old one, never a part, even if the run is interrupted), through no
// symbolic link, even one that appeared since tfimport.Import looked
// (safefile.WriteTarget). Without --force a file is only created, never
// replaced, even if it appeared since then.
func writeOutputs(outs []output, force bool) error {
	for _, out := range outs {
		err := safefile.WriteTarget(out.path, out.data, 0o644, force)
		var link *safefile.LinkError
		if errors.As(err, &link) {
			return statusError(reconcile.StatusError, fmt.Errorf("not writing %s %s: %w (it appeared after the check)", out.what(), out.path, link), false)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// reportSkipped lists, on stderr, the instances left to Terraform.
func (g *globals) reportSkipped(skipped []tfimport.Skipped) {
	w := g.streams.Err
	for i, s := range skipped {
		if i == maxSkippedListed {
			fmt.Fprintf(w, "Not imported: %d more.\n", len(skipped)-i)
			break
		}
		fmt.Fprintf(w, "Not imported: %s: %s.\n", s.Address, s.Reason)
	}
}

// reportImported says, last on stderr, what was imported and written.
func (g *globals) reportImported(name string, res *tfimport.Result, outs []output) {
	w := g.streams.Err
	fmt.Fprintf(w, "Imported %s of %s from %s.\n", importCount(len(res.Imported), "resource instance"), importCount(len(res.Accounts), "account"), name)
	for _, out := range outs {
		fmt.Fprintf(w, "Wrote %s %s.\n", out.what(), out.path)
	}
	fmt.Fprintln(w, "Next: plan the spec (it should show no changes), then hand the resources over with the handoff, so Terraform forgets them without destroying them.")
}

func importCount(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return strconv.Itoa(n) + " " + what + "s"
}
