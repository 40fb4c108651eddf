package reconcile

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/riskctl/riskctl/internal/apply"
	"github.com/riskctl/riskctl/internal/assess"
	"github.com/riskctl/riskctl/internal/plan"
	"github.com/riskctl/riskctl/internal/remote"
	"github.com/riskctl/riskctl/internal/spec"
	"github.com/riskctl/riskctl/internal/state"
)

// AccountsInFlight bounds how many accounts are fetched at once. Each plan
// is two requests, and Cloudflare's rate limit is per token, shared by all.
const AccountsInFlight = 4

// Connect returns the API client of one account. The CLI's connects to
// Cloudflare or to the embedded emulator.
type Connect func(accountID string) (remote.API, error)

// Account is one spec file's account as a run works on it.
type Account struct {
	File *spec.File
	API  remote.API // nil until connected
	Live state.Account
	Plan plan.Plan
	// Result is what apply did (nil when it did not start on the account).
	Result *apply.Result
	// Err is this account's failure; the other accounts carry on.
	Err error
	// Status is how the account ended (StatusOf(Err), or apply's).
	Status Status

	// What the plan means (access.go): the Access user_risk_score rules
	// it changes and the standing mistakes (AccessImpact), whether every
	// Access list was read (AccessChecked, else AccessNotChecked says what
	// was not checked and why), and the wiring findings (Findings, an
	// unmanaged active integration among them unless the spec allows it).
	// Not set for a saved plan, which is applied as it was reviewed.
	AccessImpact     []assess.Impact
	AccessChecked    bool
	AccessNotChecked string
	AccessOff        bool // the run was asked not to read Access (--access-impact=off)
	Findings         []assess.Finding

	// Who changed each drifted object (attribution.go), by index in
	// Plan.Changes: set for drift and plan when the audit log was asked
	// for and the plan has a change to attribute. AuditNote says why
	// none could be (the token may not read the audit log, say).
	Attribution map[int]Attribution
	AuditNote   string
}

// ID is the account the spec names.
func (a *Account) ID() string { return a.File.Account.AccountID }

// UsageError is input the user must fix (a refused --out, a spec path a
// saved plan cannot name): exit code 3.
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

// planAccounts connects to every file's account, fetches its live state
// and computes its plan with opts, several accounts at once. A failing
// account does not stop the others: its Err says why and its Status how
// bad it is. A failed read of behaviors or of the integrations listing
// fails that account (never a plan that would create everything).
//
// Unless noAccess, each account's Access lists are read too, beside its
// live state, and the plan assessed (assessAccount); a failed Access read
// never fails the account.
func planAccounts(ctx context.Context, files []*spec.File, connect Connect, opts plan.Options, noAccess bool) []*Account {
	return planAccountsWith(ctx, files, Inputs{Connect: connect, NoAccess: noAccess}, opts)
}

// planAccountsWith is planAccounts with in's reads: also the audit log's
// (in.Audit), for drift and plan.
func planAccountsWith(ctx context.Context, files []*spec.File, in Inputs, opts plan.Options) []*Account {
	accounts := make([]*Account, len(files))
	sem := make(chan struct{}, AccountsInFlight)
	var wg sync.WaitGroup
	for i, f := range files {
		accounts[i] = &Account{File: f}
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			a := accounts[i]
			a.Err = planAccount(ctx, a, in, opts)
			a.Status = StatusOf(a.Err)
		})
	}
	wg.Wait()
	return accounts
}

func planAccount(ctx context.Context, a *Account, in Inputs, opts plan.Options) (err error) {
	if a.API, err = in.Connect(a.ID()); err != nil {
		return err
	}
	// The Access reads overlap the risk-scoring reads (access.go); the
	// audit-log read, needed only when the plan has a change to
	// attribute, overlaps what is left of them (attribution.go).
	access := startAccessReads(ctx, a.API, in.NoAccess)
	if a.Live, err = remote.Fetch(ctx, a.API, a.ID()); err != nil {
		access.stop()
		return err
	}
	opts.Policy = a.File.Policy
	a.Plan, err = plan.ComputeWith(a.File.Account, a.Live, opts)
	// A reference_id several live integrations share: the audit log may
	// prove the extra copies riskctl's own (copies.go), and the same read
	// then serves attribution.
	var proofRead *auditRead
	if dups := sharedRefs(err); len(dups) > 0 && !opts.Dedupe {
		proofRead = readForProof(ctx, a.API, in.Audit)
		opts.Copies = copyOrigins(proofRead, dups)
		a.Plan, err = plan.ComputeWith(a.File.Account, a.Live, opts)
	}
	if err != nil {
		access.stop()
		return withSpecPositions(err, a.File)
	}
	var audit *auditRead
	if proofRead != nil {
		audit = proofRead.forAttribution(in.Audit, a.Plan)
	} else {
		audit = startAuditRead(ctx, a.API, in.Audit, a.Plan)
	}
	assessAccount(a, access)
	attribute(a, audit)
	return nil
}

// withSpecPositions points a missing-behavior error at the spec lines that
// name the keys, so it reads like any other spec error (exit 3).
func withSpecPositions(err error, f *spec.File) error {
	var missing *plan.MissingBehaviorsError
	if !errors.As(err, &missing) {
		return err
	}
	has := strings.Join(missing.Available, ", ")
	var errs spec.Errors
	for _, key := range missing.Keys {
		errs = append(errs, &spec.Error{Pos: f.BehaviorPos[key], Msg: fmt.Sprintf(
			"behavior %q does not exist in account %s (behaviors cannot be created); the account has: %s",
			key, f.Account.AccountID, has)})
	}
	return errs
}
