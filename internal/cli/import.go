package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/riskctl/riskctl/internal/atomicfile"
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
				"Existing files are not overwritten without --force, no file is written\n" +
				"through a symbolic link, and each file is written whole or not at all.\n" +
				"Nothing is sent to the API: plan the specs next, they should show no\n" +
				"changes.\n\n" +
				"The handoff (on stderr, or --handoff FILE) is a Terraform file of\n" +
				"removed blocks (destroy = false) and the equivalent `terraform state\n" +
				"rm` commands: Terraform must forget the resources, not destroy them.\n" +
				"Data sources and other resources are left to Terraform and listed.\n\n" +
				"Exit codes: 0 imported, 1 cannot write, 3 the state cannot be imported\n" +
				"or bad flags, a file exists without --force, an output path holds a\n" +
				"symbolic link, or two outputs are one file (nothing written).\n\n" +
				"Examples:\n" +
				"  terraform show -json | riskctl import terraform - > riskscoring.yaml\n" +
				"  riskctl import terraform terraform.tfstate -o riskscoring/ --handoff riskctl_handoff.tf",
			Flags: []ucli.Flag{
				&ucli.StringFlag{Name: "output", Aliases: []string{"o"}, TakesFile: true, Usage: "write one spec per account into this directory, as ACCOUNT_ID.yaml (default: stdout, one account only)"},
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
	if err := checkOutputs(outs, o.Force); err != nil {
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
// result: two outputs that are one file (--handoff naming a spec by
// another spelling), a symbolic link on a path (out/ACCOUNT.yaml ->
// ../victim, or out -> elsewhere, as a checkout may hold), and, without
// --force, an existing file (a spec in git may hold edits the state
// lacks). Every refusal is exit 3, with nothing written.
func checkOutputs(outs []output, force bool) error {
	type seen struct {
		out  output
		key  string // the physical path, as the kernel will resolve it
		info os.FileInfo
	}
	var targets []seen
	var existing []string
	for _, out := range outs {
		link, err := symlinkOn(out.path)
		if err != nil {
			return fmt.Errorf("checking %s: %w", out.path, err)
		}
		if link != "" {
			if filepath.Clean(link) == filepath.Clean(out.path) {
				return usageErrorf("not writing %s %s: it is a symbolic link, and riskctl writes no file through one; nothing was written", out.what(), out.path)
			}
			return usageErrorf("not writing %s %s: its path goes through the symbolic link %s, and riskctl writes no file through one; nothing was written", out.what(), out.path, link)
		}
		key, err := physicalPath(out.path)
		if err != nil {
			return fmt.Errorf("checking %s: %w", out.path, err)
		}
		info, err := os.Lstat(out.path)
		switch {
		case err == nil:
			existing = append(existing, out.path)
		case errors.Is(err, fs.ErrNotExist):
			info = nil
		default:
			return fmt.Errorf("checking %s: %w", out.path, err)
		}
		for _, t := range targets {
			// EqualFold too: on a case-insensitive file system (macOS,
			// Windows) out/A.yaml is out/a.yaml, even before it exists.
			same := strings.EqualFold(t.key, key) || (info != nil && t.info != nil && os.SameFile(t.info, info))
			if same {
				hint := ""
				if out.handoff || t.out.handoff {
					hint = ": pass another --handoff"
				}
				return usageErrorf("%s %s and %s %s are the same file%s; nothing was written", t.out.what(), t.out.path, out.what(), out.path, hint)
			}
		}
		targets = append(targets, seen{out, key, info})
	}
	if len(existing) > 0 && !force {
		return usageErrorf("not overwriting %s (pass --force to replace); nothing was written", strings.Join(existing, ", "))
	}
	return nil
}

// symlinkOn returns the first symbolic link on path that riskctl would
// follow or replace, "" if none: a component of path as given (the
// directories, then the file itself), up to the first that does not
// exist (the rest riskctl creates). Links above the working directory
// are the user's own layout, not the path's: an absolute path inside
// the working directory (as $PWD/out spells it) is judged from there,
// any other absolute path from the root.
func symlinkOn(path string) (string, error) {
	cur, rest := "", path
	if filepath.IsAbs(path) {
		cur = filepath.VolumeName(path) + string(filepath.Separator)
		rest = path[len(cur):]
		if dir, r, ok := withinWorkingDir(path); ok {
			cur, rest = dir, r
		}
	}
	for _, c := range strings.Split(filepath.ToSlash(rest), "/") {
		if c == "" || c == "." {
			continue
		}
		switch {
		case cur == "":
			cur = c
		case os.IsPathSeparator(cur[len(cur)-1]):
			cur += c
		default:
			cur += string(filepath.Separator) + c
		}
		if c == ".." {
			continue // the parent of a directory that is no link
		}
		info, err := os.Lstat(cur)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return "", nil
		case err != nil:
			return "", err
		case info.Mode()&fs.ModeSymlink != 0:
			return cur, nil
		}
	}
	return "", nil
}

// withinWorkingDir says whether the absolute path abs starts with the
// working directory (spelled as $PWD or as the real path), and returns
// that directory's spelling and the rest of abs, as written: its ".."
// components are for symlinkOn to walk.
func withinWorkingDir(abs string) (dir, rest string, ok bool) {
	wd, err := os.Getwd()
	if err != nil {
		return "", "", false
	}
	dirs := []string{wd}
	if real, err := filepath.EvalSymlinks(wd); err == nil && real != wd {
		dirs = append(dirs, real)
	}
	for _, d := range dirs {
		prefix := d
		if !os.IsPathSeparator(prefix[len(prefix)-1]) {
			prefix += string(filepath.Separator)
		}
		if rest, ok := strings.CutPrefix(abs, prefix); ok {
			return d, rest, true
		}
	}
	return "", "", false
}

// physicalPath is the absolute path the kernel resolves path to, for a
// path that symlinkOn cleared: relative to the real working directory
// (its ".." are then physical parents), links above it resolved.
func physicalPath(path string) (string, error) {
	if !filepath.IsAbs(path) {
		wd, err := os.Getwd()
		if err != nil {
			return "", err
		}
		real, err := filepath.EvalSymlinks(wd)
		if err != nil {
			return "", err
		}
		return filepath.Join(real, path), nil
	}
	if dir, rest, ok := withinWorkingDir(path); ok {
		real, err := filepath.EvalSymlinks(dir)
		if err != nil {
			return "", err
		}
		return filepath.Join(real, rest), nil
	}
	return filepath.Clean(path), nil
}

// writeOutputs writes the files, each atomically (a whole new file or the
// old one, never a part, even if the run is interrupted), replacing
// nothing through a symbolic link. Without --force a file is only
// created, never replaced, even if it appeared since checkOutputs looked.
func writeOutputs(outs []output, force bool) error {
	write := atomicfile.WriteNew
	if force {
		write = atomicfile.Write
	}
	for _, out := range outs {
		if err := os.MkdirAll(filepath.Dir(out.path), 0o755); err != nil {
			return err
		}
		if err := write(out.path, out.data, 0o644); err != nil {
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
