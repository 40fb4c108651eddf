package cli

import (
	"fmt"

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
	accounts := g.planAccounts(c.Context, files, targets)
	r := newReport(report.KindPlan, accounts)
	if len(targets) > 0 {
		fmt.Fprintln(g.streams.Err, "Warning: partial plan: only the targeted objects are planned; other differences are not shown.")
	}
	if err := g.writeReport(format, r); err != nil {
		return err
	}
	if out := c.String("out"); out != "" {
		if err := g.savePlan(out, accounts); err != nil {
			return g.finish(r, err, "error")
		}
	}
	outcome := g.accountFailures(r)
	if outcome == nil && r.HasChanges() && c.Bool("detailed-exitcode") {
		outcome = errChangesPending
	}
	return g.finish(r, outcome, "")
}

// savePlan writes the accounts' plans to path. Only a complete run is
// saved: a plan file must describe every account it was asked about.
func (g *globals) savePlan(path string, accounts []*account) error {
	f := planfile.File{FormatVersion: planfile.FormatVersion, RiskctlVersion: Version()}
	for _, a := range accounts {
		if a.err != nil {
			return fmt.Errorf("not writing %s: account %s failed", path, a.file.Account.AccountID)
		}
		digest, err := planfile.SpecDigest([]string{a.file.Path})
		if err != nil {
			return err
		}
		f.Accounts = append(f.Accounts, planfile.NewAccount([]string{a.file.Path}, digest, a.live, a.plan))
	}
	if err := planfile.Write(path, f); err != nil {
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
