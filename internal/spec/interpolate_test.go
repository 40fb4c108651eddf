package spec

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestExpand(t *testing.T) {
	vars := map[string]string{"A": "alpha", "EMPTY": "", "B_2": "beta"}
	lookup := func(name string) (string, bool, string) {
		v, ok := vars[name]
		return v, ok, ""
	}
	for _, tc := range []struct {
		in          string
		want        string
		substituted bool
		problems    []string
	}{
		{in: "plain", want: "plain"},
		{in: "${A}", want: "alpha", substituted: true},
		{in: "x-${A}-${B_2}-y", want: "x-alpha-beta-y", substituted: true},
		{in: "${EMPTY}", want: "", substituted: true},
		{in: "${UNSET:-dflt}", want: "dflt", substituted: true},
		{in: "${EMPTY:-dflt}", want: "dflt", substituted: true},
		{in: "${A:-dflt}", want: "alpha", substituted: true},
		{in: "${UNSET:-}", want: "", substituted: true},
		{in: "${UNSET:-a:-b c}", want: "a:-b c", substituted: true},
		{in: "$$", want: "$"},
		{in: "$${A}", want: "${A}"},
		{in: "$$$${A}", want: "$${A}"},
		{in: "$$${A}", want: "$alpha", substituted: true},
		{in: "$A $(id) `id` $", want: "$A $(id) `id` $"},
		{in: "é${A}é", want: "éalphaé", substituted: true},
		{
			in:       "${UNSET}",
			problems: []string{"environment variable UNSET is not set (write ${UNSET:-default} to give a default)"},
		},
		{
			// The account id: the flag and the variable, never a
			// hard-coded default.
			in:       "${CLOUDFLARE_ACCOUNT_ID}",
			problems: []string{"no account id: pass --account-id or set CLOUDFLARE_ACCOUNT_ID (or write the id in account_id)"},
		},
		{
			in: "${U1}/${A}/${U2}",
			problems: []string{
				"environment variable U1 is not set (write ${U1:-default} to give a default)",
				"environment variable U2 is not set (write ${U2:-default} to give a default)",
			},
		},
		{in: "${A", problems: []string{`unterminated "${A": ` + refForms}},
		{in: "${}", problems: []string{`invalid variable reference "${}": ` + refForms}},
		{in: "${1A}", problems: []string{`invalid variable reference "${1A}": ` + refForms}},
		{in: "${A B}", problems: []string{`invalid variable reference "${A B}": ` + refForms}},
		{in: "${A-x}", problems: []string{`invalid variable reference "${A-x}": ` + refForms}},
		{in: "${A:+x}", problems: []string{`invalid variable reference "${A:+x}": ` + refForms}},
		{in: "${$(id)}", problems: []string{`invalid variable reference "${$(id)}": ` + refForms}},
		{in: "${A:-${B}}", problems: []string{"nested reference in the default of ${A:-...}: a default is plain text, references do not nest"}},
	} {
		got, substituted, problems := expand(tc.in, lookup)
		if tc.problems != nil {
			if diff := cmp.Diff(tc.problems, problems); diff != "" {
				t.Errorf("expand(%q) problems (-want +got):\n%s", tc.in, diff)
			}
			continue
		}
		if got != tc.want || substituted != tc.substituted || problems != nil {
			t.Errorf("expand(%q) = %q, %v, %q; want %q, %v, no problems", tc.in, got, substituted, problems, tc.want, tc.substituted)
		}
	}
}

func TestDidYouMean(t *testing.T) {
	allowed := []string{"version", "account_id", "behaviors", "integrations", "prune"}
	for name, want := range map[string]string{
		"behaviours":  `: did you mean "behaviors"?`,
		"acount_id":   `: did you mean "account_id"?`,
		"Prune":       `: did you mean "prune"?`,
		"integration": `: did you mean "integrations"?`,
		"colour":      "",
		"p":           "",
		"accountid":   `: did you mean "account_id"?`,
		"tenant_url":  "",
	} {
		if got := didYouMean(name, allowed); got != want {
			t.Errorf("didYouMean(%q) = %q, want %q", name, got, want)
		}
	}
}
