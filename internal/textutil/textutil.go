// Package textutil holds text helpers shared by renderers.
package textutil

import (
	"bytes"
	"encoding/json"
	"strings"
)

// OneLine makes s safe for a single line: every line break (CR LF, CR or
// LF) becomes a space.
func OneLine(s string) string { return JoinLines(s, " ") }

// JoinLines joins the lines of s with sep: every line break (CR LF, CR or
// LF) becomes sep. A CR LF is one break.
func JoinLines(s, sep string) string {
	return strings.NewReplacer("\r\n", sep, "\r", sep, "\n", sep).Replace(s)
}

// JSON is the one JSON form riskctl writes (plans, reports, saved plans):
// v indented by two spaces, HTML characters left as they are, ending in a
// newline.
func JSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
