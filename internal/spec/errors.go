package spec

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
)

// Pos is a position in a spec file. Line and Col are 1-based; zero means
// unknown (a file that cannot be read has neither, a YAML syntax error has no
// column).
type Pos struct {
	File      string
	Line, Col int
}

// String formats the position as file:line:col, leaving out unknown parts
// rather than printing a made-up column.
func (p Pos) String() string {
	var parts []string
	if p.File != "" {
		parts = append(parts, p.File)
	}
	if p.Line > 0 {
		parts = append(parts, strconv.Itoa(p.Line))
		if p.Col > 0 {
			parts = append(parts, strconv.Itoa(p.Col))
		}
	}
	return strings.Join(parts, ":")
}

func (p Pos) compare(q Pos) int {
	return cmp.Or(
		cmp.Compare(p.File, q.File),
		cmp.Compare(p.Line, q.Line),
		cmp.Compare(p.Col, q.Col),
	)
}

// Error is one problem in a spec, at the position of the node it concerns.
type Error struct {
	Pos Pos
	Msg string
}

func (e *Error) Error() string {
	if pos := e.Pos.String(); pos != "" {
		return pos + ": " + e.Msg
	}
	return e.Msg
}

// Errors is every problem found in the specs. Parse and Load return it
// (sorted) whenever a spec is invalid, so callers can tell an invalid spec
// from other failures with errors.As(err, &spec.Errors{}).
type Errors []*Error

// Error is one line per problem, sorted by file, line and column.
func (es Errors) Error() string {
	sorted := slices.Clone(es)
	sorted.sort()
	lines := make([]string, len(sorted))
	for i, e := range sorted {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// sort orders by position; stable, so problems found at one position keep
// the order in which they were found.
func (es Errors) sort() {
	slices.SortStableFunc(es, func(a, b *Error) int { return a.Pos.compare(b.Pos) })
}
