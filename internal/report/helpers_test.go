package report

import (
	"context"
	"errors"
	"fmt"
	"github.com/riskctl/riskctl/internal/reconcile"
	"testing"
	"time"

	"github.com/riskctl/riskctl/internal/apply"
	"github.com/riskctl/riskctl/internal/plan"
	"github.com/riskctl/riskctl/internal/remote"
	"github.com/riskctl/riskctl/internal/spec"
	"github.com/riskctl/riskctl/internal/state"
)

// The accounts below are the ones of internal/plan's every_action case:
// every action kind, an unmanaged behavior, an integration without a
// reference_id.

const (
	acctA = "0123456789abcdef0123456789abcdef"
	acctB = "fedcba9876543210fedcba9876543210"
)

func liveBehaviors() map[string]state.Behavior {
	return map[string]state.Behavior{
		"imp_travel":   {Enabled: false, RiskLevel: "high", Name: "Impossible Travel"},
		"high_dlp":     {Enabled: false, RiskLevel: "medium", Name: "High Number of DLP Policies Triggered"},
		"sentinel_one": {Enabled: false, RiskLevel: "medium", Name: "SentinelOne Infection Detected"},
	}
}

func okta(ref, url string, active bool) state.Integration {
	return state.Integration{ReferenceID: ref, IntegrationType: "Okta", TenantURL: url, Active: active}
}

func liveOkta(id, ref, url string, active bool) state.Integration {
	in := okta(ref, url, active)
	in.ID = id
	return in
}

func everyActionDesired(account string) state.Account {
	return state.Account{
		AccountID: account,
		Behaviors: map[string]state.Behavior{
			"imp_travel": {Enabled: true, RiskLevel: "high"},
			"high_dlp":   {Enabled: true, RiskLevel: "low"},
		},
		Integrations: []state.Integration{
			okta("idp-new", "https://new.okta.com", true),
			okta("idp-upd-b", "https://upd-b.okta.com", false),
			okta("idp-rep", "https://rep.okta.com", true),
			okta("idp-upd-a", "https://upd-a.okta.com", true),
			okta("idp-keep", "https://acme.okta.com", true),
			okta("idp-new-inactive", "https://new-inactive.okta.com", false),
		},
	}
}

// pruned is the policy of everyActionDesired and of the other specs here
// that say prune: true.
var pruned = spec.Policy{Prune: true}

func everyActionLive(account string) state.Account {
	rep := liveOkta("44444444-4444-4444-8444-444444444444", "idp-rep", "https://rep.okta.com", true)
	rep.IntegrationType = "AzureAD"
	return state.Account{
		AccountID: account,
		Behaviors: liveBehaviors(),
		Integrations: []state.Integration{
			liveOkta("66666666-6666-4666-8666-666666666666", "idp-old", "https://old.okta.com", true),
			liveOkta("55555555-5555-4555-8555-555555555555", "idp-upd-a", "https://upd-a-before.okta.com", true),
			rep,
			liveOkta("33333333-3333-4333-8333-333333333333", "idp-keep", "https://ACME.okta.com/", true),
			liveOkta("22222222-2222-4222-8222-222222222222", "idp-upd-b", "https://upd-b.okta.com", true),
			liveOkta("11111111-1111-4111-8111-111111111111", "", "https://manual.okta.com", true),
		},
	}
}

// inSync is an account whose live state matches its spec, with one
// unmanaged integration (prune off).
func inSync(account string) (desired, live state.Account) {
	desired = state.Account{
		AccountID:    account,
		Behaviors:    map[string]state.Behavior{"imp_travel": {Enabled: false, RiskLevel: "HIGH"}},
		Integrations: []state.Integration{okta("idp-keep", "https://acme.okta.com", true)},
	}
	live = state.Account{
		AccountID: account,
		Behaviors: liveBehaviors(),
		Integrations: []state.Integration{
			liveOkta("33333333-3333-4333-8333-333333333333", "idp-keep", "https://acme.okta.com/", true),
			liveOkta("99999999-9999-4999-8999-999999999999", "idp-manual", "https://manual.okta.com", false),
		},
	}
	return desired, live
}

func compute(t testing.TB, desired, live state.Account) *plan.Plan {
	t.Helper()
	return computeWith(t, desired, live, spec.Policy{})
}

