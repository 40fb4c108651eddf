package tfimport

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/riskctl/riskctl/internal/safefile"
	"github.com/riskctl/riskctl/internal/spec"
)

// Options are the options of `riskctl import terraform`.
type Options struct {
	File    string    // the state: a path, or Stdin
	Stdin   io.Reader // read when File is Stdin
	OutDir  string    // one spec per account in this directory ("": one account, not written)
	Handoff string    // the handoff file ("": not written)
	Force   bool      // replace existing files
}

// Output is one file the import writes.
type Output struct {
	Path    string
	Data    []byte
	Handoff bool // the --handoff file, not a spec
}

// What names the output in messages: "the spec" or "the handoff".
func (o Output) What() string {
	if o.Handoff {
		return "the handoff"
	}
	return "the spec"
}

// Outcome is what an import produced, ready to be shown and written.
type Outcome struct {
	Name    string   // the state as messages name it: its path, or "stdin"
	Result  *Result  // the instances imported and left to Terraform
	Spec    []byte   // the first account's spec: the one spec without OutDir
	Handoff []byte   // the handoff (removed blocks, state rm commands)
	Outputs []Output // the files to write (OutDir's specs, then the handoff file), checked
}

// InvalidError is an import refused for its input or its options: the
// state, a value a spec cannot express, an output that may not be
// written. Nothing was written.
type InvalidError struct{ Err error }

func (e *InvalidError) Error() string { return e.Err.Error() }
func (e *InvalidError) Unwrap() error { return e.Err }

func invalidf(format string, args ...any) error {
	return &InvalidError{fmt.Errorf(format, args...)}
}

// Import is the work of `riskctl import terraform`: it reads the state,
// writes each account's spec (spec.Write) and the handoff (WriteHandoff),
// and lists the files to write, checked against safefile's output-target
// rule (checkOutputs). It writes no file: the caller writes Outputs with
// safefile.WriteTarget, which checks the links again as it writes.
// Refusals are *InvalidError.
func Import(opts Options) (*Outcome, error) {
	name := opts.File
	if name == Stdin {
		name = "stdin"
	}
	data, err := ReadFile(opts.File, opts.Stdin)
	if err != nil {
		return nil, &InvalidError{err}
	}
	res, err := Parse(name, data)
	if err != nil {
		return nil, &InvalidError{err}
	}
	if len(res.Imported) == 0 {
		return nil, invalidf("%s: no risk-scoring resource to import (cloudflare_zero_trust_risk_behavior, cloudflare_zero_trust_risk_scoring_integration, or provider v4's names); %d other instances were left alone", name, len(res.Skipped))
	}
	specs, err := writeSpecs(name, res)
	if err != nil {
		return nil, err
	}
	var handoff bytes.Buffer
	if err := WriteHandoff(&handoff, res.Imported); err != nil {
		return nil, err
	}
	outs, err := outputs(opts, res, specs, handoff.Bytes())
	if err != nil {
		return nil, err
	}
	var inputs []string
	if opts.File != Stdin {
		inputs = []string{opts.File}
	}
	if err := checkOutputs(outs, inputs, opts.Force); err != nil {
		return nil, err
	}
	return &Outcome{Name: name, Result: res, Spec: specs[0], Handoff: handoff.Bytes(), Outputs: outs}, nil
}

// writeSpecs writes each account's spec with spec.Write, which escapes
// "$" and refuses what a spec cannot express. Every account is tried, so
// one run names every refusal; then nothing is written.
func writeSpecs(name string, res *Result) ([][]byte, error) {
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
		return nil, &InvalidError{errors.New(strings.Join(refusals, "\n") + "\nNothing was written.")}
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

// outputs lists the files to write: a spec per account with -o, the
// handoff with --handoff.
func outputs(o Options, res *Result, specs [][]byte, handoff []byte) ([]Output, error) {
	var outs []Output
	if o.OutDir == "" && len(res.Accounts) > 1 {
		ids := make([]string, len(res.Accounts))
		for i, a := range res.Accounts {
			ids[i] = a.AccountID
		}
		return nil, invalidf("the state holds %d accounts (%s): pass -o DIR to write one spec per account", len(ids), strings.Join(ids, ", "))
	}
	if o.OutDir != "" {
		for i, a := range res.Accounts {
			// The account id passed spec.Write: 32 hex characters, a
			// safe file name.
			outs = append(outs, Output{Path: filepath.Join(o.OutDir, a.AccountID+".yaml"), Data: specs[i]})
		}
	}
	if o.Handoff != "" {
		outs = append(outs, Output{Path: o.Handoff, Data: handoff, Handoff: true})
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
// an *InvalidError, with nothing written.
func checkOutputs(outs []Output, inputs []string, force bool) error {
	paths := make([]string, len(outs))
	for i, out := range outs {
		paths[i] = out.Path
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
		return invalidf("%s %s is the state file %s: refusing to overwrite an input; nothing was written", out.What(), out.Path, inputs[same.Other])
	case errors.As(err, &same):
		a, b := outs[same.Other], outs[same.Index]
		hint := ""
		if a.Handoff || b.Handoff {
			hint = ": pass another --handoff"
		}
		return invalidf("%s %s and %s %s are the same file%s; nothing was written", a.What(), a.Path, b.What(), b.Path, hint)
	case errors.As(err, &exist):
		return invalidf("%v; nothing was written", exist)
	}
	return err
}

// linkRefusal says which output a symbolic link stopped.
func linkRefusal(outs []Output, link *safefile.LinkError) error {
	what := "the file"
	for _, out := range outs {
		if out.Path == link.Path {
			what = out.What()
		}
	}
	if link.IsTarget() {
		return invalidf("not writing %s %s: it is a symbolic link, and riskctl writes no file through one; nothing was written", what, link.Path)
	}
	return invalidf("not writing %s %s: its path goes through the symbolic link %s, and riskctl writes no file through one; nothing was written", what, link.Path, link.Link)
}
