package spec

import (
	"strings"
	"testing"
)

// fuzzLookup is the fixed lookup of FuzzExpand: a few set variables (one
// empty, one holding a $), everything else unset, and one refused name.
func fuzzLookup(name string) (string, bool, string) {
	switch name {
	case "A":
		return "a", true, ""
	case "EMPTY":
		return "", true, ""
	case "DOLLAR":
		return "$x${A}", true, ""
	case "SECRET":
		return "", false, "refused"
	}
	return "", false, ""
}

// FuzzExpand checks that expand never panics, leaves text without a $ as
// it is, and that a result with no problems, escaped again ($ → $$), expands
// back to itself.
func FuzzExpand(f *testing.F) {
	for _, s := range []string{
		"", "plain", "$", "$$", "$$$", "${A}", "${A:-d}", "${EMPTY:-d}", "${UNSET}", "${UNSET:-}",
		"${SECRET:-x}", "${DOLLAR}", "$${A}", "${A", "${1A}", "${A:-${B}}", "${A:-$}{", "a$b${A}c$$d",
		"${}", "${A:-}}", "x" + strings.Repeat("${A}", 10),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out, substituted, problems := expand(s, fuzzLookup)
		if !strings.Contains(s, "$") {
			if out != s || substituted || problems != nil {
				t.Fatalf("expand(%q) = %q, %v, %q; want the text unchanged", s, out, substituted, problems)
			}
			return
		}
		for _, p := range problems {
			if p == "" {
				t.Fatalf("expand(%q): empty problem in %q", s, problems)
			}
		}
		if len(problems) > 0 {
			return
		}
		escaped := strings.ReplaceAll(out, "$", "$$")
		again, substituted2, problems2 := expand(escaped, fuzzLookup)
		if again != out || substituted2 || problems2 != nil {
			t.Fatalf("expand(%q) = %q; its escape %q expands to %q, %v, %q", s, out, escaped, again, substituted2, problems2)
		}
	})
}