func computeWith(t testing.TB, desired, live state.Account, policy spec.Policy) *plan.Plan {
	t.Helper()
	p, err := plan.ComputeWith(desired, live, plan.Options{Policy: policy})
	if err != nil {
		t.Fatalf("plan.Compute: %v", err)
	}
	return &p
}

func everyActionPlan(t testing.TB) *plan.Plan {
	return computeWith(t, everyActionDesired(acctA), everyActionLive(acctA), pruned)
}

// partialPlan is every_action restricted to two targets (--target), with
// an ignore list on each of them.
func partialPlan(t testing.TB) *plan.Plan {
	desired, live := everyActionDesired(acctA), everyActionLive(acctA)
	desired.Behaviors["imp_travel"] = state.Behavior{Enabled: true, RiskLevel: "medium"}
	policy := spec.Policy{Prune: true,
		Behaviors:    map[string]spec.ObjectPolicy{"imp_travel": {Ignore: []string{"risk_level"}}},
		Integrations: map[string]spec.ObjectPolicy{"idp-rep": {Ignore: []string{"tenant_url"}}},
	}
	for i := range live.Integrations {
		if live.Integrations[i].ReferenceID == "idp-rep" {
			live.Integrations[i].TenantURL = "https://rep.okta.com/a|b"
		}
	}
	opts := plan.Options{Targets: []plan.Target{
		{Resource: plan.ResourceBehavior, Key: "imp_travel"},
		{Resource: plan.ResourceIntegration, Key: "idp-rep"},
	}, Policy: policy}
	p, err := plan.ComputeWith(desired, live, opts)
	if err != nil {
		t.Fatalf("plan.ComputeWith: %v", err)
	}
	return &p
}

// applyResult gives every_action's changes applied, failed and skipped
// results, as apply.Execute reports them.
func applyResult(p *plan.Plan) *apply.Result {
	res := &apply.Result{}
	skip := fmt.Errorf("%w: %w", apply.ErrNotStarted, context.Canceled)
	for i, c := range p.Changes {
		ar := apply.ActionResult{Index: i, Change: c, Status: apply.StatusApplied, Duration: 120 * time.Millisecond}
		if c.Integration != nil && c.Integration.Before != nil {
			ar.ID = c.Integration.Before.ID
		}
		switch {
		case c.Resource == plan.ResourceBehavior:
			ar.Duration = 85 * time.Millisecond
			ar.Writes = []remote.Write{{Method: "PUT", Path: "/client/v4/accounts/" + acctA + "/zt_risk_scoring/behaviors", Status: 200,
				AuditLogID: "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b", RayID: "8b1c2d3e4f5a6b7c-SJC"}}
		case c.Action == plan.Replace:
			ar.Status, ar.ID = apply.StatusFailed, ""
			ar.Err = errors.New("create integration: remote: POST /accounts/…/zt_risk_scoring/integrations: HTTP 500 Internal Server Error: internal error (code 10001)")
		case c.Key == "idp-new":
			ar.ID = "77777777-7777-4777-8777-777777777777"
		case c.Key == "idp-new-inactive":
			ar.Status, ar.ID = apply.StatusFailed, "88888888-8888-4888-8888-888888888888"
			ar.Err = errors.New("update integration 88888888-8888-4888-8888-888888888888 to active = false: remote: HTTP 429 Too Many Requests:\nrate limited (code 971)")
		case c.Action == plan.Delete:
			ar.Status, ar.Err, ar.Duration = apply.StatusSkipped, skip, 0
		}
		switch ar.Status {
		case apply.StatusApplied:
			res.Applied++
		case apply.StatusFailed:
			res.Failed++
		case apply.StatusSkipped:
			res.Skipped++
		}
		res.Actions = append(res.Actions, ar)
	}
	return res
}

