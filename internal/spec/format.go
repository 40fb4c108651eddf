package spec

// Format is the one canonical layout of a spec file, used by `riskctl fmt`
// and by Write (export), so that an exported spec is already formatted.
//
// It works on the yaml.Node tree, not on the text, so that comments travel
// with the nodes they are attached to, and it changes only presentation:
//
//   - keys in the order the format documents them: version, account_id,
//     behaviors, integrations, prune at the top; enabled, risk_level, ignore
//     in a behavior; reference_id, integration_type, tenant_url, active,
//     protect, ignore in an integration. Keys the format does not know keep
//     their order, after the known ones. Behavior ids and the integration
//     list keep the order they were written in: that order is the author's.
//   - 2-space indentation, sequences indented under their key.
//   - scalars plain unless YAML needs quotes (then single quotes, or double
//     quotes for what only they can hold). One exception: a scalar holding
//     "$" keeps whether it was plain or quoted, because an interpolated plain
//     scalar is resolved again as YAML (enabled: ${RISKCTL_VAR_ON} is a
//     boolean, '${RISKCTL_VAR_ON}' a string); a quoted one is written with
//     double quotes. Text, ${...} and $$ included, is never changed.
//     Others stay quoted too: a quoted yes, off, 1:20 or = (YAML 1.1 tools
//     read them as booleans and numbers), and a quoted scalar holding a
//     character that does not print (U+202E, a zero width space), which is
//     double-quoted with that character escaped.
//   - flow ({...}, [...]) and block collections stay as written.
//   - at most one blank line between entries, where the file had one, and
//     none at the start or end of a block; trailing comments of a paragraph
//     (lines not broken by a blank line or a comment line) aligned one space
//     after its longest line, as gofmt aligns them.
//   - one document, no "---", one final newline; the comment at the top
//     of the file stays there, whichever key comes first.
//
// Format checks its own output before returning it: the output must parse
// to the same YAML (same keys, values, tags, anchors, and the plain-or-
// quoted bit that interpolation reads; the same data once aliases are
// resolved) and hold every comment of the input. A file that defines an
// anchor name twice is refused: moving keys could change which definition
// an alias refers to.
// yaml.v3 cannot place every comment a hand-written file may hold (a
// comment inside a flow collection, for one); such a file is refused with
// an error rather than formatted without it.

import (
	"bytes"
	"fmt"
	"index/suffixarray"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"go.yaml.in/yaml/v3"
)

// Markers that Format puts in comments for the post-pass to find: a comment
// line that is only blankMarker becomes a blank line, and lineMarker right
// after a "#" marks the start of a trailing comment, for alignment. Both are
// control characters, which a YAML file cannot hold, so no input clashes.
const (
	blankMarker = "#\x01"
	lineMarker  = "\x02"
)

// ReadFile reads one spec file as Load does, with the same limits: regular
// files only (checked before opening), at most MaxSpecBytes. The error is
// Errors, naming the file.
func ReadFile(path string) ([]byte, error) {
	data, problem := readSpec(path)
	if problem != "" {
		return nil, Errors{&Error{Pos: Pos{File: path}, Msg: problem}}
	}
	return data, nil
}

// Format returns data laid out canonically (see above). path only labels
// errors. A file that is not YAML, holds more than one document, or that
// Format cannot lay out without losing a comment is an error (Errors,
// naming file:line). A file with no content (empty, or only comments) is
// returned as it is. Format does not check the spec: an unknown key is
// formatted like any other, and validate reports it.
func Format(path string, data []byte) ([]byte, error) {
	// yaml.v3 attaches some comments differently depending on what follows
	// them (a final comment without a newline; a blank line it adds itself
	// before the last comment), so one pass is not always a fixed point.
	// The layout is the fixed point: passes stop when one changes nothing.
	out, err := formatOnce(path, data)
	for range maxFormatPasses {
		if err != nil || out == nil {
			return out, err
		}
		again, err2 := formatOnce(path, out)
		if err2 == nil && bytes.Equal(again, out) {
			return out, nil
		}
		out, err = again, err2
	}
	return nil, Errors{&Error{Pos: Pos{File: path, Line: 1, Col: 1}, Msg: "cannot format this file: its layout does not settle (a riskctl bug: please report it)"}}
}

// maxFormatPasses bounds Format's passes; two settle every file seen.
const maxFormatPasses = 4

