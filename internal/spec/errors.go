package spec

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/riskctl/riskctl/internal/textutil"
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

// Error is the position and the message with textutil.Visible's escapes:
// a file name, a YAML tag or a value quoted in the message is the spec's
// text, and must not break the line or start one (docs/security.md).
func (e *Error) Error() string {
	if pos := e.Pos.String(); pos != "" {
		return textutil.Visible(pos) + ": " + textutil.Visible(e.Msg)
	}
	return textutil.Visible(e.Msg)
}

// Errors is every problem found in the specs. Parse and Load return it
// (sorted) whenever a spec is invalid, so callers can tell an invalid spec
// from other failures with errors.As(err, &spec.Errors{}).
type Errors []*Error

// MaxReportedErrors is how many problems Errors.Error lists; the rest are
// counted on a last line, "... and N more errors", so that a spec with
// thousands of mistakes (or one mistake aliased thousands of times) cannot
// flood a terminal or a pull-request comment.
const MaxReportedErrors = 100

// Error is one line per problem, sorted by file, line and column: the first
// MaxReportedErrors of them, then a line counting the others.
func (es Errors) Error() string {
	sorted := slices.Clone(es)
	sorted.sort()
	shown := sorted[:min(len(sorted), MaxReportedErrors)]
	lines := make([]string, len(shown), len(shown)+1)
	for i, e := range shown {
		lines[i] = e.Error()
	}
	if more := len(sorted) - len(shown); more > 0 {
		lines = append(lines, fmt.Sprintf("... and %d more errors", more))
	}
	return strings.Join(lines, "\n")
}

// sort orders by position; stable, so problems found at one position keep
// the order in which they were found.
func (es Errors) sort() {
	slices.SortStableFunc(es, func(a, b *Error) int { return a.Pos.compare(b.Pos) })
}
