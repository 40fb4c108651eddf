package report

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/riskctl/riskctl/internal/plan"
	"github.com/riskctl/riskctl/internal/state"
)

// The plan text of every golden plan of package plan: each case's
// plan.json (internal/plan/testdata/plan, written by plan's own golden
// test from desired.json and live.json) read back and rendered, compared
// with testdata/plantext/CASE.txt, and CASE_color.txt with colour.
const planCases = "../plan/testdata/plan"

var planTextColor = map[string]bool{"every_action": true}

func goldenPlans(t testing.TB) map[string]plan.Plan {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(planCases, "*", "plan.json"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no golden plans under %s: %v", planCases, err)
	}
	plans := map[string]plan.Plan{}
	for _, path := range paths {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		p, err := plan.ReadJSON(f)
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		plans[filepath.Base(filepath.Dir(path))] = p
	}
	return plans
}

func planText(t testing.TB, p plan.Plan, color bool) string {
	t.Helper()
	w := textWriter{color: color}
	if err := w.plan(p); err != nil {
		t.Fatal(err)
	}
	return w.b.String()
}

func TestPlanTextGolden(t *testing.T) {
	plans := goldenPlans(t)
	for name, p := range plans {
		t.Run(name, func(t *testing.T) {
			checkGolden(t, filepath.Join("plantext", name+".txt"), planText(t, p, false))
			if planTextColor[name] {
				checkGolden(t, filepath.Join("plantext", name+"_color.txt"), planText(t, p, true))
			}
		})
	}
	// A golden without its plan is stale.
	goldens, _ := filepath.Glob(filepath.Join("testdata", "plantext", "*.txt"))
	for _, g := range goldens {
		name := strings.TrimSuffix(filepath.Base(g), ".txt")
		if _, ok := plans[strings.TrimSuffix(name, "_color")]; !ok {
			t.Errorf("%s has no plan in %s", g, planCases)
		}
	}
}

// Colour only when asked for, and then on every plan with changes.
func TestPlanTextColor(t *testing.T) {
	for name, p := range goldenPlans(t) {
		if strings.Contains(planText(t, p, false), "\x1b") {
			t.Errorf("%s: ANSI escape in uncoloured text", name)
		}
		if p.HasChanges() && !strings.Contains(planText(t, p, true), "\x1b[") {
			t.Errorf("%s: no colour with Color", name)
		}
	}
}

// A change the text cannot show fails WriteText, which then writes nothing.
func TestPlanTextErrors(t *testing.T) {
	for _, c := range []plan.Change{
		{Action: "upsert", Resource: plan.ResourceBehavior, Key: "k", Behavior: &plan.BehaviorChange{}},
		{Action: plan.Update, Resource: plan.ResourceIntegration, Key: "k"},
		{Action: plan.Create, Resource: plan.ResourceBehavior, Key: "k", Behavior: &plan.BehaviorChange{}},
	} {
		var b bytes.Buffer
		r := Report{Kind: KindPlan, Accounts: []Account{{Plan: &plan.Plan{Changes: []plan.Change{c}}}}}
		if err := WriteText(&b, r, TextOptions{}); err == nil || b.Len() != 0 {
			t.Errorf("WriteText(%+v) = %v, wrote %d bytes; want an error and nothing written", c, err, b.Len())
		}
	}
}

func TestSummaryLine(t *testing.T) {
	for s, want := range map[plan.Summary]string{
		{}: "Plan: 0 to add, 0 to change, 0 to replace, 0 to destroy.",
		{Add: 1, Change: 2, Replace: 3, Destroy: 4}: "Plan: 1 to add, 2 to change, 3 to replace, 4 to destroy.",
	} {
		if got := summaryLine(s); got != want {
			t.Errorf("summaryLine(%+v) = %q, want %q", s, got, want)
		}
	}
}

// benchPlan is the plan of plan's BenchmarkCompute at 1000 integrations:
// one behavior and every tenth integration's tenant_url to update, one
// unmanaged behavior.
func benchPlan() plan.Plan {
	p := plan.Plan{AccountID: "0123456789abcdef0123456789abcdef", UnmanagedBehaviors: []string{"sentinel_one"}}
	p.Changes = append(p.Changes, plan.Change{Action: plan.Update, Resource: plan.ResourceBehavior, Key: "imp_travel",
		Fields:   []plan.FieldDiff{{Field: plan.FieldEnabled, Before: "false", After: "true"}},
		Behavior: &plan.BehaviorChange{Before: state.Behavior{RiskLevel: "high"}, After: state.Behavior{Enabled: true, RiskLevel: "high"}}})
	for i := 0; i < 1000; i += 10 {
		ref, url := fmt.Sprintf("idp-%05d", i), fmt.Sprintf("https://t%05d.okta.com", i)
		before := state.Integration{ID: fmt.Sprintf("00000000-0000-4000-8000-%012d", i), ReferenceID: ref, IntegrationType: "Okta", TenantURL: url + "/old", Active: true}
		after := before
		after.TenantURL = url
		p.Changes = append(p.Changes, plan.Change{Action: plan.Update, Resource: plan.ResourceIntegration, Key: ref,
			Fields:      []plan.FieldDiff{{Field: plan.FieldTenantURL, Before: before.TenantURL, After: url}},
			Integration: &plan.IntegrationChange{Before: &before, After: &after}})
	}
	return p
}

// BenchmarkPlanText is the text of the 1000-integration plan (see
// BENCHMARKS.md).
func BenchmarkPlanText(b *testing.B) {
	p := benchPlan()
	r := Report{Kind: KindPlan, Accounts: []Account{{Plan: &p}}}
	b.ReportAllocs()
	for b.Loop() {
		if err := WriteText(io.Discard, r, TextOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}
