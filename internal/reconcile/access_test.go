package reconcile

import (
	"context"
	"errors"
	"os"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/riskctl/riskctl/internal/assess"
	"github.com/riskctl/riskctl/internal/plan"
	"github.com/riskctl/riskctl/internal/remote"
	"github.com/riskctl/riskctl/internal/spec"
	"github.com/riskctl/riskctl/internal/state"
	"github.com/riskctl/riskctl/internal/testwait"
)

// accessAPI is a fakeAPI that also reads Access: fixed lists, an error per
// list, and a count of the Access calls.
type accessAPI struct {
	*fakeAPI
	access state.Access
	fail   map[string]error // by list: policies, apps, groups, idps
	calls  atomic.Int32
	// entered, when set, is closed by the first Access call, and
	// GetBehaviors waits for it: the reads must overlap.
	entered chan struct{}
	once    atomic.Bool
}

var _ remote.AccessReader = (*accessAPI)(nil)

func (f *accessAPI) enter() {
	f.calls.Add(1)
	if f.entered != nil && f.once.CompareAndSwap(false, true) {
		close(f.entered)
	}
}

func (f *accessAPI) ListAccessPolicies(context.Context) ([]state.AccessPolicy, error) {
	f.enter()
	return f.access.Policies, f.fail["policies"]
}

func (f *accessAPI) ListAccessApps(context.Context) ([]state.AccessApp, error) {
	f.enter()
	return f.access.Apps, f.fail["apps"]
}

func (f *accessAPI) ListAccessGroups(context.Context) ([]state.AccessGroup, error) {
	f.enter()
	return f.access.Groups, f.fail["groups"]
}

func (f *accessAPI) ListIdentityProviders(context.Context) ([]state.IdentityProvider, error) {
	f.enter()
	return f.access.IdentityProviders, f.fail["idps"]
}

// overlapAPI's GetBehaviors waits until an Access read has started.
type overlapAPI struct {
	*accessAPI
	t *testing.T
}

func (f *overlapAPI) GetBehaviors(ctx context.Context) (map[string]remote.Behavior, error) {
	select {
	case <-f.entered:
	case <-testwait.After(f.t):
		f.t.Error("the Access reads did not start while the behaviors were read")
	}
	return f.fakeAPI.GetBehaviors(ctx)
}

// exampleAccess: a deny rule excluding high (dead once no behavior is
// high) and an identity provider for idp-new.
func exampleAccess() state.Access {
	return state.Access{
		Policies: []state.AccessPolicy{{ID: "p1", Name: "Block high", Decision: state.DecisionAllow, Reusable: true,
			Rules: state.AccessRules{Include: []state.AccessRule{{Other: "everyone"}}, Exclude: []state.AccessRule{{RiskLevels: []string{"high"}}}}}},
		Apps:              []state.AccessApp{{ID: "a1", Name: "Intranet", Policies: []state.AccessPolicy{{ID: "p1"}}}},
		Groups:            []state.AccessGroup{},
		IdentityProviders: []state.IdentityProvider{{ID: "idp-new", Name: "Okta", Type: "okta", OktaAccount: "https://new.okta.com"}},
	}
}

func planOne(t *testing.T, api remote.API, f *spec.File, noAccess bool) *Account {
	t.Helper()
	var calls atomic.Int32
	connect := func(string) (remote.API, error) { calls.Add(1); return api, nil }
	a := planAccounts(context.Background(), []*spec.File{f}, connect, plan.Options{}, noAccess)[0]
	if a.Err != nil {
		t.Fatalf("plan: %v", a.Err)
	}
	return a
}

// The plan enables imp_travel at high: the exclude [high] rule can match
// again (revived). The live idp-old is active and unmanaged: a finding;
// idp-new is wired to its identity provider: none.
func TestAccessImpactAndFindings(t *testing.T) {
	t.Chdir(t.TempDir())
	api := &accessAPI{fakeAPI: liveAPI(), access: exampleAccess()}
	a := planOne(t, api, specFile(t, acctA, false), false)
	if !a.AccessChecked || a.AccessNotChecked != "" {
		t.Errorf("checked %v (%q), want true", a.AccessChecked, a.AccessNotChecked)
	}
	if len(a.AccessImpact) != 1 || a.AccessImpact[0].Effect != "revived" || a.AccessImpact[0].PolicyName != "Block high" {
		t.Errorf("impact = %+v, want Block high revived", a.AccessImpact)
	}
	kinds := findingKinds(a.Findings)
	if kinds != "idp_missing:idp-old unmanaged_active_integration:idp-old" {
		t.Errorf("findings = %s", kinds)
	}
	if api.calls.Load() != 4 {
		t.Errorf("%d Access calls, want 4", api.calls.Load())
	}
}

