package report

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/riskctl/riskctl/internal/plan"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// TestGolden renders every case as text, JSON and Markdown and compares
// with testdata/CASE.{txt,json,md}; -update rewrites them.
func TestGolden(t *testing.T) {
	for _, tc := range reportCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			var txt, js, md bytes.Buffer
			if err := WriteText(&txt, tc.report, TextOptions{}); err != nil {
				t.Fatalf("WriteText: %v", err)
			}
			if err := WriteJSON(&js, tc.report, exitCodes); err != nil {
				t.Fatalf("WriteJSON: %v", err)
			}
			if err := WriteMarkdown(&md, tc.report, 0); err != nil {
				t.Fatalf("WriteMarkdown: %v", err)
			}
			checkGolden(t, tc.name+".txt", txt.String())
			checkGolden(t, tc.name+".json", js.String())
			checkGolden(t, tc.name+".md", md.String())
		})
	}
}

func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s differs (-want +got; go test -update rewrites it):\n%s", path, diff)
	}
}

func TestTextDrift(t *testing.T) {
	r := reportCases(t)[2].report
	var b bytes.Buffer
	if err := WriteText(&b, r, TextOptions{}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"=== account " + acctA + " (prod.yaml) ===\n",
		"Drift detected on account " + acctA + ":\n",
		`  ~ behavior "imp_travel" enabled: live false, desired true` + "\n",
		`  ~ behavior "high_dlp" risk_level: live "medium", desired "low"` + "\n",
		`-/+ integration "idp-rep" (https://rep.okta.com) integration_type: live "AzureAD", desired "Okta" (forces replacement)` + "\n",
		`  + integration "idp-new" (https://new.okta.com): missing from the account (desired integration_type "Okta", tenant_url "https://new.okta.com", active true)` + "\n",
		`  - integration "idp-old" (https://old.okta.com): not in the spec (live id "66666666-6666-4666-8666-666666666666", integration_type "Okta", tenant_url "https://old.okta.com", active true)` + "\n",
		`  - integration (id "11111111-1111-4111-8111-111111111111", no reference_id, https://manual.okta.com): not in the spec (live integration_type "Okta"`,
		"No drift: account " + acctB + " matches the spec.\n",
		"Total (2 accounts): 1 with drift, 1 in sync.\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("drift text lacks %q:\n%s", want, out)
		}
	}
}

func TestTextPartialIgnoredErrors(t *testing.T) {
	cases := reportCases(t)
	var b bytes.Buffer
	// plan: the plan text says it, once.
	if err := WriteText(&b, cases[5].report, TextOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Targeted plan: only behavior:imp_travel, integration:idp-rep", "Ignored differences", "\n2 differences ignored by the spec's ignore lists.\n"} {
		if n := strings.Count(b.String(), want); n != 1 {
			t.Errorf("plan text has %q %d times:\n%s", want, n, b.String())
		}
	}
	// drift: in its own words.
	b.Reset()
	drift := cases[5].report
	drift.Kind = KindDrift
	if err := WriteText(&b, drift, TextOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"Warning: partial plan (targets: behavior:imp_travel, integration:idp-rep): other differences are not shown.\n",
		"\n2 differences ignored by the spec's ignore lists:\n",
		`  integration "idp-rep" tenant_url: live "https://rep.okta.com/a|b", desired "https://rep.okta.com"` + "\n",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("drift text lacks %q:\n%s", want, b.String())
		}
	}
	b.Reset()
	if err := WriteText(&b, cases[4].report, TextOptions{}); err != nil {
		t.Fatal(err)
	}
	if want := "Error: account " + acctB + ": remote: GET "; !strings.Contains(b.String(), want) {
		t.Errorf("text lacks %q:\n%s", want, b.String())
	}
	// A single account has no heading; its text is its plan's, after the
	// weakening banner.
	b.Reset()
	one := cases[0].report
	if err := WriteText(&b, one, TextOptions{Color: true}); err != nil {
		t.Fatal(err)
	}
	direct := textWriter{color: true}
	direct.weakeningBanner(one.weakening())
	if err := direct.plan(*one.Accounts[0].Plan); err != nil {
		t.Fatal(err)
	}
	if b.String() != direct.b.String() {
		t.Errorf("single-account text is not its plan's:\n%s", cmp.Diff(direct.b.String(), b.String()))
	}
}

