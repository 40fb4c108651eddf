package riskreport

import (
	"strings"
	"unicode"

	"github.com/riskctl/riskctl/internal/textutil"
)

// maxLabel is the most characters of an outside string a Mermaid label
// shows; a longer one ends in "…" (and the SVG's labels, svgLabel, fewer:
// they must fit beside the bars).
const maxLabel = 40

// cut cuts s to n characters, the last one "…".
func cut(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// outside is an outside string on one line, with Visible's escapes: the
// first step of every context below.
func outside(s string) string {
	return textutil.Visible(textutil.OneLine(s))
}

// mermaidLabel is s as the text of a double-quoted Mermaid string (a pie
// slice, an axis label). Mermaid has no escape inside such a string, and
// its text is read again by the diagram (a "%%{init: …}%%" directive is
// found anywhere, "#quot;" is an entity, "<…>" may become markup, a
// quote or bracket ends the string or the list). So a label keeps letters,
// marks, digits, spaces and . , _ : / @ ' + - ( ) only; every other
// character becomes "_". Labels are for reading a chart; the tables beside
// the charts give the exact text.
func mermaidLabel(s string) string {
	s = cut(outside(s), maxLabel)
	return strings.Map(func(r rune) rune {
		switch {
		case unicode.IsLetter(r), unicode.IsMark(r), unicode.IsDigit(r), r == ' ':
			return r
		case strings.ContainsRune(".,_:/@'+-()", r):
			return r
		}
		return '_'
	}, s)
}

// mdCode is s as a Markdown code span for a table cell: on one line, a
// fence longer than any run of backticks inside, and | escaped as \|
// (GitHub unescapes it inside code spans of a table too). Inside a code
// span nothing is markup: no HTML, link, emphasis, math, and no
// @-mention or autolinked email (GitHub skips code), which matters for a
// report posted to an issue. An empty s is "-".
func mdCode(s string) string {
	if s == "" {
		return "-"
	}
	s = strings.ReplaceAll(outside(s), "|", `\|`)
	return textutil.MarkdownCodeSpan(s)
}
