package spec

import (
	"fmt"
	"strings"

	"github.com/riskctl/riskctl/internal/textutil"
)

// The unified diff of fmt -d, as gofmt -d prints it: a "diff" line, the
// "---"/"+++" header and hunks with three lines of context. No module of
// the build offers one (go-cmp's report is not a patch), and a line diff
// is small: Myers' O(ND) algorithm over the lines between the common
// prefix and suffix.

// diffContext is the number of unchanged lines around each change.
const diffContext = 3

// maxDiffEdits bounds the search for a shortest edit script. Past it (a
// file laid out anew, near enough every line changed) the lines between
// the common prefix and suffix are shown all removed, then all added:
// still a correct diff, and found without the search's quadratic memory.
const maxDiffEdits = 1000

// UnifiedDiff returns the unified diff that turns in into out, labelled
// with path as gofmt -d labels it ("" when they are equal). path is
// escaped (textutil.Visible): it comes from the command line. The lines
// are printed as they are, as plain fmt prints the file, so that the diff
// applies as a patch: a spec Format accepts holds no control character
// (YAML allows none), so neither side can carry a terminal escape.
func UnifiedDiff(path string, in, out []byte) string {
	a, b := splitLines(string(in)), splitLines(string(out))
	ops := lineEdits(a, b)
	hunks := groupHunks(ops)
	if len(hunks) == 0 {
		return ""
	}
	p := textutil.Visible(path)
	var s strings.Builder
	fmt.Fprintf(&s, "diff %s.orig %s\n--- %s.orig\n+++ %s\n", p, p, p, p)
	for _, h := range hunks {
		h.write(&s, a, b)
	}
	return s.String()
}

// splitLines splits s after each "\n"; the last line may lack one.
func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	lines := strings.SplitAfter(s, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

// edit is one line of the script: kept (' '), removed ('-') or added
// ('+'); a and b are its indexes in the old and new lines (the one of the
// side it is not on is where it would be).
type edit struct {
	kind byte
	a, b int
}

// lineEdits returns an edit script from a to b: every line of a and of b
// once, in order. It is a shortest one when the lines that differ between
// the common prefix and suffix take at most maxDiffEdits edits.
func lineEdits(a, b []string) []edit {
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	var ops []edit
	for i := range pre {
		ops = append(ops, edit{' ', i, i})
	}
	for _, e := range myers(a[pre:len(a)-suf], b[pre:len(b)-suf]) {
		ops = append(ops, edit{e.kind, e.a + pre, e.b + pre})
	}
	for i := range suf {
		ops = append(ops, edit{' ', len(a) - suf + i, len(b) - suf + i})
	}
	return ops
}

// myers is the shortest edit script from a to b (E. Myers, "An O(ND)
// Difference Algorithm and Its Variations", 1986), or, when it would take
// more than maxDiffEdits edits, a removed and then b added.
func myers(a, b []string) []edit {
	n, m := len(a), len(b)
	maxD := min(n+m, maxDiffEdits)
	off := maxD + 1
	v := make([]int, 2*off+1) // v[off+k]: the furthest x on diagonal k
	// trace[d] is v's window [-d-1, d+1] before step d, for the way back.
	var trace [][]int
	for d := 0; d <= maxD; d++ {
		trace = append(trace, append([]int(nil), v[off-d-1:off+d+2]...))
		for k := -d; k <= d; k += 2 {
			var x int
			if k == -d || (k != d && v[off+k-1] < v[off+k+1]) {
				x = v[off+k+1] // down: a line of b added
			} else {
				x = v[off+k-1] + 1 // right: a line of a removed
			}
			y := x - k
			for x < n && y < m && a[x] == b[y] {
				x, y = x+1, y+1
			}
			v[off+k] = x
			if x >= n && y >= m {
				return backtrack(trace, n, m)
			}
		}
	}
	ops := make([]edit, 0, n+m)
	for i := range n {
		ops = append(ops, edit{'-', i, 0})
	}
	for j := range m {
		ops = append(ops, edit{'+', n, j})
	}
	return ops
}

// backtrack walks trace from (n, m) back to (0, 0) and returns the edits
// in order.
func backtrack(trace [][]int, n, m int) []edit {
	var rev []edit
	x, y := n, m
	for d := len(trace) - 1; d >= 0; d-- {
		v := trace[d]
		at := func(k int) int { return v[k+d+1] }
		k := x - y
		prevK := k - 1
		if k == -d || (k != d && at(k-1) < at(k+1)) {
			prevK = k + 1
		}
		prevX := at(prevK)
		prevY := prevX - prevK
		for x > prevX && y > prevY {
			x, y = x-1, y-1
			rev = append(rev, edit{' ', x, y})
		}
		if d == 0 {
			break
		}
		if x == prevX {
			rev = append(rev, edit{'+', x, prevY})
		} else {
			rev = append(rev, edit{'-', prevX, y})
		}
		x, y = prevX, prevY
	}
	for i, j := 0, len(rev)-1; i < j; i, j = i+1, j-1 {
		rev[i], rev[j] = rev[j], rev[i]
	}
	return rev
}

// hunk is ops[from:to], changes with their context.
type hunk struct{ ops []edit }

// groupHunks gathers the changes of ops into hunks, each with up to
// diffContext kept lines around it; changes closer than twice that share
// one.
func groupHunks(ops []edit) []hunk {
	var hunks []hunk
	start, end := -1, -1 // the current hunk's ops, end exclusive
	for i, e := range ops {
		if e.kind == ' ' {
			continue
		}
		from := max(i-diffContext, 0)
		if start >= 0 && from > end {
			hunks = append(hunks, hunk{ops[start:end]})
			start = -1
		}
		if start < 0 {
			start = from
		}
		end = min(i+1+diffContext, len(ops))
	}
	if start >= 0 {
		hunks = append(hunks, hunk{ops[start:end]})
	}
	return hunks
}

// write prints the hunk: its "@@ -l,s +l,s @@" line (l is the line
// before the hunk when s is 0, as diff -u has it), then its lines.
func (h hunk) write(s *strings.Builder, a, b []string) {
	var na, nb int
	for _, e := range h.ops {
		if e.kind != '+' {
			na++
		}
		if e.kind != '-' {
			nb++
		}
	}
	la, lb := h.ops[0].a+1, h.ops[0].b+1
	if na == 0 {
		la--
	}
	if nb == 0 {
		lb--
	}
	fmt.Fprintf(s, "@@ -%d,%d +%d,%d @@\n", la, na, lb, nb)
	for _, e := range h.ops {
		line := b[e.b]
		if e.kind == '-' {
			line = a[e.a]
		}
		s.WriteByte(e.kind)
		s.WriteString(line)
		if !strings.HasSuffix(line, "\n") {
			s.WriteString("\n\\ No newline at end of file\n")
		}
	}
}
