package textutil

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
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
		"plain\ttab":                      `plain\u0009tab`,
		"no change: é, https://x.io:8443": "no change: é, https://x.io:8443",
		"cr\roverwrites\nrow\r\n":         `cr\u000Doverwrites\u000Arow\u000D\u000A`,
		"\x1b]52;c;cHduZWQ=\x07":          `\u001B]52;c;cHduZWQ=\u0007`,
		"\u0085nel\u2028ls\u2029ps":       `\u0085nel\u2028ls\u2029ps`,
		"::error::x":                      `\u003A:error::x`,
		"  \u00A0::warning::x":            "  \u00A0\\u003A:warning::x",
		":a":                              `\u003Aa`,
		"\n::error::x":                    `\u000A::error::x`,
		"a ::error::x":                    "a ::error::x",
		"bad\x9bbyte \uFFFD":              "bad\\x9Bbyte \uFFFD",
		"idp-\u202Egnp.exe":               `idp-\u202Egnp.exe`,
		"a\x00b\x1bc\x7fd":                `a\u0000b\u001Bc\u007Fd`,
		"zero\u200Bwidth\uFEFF":           `zero\u200Bwidth\uFEFF`,
		"isolate\u2066x\u2069 é ü 日本":     `isolate\u2066x\u2069 é ü 日本`,
		"\u200Fright-to-left mark\u061C":  `\u200Fright-to-left mark\u061C`,
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

// VisibleJSON escapes inside strings what encoding/json leaves raw, and a
// reader decodes the same text.
func TestVisibleJSON(t *testing.T) {
	in := map[string]string{"n": "a\u202Eb\u200Bc\u0085d\x7fé\x1b\n"}
	data, err := JSON(in)
	if err != nil {
		t.Fatal(err)
	}
	got := VisibleJSON(data)
	want := "{\n  \"n\": \"a\\u202eb\\u200bc\\u0085d\\u007fé\\u001b\\n\"\n}\n"
	if string(got) != want {
		t.Errorf("VisibleJSON = %q, want %q", got, want)
	}
	var back map[string]string
	if err := json.Unmarshal(got, &back); err != nil || back["n"] != in["n"] {
		t.Errorf("decoded %q, %v; want %q", back["n"], err, in["n"])
	}
	if plain := []byte(`{"a":"é 日本"}`); &VisibleJSON(plain)[0] != &plain[0] {
		t.Error("VisibleJSON copied a document that needed no escape")
	}
}

// FuzzVisible: whatever the input, the result holds no character of the
// escaped set and does not begin (after white space) with ':'.
func FuzzVisible(f *testing.F) {
	for _, s := range []string{"", "::error::x", " \u00A0:x", "a\nb", "\x1b]52;c;x\x07", "\u202Eabc"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v := Visible(s)
		if !utf8.ValidString(v) {
			t.Fatalf("Visible(%q) = %q is not UTF-8", s, v)
		}
		if i := strings.IndexFunc(v, invisible); i >= 0 {
			t.Fatalf("Visible(%q) = %q holds %q", s, v, v[i:])
		}
		if strings.HasPrefix(strings.TrimLeftFunc(v, unicode.IsSpace), ":") {
			t.Fatalf("Visible(%q) = %q begins with ':'", s, v)
		}
	})
}
