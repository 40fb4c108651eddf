// Package textutil holds text helpers shared by renderers.
package textutil

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
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

// Visible makes invisible and direction-changing characters visible as
// \uXXXX escapes: control characters (C0 but tab, DEL, C1), bidi controls
// (which can make a PR comment display text in another order than it
// holds) and zero-width characters. Apply it after JoinLines/OneLine.
func Visible(s string) string {
	if strings.IndexFunc(s, invisible) < 0 {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if invisible(r) {
			fmt.Fprintf(&b, `\u%04X`, r)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func invisible(r rune) bool {
	switch {
	case r == '\t':
		return false
	case r < 0x20, r == 0x7f, 0x80 <= r && r < 0xa0:
		return true
	case r == 0x061c, r == 0x200e, r == 0x200f, 0x202a <= r && r <= 0x202e, 0x2066 <= r && r <= 0x2069:
		return true // bidi marks, embeddings, overrides, isolates
	case 0x200b <= r && r <= 0x200d, r == 0x2060, r == 0xfeff:
		return true // zero-width
	}
	return false
}