// formatOnce is one pass of Format.
func formatOnce(path string, data []byte) ([]byte, error) {
	p := &parser{path: path}
	doc, ok := p.decodeDocument(data)
	if !ok || len(p.errs) > 0 {
		return nil, p.errs
	}
	if doc == nil {
		return data, nil
	}
	if err := redefinedAnchor(path, doc); err != nil {
		return nil, err
	}
	want := snapshot(doc)
	lines := strings.Split(string(data), "\n")
	canonicalize(doc, lines)
	out, err := encode(doc)
	if err != nil {
		return nil, Errors{&Error{Pos: Pos{File: path}, Msg: "cannot format: " + err.Error()}}
	}
	if msg := verify(want, data, out); msg != "" {
		return nil, Errors{&Error{Pos: Pos{File: path, Line: 1, Col: 1}, Msg: msg}}
	}
	return out, nil
}

// redefinedAnchor refuses a file that defines an anchor name twice. YAML
// allows it (an alias refers to the latest definition above it), but then
// moving keys can change which definition an alias refers to, so what the
// file means would depend on its key order.
func redefinedAnchor(path string, doc *yaml.Node) error {
	first := make(map[string]int)
	var errs Errors
	walk(doc, func(n *yaml.Node) {
		if n.Anchor == "" || n.Kind == yaml.AliasNode {
			return
		}
		if line, ok := first[n.Anchor]; ok {
			errs = append(errs, &Error{Pos: Pos{File: path, Line: n.Line, Col: n.Column},
				Msg: fmt.Sprintf("cannot format this file: anchor &%s is defined again here (first at line %d), and reordering keys could change which one an alias refers to; give each anchor its own name", n.Anchor, line)})
			return
		}
		first[n.Anchor] = n.Line
	})
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// canonicalize rewrites the tree in place: key order, scalar styles, and
// the markers for blank lines and trailing comments. lines is the source,
// for where it had blank lines.
func canonicalize(doc *yaml.Node, lines []string) {
	if root := doc.Content[0]; root.Kind == yaml.MappingNode && len(root.Content) > 0 {
		// A comment at the top of the file is the file's (a title, an
		// editor modeline, "Exported by riskctl"), even when yaml.v3
		// attached it to the first key: it stays at the top.
		header := root.Content[0].HeadComment
		root.Content[0].HeadComment = ""
		sortKeys(root, topKeys)
		root.Content[0].HeadComment = joinComments(header, root.Content[0].HeadComment)
		for i := 0; i+1 < len(root.Content); i += 2 {
			switch v := root.Content[i+1]; root.Content[i].Value {
			case "behaviors":
				if v.Kind == yaml.MappingNode {
					for j := 1; j < len(v.Content); j += 2 {
						sortKeys(v.Content[j], behaviorKeys)
					}
				}
			case "integrations":
				if v.Kind == yaml.SequenceNode {
					for _, item := range v.Content {
						sortKeys(item, integrationKeys)
					}
				}
			}
		}
	}
	walk(doc, func(n *yaml.Node) { restyle(n) })
	markBlankLines(doc, lines)
	liftValueComments(doc)
	walk(doc, func(n *yaml.Node) {
		if n.LineComment != "" && strings.HasPrefix(n.LineComment, "#") {
			n.LineComment = "#" + lineMarker + n.LineComment[1:]
		}
	})
}

// liftValueComments moves a comment written between a key and its value
// ("enabled:", "# c", "true"), which yaml.v3 attaches to the value as a
// head comment and the encoder writes under the pair, as if it were about
// the next key, to the key's head comment: it stays with its key. Only
// for a scalar or an alias value; the comment of a block collection's
// first entry already stays there. It runs after markBlankLines, which
// reads a key's head comment as the lines above the key.
func liftValueComments(doc *yaml.Node) {
	walk(doc, func(m *yaml.Node) {
		if m.Kind != yaml.MappingNode {
			return
		}
		for i := 0; i+1 < len(m.Content); i += 2 {
			k, v := m.Content[i], m.Content[i+1]
			if v.HeadComment != "" && (v.Kind == yaml.ScalarNode || v.Kind == yaml.AliasNode) {
				k.HeadComment = joinComments(k.HeadComment, v.HeadComment)
				v.HeadComment = ""
			}
		}
	})
}

// sortKeys orders a mapping's pairs by the position of their key in order;
// other keys follow, in their order. The sort is stable, so a duplicate key
// stays after the first (the one Parse reads). A comment under the last
// pair belongs to the end of the mapping, not to that key: it stays last.
func sortKeys(m *yaml.Node, order []string) {
	if m.Kind != yaml.MappingNode || len(m.Content) < 4 {
		return
	}
	type pair struct{ k, v *yaml.Node }
	pairs := make([]pair, 0, len(m.Content)/2)
	for i := 0; i+1 < len(m.Content); i += 2 {
		pairs = append(pairs, pair{m.Content[i], m.Content[i+1]})
	}
	rank := func(k *yaml.Node) int {
		if k.Kind == yaml.ScalarNode {
			if i := slices.Index(order, k.Value); i >= 0 {
				return i
			}
		}
		return len(order)
	}
	last := pairs[len(pairs)-1].k
	tail := last.FootComment
	last.FootComment = ""
	slices.SortStableFunc(pairs, func(a, b pair) int { return rank(a.k) - rank(b.k) })
	newLast := pairs[len(pairs)-1].k
	newLast.FootComment = joinComments(newLast.FootComment, tail)
	m.Content = m.Content[:0]
	for _, p := range pairs {
		m.Content = append(m.Content, p.k, p.v)
	}
}

// isOldBool reports whether YAML 1.1 reads s, unquoted, as a boolean: a
// string the author quoted for such readers stays quoted.
func isOldBool(s string) bool {
	switch s {
	case "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF":
		return true
	}
	return false
}

// sexagesimal matches YAML 1.1's base-60 integers and floats (1:20 is 80,
// 190:20:30 is 685230), which YAML 1.2, and so yaml.v3, reads as strings.
var sexagesimal = regexp.MustCompile(`^[-+]?(?:[1-9][0-9_]*(?::[0-5]?[0-9])+|[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*)$`)

// isOldNonString reports whether YAML 1.1 tools read s, unquoted, as
// something other than the string s: a boolean (yes, off), a base-60
// number (1:20), or the value key "=". The encoder quotes only what YAML
// 1.2 would misread, so a string the author quoted for such tools stays
// quoted.
func isOldNonString(s string) bool {
	return isOldBool(s) || s == "=" || sexagesimal.MatchString(s)
}

// printableRune reports whether r may be written as it is in a quoted YAML
// string that a person reads: a character that prints, other than the
// byte order mark. Others (controls, format characters such as U+202E
// RIGHT-TO-LEFT OVERRIDE or U+200B ZERO WIDTH SPACE, line and paragraph
// separators, private use) are invisible or reorder the text around them,
// or YAML would refuse, fold or drop them: they are written as escapes.
func printableRune(r rune) bool { return unicode.IsPrint(r) && r != '\uFEFF' }

// needsEscapes reports whether s holds a character that a double-quoted
// scalar should write as an escape: one printableRune refuses, other than a
// tab or a line break, which every style shows.
func needsEscapes(s string) bool {
	for _, r := range s {
		if !printableRune(r) && r != '\n' && r != '\t' {
			return true
		}
	}
	return false
}

// doubleQuoted writes s as a YAML double-quoted scalar, every character
// printableRune refuses as an escape (\n, \t, \uXXXX or \UXXXXXXXX).
func doubleQuoted(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case printableRune(r):
			b.WriteRune(r)
		case r <= 0xFFFF:
			fmt.Fprintf(&b, `\u%04X`, r)
		default:
			fmt.Fprintf(&b, `\U%08X`, r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

func joinComments(a, b string) string {
	if a == "" || b == "" {
		return a + b
	}
	return a + "\n" + b
}

// restyle gives a scalar its canonical style: plain, leaving the encoder to
// quote what YAML would otherwise misread or cannot hold plain. An explicit
// tag (!!str 1) is kept as written. A quoted scalar holding "$" stays
// quoted, since interpolation reads its plainness (see Format), and so does
// a quoted yes/no/on/off or 1:20, which YAML 1.1 tools would read as a
// boolean or a number, and a quoted scalar holding a character that does
// not print (see needsEscapes), which stays double-quoted with escapes
// (see escapeScalars) rather than hide in the file.
func restyle(n *yaml.Node) {
	if n.Kind != yaml.ScalarNode || n.Style&yaml.TaggedStyle != 0 {
		return
	}
	if n.Style&(yaml.SingleQuotedStyle|yaml.DoubleQuotedStyle) != 0 && needsEscapes(n.Value) {
		n.Style = yaml.DoubleQuotedStyle
		return
	}
	if n.Style != 0 && (strings.Contains(n.Value, "$") || isOldNonString(n.Value)) {
		n.Style = yaml.DoubleQuotedStyle
		return
	}
	if n.Style != 0 {
		// The encoder quotes a string whose text would resolve to another
		// type only when it knows the node is a string.
		n.Tag = n.ShortTag()
		n.Style = 0
	}
}

// markBlankLines puts a blankMarker in the head comment of each entry of a
// block collection that the source separated from the entry before by a
// blank line, and in a foot comment that the source set off by one. The
// first entry of a block gets none: blank lines there are dropped.
func markBlankLines(n *yaml.Node, lines []string) {
	walk(n, func(n *yaml.Node) {
		if n.FootComment != "" && blankBeforeComment(lines, n.Line, n.FootComment) {
			n.FootComment = blankMarker + "\n" + n.FootComment
		}
		if n.Style&yaml.FlowStyle != 0 {
			return
		}
		step := 1
		if n.Kind == yaml.MappingNode {
			step = 2
		} else if n.Kind != yaml.SequenceNode {
			return
		}
		for i := step; i < len(n.Content); i += step {
			entry := n.Content[i]
			if blankBeforeNode(lines, entry) {
				entry.HeadComment = joinComments(blankMarker, entry.HeadComment)
			}
		}
	})
}

// blankBeforeNode reports whether the source line above n's head comment
// (or above n, when it has none) is blank.
func blankBeforeNode(lines []string, n *yaml.Node) bool {
	start := n.Line // 1-based
	if n.HeadComment != "" {
		start -= strings.Count(n.HeadComment, "\n") + 1
	}
	return start >= 2 && start-2 < len(lines) && strings.TrimSpace(lines[start-2]) == ""
}

// blankBeforeComment reports whether the first line of comment, looked for
// from line from on, follows a blank line in the source.
func blankBeforeComment(lines []string, from int, comment string) bool {
	first, _, _ := strings.Cut(comment, "\n")
	first = strings.TrimSpace(first)
	for i := max(from, 1); i < len(lines); i++ { // lines[i] is line i+1
		if strings.TrimSpace(lines[i]) == first {
			return strings.TrimSpace(lines[i-1]) == ""
		}
	}
	return false
}

// walk calls f on n and every node under it, in document order. Aliases
// are not followed: their targets are visited where they are written.
func walk(n *yaml.Node, f func(*yaml.Node)) {
	f(n)
	for _, c := range n.Content {
		walk(c, f)
	}
}

// encode writes the tree with 2-space indentation, then turns the markers
// into blank lines and aligned trailing comments.
func encode(doc *yaml.Node) ([]byte, error) {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	escaped := escapeScalars(doc)
	err := enc.Encode(doc)
	for _, e := range escaped {
		e.node.Value = e.value
	}
	if err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	text := buf.String()
	for i, e := range escaped {
		// The encoder writes the placeholder's control characters as \x04.
		text = strings.Replace(text, fmt.Sprintf(`"\x04%d\x04"`, i), doubleQuoted(e.value), 1)
	}
	// Only the one final newline: more are the text of a "|+" block.
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	lines = blankLines(lines)
	alignComments(lines)
	return []byte(strings.Join(lines, "\n") + "\n"), nil
}

// escapedScalar is a scalar that encode writes itself: its node, and its
// value, replaced in the node by a placeholder while the encoder runs.
type escapedScalar struct {
	node  *yaml.Node
	value string
}

// escapeScalars replaces the value of each double-quoted scalar that holds
// a character that does not print with a placeholder, "\x04N\x04" (N its
// index), for encode to swap for the scalar written with escapes: the
// encoder itself writes most such characters as they are (U+202E, U+200B),
// and so would hide them. The placeholder cannot be mistaken for another
// scalar: such a value would hold control characters, so would be escaped
// too; verify checks the result in any case.
func escapeScalars(doc *yaml.Node) []escapedScalar {
	var out []escapedScalar
	walk(doc, func(n *yaml.Node) {
		if n.Kind == yaml.ScalarNode && n.Style == yaml.DoubleQuotedStyle && needsEscapes(n.Value) {
			out = append(out, escapedScalar{n, n.Value})
			n.Value = fmt.Sprintf("\x04%d\x04", len(out)-1)
		}
	})
	return out
}

// blankLines turns blankMarker lines into blank lines, with at most one in
// a row and none at the start or the end, nor right after a line that opens
// a block ("key:"), so blank lines only ever separate entries.
func blankLines(lines []string) []string {
	out := make([]string, 0, len(lines))
	pending := false
	for _, line := range lines {
		if strings.TrimSpace(line) == blankMarker {
			pending = true
			continue
		}
		if line == "" {
			out = append(out, line)
			continue
		}
		if pending && len(out) > 0 && out[len(out)-1] != "" && !opensBlock(out[len(out)-1], line) {
			out = append(out, "")
		}
		pending = false
		out = append(out, line)
	}
	return out
}

// opensBlock reports whether next is the first line of a block that prev
// opens: it is indented deeper than prev.
func opensBlock(prev, next string) bool {
	return indent(next) > indent(prev) && !strings.HasPrefix(strings.TrimSpace(prev), "#")
}

func indent(line string) int { return len(line) - len(strings.TrimLeft(line, " -")) }

// alignComments aligns the trailing comments of each paragraph (a run of
// lines that holds no blank line and no comment-only line) one space after
// the paragraph's longest commented line, and removes the markers.
func alignComments(lines []string) {
	start := 0
	for i := 0; i <= len(lines); i++ {
		if i < len(lines) && !breaksParagraph(lines[i]) {
			continue
		}
		alignParagraph(lines[start:i])
		if i < len(lines) {
			lines[i] = strings.ReplaceAll(lines[i], lineMarker, "")
		}
		start = i + 1
	}
}

func breaksParagraph(line string) bool {
	t := strings.TrimSpace(line)
	return t == "" || strings.HasPrefix(t, "#")
}

func alignParagraph(lines []string) {
	width := 0
	for _, line := range lines {
		if code, _, ok := splitComment(line); ok {
			width = max(width, utf8.RuneCountInString(code))
		}
	}
	for i, line := range lines {
		if code, comment, ok := splitComment(line); ok {
			lines[i] = code + strings.Repeat(" ", width-utf8.RuneCountInString(code)+1) + comment
		}
	}
}

// splitComment splits a line at its marked trailing comment.
func splitComment(line string) (code, comment string, ok bool) {
	i := strings.Index(line, "#"+lineMarker)
	if i < 0 {
		return line, "", false
	}
	return strings.TrimRight(line[:i], " "), "#" + line[i+1+len(lineMarker):], true
}

// snapshot is what Format must keep of a tree: its meaning and comments.
type snapshotT struct {
	doc      *yaml.Node
	comments []string
}

func snapshot(doc *yaml.Node) snapshotT {
	// A deep copy: canonicalize rewrites the tree in place.
	return snapshotT{doc: deepCopy(doc), comments: comments(doc)}
}

func deepCopy(n *yaml.Node) *yaml.Node {
	c := *n
	c.Content = make([]*yaml.Node, len(n.Content))
	for i, child := range n.Content {
		c.Content[i] = deepCopy(child)
	}
	// Alias targets point into the original; meaning compares alias names.
	return &c
}

// comments lists a tree's comment lines, trimmed, sorted.
func comments(n *yaml.Node) []string {
	var out []string
	walk(n, func(n *yaml.Node) {
		for _, c := range []string{n.HeadComment, n.LineComment, n.FootComment} {
			for _, line := range strings.Split(c, "\n") {
				if line = strings.TrimSpace(line); line != "" {
					out = append(out, line)
				}
			}
		}
	})
	slices.Sort(out)
	return out
}

// verify checks that out means what the input (want, src) meant and keeps
// its comments; it returns what went wrong, or "".
func verify(want snapshotT, src, out []byte) string {
	const refused = "cannot format this file without "
	var got yaml.Node
	if err := yaml.Unmarshal(out, &got); err != nil {
		// Reordering keys can put an alias before its anchor.
		return refused + "breaking it (" + strings.TrimPrefix(err.Error(), "yaml: ") + "); is an alias used before its anchor once keys are in canonical order?"
	}
	if !sameNode(want.doc, &got) || !sameValue(src, out) {
		return refused + "changing its meaning (a riskctl bug: please report it)"
	}
	if lost := lostComment(want.comments, comments(&got), src, want.doc); lost != "" {
		return refused + "losing the comment " + quote(lost) + ": YAML tooling cannot place a comment there; move it onto its own line next to a key"
	}
	return ""
}

// sameValue reports whether src and out decode to the same data, aliases
// resolved: sameNode compares an alias by its name only, and which anchor
// a name refers to depends on the order of the file. A file that does not
// decode (a repeated key, say) must fail to decode both ways.
func sameValue(src, out []byte) bool {
	var a, b any
	errA, errB := yaml.Unmarshal(src, &a), yaml.Unmarshal(out, &b)
	if errA != nil || errB != nil {
		return (errA == nil) == (errB == nil)
	}
	return cmp.Equal(a, b, cmpopts.EquateNaNs())
}

// lostComment returns a comment of the input that out lacks: one of the
// parsed tree's, or a comment line of the source that yaml.v3 dropped
// while parsing (such as one inside a flow collection); "" when none is lost.
func lostComment(want, got []string, src []byte, doc *yaml.Node) string {
	have := make(map[string]int, len(got))
	for _, c := range got {
		have[c]++
	}
	for _, c := range want {
		if have[c] == 0 {
			return c
		}
		have[c]--
	}
	var values *suffixarray.Index // of every scalar's value, built when first needed
	for _, line := range strings.Split(string(src), "\n") {
		t := strings.TrimSpace(line)
		if !strings.HasPrefix(t, "#") {
			continue
		}
		if _, found := slices.BinarySearch(got, t); found {
			continue
		}
		if values == nil {
			values = scalarIndex(doc)
		}
		// A line of a block scalar that starts with "#" is text, not a
		// comment.
		if len(values.Lookup([]byte(t), 1)) == 0 {
			return t
		}
	}
	return ""
}

// scalarIndex indexes the values of every scalar under n, so that finding
// whether a text is part of one takes time in the length of the text, not
// of the file: a file of many "#" lines in a block scalar would otherwise
// take time in the square of its size. The values are separated by a NUL,
// which no line of a YAML file holds, so no match spans two values.
func scalarIndex(n *yaml.Node) *suffixarray.Index {
	var b bytes.Buffer
	walk(n, func(n *yaml.Node) {
		if n.Kind == yaml.ScalarNode {
			b.WriteString(n.Value)
			b.WriteByte(0)
		}
	})
	return suffixarray.New(b.Bytes())
}

// sameNode reports whether a and b mean the same YAML: kinds, tags,
// anchors and values, mappings as pairs in any order (a repeated key's
// values in their order), sequences in order, aliases by name; and for a
// scalar holding "$", whether it is plain, which interpolation reads.
func sameNode(a, b *yaml.Node) bool {
	if a.Kind != b.Kind || a.Anchor != b.Anchor || a.ShortTag() != b.ShortTag() {
		return false
	}
	switch a.Kind {
	case yaml.ScalarNode:
		plainA, plainB := a.Style == 0, b.Style == 0
		return a.Value == b.Value && (!strings.Contains(a.Value, "$") || plainA == plainB)
	case yaml.AliasNode:
		return a.Value == b.Value
	case yaml.MappingNode:
		return samePairs(a, b)
	}
	if len(a.Content) != len(b.Content) {
		return false
	}
	for i := range a.Content {
		if !sameNode(a.Content[i], b.Content[i]) {
			return false
		}
	}
	return true
}

func samePairs(a, b *yaml.Node) bool {
	if len(a.Content) != len(b.Content) {
		return false
	}
	group := func(m *yaml.Node) map[string][]int {
		g := make(map[string][]int)
		for i := 0; i+1 < len(m.Content); i += 2 {
			k := keyText(m.Content[i])
			g[k] = append(g[k], i)
		}
		return g
	}
	ga, gb := group(a), group(b)
	if len(ga) != len(gb) {
		return false
	}
	for k, ia := range ga {
		ib := gb[k]
		if len(ia) != len(ib) {
			return false
		}
		for j := range ia {
			if !sameNode(a.Content[ia[j]], b.Content[ib[j]]) || !sameNode(a.Content[ia[j]+1], b.Content[ib[j]+1]) {
				return false
			}
		}
	}
	return true
}

// keyText identifies a key for samePairs, whatever its style.
func keyText(n *yaml.Node) string {
	switch n.Kind {
	case yaml.ScalarNode:
		return n.ShortTag() + " " + n.Value
	case yaml.AliasNode:
		return "*" + n.Value
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d%s[", n.Kind, n.ShortTag())
	for _, c := range n.Content {
		b.WriteString(keyText(c))
		b.WriteByte(',')
	}
	b.WriteByte(']')
	return b.String()
}
