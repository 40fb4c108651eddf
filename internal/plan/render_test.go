package plan

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/riskctl/riskctl/internal/spec"
	"github.com/riskctl/riskctl/internal/state"
)

// Colour is package report's business: never in a plan's JSON.
func TestNoANSIInJSON(t *testing.T) {
	for _, tc := range loadCases(t) {
		p, err := Compute(tc.desired, tc.live)
		if err != nil {
			continue
		}
		if out := renderJSON(t, p); strings.Contains(out, `\u001b`) || strings.Contains(out, "\x1b") {
			t.Errorf("%s: ANSI escape in JSON", tc.name)
		}
	}
}

// The JSON schema's invariants, over every golden plan.
func TestJSONShape(t *testing.T) {
	for _, tc := range loadCases(t) {
		p, err := Compute(tc.desired, tc.live)
		if err != nil {
			continue
		}
		out := renderJSON(t, p)
		if !strings.HasSuffix(out, "}\n") {
			t.Errorf("%s: JSON does not end with a newline", tc.name)
		}
		if strings.Contains(out, "null") {
			t.Errorf("%s: JSON holds a null", tc.name)
		}
		var doc map[string]any
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		for _, key := range []string{"format_version", "account_id", "has_changes", "summary", "changes", "unmanaged", "live_fingerprint"} {
			if _, ok := doc[key]; !ok {
				t.Errorf("%s: JSON lacks %q", tc.name, key)
			}
		}
		if doc["format_version"] != FormatVersion || doc["has_changes"] != p.HasChanges() {
			t.Errorf("%s: format_version %v, has_changes %v", tc.name, doc["format_version"], doc["has_changes"])
		}
	}
}

// The spec's label rides on each change of its integration (create,
// update, replace, dedupe delete) and survives a saved plan's round trip,
// so that apply of a saved plan names integrations as the plan did; the
// JSON is ASCII, a non-ASCII label and a live Cyrillic host escaped.
func TestLabelRoundTripsAndJSONIsASCII(t *testing.T) {
	mk := func(ref, url string, active bool) state.Integration {
		return state.Integration{ReferenceID: ref, IntegrationType: "Okta", TenantURL: url, Active: active}
	}
	withID := func(in state.Integration, id string) state.Integration { in.ID = id; return in }
	desired := state.Account{AccountID: "acct", Integrations: []state.Integration{
		mk("new", "https://new.okta.com", true),
		mk("upd", "https://acme.okta.com", false),
	}}
	live := state.Account{AccountID: "acct", Integrations: []state.Integration{
		withID(mk("upd", "https://\u0430cme.okta.com", true), "id-upd"),
	}}
	policy := spec.Policy{Integrations: map[string]spec.ObjectPolicy{
		"new": {Label: "Zürich"},
		"upd": {Label: "Acme"},
	}}
	p, err := ComputeWith(desired, live, Options{Policy: policy})
	if err != nil {
		t.Fatal(err)
	}
	labels := map[string]string{}
	for _, c := range p.Changes {
		labels[c.Key] = c.Label()
	}
	if labels["new"] != "Zürich" || labels["upd"] != "Acme" {
		t.Fatalf("labels = %v", labels)
	}
	out := renderJSON(t, p)
	if strings.ContainsFunc(out, func(r rune) bool { return r > 0x7f }) {
		t.Errorf("JSON is not ASCII:\n%s", out)
	}
	for _, want := range []string{`"label": "Z\u00fcrich"`, `"tenant_url": "https://xn--cme-5cd.okta.com"`, `"tenant_url": "https://\u0430cme.okta.com"`} {
		if !strings.Contains(out, want) {
			t.Errorf("JSON lacks %s:\n%s", want, out)
		}
	}
	back, err := ReadJSON(strings.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(p.Changes, back.Changes); diff != "" {
		t.Errorf("changes after a round trip (-rendered +read):\n%s", diff)
	}
}

// changed_fields carry typed values, as the before and after objects do: a
// boolean field's are JSON booleans, the others strings, and the side a
// create or delete lacks is left out. ReadJSON reads them back, and reads
// the older text form ("true", "" for none) to the same plan.
func TestChangedFieldsTyped(t *testing.T) {
	desired := state.Account{AccountID: "acct",
		Behaviors: map[string]state.Behavior{"imp_travel": {Enabled: true, RiskLevel: "high"}},
		Integrations: []state.Integration{
			{ReferenceID: "new", IntegrationType: "Okta", TenantURL: "https://new.okta.com", Active: false},
		}}
	live := state.Account{AccountID: "acct",
		Behaviors: map[string]state.Behavior{"imp_travel": {Enabled: false, RiskLevel: "low"}}}
	p, err := Compute(desired, live)
	if err != nil {
		t.Fatal(err)
	}
	out := renderJSON(t, p)
	var doc struct {
		Changes []struct {
			Action        Action           `json:"action"`
			ChangedFields []map[string]any `json:"changed_fields"`
		} `json:"changes"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	want := [][]map[string]any{
		{{"field": "enabled", "before": false, "after": true}, {"field": "risk_level", "before": "low", "after": "high"}},
		{{"field": "integration_type", "after": "Okta"}, {"field": "tenant_url", "after": "https://new.okta.com"}, {"field": "active", "after": false}},
	}
	if len(doc.Changes) != len(want) {
		t.Fatalf("%d changes, want %d:\n%s", len(doc.Changes), len(want), out)
	}
	for i, c := range doc.Changes {
		if diff := cmp.Diff(want[i], c.ChangedFields); diff != "" {
			t.Errorf("change %d (%s) changed_fields (-want +got):\n%s", i, c.Action, diff)
		}
	}
	back, err := ReadJSON(strings.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(p.Changes[0].Fields, back.Changes[0].Fields); diff != "" {
		t.Errorf("behavior fields after a round trip (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(p.Changes[1].Fields, back.Changes[1].Fields); diff != "" {
		t.Errorf("integration fields after a round trip (-want +got):\n%s", diff)
	}

	// The text form riskctl wrote before reads to the same fields.
	old := strings.NewReplacer(`"before": false`, `"before": "false"`, `"after": true`, `"after": "true"`,
		`"after": false`, `"after": "false"`).Replace(out)
	old = strings.Replace(old, `"field": "integration_type",`, `"field": "integration_type", "before": "",`, 1)
	if strings.Count(old, `"true"`)+strings.Count(old, `"false"`) != 3 || !strings.Contains(old, `"before": ""`) {
		t.Fatalf("the text form was not made:\n%s", old)
	}
	fromOld, err := ReadJSON(strings.NewReader(old))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(back.Changes, fromOld.Changes); diff != "" {
		t.Errorf("the text form reads differently (-typed +text):\n%s", diff)
	}

	// Anything else is refused, not guessed.
	bad := strings.Replace(out, `"after": "Okta"`, `"after": 7`, 1)
	if _, err := ReadJSON(strings.NewReader(bad)); err == nil || !strings.Contains(err.Error(), "not a string, a boolean or null") {
		t.Errorf("a number as a value: err = %v", err)
	}
}