// TestJSONShape checks the documented schema on every case: the keys,
// arrays never null, the plan embedded as an object.
func TestJSONShape(t *testing.T) {
	for _, tc := range reportCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := WriteJSON(&b, tc.report, exitCodes); err != nil {
				t.Fatal(err)
			}
			var doc map[string]any
			if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
				t.Fatal(err)
			}
			wantKeys(t, "report", doc, "format_version", "kind", "riskctl_version", "has_changes", "summary", "accounts")
			if doc["format_version"] != "1" || doc["kind"] != string(tc.report.Kind) {
				t.Errorf("format_version %v, kind %v", doc["format_version"], doc["kind"])
			}
			if doc["has_changes"] != tc.report.HasChanges() {
				t.Errorf("has_changes = %v", doc["has_changes"])
			}
			accounts := doc["accounts"].([]any)
			if len(accounts) != len(tc.report.Accounts) {
				t.Fatalf("%d accounts, want %d", len(accounts), len(tc.report.Accounts))
			}
			for i, a := range accounts {
				acc := a.(map[string]any)
				src := tc.report.Accounts[i]
				wantKeys(t, "account", acc, "account_id", "spec_files", "has_changes", "summary", "targets", "ignored", "plan", "exit_code")
				if _, ok := acc["error"]; ok != (src.Err != nil) {
					t.Errorf("account %d: error present = %v, want %v", i, ok, src.Err != nil)
				}
				if _, ok := acc["results"]; ok != (tc.report.Kind == KindApply) {
					t.Errorf("account %d: results present = %v", i, ok)
				}
				if src.Plan == nil {
					if acc["plan"] != nil {
						t.Errorf("account %d: plan = %v, want null", i, acc["plan"])
					}
				} else if p, ok := acc["plan"].(map[string]any); !ok || p["account_id"] != src.Plan.AccountID {
					t.Errorf("account %d: plan is not the plan's JSON object: %v", i, acc["plan"])
				}
				delete(acc, "plan") // may be null
			}
			noNull(t, "$", doc)
		})
	}
}

func wantKeys(t *testing.T, what string, m map[string]any, keys ...string) {
	t.Helper()
	for _, k := range keys {
		if _, ok := m[k]; !ok {
			t.Errorf("%s has no %q", what, k)
		}
	}
}

func noNull(t *testing.T, path string, v any) {
	t.Helper()
	switch v := v.(type) {
	case nil:
		t.Errorf("%s is null", path)
	case map[string]any:
		for k, e := range v {
			noNull(t, path+"."+k, e)
		}
	case []any:
		for _, e := range v {
			noNull(t, path+"[]", e)
		}
	}
}

func TestJSONResults(t *testing.T) {
	r := reportCases(t)[3].report
	var b bytes.Buffer
	if err := WriteJSON(&b, r, exitCodes); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Accounts []struct {
			ExitCode int `json:"exit_code"`
			Results  []struct {
				Action, Resource, Key, Status, Error, ID string
				DurationMS                               int64 `json:"duration_ms"`
			} `json:"results"`
		} `json:"accounts"`
	}
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, res := range doc.Accounts[0].Results {
		got[res.Status]++
		if (res.Status == "applied") == (res.Error != "") {
			t.Errorf("%s %s: status %s with error %q", res.Action, res.Key, res.Status, res.Error)
		}
	}
	if want := map[string]int{"applied": 5, "failed": 2, "skipped": 2}; !cmp.Equal(got, want) {
		t.Errorf("statuses %v, want %v", got, want)
	}
	if doc.Accounts[0].ExitCode != 5 {
		t.Errorf("exit_code %d", doc.Accounts[0].ExitCode)
	}
}

func TestTotals(t *testing.T) {
	r := reportCases(t)[4].report // every_action + a failed account
	if got, want := r.Totals(), (plan.Summary{Add: 2, Change: 4, Replace: 1, Destroy: 2, Weakening: 5}); got != want {
		t.Errorf("Totals = %+v, want %+v", got, want)
	}
	if !r.HasChanges() {
		t.Error("HasChanges = false")
	}
	if (Report{Kind: KindPlan, Accounts: []Account{{Err: os.ErrNotExist}}}).HasChanges() {
		t.Error("a failed account has changes")
	}
}