// hugePlan creates n integrations and prunes 100 live ones.
func hugePlan(t testing.TB, n int) *plan.Plan {
	desired := state.Account{AccountID: acctA, Behaviors: map[string]state.Behavior{}}
	for i := range n {
		desired.Integrations = append(desired.Integrations,
			okta(fmt.Sprintf("idp-%05d", i), fmt.Sprintf("https://tenant-%05d.okta.com", i), i%2 == 0))
	}
	live := state.Account{AccountID: acctA, Behaviors: liveBehaviors()}
	for i := range 100 {
		live.Integrations = append(live.Integrations, liveOkta(
			fmt.Sprintf("00000000-0000-4000-8000-%012d", i), fmt.Sprintf("old-%03d", i), fmt.Sprintf("https://old-%03d.okta.com", i), true))
	}
	return computeWith(t, desired, live, pruned)
}

// foldPlan has nc creates, nu updates (one field each), nr replaces and
// nd deletes of integrations, and updates of the two every_action
// behaviors.
func foldPlan(t testing.TB, nc, nu, nr, nd int) *plan.Plan {
	desired := state.Account{AccountID: acctA, Behaviors: map[string]state.Behavior{
		"imp_travel": {Enabled: true, RiskLevel: "high"},
		"high_dlp":   {Enabled: true, RiskLevel: "low"},
	}}
	live := state.Account{AccountID: acctA, Behaviors: liveBehaviors()}
	id := func(n int) string { return fmt.Sprintf("00000000-0000-4000-8000-%012d", n) }
	for i := range nc {
		desired.Integrations = append(desired.Integrations, okta(fmt.Sprintf("idp-new-%02d", i), fmt.Sprintf("https://new-%02d.okta.com", i), true))
	}
	for i := range nu {
		ref := fmt.Sprintf("idp-upd-%02d", i)
		desired.Integrations = append(desired.Integrations, okta(ref, "https://"+ref+".okta.com", true))
		live.Integrations = append(live.Integrations, liveOkta(id(100+i), ref, "https://"+ref+"-old.okta.com", true))
	}
	for i := range nr {
		ref := fmt.Sprintf("idp-rep-%02d", i)
		desired.Integrations = append(desired.Integrations, okta(ref, "https://"+ref+".okta.com", true))
		in := liveOkta(id(200+i), ref, "https://"+ref+".okta.com", true)
		in.IntegrationType = "AzureAD"
		live.Integrations = append(live.Integrations, in)
	}
	for i := range nd {
		ref := fmt.Sprintf("idp-old-%02d", i)
		live.Integrations = append(live.Integrations, liveOkta(id(300+i), ref, "https://"+ref+".okta.com", true))
	}
	return computeWith(t, desired, live, pruned)
}

type reportCase struct {
	name   string
	report Report
}

