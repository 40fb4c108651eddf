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
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(src), &doc); err != nil {
		t.Fatal(err)
	}
	want := snapshot(&doc)
	for _, tc := range []struct{ name, out, msg string }{
		{"same", src, ""},
		{"reformatted", "version: 1   # v\n\n# about the account\naccount_id: ${CLOUDFLARE_ACCOUNT_ID}\n", ""},
		{"lost a comment", "version: 1 # v\naccount_id: ${CLOUDFLARE_ACCOUNT_ID}\n", `losing the comment "# about the account"`},
		{"changed a value", "version: 1 # v\n# about the account\naccount_id: ${CLOUDFLARE_ACCOUNT}\n", "changing its meaning"},
		{"changed a type", "version: '1' # v\n# about the account\naccount_id: ${CLOUDFLARE_ACCOUNT_ID}\n", "changing its meaning"},
		{"quoted interpolation", "version: 1 # v\n# about the account\naccount_id: '${CLOUDFLARE_ACCOUNT_ID}'\n", "changing its meaning"},
		{"not YAML", "version: [\n", "breaking it"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := verify(want, []byte(src), []byte(tc.out))
			if (tc.msg == "") != (got == "") || !strings.Contains(got, tc.msg) {
				t.Errorf("verify = %q, want %q", got, tc.msg)
			}
		})
	}
}
