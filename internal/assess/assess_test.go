package assess

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/riskctl/riskctl/internal/state"
)

// behaviorsAt returns behaviors enabled at exactly the given levels, one
// behavior per level (b_low, b_medium, b_high), the others disabled.
func behaviorsAt(levels ...string) map[string]state.Behavior {
	out := map[string]state.Behavior{}
	for _, l := range []string{state.LevelLow, state.LevelMedium, state.LevelHigh} {
		out["b_"+l] = state.Behavior{Enabled: slices.Contains(levels, l), RiskLevel: l}
	}
	return out
}

func TestLevels(t *testing.T) {
	for _, tc := range []struct {
		name      string
		behaviors map[string]state.Behavior
		want      []string
	}{
		{"none", nil, []string{"unscored"}},
		{"all disabled", behaviorsAt(), []string{"unscored"}},
		{"fixed order", behaviorsAt("high", "low"), []string{"low", "high", "unscored"}},
		{"every level", behaviorsAt("low", "medium", "high"), []string{"low", "medium", "high", "unscored"}},
		{"case and unknown", map[string]state.Behavior{
			"a": {Enabled: true, RiskLevel: "High"},
			"b": {Enabled: true, RiskLevel: "severe"},
			"c": {Enabled: false, RiskLevel: "low"},
		}, []string{"high", "unscored"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Levels(tc.behaviors); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Levels = %v, want %v", got, tc.want)
			}
		})
	}
}

// oneRule is an account with one reusable allow policy holding one
// user_risk_score rule in list.
func oneRule(list string, decision string, levels ...string) state.Access {
	rule := []state.AccessRule{{RiskLevels: levels}}
	p := state.AccessPolicy{ID: "p1", Name: "P", Decision: decision, Reusable: true}
	switch list {
	case ListInclude:
		p.Rules.Include = rule
	case ListRequire:
		p.Rules.Require = rule
	case ListExclude:
		p.Rules.Exclude = rule
	}
	return state.Access{Policies: []state.AccessPolicy{p}, Apps: []state.AccessApp{{ID: "a1", Name: "Wiki", Policies: []state.AccessPolicy{{ID: "p1"}}}}, Groups: []state.AccessGroup{}}
}

func effects(impacts []Impact) []string {
	var out []string
	for _, i := range impacts {
		out = append(out, i.Effect)
	}
	return out
}

func TestEffects(t *testing.T) {
	for _, tc := range []struct {
		name          string
		list          string
		levels        []string
		before, after []string // levels of enabled behaviors
		want          string   // "" when not reported
		detail        string   // a part of the detail
	}{
		{"exclude dead", ListExclude, []string{"high"}, []string{"high"}, nil, EffectDead, "exclude [high] can no longer match anyone: no enabled behavior has level high (b_high is disabled), so this block rule is dead"},
		{"exclude revived", ListExclude, []string{"high"}, nil, []string{"high"}, EffectRevived, "exclude [high] can match again: b_high is enabled at high, so it blocks users at high again"},
		{"include changed", ListInclude, []string{"medium", "high"}, []string{"high"}, []string{"medium", "high"}, EffectChanged, "include [medium high] now admits users at medium: b_medium is enabled at medium"},
		{"include unlisted level appears", ListInclude, []string{"high"}, []string{"high"}, []string{"low", "high"}, "", ""},
		{"exclude unlisted level goes", ListExclude, []string{"high"}, []string{"low", "high"}, []string{"high"}, "", ""},
		{"require denies a new level", ListRequire, []string{"low", "medium", "unscored"}, []string{"low"}, []string{"low", "high"}, EffectChanged, "require [low medium unscored] now denies users at high: b_high is enabled at high"},
		{"require no longer denies", ListRequire, []string{"unscored"}, []string{"high"}, nil, EffectChanged, "require [unscored] no longer denies anyone at high: no enabled behavior has level high (b_high is disabled)"},
		{"require dead", ListRequire, []string{"high", "unscored"}[:1], []string{"high"}, nil, EffectDead, "so the policy can match no one"},
		{"unscored always matches", ListInclude, []string{"unscored"}, []string{"high"}, nil, "", ""},
		{"dead before and after", ListInclude, []string{"medium"}, []string{"high"}, []string{"low"}, "", ""},
		{"unchanged", ListExclude, []string{"high"}, []string{"high"}, []string{"high", "low"}, "", ""},
		{"both levels lost", ListExclude, []string{"medium", "high"}, []string{"medium", "high"}, nil, EffectDead, "no enabled behavior has level medium or high (b_medium is disabled, b_high is disabled)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := AccessImpact(oneRule(tc.list, state.DecisionAllow, tc.levels...), behaviorsAt(tc.before...), behaviorsAt(tc.after...))
			got = slices.DeleteFunc(got, func(i Impact) bool { return i.Effect == EffectLint })
			if tc.want == "" {
				if len(got) != 0 {
					t.Fatalf("reported %+v, want nothing", got)
				}
				return
			}
			if len(got) != 1 || got[0].Effect != tc.want || !strings.Contains(got[0].Detail, tc.detail) {
				t.Fatalf("got %+v\nwant one %s containing %q", got, tc.want, tc.detail)
			}
			i := got[0]
			if i.PolicyID != "p1" || i.PolicyName != "P" || i.Decision != "allow" || i.List != tc.list || !reflect.DeepEqual(i.Apps, []string{"Wiki"}) {
				t.Errorf("impact %+v", i)
			}
		})
	}
}

