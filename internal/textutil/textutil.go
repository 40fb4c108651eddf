// Package textutil holds text helpers shared by renderers.
package textutil

import "strings"

// OneLine makes s safe for a single line: every line break (CR LF, CR or
// LF) becomes a space.
func OneLine(s string) string { return JoinLines(s, " ") }

// JoinLines joins the lines of s with sep: every line break (CR LF, CR or
// LF) becomes sep. A CR LF is one break.
func JoinLines(s, sep string) string {
	return strings.NewReplacer("\r\n", sep, "\r", sep, "\n", sep).Replace(s)
}
