package reconcile

import (
	"bytes"
	"context"
	"errors"
	"io"
	"sync"
	"time"

	"github.com/riskctl/riskctl/internal/apply"
	"github.com/riskctl/riskctl/internal/plan"
	"github.com/riskctl/riskctl/internal/planfile"
	"github.com/riskctl/riskctl/internal/redact"
	"github.com/riskctl/riskctl/internal/remote"
	"github.com/riskctl/riskctl/internal/spec"
	"github.com/riskctl/riskctl/internal/textutil"
)

// The three entries, one per command: Plan, Apply (from spec files or a
// saved plan) and Drift. Each takes everything it needs in its options
// and returns an Outcome; it never returns early with a bare error, so
// the CLI renders every run the same way.

// Outcome is what a run did and how it ended.
type Outcome struct {
	// Accounts are the run's accounts, in the order of the spec files (or
	// of the saved plan); each has its own Status.
	Accounts []*Account
	// Err is a failure of the run itself, before or beside its accounts:
	// specs that do not load, a --out that may not be written, a saved
	// plan that cannot be read or is refused, a plan that could not be
	// saved. ErrAccount names the account it is about, when it is.
	Err        error
	ErrAccount string
	// StoppedAtInputs reports that Err stopped the run at its inputs (the
	// specs, --out, the saved plan's file) before any account: there is
	// nothing to report but Err.
	StoppedAtInputs bool
	// Refusal is why a safety rule refused the run (the delete limit, no
	// approval); for Plan, why apply would refuse this plan. The accounts
	// are fine: it is about the run.
	Refusal error
	// Saved is where Plan saved the plan ("" when it did not); NotSaved,
	// when a save was asked for and not done, says why.
	Saved    string
	NotSaved string
	// Executed reports whether Apply started executing the plans.
	Executed bool
	// Writes are every write Apply made and had answered, in the order
	// answered, with their Cf-Auditlog-Id and cf-ray: riskctl's own
	// entries in the audit log (attribution.go), the checks after creates
	// included, which belong to no one action.
	Writes []remote.Write
	// Status is the run's: the worst of its accounts', its Err's and its
	// Refusal's, with the rules of each entry (see Plan, Apply, Drift).
	Status Status
}

// HasChanges reports whether any account's plan has changes.
func (o *Outcome) HasChanges() bool {
	for _, a := range o.Accounts {
		if a.Err == nil && a.Plan.HasChanges() {
			return true
		}
	}
	return false
}

// WorstAccount returns the first account with the most severe status, or
// nil when every account is StatusOK: the one a run's error names.
func (o *Outcome) WorstAccount() *Account {
	var worst *Account
	for _, a := range o.Accounts {
		if a.Status != StatusOK && (worst == nil || a.Status > worst.Status) {
			worst = a
		}
	}
	return worst
}

// accountsStatus is the worst status of the accounts.
func accountsStatus(accounts []*Account) Status {
	s := StatusOK
	for _, a := range accounts {
		s = Worst(s, a.Status)
	}
	return s
}

// stopped ends a run at its inputs with err.
func stopped(err error) Outcome {
	o := Outcome{}.failed(err)
	o.StoppedAtInputs = true
	return o
}

// failed ends o with err, a failure of the run itself.
func (o Outcome) failed(err error) Outcome {
	o.Err, o.Status = err, Worst(o.Status, StatusOf(err))
	return o
}

// Inputs are the spec files of a run and how to reach their accounts.
type Inputs struct {
	// Files are spec files and directories, read by spec.Load with Spec.
	Files []string
	Spec  spec.Options
	// Connect gives each account its API client.
	Connect Connect
	// NoAccess skips the Access reads, so plans carry no Access impact
	// and no identity provider findings (--access-impact=off).
	NoAccess bool
	// Audit is the audit-log read of drift and plan (attribution.go);
	// its zero value reads nothing.
	Audit AuditOptions
}

// PlanOptions steer Plan.
type PlanOptions struct {
	Inputs
	// Targets, when not empty, restrict every plan to these objects.
	Targets []plan.Target
	// Dedupe deletes the extras of a reference_id several live
	// integrations share (plan.Options.Dedupe) instead of refusing.
	Dedupe bool
	// MaxDeletes is the delete limit apply will enforce (checkDeletes):
	// a plan over it is refused now, so a pull request shows it.
	MaxDeletes int
	// Out, when not empty, is where the plan is saved for a later Apply.
	// It is checked before any request (prepareSave); only a complete
	// plan that apply would accept is saved.
	Out            string
	RiskctlVersion string
	// Secrets of the run: a plan holding one is not saved.
	Secrets *redact.Set
}

