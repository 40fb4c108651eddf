package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	ucli "github.com/urfave/cli/v2"

	"github.com/riskctl/riskctl/internal/apply"
	"github.com/riskctl/riskctl/internal/plan"
	"github.com/riskctl/riskctl/internal/planfile"
	"github.com/riskctl/riskctl/internal/remote"
	"github.com/riskctl/riskctl/internal/report"
	"github.com/riskctl/riskctl/internal/state"
)

// errChangesPending makes plan --detailed-exitcode exit 2.
var errChangesPending = &exitError{code: ExitChanges, err: errors.New("changes pending"), quiet: true}

// defaultMaxDeletes is how many integrations one apply may delete (prune
// deletes and replaces together) before it needs --max-deletes.
const defaultMaxDeletes = 3

func applyCommand(g *globals) *ucli.Command {
	return &ucli.Command{
		Name:      "apply",
		Usage:     "make the account match the spec (-f FILE...), or apply a saved plan (PLANFILE)",
		ArgsUsage: "[PLANFILE]",
		Description: "With -f, apply plans, shows the plan and asks for approval (--auto-approve\n" +
			"skips the question; without a terminal it is required). With PLANFILE, a plan\n" +
			"saved by 'riskctl plan --out' is the approval: it is applied exactly, unless the\n" +
			"account or the spec files changed since it was made (then it is refused, exit 4).",
		Flags: []ucli.Flag{
			fileFlag(),
			&ucli.BoolFlag{Name: "auto-approve", Usage: "apply without asking (required without a terminal)"},
			&ucli.IntFlag{Name: "max-deletes", Value: defaultMaxDeletes, Usage: "refuse plans that delete (or replace) more integrations than this"},
			targetFlag(),
			&ucli.IntFlag{Name: "parallelism", Value: apply.DefaultParallelism, Usage: "API writes in flight at once"},
			&ucli.BoolFlag{Name: "allow-other-version", Usage: "apply a saved PLANFILE made by another riskctl version (refused by default)"},
			reportFormatFlag("text", "json"),
		},
		Action: g.apply,
	}
}

