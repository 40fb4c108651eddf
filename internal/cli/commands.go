package cli

import (
	"bytes"
	"fmt"
	"os"

	ucli "github.com/urfave/cli/v2"

	"github.com/riskctl/riskctl/internal/planfile"
	"github.com/riskctl/riskctl/internal/remote"
	"github.com/riskctl/riskctl/internal/report"
	"github.com/riskctl/riskctl/internal/spec"
)

func fileFlag() *ucli.StringSliceFlag {
	// Not Required: urfave/cli reports that as a plain error (exit 1) and
	// prints the whole help; loadSpecs gives a usage error instead.
	return &ucli.StringSliceFlag{Name: "file", Aliases: []string{"f"},
		Usage: "spec file or directory of *.yaml files (repeatable; one account per file)"}
}

func targetFlag() *ucli.StringSliceFlag {
	return &ucli.StringSliceFlag{Name: "target",
		Usage: "only plan this object: behavior:KEY or integration:REFERENCE_ID (repeatable; a partial plan)"}
}

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

func planCommand(g *globals) *ucli.Command {
	return &ucli.Command{
		Name:      "plan",
		Usage:     "show what apply would change; never writes to the account",
		ArgsUsage: " ",
		Flags: []ucli.Flag{
			fileFlag(),
			&ucli.StringFlag{Name: "out", Usage: "also save the plan to this file, for a later 'riskctl apply FILE'"},
			reportFormatFlag("text", "json", "markdown"),
			&ucli.BoolFlag{Name: "detailed-exitcode", Usage: "exit 2 when there are changes (0: none, 1: error)"},
			targetFlag(),
		},
		Action: g.plan,
	}
}

func driftCommand(g *globals) *ucli.Command {
	return &ucli.Command{
		Name:      "drift",
		Usage:     "read-only check that the account matches the spec: exit 0 in sync, 2 drift, 1 error",
		ArgsUsage: " ",
		Flags:     []ucli.Flag{fileFlag(), reportFormatFlag("text", "json", "markdown")},
		Action:    g.drift,
	}
}

func (g *globals) plan(c *ucli.Context) error {
	format, err := checkFormat(c, "text", "json", "markdown")
	if err != nil {
		return err
	}
	targets, err := parseTargets(c)
	if err != nil {
		return err
	}
	files, err := g.loadSpecs(c)
	if err != nil {
		return err
	}
	out := c.String("out")
	var savedPaths map[*spec.File]string
	if out != "" {
		// Checked before any request, so a refused --out writes nothing.
		if savedPaths, err = planFilePaths(out, files); err != nil {
			return err
		}
	}
	accounts := g.planAccounts(c.Context, files, targets)
	r := newReport(report.KindPlan, accounts)
	if len(targets) > 0 {
		fmt.Fprintln(g.streams.Err, "Warning: partial plan: only the targeted objects are planned; other differences are not shown.")
	}
	if err := g.writeReport(format, r); err != nil {
		return err
	}
	if out != "" {
		if err := g.savePlan(out, accounts, savedPaths); err != nil {
			return g.finish(r, err, "error")
		}
	}
	outcome := g.accountFailures(r)
	if outcome == nil && r.HasChanges() && c.Bool("detailed-exitcode") {
		outcome = errChangesPending
	}
	return g.finish(r, outcome, "")
}

// planFilePaths checks that plan --out may write out, and returns the path
// the saved plan names each spec file by: relative to the working
// directory, where apply will look for it. Its errors are usage errors.
func planFilePaths(out string, files []*spec.File) (map[*spec.File]string, error) {
	inputs := make([]string, len(files))
	for i, f := range files {
		inputs[i] = f.Path
	}
	if err := planfile.CheckOutput(out, inputs); err != nil {
		return nil, usageErrorf("%v", err)
	}
	root, err := os.OpenRoot(".")
	if err != nil {
		return nil, err
	}
	defer root.Close()
	paths := make(map[*spec.File]string, len(files))
	for _, f := range files {
		local, err := planfile.LocalSpecPath(root, f.Path)
		if err != nil {
			return nil, usageErrorf("--out: %v", err)
		}
		paths[f] = local
	}
	return paths, nil
}

// savePlan writes the accounts' plans to path, naming each spec file by
// specPaths. Only a complete run is saved: a plan file must describe every
// account it was asked about. A plan that holds a credential of the run
// (a live object carrying one) is not saved: the file is an artifact.
func (g *globals) savePlan(path string, accounts []*account, specPaths map[*spec.File]string) error {
	f := planfile.File{FormatVersion: planfile.FormatVersion, RiskctlVersion: Version()}
	for _, a := range accounts {
		if a.err != nil {
			return fmt.Errorf("not writing %s: account %s failed", path, a.file.Account.AccountID)
		}
		local := []string{specPaths[a.file]}
		digest, err := planfile.SpecDigest(local)
		if err != nil {
			return err
		}
		f.Accounts = append(f.Accounts, planfile.NewAccount(local, digest, a.live, a.plan))
	}
	var data bytes.Buffer
	if err := planfile.Encode(&data, f); err != nil {
		return err
	}
	if g.secrets.Contains(data.String()) {
		return fmt.Errorf("not writing %s: the plan holds a credential of this run (in the live state it was computed from)", path)
	}
	if err := planfile.WriteFile(path, data.Bytes()); err != nil {
		return err
	}
	fmt.Fprintf(g.streams.Err, "Saved the plan to %s. Apply exactly this plan with: riskctl apply %s\n", path, path)
	return nil
}

func (g *globals) drift(c *ucli.Context) error {
	format, err := checkFormat(c, "text", "json", "markdown")
	if err != nil {
		return err
	}
	files, err := g.loadSpecs(c)
	if err != nil {
		return err
	}
	accounts := g.planAccounts(c.Context, files, nil)
	r := newReport(report.KindDrift, accounts)
	if err := g.writeReport(format, r); err != nil {
		return err
	}
	outcome := g.accountFailures(r)
	if outcome == nil && r.HasChanges() {
		outcome = &exitError{code: ExitChanges, err: fmt.Errorf("drift detected"), quiet: true}
	}
	return g.finish(r, outcome, "")
}

func exportCommand(g *globals) *ucli.Command {
	return &ucli.Command{
		Name:      "export",
		Usage:     "print the account's live configuration as a spec",
		ArgsUsage: " ",
		Flags: []ucli.Flag{
			&ucli.StringFlag{Name: "account-id", Usage: "account to export (default: the global --account-id / " + envAccountID + ")"},
		},
		Action: g.export,
	}
}

func (g *globals) export(c *ucli.Context) error {
	if c.Args().Present() {
		return usageErrorf("export takes no arguments")
	}
	s, err := g.connect(c.String("account-id"))
	if err != nil {
		return err
	}
	live, err := remote.Fetch(c.Context, s.api, s.accountID)
	if err != nil {
		return g.explain(err, s.accountID)
	}
	return spec.Write(g.streams.Out, live)
}
