package spec

import (
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestVerify: Format's check of its own output refuses output that lost a
// comment, changed a value, or turned a plain interpolated scalar quoted;
// yaml.v3 has not been seen doing any of these, so the check is tested on
// doctored output.
func TestVerify(t *testing.T) {
	src := "version: 1 # v\n# about the account\naccount_id: ${CLOUDFLARE_ACCOUNT_ID}\n"
	checkVerify(t, src, []verifyCase{
		{"same", src, ""},
		{"reformatted", "version: 1   # v\n\n# about the account\naccount_id: ${CLOUDFLARE_ACCOUNT_ID}\n", ""},
		{"lost a comment", "version: 1 # v\naccount_id: ${CLOUDFLARE_ACCOUNT_ID}\n", `losing the comment "# about the account"`},
		{"changed a value", "version: 1 # v\n# about the account\naccount_id: ${CLOUDFLARE_ACCOUNT}\n", "changing its meaning"},
		{"changed a type", "version: '1' # v\n# about the account\naccount_id: ${CLOUDFLARE_ACCOUNT_ID}\n", "changing its meaning"},
		{"quoted interpolation", "version: 1 # v\n# about the account\naccount_id: '${CLOUDFLARE_ACCOUNT_ID}'\n", "changing its meaning"},
		{"not YAML", "version: [\n", "breaking it"},
	})
}

// TestVerifyResolvesAliases: the same nodes, aliases by the same names,
// but the alias now refers to another definition of its anchor: verify
// compares what the aliases resolve to, too.
func TestVerifyResolvesAliases(t *testing.T) {
	src := "a: &t true\nb: &t false\nc: *t\n"
	checkVerify(t, src, []verifyCase{
		{"same", src, ""},
		{"reordered, another value", "b: &t false\na: &t true\nc: *t\n", "changing its meaning"},
		{"reordered, alias first", "a: &t true\nc: *t\nb: &t false\n", "changing its meaning"},
		{"reordered, same values", "b: &t false\nc: *t\na: &t true\n", ""},
	})
}

// verifyCase is output verify must accept (msg "") or refuse with msg.
type verifyCase struct{ name, out, msg string }

// checkVerify runs verify on each case's output for the source src.
func checkVerify(t *testing.T, src string, cases []verifyCase) {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(src), &doc); err != nil {
		t.Fatal(err)
	}
	want := snapshot(&doc)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := verify(want, []byte(src), []byte(tc.out))
			if (tc.msg == "") != (got == "") || !strings.Contains(got, tc.msg) {
				t.Errorf("verify = %q, want %q", got, tc.msg)
			}
		})
	}
}

// TestRestyleQuotes: which quoted scalars restyle leaves quoted, and how.
func TestRestyleQuotes(t *testing.T) {
	for _, tc := range []struct {
		value string
		style yaml.Style
	}{
		{"plain text", 0},
		{"https://acme.okta.com/\u202egpj.exe\u2028x\u200b", yaml.DoubleQuotedStyle},
		{"bom\ufeff", yaml.DoubleQuotedStyle},
		{"a\nb", 0}, // a literal block shows a line break
		{"a\tb", 0}, // the encoder quotes a tab itself
		{"1:20", yaml.DoubleQuotedStyle},
		{"190:20:30", yaml.DoubleQuotedStyle},
		{"-1:30.5", yaml.DoubleQuotedStyle},
		{"1:60", 0}, // not base 60
		{"=", yaml.DoubleQuotedStyle},
		{"==", 0},
		{"yes", yaml.DoubleQuotedStyle},
	} {
		n := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: tc.value, Style: yaml.SingleQuotedStyle}
		restyle(n)
		if n.Style != tc.style {
			t.Errorf("restyle(%q): style %v, want %v", tc.value, n.Style, tc.style)
		}
	}
}
