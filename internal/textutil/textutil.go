// Package textutil holds text helpers shared by renderers: the one
// escaping rule for text from outside (Visible, and VisibleJSON inside JSON
// strings) and the one JSON encoder (NewEncoder).
package textutil

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// OneLine makes s safe for a single line: every line break (CR LF, CR or
// LF) becomes a space.
func OneLine(s string) string { return JoinLines(s, " ") }

// JoinLines joins the lines of s with sep: every line break (CR LF, CR or
// LF) becomes sep. A CR LF is one break.
func JoinLines(s, sep string) string {
	return strings.NewReplacer("\r\n", sep, "\r", sep, "\n", sep).Replace(s)
}

// NewEncoder is the one JSON encoder riskctl writes with (plans,
// reports, saved plans, the inspection commands' JSON): indented by two
// spaces, one value per Encode ending in a newline, and HTML characters
// left as they are, since the output is for terminals, CI logs and other
// programs, never an HTML page.
func NewEncoder(w io.Writer) *json.Encoder {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc
}

// JSON is v as NewEncoder writes it.
func JSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	if err := NewEncoder(&buf).Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// CompactJSON is v as NewEncoder writes it but on one line, without the
// newline: a value to embed in a document (json.RawMessage) that JSON
// then indents.
func CompactJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := NewEncoder(&buf)
	enc.SetIndent("", "")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// ASCIIJSON is the JSON document data with every character outside ASCII
// written as a \u escape (a surrogate pair past U+FFFF), as JSON allows:
// a reader decodes the same text, but a person reading the bytes never
// sees two different strings print alike (a Cyrillic "а" in a tenant URL
// is \u0430, not a letter that reads as "a"). Outside strings a JSON
// document is ASCII, so only strings change. data is returned as it is
// when it is ASCII already.
func ASCIIJSON(data []byte) []byte {
	i := 0
	for i < len(data) && data[i] < utf8.RuneSelf {
		i++
	}
	if i == len(data) {
		return data
	}
	out := make([]byte, 0, len(data)+len(data)/8)
	out = append(out, data[:i]...)
	for i < len(data) {
		if c := data[i]; c < utf8.RuneSelf {
			out = append(out, c)
			i++
			continue
		}
		r, size := utf8.DecodeRune(data[i:])
		if r > 0xffff {
			hi, lo := utf16.EncodeRune(r)
			out = fmt.Appendf(out, `\u%04x\u%04x`, hi, lo)
		} else {
			out = fmt.Appendf(out, `\u%04x`, r)
		}
		i += size
	}
	return out
}

// Visible is riskctl's one escaping rule for text from outside (a server,
// an identity provider, a spec's values, keys and tags, a file name): every
// string of such data passes through it before it reaches a terminal, a
// table cell, a progress line, an error or a log line. It writes as a
// \uXXXX escape (upper-case hex):
//
//   - every control character: C0 (NUL to US, tab, CR and LF included),
//     DEL and C1 (NEL included), so that data can neither start a line
//     nor drive the terminal (ESC and OSC sequences, BEL, a CR that
//     overwrites what was printed, a tab that shifts a table's columns);
//   - the line and paragraph separators U+2028 and U+2029, which some
//     readers end a line at;
//   - bidi controls (marks, embeddings, overrides, isolates), which can
//     make text display in another order than it holds;
//   - zero-width characters (U+200B to U+200D, U+2060, U+FEFF);
//   - a ':' that is the string's first character other than white space,
//     as \u003A;
//   - a byte that is not UTF-8, as \xHH.
//
// The last point is why no line riskctl prints can begin with "::" (a
// GitHub workflow command, which a CI runner reads from any output line,
// after leading white space) because of data: data cannot break a line,
// so it begins a line only where riskctl's own text put it at the start
// (a table's first cell, an error's line) or after riskctl's white space
// (cells padded after an empty one); there its first non-space
// character, if a ':', is escaped. A ':' later in a string stays as it is
// (URLs, "key: value"). Printable text, accents and scripts included, is
// unchanged, and a string needing no escape is returned as it is.
//
// Where a renderer wants data's line breaks as separators instead, it
// applies JoinLines or OneLine first.
func Visible(s string) string {
	lead := strings.IndexFunc(s, func(r rune) bool { return !unicode.IsSpace(r) || invisible(r) })
	leadColon := lead >= 0 && s[lead] == ':'
	if !leadColon && strings.IndexFunc(s, invisible) < 0 && utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i, r := range s {
		switch {
		case r == utf8.RuneError && !strings.HasPrefix(s[i:], "\uFFFD"):
			// A byte that is not UTF-8 (0x9B is CSI to a terminal
			// reading 8-bit controls).
			fmt.Fprintf(&b, `\x%02X`, s[i])
		case invisible(r) || (leadColon && i == lead):
			fmt.Fprintf(&b, `\u%04X`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func invisible(r rune) bool {
	switch {
	case r < 0x20, r == 0x7f, 0x80 <= r && r < 0xa0:
		return true // C0 (tab, CR, LF included), DEL, C1
	case r == 0x2028, r == 0x2029:
		return true // line and paragraph separators
	case r == 0x061c, r == 0x200e, r == 0x200f, 0x202a <= r && r <= 0x202e, 0x2066 <= r && r <= 0x2069:
		return true // bidi marks, embeddings, overrides, isolates
	case 0x200b <= r && r <= 0x200d, r == 0x2060, r == 0xfeff:
		return true // zero-width
	}
	return false
}

// VisibleJSON is the JSON document data with Visible's rule applied inside
// its strings: encoding/json already writes C0 controls and U+2028/U+2029
// as escapes, and this writes the rest of Visible's set (DEL, C1, bidi
// controls, zero-width characters) as \uXXXX too. A JSON reader decodes
// the same text; a terminal showing the document is driven by none of it.
// Outside strings a JSON document holds none of these characters, and its
// own line breaks are ASCII, so only strings change. data is returned as
// it is when nothing needs escaping.
func VisibleJSON(data []byte) []byte {
	hidden := func(r rune) bool { return r >= 0x7f && invisible(r) }
	if bytes.IndexFunc(data, hidden) < 0 {
		return data
	}
	out := make([]byte, 0, len(data)+32)
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if hidden(r) {
			out = fmt.Appendf(out, `\u%04x`, r)
		} else {
			out = append(out, data[i:i+size]...)
		}
		i += size
	}
	return out
}
