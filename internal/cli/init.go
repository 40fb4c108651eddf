package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/riskctl/riskctl/internal/kitinit"
	"github.com/riskctl/riskctl/internal/reconcile"
	"github.com/riskctl/riskctl/internal/textutil"
)

func initCommand(g *globals) *ucli.Command {
	return withExitCodes("init", &ucli.Command{
		Name:  "init",
		Usage: "set up a repository: check the token, export the accounts, write the CI kit",
		UsageText: "riskctl init [--account-id ID]... [--dir DIR] [--branch BRANCH] [--commit SHA] [--no-export] [--force] [--dry-run]\n" +
			"riskctl init --check [--dir DIR]",
		Description: "Run in the root of the repository that is to hold the specs. init\n" +
			"  1. checks that the credentials can read each account's risk scoring\n" +
			"     (the token needs Zero Trust Read), and says which permission is\n" +
			"     missing when they cannot;\n" +
			"  2. exports each account into the spec directory: DIR/riskscoring.yaml\n" +
			"     for one account, DIR/<account id>/riskscoring.yaml for several\n" +
			"     (a directory that holds other specs is refused: --no-export writes\n" +
			"     the workflows only);\n" +
			"  3. writes the CI kit's three workflows into .github/workflows, pinned\n" +
			"     to this riskctl: a release's version and commit, or, for a build\n" +
			"     that is no release, its commit (--commit names one when the build\n" +
			"     does not know it, or was built from a modified tree);\n" +
			"  4. prints the next steps.\n" +
			"Nothing is written unless every account can be read; an existing file\n" +
			"is not replaced without --force, no file is written through a symbolic\n" +
			"link, and each is written whole or not at all. --dry-run does every\n" +
			"check and prints what it would write, writing nothing.\n\n" +
			"--check verifies the repository's copy of the kit instead, offline:\n" +
			"RISKCTL_VERSION agrees across the three workflows, the setup action is\n" +
			"pinned to a full commit SHA (not ./, not a tag), and the paths and\n" +
			"branches filters match RISKCTL_SPEC_DIR and RISKCTL_BRANCH.\n\n" +
			"Examples:\n" +
			"  riskctl init\n" +
			"  riskctl init --account-id 699d98642c564d2e855e9661899b7252 --account-id 0e1d2c3b4a5968778695a4b3c2d1e0f0\n" +
			"  riskctl --emulate init --dry-run\n" +
			"  riskctl init --check",
		ArgsUsage: " ",
		Flags: []ucli.Flag{
			&ucli.StringSliceFlag{Name: "account-id", Usage: "account to set up (repeatable; default: the global --account-id / " + envAccountID + ")"},
			&ucli.StringFlag{Name: "dir", TakesFile: true, Value: kitinit.DefaultSpecDir, Usage: "the spec directory (RISKCTL_SPEC_DIR)"},
			&ucli.StringFlag{Name: "branch", Value: kitinit.DefaultBranch, Usage: "the branch whose merges are applied (RISKCTL_BRANCH)"},
			&ucli.StringFlag{Name: "commit", Usage: "pin the workflows to this riskctl commit (a full SHA) instead of the build's"},
			&ucli.BoolFlag{Name: "no-export", Usage: "write only the workflows: read no account, write no spec (with --force: pin the workflows again)"},
			&ucli.BoolFlag{Name: "force", Usage: "replace existing files"},
			&ucli.BoolFlag{Name: "dry-run", Usage: "print what would be written; write nothing"},
			&ucli.BoolFlag{Name: "check", Usage: "verify the repository's copy of the kit instead (offline)"},
		},
		Action: action(initOptionsFrom, g.init),
	})
}

// initOptions are the options of `init`.
type initOptions struct {
	Check      bool
	AccountIDs []string // "" elements never; none means the global --account-id
	Settings   kitinit.Settings
	DirSet     bool // --dir given: --check compares RISKCTL_SPEC_DIR with it
	Pin        kitinit.Pin
	Force      bool
	DryRun     bool
	NoExport   bool
}

func initOptionsFrom(c *ucli.Context) (initOptions, error) {
	if c.Args().Present() {
		return initOptions{}, usageErrorf("init takes no arguments")
	}
	o := initOptions{
		Check:      c.Bool("check"),
		AccountIDs: c.StringSlice("account-id"),
		Settings:   kitinit.Settings{SpecDir: c.String("dir"), Branch: c.String("branch")},
		DirSet:     c.IsSet("dir"),
		Force:      c.Bool("force"),
		DryRun:     c.Bool("dry-run"),
		NoExport:   c.Bool("no-export"),
	}
	if err := kitinit.CheckSpecDir(o.Settings.SpecDir); err != nil {
		return initOptions{}, usageErrorf("--dir: %v", err)
	}
	if o.Check {
		for _, f := range []string{"account-id", "branch", "commit", "force", "dry-run", "no-export"} {
			if c.IsSet(f) {
				return initOptions{}, usageErrorf("init --check takes no --%s: it reads the workflows only", f)
			}
		}
		return o, nil
	}
	if err := kitinit.CheckBranch(o.Settings.Branch); err != nil {
		return initOptions{}, usageErrorf("--branch: %v", err)
	}
	if o.NoExport && len(o.AccountIDs) > 0 {
		return initOptions{}, usageErrorf("init --no-export reads no account: drop --account-id")
	}
	if err := kitinit.CheckAccounts(o.AccountIDs); err != nil {
		return initOptions{}, usageErrorf("--account-id: %v", err)
	}
	rev, _ := buildCommit()
	pin, err := kitinit.ResolvePin(Version(), rev, c.String("commit"))
	if err != nil {
		return initOptions{}, usageErrorf("%v", err)
	}
	o.Pin = pin
	return o, nil
}