// Plan loads the specs, plans every account, checks the plans against
// the rules apply enforces and saves them when asked. Its Status is the
// worst account's when one failed; else StatusRefused when apply would
// refuse the plan; else StatusError when it could not be saved; else
// StatusChanges or StatusOK.
func Plan(ctx context.Context, opts PlanOptions) Outcome {
	files, err := spec.Load(opts.Files, opts.Spec)
	if err != nil {
		return stopped(err)
	}
	var save *saveTarget
	if opts.Out != "" {
		// Checked before any request, so a refused --out writes nothing.
		if save, err = prepareSave(opts.Out, files); err != nil {
			return stopped(err)
		}
	}
	o := Outcome{Accounts: planAccountsWith(ctx, files, opts.Inputs, plan.Options{Targets: opts.Targets, Dedupe: opts.Dedupe})}
	if o.Status = accountsStatus(o.Accounts); o.Status != StatusOK {
		if save != nil {
			o.NotSaved = "not every account was planned"
		}
		return o
	}
	if err := checkDeletes(o.Accounts, opts.MaxDeletes); err != nil {
		o.Refusal, o.Status = err, StatusRefused
		if save != nil {
			o.NotSaved = "apply would refuse it"
		}
		return o
	}
	if save != nil {
		if err := savePlan(save, o.Accounts, saveOptions{RiskctlVersion: opts.RiskctlVersion, Secrets: opts.Secrets}); err != nil {
			return o.failed(err)
		}
		o.Saved = save.Path
	}
	if o.HasChanges() {
		o.Status = StatusChanges
	}
	return o
}

// DriftOptions steer Drift.
type DriftOptions struct {
	Inputs
}

// Drift loads the specs and plans every account, to report how live
// differs from them. Its Status is the worst account's when one failed,
// else StatusChanges on drift or on an active integration no spec manages
// (unless the spec allows them: it streams risk scores to a tenant nobody
// declared), else StatusOK.
func Drift(ctx context.Context, opts DriftOptions) Outcome {
	files, err := spec.Load(opts.Files, opts.Spec)
	if err != nil {
		return stopped(err)
	}
	o := Outcome{Accounts: planAccountsWith(ctx, files, opts.Inputs, plan.Options{})}
	if o.Status = accountsStatus(o.Accounts); o.Status == StatusOK && (o.HasChanges() || o.hasUnmanagedActive()) {
		o.Status = StatusChanges
	}
	return o
}

// ApplyOptions steer Apply. Exactly one of Files and PlanFile is set: the
// two forms of apply.
type ApplyOptions struct {
	// Inputs.Files: plan these specs, then apply (after Approve).
	Inputs
	Targets []plan.Target
	Dedupe  bool

	// PlanFile is a plan saved by Plan (PlanOptions.Out), applied exactly
	// as saved unless loadSaved refuses it. It is the approval: Approve is
	// not asked.
	PlanFile string
	// RiskctlVersion is the running riskctl; a saved plan made by another
	// is refused unless AllowOtherVersion (then Warn hears why).
	RiskctlVersion    string
	AllowOtherVersion bool
	Warn              func(error)

	// MaxDeletes: a plan deleting (or replacing) more integrations is
	// refused (checkDeletes).
	MaxDeletes int
	// ApproveWeakening approves the plan's weakening changes; without it
	// a plan with any is refused (checkWeakening). It is a decision of
	// this run, also for a saved PlanFile: saving a plan records what was
	// reviewed, not who may approve weakening it.
	ApproveWeakening bool

	// Review, when set, hears the planned outcome once every plan is
	// known, before any rule is checked or question asked (the CLI shows
	// the plan there). An error stops the run: it is the outcome's Err.
	Review func(*Outcome) error
	// Approve, when set, is asked before anything is applied to plans with
	// changes within the rules: false cancels the run (StatusCancelled),
	// an error refuses it (StatusRefused). nil approves.
	Approve func(context.Context, *Outcome) (bool, error)

	// Execution: see ExecuteOptions.
	Execute ExecuteOptions
}

// ErrNotApproved is the Refusal of a run whose Approve said no.
var ErrNotApproved = errors.New("cancelled: the changes were not approved")