func findingKinds(fs []assess.Finding) string {
	var s []string
	for _, f := range fs {
		s = append(s, f.Kind+":"+f.ReferenceID)
	}
	return strings.Join(s, " ")
}

// The Access reads run while the risk-scoring reads do (one extra round
// trip, not four): GetBehaviors waits for an Access read to start.
func TestAccessReadsOverlap(t *testing.T) {
	t.Chdir(t.TempDir())
	api := &overlapAPI{accessAPI: &accessAPI{fakeAPI: liveAPI(), access: exampleAccess(), entered: make(chan struct{})}, t: t}
	planOne(t, api, specFile(t, acctA, false), false)
}

// --access-impact=off reads no Access list and says so; the finding that
// needs no read (an unmanaged active integration) is still made.
func TestAccessOff(t *testing.T) {
	t.Chdir(t.TempDir())
	api := &accessAPI{fakeAPI: liveAPI(), access: exampleAccess()}
	a := planOne(t, api, specFile(t, acctA, false), true)
	if api.calls.Load() != 0 {
		t.Errorf("%d Access calls with NoAccess", api.calls.Load())
	}
	if a.AccessChecked || !strings.Contains(a.AccessNotChecked, AccessOff) || len(a.AccessImpact) != 0 {
		t.Errorf("checked %v (%q), impact %v", a.AccessChecked, a.AccessNotChecked, a.AccessImpact)
	}
	if findingKinds(a.Findings) != "unmanaged_active_integration:idp-old" {
		t.Errorf("findings = %s", findingKinds(a.Findings))
	}
}

// A list that cannot be read is said, never fatal: the plan goes on, the
// checks that need the list are skipped, the others are made.
func TestAccessUnreadable(t *testing.T) {
	forbidden := &remote.APIError{Status: 403}
	for name, tc := range map[string]struct {
		fail       map[string]error
		impact     bool // AccessImpact computed
		idpChecked bool
		want       []string // in AccessNotChecked
	}{
		"no permission": {fail: map[string]error{"policies": forbidden, "apps": forbidden, "groups": forbidden, "idps": forbidden},
			want: []string{"Access impact and identity provider wiring not checked", "the token may not read Access policies, Access applications, Access groups, Access identity providers", "Access: Apps and Policies Read"}},
		"groups fail": {fail: map[string]error{"groups": errors.New("HTTP 500 internal error")}, idpChecked: true,
			want: []string{"Access impact not checked: could not read Access groups: groups: HTTP 500 internal error"}},
		"idps fail": {fail: map[string]error{"idps": forbidden}, impact: true,
			want: []string{"identity provider wiring not checked: the token may not read Access identity providers"}},
	} {
		t.Run(name, func(t *testing.T) {
			t.Chdir(t.TempDir())
			api := &accessAPI{fakeAPI: liveAPI(), access: exampleAccess(), fail: tc.fail}
			a := planOne(t, api, specFile(t, acctA, false), false)
			if a.AccessChecked || !a.Plan.HasChanges() {
				t.Errorf("checked %v, %d changes: want false and the plan", a.AccessChecked, len(a.Plan.Changes))
			}
			for _, w := range tc.want {
				if !strings.Contains(a.AccessNotChecked, w) {
					t.Errorf("AccessNotChecked = %q, want %q in it", a.AccessNotChecked, w)
				}
			}
			if got := len(a.AccessImpact) > 0; got != tc.impact {
				t.Errorf("impact computed %v, want %v: %+v", got, tc.impact, a.AccessImpact)
			}
			if got := strings.Contains(findingKinds(a.Findings), "idp_missing"); got != tc.idpChecked {
				t.Errorf("identity providers checked %v, want %v: %s", got, tc.idpChecked, findingKinds(a.Findings))
			}
		})
	}
}

// A fake of remote.API alone (no Access) plans as before, and says so.
func TestAccessClientCannotRead(t *testing.T) {
	t.Chdir(t.TempDir())
	a := planOne(t, liveAPI(), specFile(t, acctA, false), false)
	if a.AccessChecked || !strings.Contains(a.AccessNotChecked, "cannot read Access") {
		t.Errorf("checked %v (%q)", a.AccessChecked, a.AccessNotChecked)
	}
}

