package textutil

import "testing"

func TestJoinLines(t *testing.T) {
	for _, tt := range []struct{ in, sep, want string }{
		{"", " ", ""},
		{"no break", " · ", "no break"},
		{"a\nb", " ", "a b"},
		{"a\r\nb", " ", "a b"},
		{"a\rb", " ", "a b"},
		{"a\r\r\nb\n\n", " · ", "a ·  · b ·  · "},
		{"a\r\nb\rc", "\n", "a\nb\nc"},
	} {
		if got := JoinLines(tt.in, tt.sep); got != tt.want {
			t.Errorf("JoinLines(%q, %q) = %q, want %q", tt.in, tt.sep, got, tt.want)
		}
	}
	if got, want := OneLine("x\r\ny\nz"), "x y z"; got != want {
		t.Errorf("OneLine = %q, want %q", got, want)
	}
}

func TestVisible(t *testing.T) {
	for in, want := range map[string]string{
		"plain\ttab":                     "plain\ttab",
		"idp-\u202Egnp.exe":              `idp-\u202Egnp.exe`,
		"a\x00b\x1bc\x7fd":               `a\u0000b\u001Bc\u007Fd`,
		"zero\u200Bwidth\uFEFF":          `zero\u200Bwidth\uFEFF`,
		"isolate\u2066x\u2069 é ü 日本":    `isolate\u2066x\u2069 é ü 日本`,
		"\u200Fright-to-left mark\u061C": `\u200Fright-to-left mark\u061C`,
	} {
		if got := Visible(in); got != want {
			t.Errorf("Visible(%q) = %q, want %q", in, got, want)
		}
	}
}
