package reconcile

import (
	"context"
	"errors"
	"os"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/riskctl/riskctl/internal/plan"
	"github.com/riskctl/riskctl/internal/planfile"
	"github.com/riskctl/riskctl/internal/remote"
	"github.com/riskctl/riskctl/internal/spec"
	"github.com/riskctl/riskctl/internal/state"
)

// The engine's rules, tested over a fake API: HTTP adds nothing here (the
// client and the emulator have tests of their own).

const (
	acctA = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	acctB = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
)

// fakeAPI serves fixed live state; failBehaviors / failList make the reads fail.
type fakeAPI struct {
	remote.API              // nil: any other call panics, as no test should make one
	behaviors               map[string]remote.Behavior
	list                    []remote.Integration
	failBehaviors, failList error
}

func (f *fakeAPI) GetBehaviors(context.Context) (map[string]remote.Behavior, error) {
	return f.behaviors, f.failBehaviors
}

func (f *fakeAPI) ListIntegrations(context.Context) ([]remote.Integration, error) {
	return f.list, f.failList
}

func liveAPI() *fakeAPI {
	return &fakeAPI{
		behaviors: map[string]remote.Behavior{"imp_travel": {Enabled: false, RiskLevel: "low"}},
		list: []remote.Integration{
			{ID: "11111111-1111-4111-8111-111111111111", ReferenceID: "idp-old", IntegrationType: "Okta", TenantURL: "https://old.okta.com", Active: true},
		},
	}
}

// connectTo returns a Connect serving apis by account, counting calls.
func connectTo(apis map[string]*fakeAPI, calls *atomic.Int32) Connect {
	return func(id string) (remote.API, error) {
		calls.Add(1)
		if api, ok := apis[id]; ok {
			return api, nil
		}
		return nil, errors.New("no such account")
	}
}