func (g *globals) apply(c *ucli.Context) error {
	format, err := checkFormat(c, "text", "json")
	if err != nil {
		return err
	}
	if c.NArg() > 0 {
		if len(c.StringSlice("file")) > 0 || len(c.StringSlice("target")) > 0 {
			return usageErrorf("apply takes either -f FILE... or a saved PLANFILE, not both (a saved plan keeps its own targets)")
		}
		if c.NArg() > 1 {
			return usageErrorf("apply takes one PLANFILE, got %d arguments", c.NArg())
		}
		return g.applySaved(c, format, c.Args().First())
	}
	if format == "json" && !c.Bool("auto-approve") {
		return usageErrorf("apply --format json needs --auto-approve: JSON output shows no plan to approve")
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
	r := newReport(report.KindApply, accounts)
	if failed := g.accountFailures(r); failed != nil {
		return g.finish(r, failed, "")
	}
	return g.applyPlans(c, format, accounts, !c.Bool("auto-approve"))
}

// applyPlans shows the plans, enforces the delete limit, asks for approval
// when askApproval, and executes. Both apply forms end here.
func (g *globals) applyPlans(c *ucli.Context, format string, accounts []*account, askApproval bool) error {
	r := newReport(report.KindApply, accounts)
	if format == "text" {
		if err := g.writeReport("text", r); err != nil {
			return err
		}
	}
	if !r.HasChanges() {
		if format == "json" {
			if err := g.writeReport("json", r); err != nil {
				return err
			}
		}
		return g.finish(r, nil, report.ReasonNoChanges)
	}
	if err := checkDeletes(accounts, c.Int("max-deletes")); err != nil {
		return g.finish(r, err, report.ReasonRefused)
	}
	if askApproval {
		if err := g.confirm("Do you want to perform these actions?", "--auto-approve"); err != nil {
			return g.finish(r, err, report.ReasonRefused)
		}
	}
	return g.execute(c.Context, format, accounts, c.Int("parallelism"))
}

// execute applies every account's plan, one account after the other so the
// progress lines of one account stay together, and reports the results.
func (g *globals) execute(ctx context.Context, format string, accounts []*account, parallelism int) error {
	r := newReport(report.KindApply, accounts)
	var applied, failed, skipped int
	for i, a := range accounts {
		if !a.plan.HasChanges() {
			continue
		}
		if len(accounts) > 1 {
			fmt.Fprintf(g.streams.Err, "Applying account %s:\n", a.plan.AccountID)
		}
		res := apply.Execute(ctx, a.session.api, a.plan, apply.Options{Parallelism: parallelism, Progress: g.streams.Err})
		r.Accounts[i].Result = &res
		applied, failed, skipped = applied+res.Applied, failed+res.Failed, skipped+res.Skipped
		switch err := res.Err(); {
		case err == nil:
		case res.Partial():
			r.Accounts[i].Err, r.Accounts[i].ExitCode = err, ExitPartial
		default:
			r.Accounts[i].Err, r.Accounts[i].ExitCode = err, ExitError
		}
	}
	if format == "json" {
		if err := g.writeReport("json", r); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(g.streams.Out, "\nApply complete! %d applied, %d failed, %d skipped.\n", applied, failed, skipped)
	}
	var outcome error
	for _, a := range r.Accounts {
		if a.Err == nil {
			continue
		}
		err := a.Err
		if len(r.Accounts) > 1 {
			err = fmt.Errorf("account %s: %w", a.AccountID, err)
		}
		if a.ExitCode == ExitPartial {
			err = &exitError{code: ExitPartial, err: err}
		}
		if outcome == nil || severity[ExitCode(err)] > severity[ExitCode(outcome)] {
			outcome = err
		}
	}
	return g.finish(r, outcome, "")
}

// checkDeletes refuses plans that delete more integrations than allowed:
// a typo in a spec with prune on must not wipe an account.
func checkDeletes(accounts []*account, maxDeletes int) error {
	var doomed []string
	for _, a := range accounts {
		for _, ch := range a.plan.Changes {
			if ch.Action != plan.Delete && ch.Action != plan.Replace {
				continue
			}
			name := ch.Key
			if name == "" && ch.Integration != nil && ch.Integration.Before != nil {
				name = "id " + ch.Integration.Before.ID
			}
			doomed = append(doomed, fmt.Sprintf("%s (%s, account %s)", name, ch.Action, a.plan.AccountID))
		}
	}
	if len(doomed) <= maxDeletes {
		return nil
	}
	return refusedErrorf("the plan deletes %d integrations, more than --max-deletes %d: %s; if that is intended, raise --max-deletes to %d",
		len(doomed), maxDeletes, strings.Join(doomed, ", "), len(doomed))
}

// applySaved applies a plan saved by `plan --out`, exactly as reviewed: it
// is refused when it was made by another riskctl (unless
// --allow-other-version), when it is not bound to its spec files and their
// account, when the account or the spec files changed since, or when the
// saved actions are not what the spec computes (an edited file).
func (g *globals) applySaved(c *ucli.Context, format, path string) error {
	saved, err := planfile.Read(path)
	if err != nil {
		return usageErrorf("%v", err)
	}
	if err := planfile.CheckVersion(saved, Version()); err != nil {
		if !c.Bool("allow-other-version") {
			err = fmt.Errorf("%w; apply it with that version, or pass --allow-other-version to override", err)
			return g.finish(newReport(report.KindApply, nil), err, report.ReasonRefused)
		}
		fmt.Fprintf(g.streams.Err, "Warning: --allow-other-version: %v\n", err)
	}
	// Spec files are read only from inside the working directory.
	root, err := os.OpenRoot(".")
	if err != nil {
		return err
	}
	defer root.Close()
	var accounts []*account
	for _, sa := range saved.Accounts {
		a, err := g.checkSaved(c.Context, root, sa)
		if a != nil {
			accounts = append(accounts, a)
		}
		if err != nil {
			r := newReport(report.KindApply, accounts)
			reason := report.ReasonRefused
			var stale *planfile.StaleError
			if errors.As(err, &stale) {
				reason = report.ReasonStalePlan
			}
			return g.finish(r, err, reason)
		}
	}
	// A saved plan was reviewed when it was made: it is the approval.
	return g.applyPlans(c, format, accounts, false)
}

// checkSaved re-reads the spec and the live account behind one saved
// account plan and returns it ready to execute, or why it is refused.
// Nothing is requested from an account the spec does not name.
func (g *globals) checkSaved(ctx context.Context, root *os.Root, sa planfile.Account) (*account, error) {
	sources, err := planfile.ReadSpecs(root, sa)
	if err != nil {
		return nil, err
	}
	digest := planfile.Digest(sources)
	// The spec as it is now must parse and name the plan's account before
	// that account is asked anything: the account id in a plan file is
	// whatever its author wrote, and a stale refusal prints live state.
	file, err := planfile.ParseSpec(sa, sources, g.specOptions())
	if err != nil {
		if digest != sa.SpecDigest {
			// It changed since the plan: that is the news, not its content.
			return nil, planfile.CheckStale(sa, sa.Live, digest)
		}
		return nil, err
	}
	a := &account{file: file}
	if a.session, err = g.connect(sa.AccountID); err != nil {
		return nil, err
	}
	if a.live, err = remote.Fetch(ctx, a.session.api, sa.AccountID); err != nil {
		return nil, g.explain(err, sa.AccountID)
	}
	if err := planfile.CheckStale(sa, a.live, digest); err != nil {
		return nil, err
	}
	// Same spec, same live state: computing again must give the saved
	// actions. If not, the file was edited; apply nothing from it. This
	// also makes protect and every other plan rule hold for saved plans.
	var targets []plan.Target
	for _, t := range sa.Targets {
		pt, err := plan.ParseTarget(t)
		if err != nil {
			return a, refusedErrorf("plan file: %v", err)
		}
		targets = append(targets, pt)
	}
	fresh, err := plan.ComputeWith(a.file.Account, a.live, plan.Options{Targets: targets})
	if err != nil {
		return a, withSpecPositions(err, a.file)
	}
	// Ignore lists steer Compute but are not part of an action.
	ignoreLists := cmp.Options{
		cmpopts.IgnoreFields(state.Behavior{}, "Ignore"),
		cmpopts.IgnoreFields(state.Integration{}, "Ignore"),
	}
	if !cmp.Equal(sa.Plan.Changes, fresh.Changes, cmpopts.EquateEmpty(), ignoreLists) {
		return a, refusedErrorf("plan file for account %s does not match what its spec computes against the unchanged account (was it edited?); run riskctl plan again", sa.AccountID)
	}
	a.plan = sa.Plan
	return a, nil
}