// The decision decides the words: a deny's include blocks, its exclude
// exempts; a bypass's include lets users bypass Access.
func TestDetailFollowsDecision(t *testing.T) {
	for _, tc := range []struct{ list, decision, want string }{
		{ListInclude, state.DecisionDeny, "so this block rule is dead"},
		{ListExclude, state.DecisionDeny, "so it no longer exempts anyone from the deny"},
		{ListInclude, state.DecisionBypass, "so it no longer lets anyone bypass Access"},
		{ListInclude, state.DecisionAllow, "so it no longer admits anyone"},
		{ListExclude, state.DecisionNonIdentity, "so it no longer keeps anyone out of this policy"},
	} {
		got := AccessImpact(oneRule(tc.list, tc.decision, "high"), behaviorsAt("high"), behaviorsAt())
		if len(got) != 1 || !strings.HasSuffix(got[0].Detail, tc.want) {
			t.Errorf("%s %s: got %+v, want a detail ending %q", tc.decision, tc.list, got, tc.want)
		}
	}
}

func TestLint(t *testing.T) {
	for _, tc := range []struct {
		name   string
		list   string
		levels []string
		want   []string // parts of each lint's detail
	}{
		{"require without unscored", ListRequire, []string{"low", "medium"}, []string{"leaves out unscored: it denies everyone without a score"}},
		{"require with unscored", ListRequire, []string{"low", "unscored"}, nil},
		{"exclude with unscored", ListExclude, []string{"unscored"}, []string{"lists unscored: it excludes everyone without a score"}},
		{"exclude without unscored", ListExclude, []string{"high"}, nil},
		{"include with unscored", ListInclude, []string{"unscored"}, nil},
		{"unknown level", ListInclude, []string{"severe", "high"}, []string{`lists "severe", which is not a risk level`}},
		{"two mistakes", ListRequire, []string{"Low"}, []string{"leaves out unscored", `lists "Low"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Lint is reported whatever the plan does: here, nothing.
			got := AccessImpact(oneRule(tc.list, state.DecisionAllow, tc.levels...), behaviorsAt("low"), behaviorsAt("low"))
			if len(got) != len(tc.want) {
				t.Fatalf("got %+v, want %d lint", got, len(tc.want))
			}
			for _, want := range tc.want {
				if !slices.ContainsFunc(got, func(i Impact) bool { return i.Effect == EffectLint && strings.Contains(i.Detail, want) }) {
					t.Errorf("no lint containing %q in %+v", want, got)
				}
			}
		})
	}
}

// Groups nested as a ladder of wide diamonds (each level references the
// next through 8 groups) would be expanded 8^depth times if every path
// were followed; each group is expanded once per policy list instead.
func TestGroupDiamondsStayLinear(t *testing.T) {
	const depth, width = 12, 8
	var groups []state.AccessGroup
	for i := range depth {
		g := state.AccessGroup{ID: fmt.Sprint("g", i)}
		for j := range width {
			mid := fmt.Sprint("m", i, "_", j)
			g.Rules.Include = append(g.Rules.Include, state.AccessRule{GroupID: mid})
			groups = append(groups, state.AccessGroup{ID: mid, Rules: state.AccessRules{Include: []state.AccessRule{{GroupID: fmt.Sprint("g", i+1)}}}})
		}
		groups = append(groups, g)
	}
	groups = append(groups, state.AccessGroup{ID: fmt.Sprint("g", depth), Name: "bottom", Rules: state.AccessRules{Include: []state.AccessRule{{RiskLevels: []string{"high"}}}}})
	acc := state.Access{
		Policies: []state.AccessPolicy{{ID: "p", Name: "P", Decision: "allow", Rules: state.AccessRules{Include: []state.AccessRule{{GroupID: "g0"}}}}},
		Groups:   groups,
	}
	got := AccessImpact(acc, behaviorsAt("high"), behaviorsAt())
	if len(got) != 1 || got[0].Effect != EffectDead || !strings.Contains(got[0].Detail, `"bottom"`) {
		t.Fatalf("got %+v", got)
	}
}

// Output does not depend on the order the API listed objects in.
func TestImpactDeterministic(t *testing.T) {
	acc, before, after := benchAccount()
	want := AccessImpact(acc, before, after)
	if len(want) == 0 {
		t.Fatal("the bench account reports nothing")
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 5 {
		r.Shuffle(len(acc.Policies), func(i, j int) { acc.Policies[i], acc.Policies[j] = acc.Policies[j], acc.Policies[i] })
		r.Shuffle(len(acc.Apps), func(i, j int) { acc.Apps[i], acc.Apps[j] = acc.Apps[j], acc.Apps[i] })
		r.Shuffle(len(acc.Groups), func(i, j int) { acc.Groups[i], acc.Groups[j] = acc.Groups[j], acc.Groups[i] })
		if got := AccessImpact(acc, before, after); !reflect.DeepEqual(got, want) {
			t.Fatal("output changed with the input's order")
		}
	}
}

func TestHost(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"https://acme.okta.com", "acme.okta.com", true},
		{"https://ACME.Okta.COM:8443/app?x=1", "acme.okta.com", true},
		{"acme.okta.com.", "acme.okta.com", true},
		{" https://acme.okta.com ", "acme.okta.com", true},
		{"https://xn--cme-5cd.okta.com", "xn--cme-5cd.okta.com", true},
		{"https://\u0430cme.okta.com", "xn--cme-5cd.okta.com", true}, // Cyrillic а: not acme
		{"https://BÜCHER.okta.com", "xn--bcher-kva.okta.com", true},
		{"", "", false},
		{"https://", "", false},
		{"https://bad_host.okta.com", "", false},
		{"https://[::1]/", "", false},
	} {
		got, ok := Host(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("Host(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

// A tenant_url that names no valid host never counts as matching, even an
// okta_account that is just as invalid.
func TestInvalidHostsNeverMatch(t *testing.T) {
	got := Findings(Wiring{
		Integrations:      []state.Integration{{ReferenceID: "i1", TenantURL: "https://bad_host.okta.com", Active: true}},
		IdentityProviders: []state.IdentityProvider{{ID: "i1", Type: "okta", OktaAccount: "https://bad_host.okta.com"}},
	})
	if len(got) != 1 || got[0].Kind != KindIdPTenantMismatch || !strings.Contains(got[0].Detail, "not a valid host") {
		t.Fatalf("got %+v", got)
	}
}

// The names are the interface scripts rely on (issue 17's list).
func TestInterfaceNames(t *testing.T) {
	kinds := []string{KindUnmanagedActiveIntegration, KindIdPMissing, KindIdPNotOkta, KindIdPTenantMismatch}
	if want := []string{"unmanaged_active_integration", "idp_missing", "idp_not_okta", "idp_tenant_mismatch"}; !reflect.DeepEqual(kinds, want) {
		t.Errorf("kinds %v", kinds)
	}
	if e := []string{EffectDead, EffectRevived, EffectChanged, EffectLint}; !reflect.DeepEqual(e, []string{"dead", "revived", "changed", "lint"}) {
		t.Errorf("effects %v", e)
	}
	b, _ := json.Marshal(Impact{})
	if want := `{"policy_id":"","policy_name":"","decision":"","list":"","levels":null,"apps":null,"effect":"","detail":""}`; string(b) != want {
		t.Errorf("Impact JSON %s", b)
	}
	b, _ = json.Marshal(Finding{})
	if want := `{"kind":"","reference_id":"","detail":""}`; string(b) != want {
		t.Errorf("Finding JSON %s", b)
	}
}

// Groups that were not read (a nil list) are said to be unread, not
// missing.
func TestGroupsNotRead(t *testing.T) {
	acc := state.Access{Policies: []state.AccessPolicy{{ID: "p", Name: "P", Decision: "allow", Rules: state.AccessRules{Include: []state.AccessRule{{GroupID: "g1"}}}}}}
	got := AccessImpact(acc, nil, nil)
	if len(got) != 1 || got[0].Effect != EffectLint || !strings.Contains(got[0].Detail, "the groups were not read") {
		t.Fatalf("got %+v", got)
	}
	acc.Groups = []state.AccessGroup{}
	got = AccessImpact(acc, nil, nil)
	if len(got) != 1 || !strings.Contains(got[0].Detail, "not among the account's groups") {
		t.Fatalf("got %+v", got)
	}
}

// A chain of groups deeper than MaxGroupDepth is followed no further, and
// says so.
func TestGroupDepthBounded(t *testing.T) {
	const n = 10000
	groups := make([]state.AccessGroup, n)
	for i := range groups {
		groups[i] = state.AccessGroup{ID: fmt.Sprint("g", i), Name: fmt.Sprint("G", i), Rules: state.AccessRules{Include: []state.AccessRule{{GroupID: fmt.Sprint("g", i+1)}}}}
	}
	acc := state.Access{
		Policies: []state.AccessPolicy{{ID: "p", Name: "P", Decision: "allow", Rules: state.AccessRules{Include: []state.AccessRule{{GroupID: "g0"}}}}},
		Groups:   groups,
	}
	got := AccessImpact(acc, nil, nil)
	if len(got) != 1 || !strings.Contains(got[0].Detail, fmt.Sprintf(`references group "g%d", nested more than %d groups deep`, MaxGroupDepth, MaxGroupDepth)) {
		t.Fatalf("got %+v", got)
	}
}

// Many policies, each reaching many groups, would make work and output
// grow as policies × groups (2,000 × 30 here: 60,000 impacts, hundreds of
// megabytes for a few thousand objects). The rules followed are bounded
// by MaxRules, and the result says where checking stopped.
func TestRulesFollowedBounded(t *testing.T) {
	const policies, depth = 2000, 30
	var acc state.Access
	for i := range depth {
		g := state.AccessGroup{ID: fmt.Sprint("g", i), Name: fmt.Sprint("G", i), Rules: state.AccessRules{
			Exclude: []state.AccessRule{{RiskLevels: []string{"high"}}}}}
		if i+1 < depth {
			g.Rules.Include = []state.AccessRule{{GroupID: fmt.Sprint("g", i+1)}}
		}
		acc.Groups = append(acc.Groups, g)
	}
	for i := range policies {
		acc.Policies = append(acc.Policies, state.AccessPolicy{ID: fmt.Sprintf("p%04d", i), Name: fmt.Sprintf("P%04d", i), Decision: "allow",
			Rules: state.AccessRules{Include: []state.AccessRule{{GroupID: "g0"}}}})
	}
	got := AccessImpact(acc, behaviorsAt("high"), behaviorsAt())
	if len(got) > MaxRules+1 {
		t.Fatalf("%d impacts, want at most %d", len(got), MaxRules+1)
	}
	stopped := 0
	for _, im := range got {
		if im.Effect == EffectLint && strings.Contains(im.Detail, "checking stopped after") {
			stopped++
		}
	}
	if stopped != 1 {
		t.Errorf("%d impacts say where checking stopped, want 1", stopped)
	}
}