// Apply plans the specs (or loads a saved plan), checks the delete limit
// and weakening changes, asks Approve and executes. Its Status is the worst account's, with one
// rule over them (StatusOfResults): when anything was applied in any
// account and not everything, the run is StatusPartial, whatever failed.
func Apply(ctx context.Context, opts ApplyOptions) Outcome {
	var o Outcome
	if opts.PlanFile != "" {
		o = loadPlanFile(ctx, opts)
		if o.Err != nil {
			return o
		}
	} else {
		files, err := spec.Load(opts.Files, opts.Spec)
		if err != nil {
			return stopped(err)
		}
		o.Accounts = planAccounts(ctx, files, opts.Connect, plan.Options{Targets: opts.Targets, Dedupe: opts.Dedupe}, opts.NoAccess)
		if o.Status = accountsStatus(o.Accounts); o.Status != StatusOK {
			return o
		}
	}
	if opts.Review != nil {
		if err := opts.Review(&o); err != nil {
			return o.failed(err)
		}
	}
	if !o.HasChanges() {
		return o
	}
	if err := checkDeletes(o.Accounts, opts.MaxDeletes); err != nil {
		o.Refusal, o.Status = err, StatusRefused
		return o
	}
	if err := checkWeakening(o.Accounts, opts.ApproveWeakening); err != nil {
		o.Refusal, o.Status = err, StatusRefused
		return o
	}
	if opts.Approve != nil && opts.PlanFile == "" {
		ok, err := opts.Approve(ctx, &o)
		switch {
		case err != nil:
			o.Refusal, o.Status = err, StatusRefused
			return o
		case !ok:
			o.Refusal, o.Status = ErrNotApproved, StatusCancelled
			return o
		}
	}
	o.Executed = true
	ctx, writes := remote.WithWriteRecord(ctx)
	results := execute(ctx, o.Accounts, opts.Execute)
	o.Writes = writes()
	applied := 0
	for i, res := range results {
		a := o.Accounts[i]
		if res == nil {
			continue
		}
		a.Result, applied = res, applied+res.Applied
		switch err := res.Err(); {
		case err == nil:
		case res.Partial():
			a.Err, a.Status = err, StatusPartial
		default:
			a.Err, a.Status = err, StatusError
		}
	}
	// Once anything was applied, in any account, a failure anywhere makes
	// the run partial (StatusOfResults).
	o.Status = StatusOfResults(applied, accountsStatus(o.Accounts))
	return o
}

// loadPlanFile reads and checks a saved plan (loadSaved). A plan that
// cannot be read is StatusInvalid; a refused one has the refusal's status.
func loadPlanFile(ctx context.Context, opts ApplyOptions) Outcome {
	saved, err := planfile.Read(opts.PlanFile)
	if err != nil {
		return stopped(&UsageError{err})
	}
	warn := opts.Warn
	if warn == nil {
		warn = func(error) {}
	}
	accounts, err := loadSaved(ctx, saved, loadOptions{
		Connect:           opts.Connect,
		Spec:              opts.Spec,
		RiskctlVersion:    opts.RiskctlVersion,
		AllowOtherVersion: opts.AllowOtherVersion,
		Warn:              warn,
	})
	o := Outcome{Accounts: accounts}
	if err != nil {
		// The accounts are checked in order: the failing one is the next.
		if n := len(accounts); n < len(saved.Accounts) {
			o.ErrAccount = saved.Accounts[n].AccountID
		}
		return o.failed(err)
	}
	return o
}

// DefaultParallelism is apply's default number of writes in flight.
const DefaultParallelism = apply.DefaultParallelism

// AccountsApplying is how many accounts an apply executes at once, at
// parallelism writes in flight per account: as many as keep the writes in
// flight across accounts within what the run's budget sends in a second
// (remote.SendsPerSecond, 180), so 18 at the default parallelism of 10,
// and always at least 1.
//
// Why at once: an account's apply is mostly waiting. After its creates it
// waits apply.DuplicateSettle before it lists the account again, so one
// account after the other a run pays that wait once per account (100
// accounts of 5 creates took 191 s); 18 at once pay it about once per 18.
// Why bounded: the bound is not what keeps the API safe, as every
// account's client shares the run's one remote.Budget (one credential,
// counted across accounts), which paces the total, per second and per
// window, with the sends in flight counted. It bounds what a run has under
// way at once: connections, the accounts an interrupt or a credential
// revoked mid-run leaves half done, and writes the budget would only hold
// back. docs/plan-and-apply.md says so.
func AccountsApplying(parallelism int) int {
	if parallelism <= 0 {
		parallelism = apply.DefaultParallelism
	}
	return max(1, remote.SendsPerSecond/parallelism)
}