func reportCases(t testing.TB) []reportCase {
	syncDesired, syncLive := inSync(acctB)
	applied := everyActionPlan(t)
	res := applyResult(applied)
	return []reportCase{
		{"plan_every_action", Report{Kind: KindPlan, RiskctlVersion: "v0.0.0-test", Accounts: []Account{
			{AccountID: acctA, SpecFiles: []string{"prod.yaml"}, Plan: everyActionPlan(t), Status: reconcile.StatusOK},
		}}},
		{"plan_no_changes", Report{Kind: KindPlan, RiskctlVersion: "v0.0.0-test", Accounts: []Account{
			{AccountID: acctB, SpecFiles: []string{"staging.yaml"}, Plan: compute(t, syncDesired, syncLive), Status: reconcile.StatusOK},
		}}},
		{"drift", Report{Kind: KindDrift, RiskctlVersion: "v0.0.0-test", Accounts: []Account{
			{AccountID: acctA, SpecFiles: []string{"prod.yaml"}, Plan: everyActionPlan(t), Status: reconcile.StatusChanges},
			{AccountID: acctB, SpecFiles: []string{"staging.yaml"}, Plan: compute(t, syncDesired, syncLive), Status: reconcile.StatusOK},
		}}},
		{"apply_partial", Report{Kind: KindApply, RiskctlVersion: "v0.0.0-test", Writes: res.Actions[0].Writes, Accounts: []Account{
			{AccountID: acctA, SpecFiles: []string{"prod.yaml"}, Plan: applied, Result: res, Err: res.Err(), Status: reconcile.StatusPartial},
		}}},
		{"two_accounts_one_failed", Report{Kind: KindPlan, RiskctlVersion: "v0.0.0-test", Accounts: []Account{
			{AccountID: acctA, SpecFiles: []string{"prod/a.yaml", "prod/b.yaml"}, Plan: everyActionPlan(t), Status: reconcile.StatusOK},
			{AccountID: acctB, SpecFiles: []string{"staging.yaml"}, Status: reconcile.StatusError,
				Err: errors.New("remote: GET /accounts/fedcba9876543210fedcba9876543210/zt_risk_scoring/behaviors: HTTP 403 Forbidden: Authentication error (code 10000)")},
		}}},
		{"partial_targets_ignored", Report{Kind: KindPlan, RiskctlVersion: "v0.0.0-test", Accounts: []Account{
			{AccountID: acctA, SpecFiles: []string{"prod.yaml"}, Plan: partialPlan(t), Status: reconcile.StatusOK},
		}}},
		// More than 10 integration changes: the integrations table is
		// folded, labelled with its counts; the behaviors stay open.
		{"plan_folded", Report{Kind: KindPlan, RiskctlVersion: "v0.0.0-test", Accounts: []Account{
			{AccountID: acctA, SpecFiles: []string{"prod.yaml"}, Plan: foldPlan(t, 2, 2, 0, 7), Status: reconcile.StatusOK},
		}}},
		// Over the delete limit: the refusal first, short, its hostile
		// names inert.
		{"plan_refused", refusedReport(t)},
		// Who changed it (attribution_test.go): named, by a token,
		// unknown, a hostile email; and an audit log the token may not read.
		{"drift_attributed", attributedReport(t, KindDrift)},
		{"plan_attributed", attributedReport(t, KindPlan)},
		{"drift_audit_denied", auditDeniedReport(t)},
		// --emulate: every format says no Cloudflare account was read or
		// changed, a plan without changes as a drift over two accounts.
		{"plan_emulated", Report{Kind: KindPlan, RiskctlVersion: "v0.0.0-test", Emulated: true, Accounts: []Account{
			{AccountID: acctB, SpecFiles: []string{"staging.yaml"}, Plan: compute(t, syncDesired, syncLive), Status: reconcile.StatusOK},
		}}},
		{"drift_emulated", Report{Kind: KindDrift, RiskctlVersion: "v0.0.0-test", Emulated: true, Accounts: []Account{
			{AccountID: acctA, SpecFiles: []string{"prod.yaml"}, Plan: everyActionPlan(t), Status: reconcile.StatusChanges},
			{AccountID: acctB, SpecFiles: []string{"staging.yaml"}, Plan: compute(t, syncDesired, syncLive), Status: reconcile.StatusOK},
		}}},
	}
}

// exitCodes stands for the CLI's status table (internal/cli/exitcode.go),
// which report may not know: the codes only pass through.
func exitCodes(s reconcile.Status) int {
	return map[reconcile.Status]int{reconcile.StatusOK: 0, reconcile.StatusError: 1, reconcile.StatusChanges: 2,
		reconcile.StatusInvalid: 3, reconcile.StatusRefused: 4, reconcile.StatusCancelled: 4, reconcile.StatusPartial: 5}[s]
}

// hostileNames are live reference ids that would be Markdown, HTML, a
// mention, a forged line or a terminal escape if printed raw.
var hostileNames = []string{"<!-- x", "@octocat", "<img src=x onerror=alert(1)>", "a```b`c", "nl\n### forged", "ansi\x1b[2J"}

// refusedReport is a plan deleting 1 replaced and 12 deleted integrations,
// refused with hostile names first: 19 names in all.
func refusedReport(t testing.TB) Report {
	p := foldPlan(t, 0, 0, 1, 12)
	limit := &reconcile.DeleteLimitError{Limit: 3, Names: append([]string{}, hostileNames...)}
	for _, c := range p.Changes {
		if c.Action.DeletesLive() {
			name := c.Key + " (" + c.Integration.Before.TenantURL
			if c.Action == plan.Replace {
				name += ", replace"
				limit.Replaces++
			}
			limit.Names = append(limit.Names, name+")")
		}
	}
	return Report{Kind: KindPlan, RiskctlVersion: "v0.0.0-test", ApplyRefusal: limit, Accounts: []Account{
		{AccountID: acctA, SpecFiles: []string{"prod.yaml"}, Plan: p, Status: reconcile.StatusRefused},
	}}
}
