package report

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/riskctl/riskctl/internal/spec"
	"github.com/riskctl/riskctl/internal/state"
)

// renderAll renders r as text, Markdown and JSON.
func renderAll(t *testing.T, r Report) (text, md, js string) {
	t.Helper()
	var tb, jb bytes.Buffer
	if err := WriteText(&tb, r, TextOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := WriteJSON(&jb, r, exitCodes); err != nil {
		t.Fatal(err)
	}
	return tb.String(), markdown(t, r, 0), jb.String()
}

// The case: an update that deactivates an integration must say
// which Okta tenant stops receiving risk scores, in the PR comment's row
// too, not only its reference_id.
func TestIntegrationRowsNameTheTenant(t *testing.T) {
	desired := state.Account{AccountID: acctA, Behaviors: map[string]state.Behavior{},
		Integrations: []state.Integration{okta("0b3f1c4e-5d6a-4e7b-8c9d-0e1f2a3b4c5d", "https://acme.okta.com", false)}}
	live := state.Account{AccountID: acctA, Behaviors: liveBehaviors(), Integrations: []state.Integration{
		liveOkta("12121212-1212-4121-8121-121212121212", "0b3f1c4e-5d6a-4e7b-8c9d-0e1f2a3b4c5d", "https://acme.okta.com", true),
	}}
	p := compute(t, desired, live)
	for _, kind := range []Kind{KindPlan, KindDrift} {
		text, md, js := renderAll(t, Report{Kind: kind, Accounts: []Account{{Plan: p}}})
		if want := "| `0b3f1c4e-5d6a-4e7b-8c9d-0e1f2a3b4c5d` · `https://acme.okta.com` | active |"; !strings.Contains(md, want) {
			t.Errorf("%s: Markdown has no row %q:\n%s", kind, want, md)
		}
		if want := `integration "0b3f1c4e-5d6a-4e7b-8c9d-0e1f2a3b4c5d" (https://acme.okta.com)`; !strings.Contains(text, want) {
			t.Errorf("%s: text does not name %s:\n%s", kind, want, text)
		}
		if !regexp.MustCompile(`"tenant_url": "https://acme.okta.com",\s+"before"`).MatchString(js) {
			t.Errorf("%s: JSON change has no tenant_url:\n%s", kind, js)
		}
	}
}

// A live host written with a Cyrillic "а" (U+0430) reads as acme.okta.com:
// no output may print it so. Text and Markdown show its punycode, JSON
// escapes it (and still decodes to the API's text).
func TestLookAlikeHostNeverPrintsAlike(t *testing.T) {
	const cyrillic = "https://\u0430cme.okta.com"
	desired := state.Account{AccountID: acctA, Behaviors: map[string]state.Behavior{},
		Integrations: []state.Integration{okta("idp", "https://acme.okta.com", true)}}
	live := state.Account{AccountID: acctA, Behaviors: liveBehaviors(), Integrations: []state.Integration{
		liveOkta("12121212-1212-4121-8121-121212121212", "idp", cyrillic, true),
		liveOkta("34343434-3434-4343-8343-343434343434", "other", "https://b\u0430d.okta.com", true), // unmanaged
	}}
	p := compute(t, desired, live)
	for _, kind := range []Kind{KindPlan, KindDrift, KindApply} {
		text, md, js := renderAll(t, Report{Kind: kind, Accounts: []Account{{Plan: p}}})
		for format, out := range map[string]string{"text": text, "Markdown": md, "JSON": js} {
			if strings.Contains(out, "\u0430") {
				t.Errorf("%s %s prints the Cyrillic host as letters:\n%s", kind, format, out)
			}
		}
		if want := regexp.MustCompile(`tenant_url += "https://xn--cme-5cd.okta.com" → "https://acme.okta.com"`); kind == KindPlan && !want.MatchString(text) {
			t.Errorf("text lacks %s:\n%s", want, text)
		}
		if want := "`https://xn--cme-5cd.okta.com` → `https://acme.okta.com`"; kind == KindPlan && !strings.Contains(md, want) {
			t.Errorf("Markdown lacks %q:\n%s", want, md)
		}
		if !strings.Contains(text, "https://xn--bd-7kc.okta.com") || !strings.Contains(md, "https://xn--bd-7kc.okta.com") {
			t.Errorf("%s: the unmanaged integration's host is not in punycode:\n%s\n%s", kind, text, md)
		}
		if !strings.Contains(js, `"before": "https://\u0430cme.okta.com"`) || !strings.Contains(js, `"tenant_url": "https://xn--cme-5cd.okta.com"`) {
			t.Errorf("JSON does not escape the live value, or names the change otherwise:\n%s", js)
		}
		// Escaped, not changed: a reader decodes the API's value.
		var doc struct {
			Accounts []struct {
				Plan struct {
					Changes []struct {
						ChangedFields []struct{ Before string } `json:"changed_fields"`
					} `json:"changes"`
				} `json:"plan"`
			} `json:"accounts"`
		}
		if err := json.Unmarshal([]byte(js), &doc); err != nil {
			t.Fatal(err)
		}
		if got := doc.Accounts[0].Plan.Changes[0].ChangedFields[0].Before; got != cyrillic {
			t.Errorf("JSON decodes to %q, want %q", got, cyrillic)
		}
	}
}

// A spec's label names its integration in every output.
func TestLabelInEveryFormat(t *testing.T) {
	desired := state.Account{AccountID: acctA, Behaviors: map[string]state.Behavior{},
		Integrations: []state.Integration{okta("idp-a", "https://acme.okta.com", false), okta("idp-b", "https://b.okta.com", true)}}
	live := state.Account{AccountID: acctA, Behaviors: liveBehaviors(), Integrations: []state.Integration{
		liveOkta("12121212-1212-4121-8121-121212121212", "idp-a", "https://acme.okta.com", true),
	}}
	policy := spec.Policy{Integrations: map[string]spec.ObjectPolicy{
		"idp-a": {Label: "Acme workforce"},
		"idp-b": {Label: "Zürich | `prod`"},
	}}
	p := computeWith(t, desired, live, policy)
	text, md, js := renderAll(t, Report{Kind: KindPlan, Accounts: []Account{{Plan: p}}})
	for _, want := range []string{
		`~ integration "idp-a" (https://acme.okta.com, label "Acme workforce") {`,
		`+ integration "idp-b" (https://b.okta.com, label "Zürich | ` + "`prod`" + `") {`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q:\n%s", want, text)
		}
	}
	for _, want := range []string{
		"| `idp-a` · `https://acme.okta.com` · label `Acme workforce` | active |",
		"| `idp-b` · `https://b.okta.com` · label `` Zürich \\| `prod` `` |",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("Markdown lacks %q:\n%s", want, md)
		}
	}
	checkHTML(t, renderHTML(t, md))
	for _, want := range []string{`"label": "Acme workforce"`, `"label": "Z\u00fcrich | ` + "`prod`" + `"`} {
		if !strings.Contains(js, want) {
			t.Errorf("JSON lacks %q:\n%s", want, js)
		}
	}
	if !utf8.ValidString(js) || strings.ContainsFunc(js, func(r rune) bool { return r >= utf8.RuneSelf }) {
		t.Errorf("JSON is not ASCII:\n%s", js)
	}
}