// ExecuteOptions steer Execute.
type ExecuteOptions struct {
	// Parallelism bounds the actions of one phase of one account in
	// flight at once; 0 means apply.DefaultParallelism.
	Parallelism int
	// Accounts bounds the accounts executed at once; 0 means
	// AccountsApplying(Parallelism).
	Accounts int
	// Progress receives apply's progress lines, nothing else: one line per
	// settled action (applied, failed or skipped), counted as "[37/100,
	// 4m12s elapsed]" (settled out of the account's changes; the time
	// since Execute began), the same on a terminal as in a CI log. When
	// the run has several accounts their lines interleave, so each line
	// begins with its account's id and ": ".
	//
	// Lines about waits inside a request ("waiting 12s: rate limited") are
	// not apply's: the CLI prints them from the API client's
	// remote.Config.OnWait hook, only when stderr is a terminal and the
	// format is text, so CI logs (and --format json runs) carry just the
	// per-action lines.
	Progress io.Writer
	// Now is the clock of the progress lines' durations; nil means
	// time.Now.
	Now func() time.Time
	// DuplicateSettle is apply.Options.DuplicateSettle.
	DuplicateSettle time.Duration
}

// Execute executes every account's plan, up to opts.Accounts at once, and
// returns one result per account (nil for an account without changes), in
// the accounts' order. A failing account does not stop the others. Once
// ctx ends no account starts: each one left is executed with the ended
// ctx, which sends nothing and reports its changes skipped; the accounts
// in flight finish as apply.Execute does (within its grace).
func execute(ctx context.Context, accounts []*Account, opts ExecuteOptions) []*apply.Result {
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	started := now() // one elapsed time across the accounts
	progress := opts.Progress
	if progress == nil {
		progress = io.Discard
	}
	bound := opts.Accounts
	if bound <= 0 {
		bound = AccountsApplying(opts.Parallelism)
	}
	var out sync.Mutex // one line at a time, whichever account writes it
	// One API for every account: their answers bound its clock for all,
	// and the duplicate checks' probes count against the run
	// (apply.ServerClock).
	clock := apply.NewServerClock()
	results := make([]*apply.Result, len(accounts))
	sem := make(chan struct{}, bound)
	var wg sync.WaitGroup
	for i, a := range accounts {
		if !a.Plan.HasChanges() {
			continue
		}
		// Wait for a slot, or for ctx to end: then the account needs none,
		// as it starts nothing (apply.Execute with the ended ctx only
		// reports its changes skipped).
		slot := false
		select {
		case sem <- struct{}{}:
			slot = true
		case <-ctx.Done():
		}
		// One account's lines are apply's, as they are (it writes them
		// one at a time); several accounts' interleave, so each names its
		// account.
		w := progress
		var lines *prefixWriter
		if len(accounts) > 1 {
			lines = &prefixWriter{mu: &out, w: progress, prefix: textutil.Visible(a.Plan.AccountID) + ": "}
			w = lines
		}
		wg.Go(func() {
			if slot {
				defer func() { <-sem }()
			}
			res := apply.Execute(ctx, a.API, a.Plan, apply.Options{
				Parallelism: opts.Parallelism,
				Progress:    w,
				Now:         now,
				Started:     started,

				DuplicateSettle: opts.DuplicateSettle,
				ServerClock:     clock,
				Live:            a.Live.Integrations,
			})
			if lines != nil {
				lines.flush()
			}
			results[i] = &res
		})
	}
	wg.Wait()
	return results
}

// prefixWriter writes every line written to it to w, whole and with prefix
// before it, holding mu, so that the lines of accounts applied at once
// interleave but never mix. A line is written when its newline is; flush
// writes what is left of a last line without one.
type prefixWriter struct {
	mu     *sync.Mutex
	w      io.Writer
	prefix string
	buf    []byte
}

func (p *prefixWriter) Write(b []byte) (int, error) {
	p.buf = append(p.buf, b...)
	for {
		i := bytes.IndexByte(p.buf, '\n')
		if i < 0 {
			break
		}
		if err := p.writeLine(p.buf[:i+1]); err != nil {
			return len(b), err
		}
		p.buf = p.buf[i+1:]
	}
	return len(b), nil
}

func (p *prefixWriter) writeLine(line []byte) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	_, err := p.w.Write(append([]byte(p.prefix), line...))
	return err
}

func (p *prefixWriter) flush() {
	if len(p.buf) > 0 {
		_ = p.writeLine(append(p.buf, '\n'))
		p.buf = nil
	}
}