func (g *globals) init(ctx context.Context, o initOptions) error {
	if o.Check {
		dir := ""
		if o.DirSet {
			dir = o.Settings.SpecDir
		}
		return g.initCheck(kitinit.Check(".", dir))
	}
	ids := o.AccountIDs
	switch {
	case o.NoExport:
		ids = nil
	case len(ids) == 0:
		ids = []string{""} // the global --account-id (or the emulator's)
	}
	opts := kitinit.Options{Settings: o.Settings, Pin: o.Pin, Force: o.Force, DryRun: o.DryRun, NoExport: o.NoExport}
	for _, id := range ids {
		s, err := g.connect(id)
		if err != nil {
			return err
		}
		opts.Accounts = append(opts.Accounts, kitinit.Account{ID: s.accountID, API: s.api})
	}
	res, err := kitinit.Init(ctx, opts)
	g.initReport(res, o, err == nil)
	var creds *kitinit.CredentialsError
	var target *kitinit.TargetError
	var occupied *kitinit.SpecDirError
	switch {
	case errors.As(err, &creds):
		return statusError(reconcile.StatusError, err, false)
	case errors.As(err, &target), errors.As(err, &occupied):
		return statusError(reconcile.StatusInvalid, err, false)
	}
	return err
}

// initReport says what init found and, when it succeeded (done), what it
// wrote (or would write) and then the next steps.
func (g *globals) initReport(res *kitinit.Result, o initOptions, done bool) {
	if res == nil {
		return
	}
	w := g.streams.Out
	if g.emulate {
		g.emulationSaid = true
		fmt.Fprintln(w, "Against the embedded emulator (--emulate): the accounts are the emulator's, not Cloudflare's.")
	}
	if len(res.Accounts) > 0 {
		fmt.Fprintln(w, "Credentials:")
	}
	for _, a := range res.Accounts {
		id := textutil.Visible(a.ID)
		if a.Err != nil {
			fmt.Fprintf(w, "  account %s: cannot read risk scoring: %s\n", id, textutil.Visible(a.Err.Reason))
			// The API's own words, escaped (they are the server's).
			fmt.Fprintf(w, "    %s\n", textutil.Visible(a.Err.Err.Error()))
			continue
		}
		fmt.Fprintf(w, "  account %s: can read risk scoring (%s, %s)\n", id, count(a.Behaviors, "behavior"), count(a.Integrations, "integration"))
	}
	if !done {
		return
	}
	verb := "Wrote"
	if !res.Written {
		verb = "Would write"
	}
	for _, f := range res.Files {
		what := "the CI kit's workflow"
		if !f.Workflow {
			what = "the spec of account " + textutil.Visible(f.Account)
		}
		replacing := ""
		if f.Exists {
			replacing = ", replacing the file there"
		}
		fmt.Fprintf(w, "%s %s: %s (%s%s)\n", verb, textutil.Visible(f.Path), what, count(strings.Count(string(f.Data), "\n"), "line"), replacing)
	}
	writePin(w, o.Pin)
	if !res.Written {
		fmt.Fprintln(w, "Dry run: nothing was written. Run without --dry-run to write these files.")
		return
	}
	dir := textutil.Visible(o.Settings.SpecDir)
	fmt.Fprintln(w, "\nNext steps:")
	fmt.Fprintf(w, "  1. Commit on a branch and push it:\n       git switch -c riskctl-init && git add %s .github/workflows && git commit -m \"Manage risk scoring with riskctl\" && git push -u origin riskctl-init\n", dir)
	fmt.Fprintln(w, "  2. Add the repository secret "+envAPIToken+" (a token with Zero Trust Read; the apply needs Zero Trust Write):\n       gh secret set "+envAPIToken)
	fmt.Fprintf(w, "  3. Open a pull request: its plan of %s/ appears as a comment (no changes yet); merging it applies the reviewed plan.\n       gh pr create --fill\n", dir)
}

// writePin says what the workflows run, and plainly when it is no release.
func writePin(w io.Writer, p kitinit.Pin) {
	if p.Release {
		fmt.Fprintf(w, "The workflows run riskctl %s (setup action %s@%s).\n", textutil.Visible(p.Version), kitinit.ActionRepo, p.Commit)
		return
	}
	fmt.Fprintf(w, "The workflows run riskctl commit %s, built from source: it is not a release.\nOnce one is tagged, set RISKCTL_VERSION and the three uses: lines to it, then run riskctl init --check.\n", p.Commit)
}

// initCheck reports a repository's copy of the kit: its problems (exit
// 3), or the values it agrees on.
func (g *globals) initCheck(r *kitinit.CheckResult) error {
	w := g.streams.Out
	if !r.OK() {
		for _, p := range r.Problems {
			fmt.Fprintln(w, textutil.Visible(p.String()))
		}
		return statusError(reconcile.StatusInvalid, fmt.Errorf("the kit in %s has %s", kitinit.WorkflowDir, count(len(r.Problems), "problem")), false)
	}
	fmt.Fprintf(w, "The kit in %s is consistent: riskctl %s (setup action %s@%s), spec directory %s, branch %s.\n",
		kitinit.WorkflowDir, textutil.Visible(r.Version), kitinit.ActionRepo, textutil.Visible(strings.Join(r.Commits, ", ")),
		textutil.Visible(r.SpecDir), textutil.Visible(r.Branch))
	return nil
}

// count is "1 thing" or "N things".
func count(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}
