package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/riskctl/riskctl/internal/spec"
	"github.com/riskctl/riskctl/internal/tfimport"
)

func importCommand(g *globals) *ucli.Command {
	return &ucli.Command{
		Name:  "import",
		Usage: "take over configuration managed by another tool",
		Subcommands: []*ucli.Command{{
			Name:      "terraform",
			Usage:     "turn Terraform state into specs, and tell Terraform to forget it",
			UsageText: "riskctl import terraform FILE [-o DIR] [--handoff FILE] [--force]",
			Description: "FILE is the output of `terraform show -json` (or `tofu show -json`) or a\n" +
				"state file (terraform.tfstate, `terraform state pull`); - reads stdin.\n" +
				"Its risk-scoring resources (provider v5 and v4 types, in any module,\n" +
				"count and for_each instances) become one spec per account: on stdout\n" +
				"when there is one account, else with -o DIR as DIR/ACCOUNT_ID.yaml.\n" +
				"Existing files are not overwritten without --force. Nothing is sent to\n" +
				"the API: plan the specs next, they should show no changes.\n\n" +
				"The handoff (on stderr, or --handoff FILE) is a Terraform file of\n" +
				"removed blocks (destroy = false) and the equivalent `terraform state\n" +
				"rm` commands: Terraform must forget the resources, not destroy them.\n" +
				"Data sources and other resources are left to Terraform and listed.\n\n" +
				"Exit codes: 0 imported, 1 cannot write, 3 the state cannot be imported\n" +
				"or bad flags, or a file exists without --force (nothing written).\n\n" +
				"Examples:\n" +
				"  terraform show -json | riskctl import terraform - > riskscoring.yaml\n" +
				"  riskctl import terraform terraform.tfstate -o riskscoring/ --handoff riskctl_handoff.tf",
			Flags: []ucli.Flag{
				&ucli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "write one spec per account into this directory, as ACCOUNT_ID.yaml (default: stdout, one account only)"},
				&ucli.StringFlag{Name: "handoff", Usage: "write the handoff (removed blocks, state rm commands) to this file instead of stderr"},
				&ucli.BoolFlag{Name: "force", Usage: "overwrite existing spec and handoff files"},
			},
			Action: action(importOptionsFrom, g.importTerraform),
		}},
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
	path string
	data []byte
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
	if err := checkOverwrite(outs, o.Force); err != nil {
		return err
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
	return &exitError{code: ExitInvalid, err: err}
}

// importedSpecs writes each account's spec with spec.Write, which escapes
// "$" and refuses what a spec cannot express. Every account is tried, so
// one run names every refusal; then nothing is written.
func importedSpecs(name string, res *tfimport.Result) ([][]byte, error) {
	var specs [][]byte
	var refusals []string
	for _, a := range res.Accounts {
		var buf bytes.Buffer
		fmt.Fprintf(&buf, "# Imported by riskctl import terraform from %s.\n", strconv.QuoteToASCII(name))
		if err := spec.Write(&buf, a); err != nil {
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
		for _, out := range outs {
			if filepath.Clean(out.path) == filepath.Clean(o.Handoff) {
				return nil, usageErrorf("--handoff %s is also where a spec goes", o.Handoff)
			}
		}
		outs = append(outs, output{path: o.Handoff, data: handoff})
	}
	return outs, nil
}

// checkOverwrite refuses, before anything is written, to replace existing
// files without --force: a spec in git may hold edits the state lacks.
func checkOverwrite(outs []output, force bool) error {
	if force {
		return nil
	}
	var existing []string
	for _, out := range outs {
		if _, err := os.Lstat(out.path); err == nil {
			existing = append(existing, out.path)
		}
	}
	if len(existing) > 0 {
		return usageErrorf("not overwriting %s (pass --force to replace); nothing was written", strings.Join(existing, ", "))
	}
	return nil
}

// writeOutputs writes the files. Without --force a file is only created,
// never replaced, even if it appeared since checkOverwrite looked.
func writeOutputs(outs []output, force bool) error {
	flags := os.O_WRONLY | os.O_CREATE | os.O_EXCL
	if force {
		flags = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	}
	for _, out := range outs {
		if err := os.MkdirAll(filepath.Dir(out.path), 0o755); err != nil {
			return err
		}
		if err := writeFile(out.path, flags, out.data); err != nil {
			return err
		}
	}
	return nil
}

func writeFile(path string, flags int, data []byte) error {
	f, err := os.OpenFile(path, flags, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
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
		what := "spec"
		if out.path == o.Handoff {
			what = "handoff"
		}
		fmt.Fprintf(w, "Wrote the %s %s.\n", what, out.path)
	}
	fmt.Fprintln(w, "Next: plan the spec (it should show no changes), then hand the resources over with the handoff, so Terraform forgets them without destroying them.")
}

func importCount(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return strconv.Itoa(n) + " " + what + "s"
}
