package textutil

import (
	"encoding/json"
	"fmt"
	"testing"
)

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

// ASCIIJSON escapes every character outside ASCII, and a JSON reader
// decodes the same text.
func TestASCIIJSON(t *testing.T) {
	in := []byte(`{"a":"https://` + "\u0430" + `cme","b":"` + "\U0001F600 … \u2028" + `","c":1}`)
	out := ASCIIJSON(in)
	if want := `{"a":"https://\u0430cme","b":"\ud83d\ude00 \u2026 \u2028","c":1}`; string(out) != want {
		t.Errorf("ASCIIJSON = %s, want %s", out, want)
	}
	var a, b map[string]any
	if err := json.Unmarshal(in, &a); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(out, &b); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(a) != fmt.Sprint(b) {
		t.Errorf("decodes to %v, want %v", b, a)
	}
	if plain := []byte(`{"a":"b"}`); &ASCIIJSON(plain)[0] != &plain[0] {
		t.Error("ASCII input was copied")
	}
}
