package report

import (
	"bytes"
	"strings"
	"testing"
)

// Control and bidi characters from live state never reach a PR comment
// raw: an override could make "idp-\u202Egnp.exe" read as another name.
func TestMarkdownShowsInvisibleCharacters(t *testing.T) {
	desired, live := inSync("0123456789abcdef0123456789abcdef")
	live.Integrations = append(live.Integrations, liveOkta("11111111-2222-4333-8444-555555555555", "idp-\u202Egnp\u200B\x1b[31m", "https://evil.okta.com/\u2066x", true))
	p := computeWith(t, desired, live, pruned)
	var b bytes.Buffer
	if err := WriteMarkdown(&b, Report{Kind: KindPlan, Accounts: []Account{{Plan: p}}}, 0); err != nil {
		t.Fatal(err)
	}
	md := b.String()
	for _, raw := range []string{"\u202E", "\u200B", "\x1b", "\u2066"} {
		if strings.Contains(md, raw) {
			t.Errorf("the Markdown holds %q raw:\n%s", raw, md)
		}
	}
	if !strings.Contains(md, `idp-\u202Egnp\u200B\u001B[31m`) {
		t.Errorf("the reference_id is not shown with its escapes:\n%s", md)
	}
}
