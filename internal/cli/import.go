package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/riskctl/riskctl/internal/reconcile"
	"github.com/riskctl/riskctl/internal/safefile"
	"github.com/riskctl/riskctl/internal/spec"
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

// output is one file the import writes.
type output struct {
	path    string
	data    []byte
	handoff bool // the --handoff file, not a spec
}

func (o output) what() string {
	if o.handoff {
		return "the handoff"
	}
	return "the spec"
}

func (g *globals) importTerraform(_ context.Context, o importOptions) error {
	name := o.File
	if name == tfimport.Stdin {
		name = "stdin"
	}
	data, err := tfimport.ReadFile(o.File, g.streams.In)
	if err != nil {
		return invalidInput(err)
	}
	res, err := tfimport.Parse(name, data)
	if err != nil {
		return invalidInput(err)
	}
	if len(res.Imported) == 0 {
		return usageErrorf("%s: no risk-scoring resource to import (cloudflare_zero_trust_risk_behavior, cloudflare_zero_trust_risk_scoring_integration, or provider v4's names); %d other instances were left alone", name, len(res.Skipped))
	}
	specs, err := importedSpecs(name, res)
	if err != nil {
		return err
	}
	var handoff bytes.Buffer
	if err := tfimport.WriteHandoff(&handoff, res.Imported); err != nil {
		return err
	}
	outs, err := importOutputs(o, res, specs, handoff.Bytes())
	if err != nil {
		return err
	}
	var inputs []string
	if o.File != tfimport.Stdin {
		inputs = []string{o.File}
	}
	if err := checkOutputs(outs, inputs, o.Force); err != nil {
		return err
	}
	if testHookBeforeWrite != nil {
		testHookBeforeWrite()
	}

	g.reportSkipped(res.Skipped)
	if o.OutDir == "" {
		if _, err := g.streams.Out.Write(specs[0]); err != nil {
			return err
		}
	}
	if err := writeOutputs(outs, o.Force); err != nil {
		return err
	}
	if o.Handoff == "" {
		fmt.Fprintln(g.streams.Err)
		if _, err := g.streams.Err.Write(handoff.Bytes()); err != nil {
			return err
		}
		fmt.Fprintln(g.streams.Err)
	}
	g.reportImported(name, o, res, outs)
	return nil
}

// invalidInput marks a state that cannot be imported: exit 3, like an
// invalid spec.
func invalidInput(err error) error {
	return statusError(reconcile.StatusInvalid, err, false)
}

// importedSpecs writes each account's spec with spec.Write, which escapes
// "$" and refuses what a spec cannot express. Every account is tried, so
// one run names every refusal; then nothing is written.
func importedSpecs(name string, res *tfimport.Result) ([][]byte, error) {
	var specs [][]byte
	var refusals []string
	for _, a := range res.Accounts {
		var buf bytes.Buffer
		header := spec.Header("Imported by riskctl import terraform from " + strconv.QuoteToASCII(name) + ".")
		if err := spec.Write(&buf, a, header); err != nil {
			var ue *spec.UnexpressibleError
			if !errors.As(err, &ue) {
				return nil, err
			}
			refusals = append(refusals, refusal(name, res.AddressesOf(a.AccountID), ue))
			continue
		}
		specs = append(specs, buf.Bytes())
	}
	if len(refusals) > 0 {
		return nil, invalidInput(errors.New(strings.Join(refusals, "\n") + "\nNothing was written."))
	}
	return specs, nil
}

// refusal says which values of an account a spec cannot express, naming
// the instances they came from.
func refusal(name string, from []string, ue *spec.UnexpressibleError) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: account %s (from %s): a spec cannot express these values:", name, strconv.QuoteToASCII(ue.AccountID), strings.Join(from, ", "))
	for _, p := range ue.Problems {
		fmt.Fprintf(&b, "\n  %s: %s", p.Object, p.Reason)
	}
	return b.String()
}

// importOutputs lists the files to write: a spec per account with -o,
// the handoff with --handoff.
func importOutputs(o importOptions, res *tfimport.Result, specs [][]byte, handoff []byte) ([]output, error) {
	var outs []output
	if o.OutDir == "" && len(res.Accounts) > 1 {
		ids := make([]string, len(res.Accounts))
		for i, a := range res.Accounts {
			ids[i] = a.AccountID
		}
		return nil, usageErrorf("the state holds %d accounts (%s): pass -o DIR to write one spec per account", len(ids), strings.Join(ids, ", "))
	}
	if o.OutDir != "" {
		for i, a := range res.Accounts {
			// The account id passed spec.Write: 32 hex characters, a
			// safe file name.
			outs = append(outs, output{path: filepath.Join(o.OutDir, a.AccountID+".yaml"), data: specs[i]})
		}
	}
	if o.Handoff != "" {
		outs = append(outs, output{path: o.Handoff, data: handoff, handoff: true})
	}
	return outs, nil
}

// checkOutputs refuses, before anything is written, what would make the
// import write somewhere else than the files it names or leave a partial
// result (safefile.CheckTargets): two outputs that are one file (--handoff
// naming a spec by another spelling), an output that is the state read, a
// symbolic link on a path (out/ACCOUNT.yaml -> ../victim, or out ->
// elsewhere, as a checkout may hold), and, without --force, an existing
// file (a spec in git may hold edits the state lacks). Every refusal is
// exit 3, with nothing written.
func checkOutputs(outs []output, inputs []string, force bool) error {
	paths := make([]string, len(outs))
	for i, out := range outs {
		paths[i] = out.path
	}
	err := safefile.CheckTargets(paths, inputs, force)
	var (
		link  *safefile.LinkError
		same  *safefile.SameFileError
		exist *safefile.ExistError
	)
	switch {
	case errors.As(err, &link):
		return linkRefusal(outs, link)
	case errors.As(err, &same) && same.Input:
		out := outs[same.Index]
		return usageErrorf("%s %s is the state file %s: refusing to overwrite an input; nothing was written", out.what(), out.path, inputs[same.Other])
	case errors.As(err, &same):
		a, b := outs[same.Other], outs[same.Index]
		hint := ""
		if a.handoff || b.handoff {
			hint = ": pass another --handoff"
		}
		return usageErrorf("%s %s and %s %s are the same file%s; nothing was written", a.what(), a.path, b.what(), b.path, hint)
	case errors.As(err, &exist):
		return usageErrorf("%v; nothing was written", exist)
	}
	return err
}

// linkRefusal says which output a symbolic link stopped, exit 3.
func linkRefusal(outs []output, link *safefile.LinkError) error {
	what := "the file"
	for _, out := range outs {
		if out.path == link.Path {
			what = out.what()
		}
	}
	if link.IsTarget() {
		return usageErrorf("not writing %s %s: it is a symbolic link, and riskctl writes no file through one; nothing was written", what, link.Path)
	}
	return usageErrorf("not writing %s %s: its path goes through the symbolic link %s, and riskctl writes no file through one; nothing was written", what, link.Path, link.Link)
}

// testHookBeforeWrite, when set, runs between checkOutputs and
// writeOutputs: tests change the file system there.
var testHookBeforeWrite func()

// writeOutputs writes the files, each atomically (a whole new file or the
// old one, never a part, even if the run is interrupted), through no
// symbolic link, even one that appeared since checkOutputs looked
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
func (g *globals) reportImported(name string, o importOptions, res *tfimport.Result, outs []output) {
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