// The observed failure: an active integration no spec manages made drift
// say "No drift", exit 0. It is drift (StatusChanges, exit 2) unless the
// spec says unmanaged_integrations: allow; an inactive one is not.
func TestDriftUnmanagedActive(t *testing.T) {
	for name, tc := range map[string]struct {
		extra  string
		active bool
		want   Status
	}{
		"active":            {active: true, want: StatusChanges},
		"active, allowed":   {extra: "unmanaged_integrations: allow\n", active: true, want: StatusOK},
		"inactive":          {active: false, want: StatusOK},
		"active, report":    {extra: "unmanaged_integrations: report\n", active: true, want: StatusChanges},
		"inactive, allowed": {extra: "unmanaged_integrations: allow\n", active: false, want: StatusOK},
	} {
		t.Run(name, func(t *testing.T) {
			t.Chdir(t.TempDir())
			src := "version: 1\naccount_id: " + acctA + "\nbehaviors:\n  imp_travel: {enabled: false, risk_level: low}\n" + tc.extra
			if err := os.WriteFile("s.yaml", []byte(src), 0o644); err != nil {
				t.Fatal(err)
			}
			live := liveAPI()
			live.list[0].TenantURL, live.list[0].Active = "https://rogue.okta.com", tc.active
			var calls atomic.Int32
			o := Drift(context.Background(), DriftOptions{Inputs: Inputs{Files: []string{"s.yaml"}, Connect: connectTo(map[string]*fakeAPI{acctA: live}, &calls)}})
			if o.Status != tc.want {
				t.Errorf("status = %v, want %v (findings %s)", o.Status, tc.want, findingKinds(o.Accounts[0].Findings))
			}
			if o.Accounts[0].Plan.HasChanges() {
				t.Errorf("the spec's objects match, yet the plan has changes")
			}
		})
	}
}

// behaviorsAfter takes the plan's After (which keeps an ignored field's
// live value); integrationsAfter drops what the plan deletes or replaces
// and adds what it creates or writes.
func TestStateAfterPlan(t *testing.T) {
	live := map[string]state.Behavior{"a": {Enabled: true, RiskLevel: "high"}, "b": {Enabled: false, RiskLevel: "low"}}
	p := plan.Plan{Changes: []plan.Change{
		{Action: plan.Update, Resource: plan.ResourceBehavior, Key: "a", Behavior: &plan.BehaviorChange{Before: live["a"], After: state.Behavior{Enabled: false, RiskLevel: "high"}}},
		{Action: plan.Update, Resource: plan.ResourceIntegration, Key: "r1", Integration: &plan.IntegrationChange{
			Before: &state.Integration{ID: "1", ReferenceID: "r1", TenantURL: "https://a"}, After: &state.Integration{ID: "1", ReferenceID: "r1", TenantURL: "https://b"}}},
		{Action: plan.Delete, Resource: plan.ResourceIntegration, Key: "r2", Integration: &plan.IntegrationChange{Before: &state.Integration{ID: "2", ReferenceID: "r2"}}},
		{Action: plan.Create, Resource: plan.ResourceIntegration, Key: "r4", Integration: &plan.IntegrationChange{After: &state.Integration{ReferenceID: "r4"}}},
	}}
	after := behaviorsAfter(live, p)
	if after["a"].Enabled || after["b"] != live["b"] || !live["a"].Enabled {
		t.Errorf("behaviorsAfter = %v (live %v)", after, live)
	}
	ins := integrationsAfter([]state.Integration{{ID: "1", ReferenceID: "r1", TenantURL: "https://a"}, {ID: "2", ReferenceID: "r2"}, {ID: "3", ReferenceID: "r3"}}, p)
	var got []string
	for _, in := range ins {
		got = append(got, in.ReferenceID+in.TenantURL)
	}
	if strings.Join(got, ",") != "r3,r1https://b,r4" {
		t.Errorf("integrationsAfter = %v", got)
	}
}

// An integration the spec prunes is a delete in the plan, not also an
// unmanaged_active_integration finding.
func TestPrunedIsNoFinding(t *testing.T) {
	t.Chdir(t.TempDir())
	api := &accessAPI{fakeAPI: liveAPI(), access: exampleAccess()}
	a := planOne(t, api, specFile(t, acctA, true), false)
	if strings.Contains(findingKinds(a.Findings), "unmanaged") {
		t.Errorf("findings = %s", findingKinds(a.Findings))
	}
}