func specFile(t *testing.T, account string, prune bool) *spec.File {
	t.Helper()
	src := "version: 1\naccount_id: " + account + "\nbehaviors:\n  imp_travel: {enabled: true, risk_level: high}\n" +
		"integrations:\n  - reference_id: idp-new\n    integration_type: Okta\n    tenant_url: https://new.okta.com\n"
	if prune {
		src += "prune: true\n"
	}
	path := account[:4] + ".yaml"
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	files, err := spec.Load([]string{path}, spec.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return files[0]
}

// A failed read of behaviors or of the integrations listing stops that
// account's plan with an error (never a plan that creates everything);
// the other accounts are planned.
func TestFailedReadStopsThatAccountOnly(t *testing.T) {
	for name, broken := range map[string]func(*fakeAPI){
		"behaviors":    func(f *fakeAPI) { f.failBehaviors = errors.New("HTTP 500") },
		"integrations": func(f *fakeAPI) { f.failList = errors.New("HTTP 500") },
	} {
		t.Run(name, func(t *testing.T) {
			t.Chdir(t.TempDir())
			bad, good := liveAPI(), liveAPI()
			broken(bad)
			var calls atomic.Int32
			files := []*spec.File{specFile(t, acctA, false), specFile(t, acctB, false)}
			accounts := planAccounts(context.Background(), files, connectTo(map[string]*fakeAPI{acctA: bad, acctB: good}, &calls), plan.Options{}, false)
			if accounts[0].Err == nil || accounts[0].Plan.HasChanges() {
				t.Errorf("account A: err %v, %d changes; want an error and no plan", accounts[0].Err, len(accounts[0].Plan.Changes))
			}
			if accounts[1].Err != nil || !accounts[1].Plan.HasChanges() {
				t.Errorf("account B: err %v, %d changes; want its plan", accounts[1].Err, len(accounts[1].Plan.Changes))
			}
			if accountsStatus(accounts) != StatusError {
				t.Errorf("status = %v, want error", accountsStatus(accounts))
			}
		})
	}
}

// Replaces count against the delete limit, as deletes do.
func TestDeleteLimitCountsReplaces(t *testing.T) {
	live := &state.Integration{ID: "x", ReferenceID: "r", IntegrationType: "Okta"}
	change := func(a plan.Action) plan.Change {
		return plan.Change{Action: a, Resource: plan.ResourceIntegration, Key: "r", Integration: &plan.IntegrationChange{Before: live}}
	}
	accounts := []*Account{{Plan: plan.Plan{AccountID: acctA, Changes: []plan.Change{change(plan.Replace), change(plan.Delete), change(plan.Create), change(plan.Update)}}}}
	if err := checkDeletes(accounts, 2); err != nil {
		t.Errorf("2 allowed, 1 replace + 1 delete: %v", err)
	}
	err := checkDeletes(accounts, 1)
	var limit *DeleteLimitError
	if !errors.As(err, &limit) || limit.Deletes() != 2 || limit.Replaces != 1 || !errors.Is(err, plan.ErrRefused) {
		t.Fatalf("1 allowed: %v, want a refusal naming 2", err)
	}
	if !strings.Contains(err.Error(), "raise --max-deletes to 2") {
		t.Errorf("message does not say the fix: %v", err)
	}
}

// A run where one account failed saves no plan file.
func TestNoPlanSavedWhenAnAccountFailed(t *testing.T) {
	t.Chdir(t.TempDir())
	files := []*spec.File{specFile(t, acctA, false), specFile(t, acctB, false)}
	target, err := prepareSave("plan.json", files)
	if err != nil {
		t.Fatal(err)
	}
	var calls atomic.Int32
	accounts := planAccounts(context.Background(), files, connectTo(map[string]*fakeAPI{acctA: liveAPI()}, &calls), plan.Options{}, false)
	if err := savePlan(target, accounts, saveOptions{RiskctlVersion: "test"}); err == nil {
		t.Fatal("savePlan succeeded with a failed account")
	}
	if _, err := os.Stat("plan.json"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("plan.json exists: %v", err)
	}
}

// savedPlan plans acctA's spec and saves it, returning the file read back.
func savedPlan(t *testing.T, prune bool) (planfile.File, map[string]*fakeAPI) {
	t.Helper()
	t.Chdir(t.TempDir())
	apis := map[string]*fakeAPI{acctA: liveAPI(), acctB: liveAPI()}
	files := []*spec.File{specFile(t, acctA, prune)}
	target, err := prepareSave("plan.json", files)
	if err != nil {
		t.Fatal(err)
	}
	var calls atomic.Int32
	accounts := planAccounts(context.Background(), files, connectTo(apis, &calls), plan.Options{}, false)
	if err := savePlan(target, accounts, saveOptions{RiskctlVersion: "test"}); err != nil {
		t.Fatal(err)
	}
	f, err := planfile.Read("plan.json")
	if err != nil {
		t.Fatal(err)
	}
	return f, apis
}

func TestLoadSavedAppliesTheUnchangedPlan(t *testing.T) {
	f, apis := savedPlan(t, true)
	var calls atomic.Int32
	accounts, err := loadSaved(context.Background(), f, loadOptions{Connect: connectTo(apis, &calls), RiskctlVersion: "test"})
	if err != nil || len(accounts) != 1 || len(accounts[0].Plan.Changes) != 3 {
		t.Fatalf("loadSaved = %d accounts, %v", len(accounts), err)
	}
}

// An edited saved plan is refused: its actions are recomputed.
func TestLoadSavedRefusesEditedActions(t *testing.T) {
	f, apis := savedPlan(t, true)
	// Drop the prune delete, keep everything else consistent.
	a := &f.Accounts[0]
	a.Plan.Changes = a.Plan.Changes[:len(a.Plan.Changes)-1]
	var calls atomic.Int32
	_, err := loadSaved(context.Background(), f, loadOptions{Connect: connectTo(apis, &calls), RiskctlVersion: "test"})
	var refused *planfile.RefusedError
	if !errors.As(err, &refused) || !errors.Is(err, plan.ErrRefused) || !strings.Contains(err.Error(), "edited") {
		t.Fatalf("err = %v, want a refusal of an edited plan", err)
	}
}

// A plan whose account was swapped is refused before the other account is
// asked anything, also when its digest was forged.
func TestLoadSavedAccountSwapRequestsNothing(t *testing.T) {
	for name, forge := range map[string]func(*planfile.Account){
		"account swapped":           func(*planfile.Account) {},
		"account and digest forged": func(a *planfile.Account) { a.SpecDigest = "sha256:" + strings.Repeat("0", 64) },
	} {
		t.Run(name, func(t *testing.T) {
			f, apis := savedPlan(t, false)
			a := &f.Accounts[0]
			a.AccountID, a.Plan.AccountID, a.Live.AccountID = acctB, acctB, acctB
			forge(a)
			var calls atomic.Int32
			_, err := loadSaved(context.Background(), f, loadOptions{Connect: connectTo(apis, &calls), RiskctlVersion: "test"})
			if !errors.Is(err, plan.ErrRefused) {
				t.Fatalf("err = %v, want a refusal", err)
			}
			if n := calls.Load(); n != 0 {
				t.Errorf("%d connections made for a refused plan", n)
			}
		})
	}
}

func TestLoadSavedOtherVersion(t *testing.T) {
	f, apis := savedPlan(t, false)
	var calls atomic.Int32
	if _, err := loadSaved(context.Background(), f, loadOptions{Connect: connectTo(apis, &calls), RiskctlVersion: "other"}); !errors.Is(err, plan.ErrRefused) || calls.Load() != 0 {
		t.Fatalf("err = %v after %d connections, want a refusal before any", err, calls.Load())
	}
	var warned error
	_, err := loadSaved(context.Background(), f, loadOptions{Connect: connectTo(apis, &calls), RiskctlVersion: "other",
		AllowOtherVersion: true, Warn: func(err error) { warned = err }})
	if err != nil || warned == nil {
		t.Fatalf("with AllowOtherVersion: err %v, warning %v", err, warned)
	}
}
