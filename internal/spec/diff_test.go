package spec

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// The hunks are diff -u's (with the counts always written, as gofmt -d
// writes them), headed as gofmt -d heads its.
func TestUnifiedDiff(t *testing.T) {
	for _, tc := range []struct {
		name, in, out, want string
	}{
		{name: "equal", in: "a\nb\n", out: "a\nb\n", want: ""},
		{name: "empty both", want: ""},
		{
			name: "one change in the middle, context cut",
			in:   "1\n2\n3\n4\n5\n6\n7\n8\n9\n",
			out:  "1\n2\n3\n4\nfive\n6\n7\n8\n9\n",
			want: "diff x.yaml.orig x.yaml\n--- x.yaml.orig\n+++ x.yaml\n" +
				"@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n",
		},
		{
			name: "two hunks",
			in:   "a\n1\n2\n3\n4\n5\n6\n7\n8\nb\n",
			out:  "A\n1\n2\n3\n4\n5\n6\n7\n8\nB\n",
			want: "diff x.yaml.orig x.yaml\n--- x.yaml.orig\n+++ x.yaml\n" +
				"@@ -1,4 +1,4 @@\n-a\n+A\n 1\n 2\n 3\n" +
				"@@ -7,4 +7,4 @@\n 6\n 7\n 8\n-b\n+B\n",
		},
		{
			name: "close changes share a hunk",
			in:   "a\n1\n2\n3\n4\n5\n6\nb\n",
			out:  "A\n1\n2\n3\n4\n5\n6\nB\n",
			want: "diff x.yaml.orig x.yaml\n--- x.yaml.orig\n+++ x.yaml\n" +
				"@@ -1,8 +1,8 @@\n-a\n+A\n 1\n 2\n 3\n 4\n 5\n 6\n-b\n+B\n",
		},
		{
			name: "from empty",
			in:   "",
			out:  "a\n",
			want: "diff x.yaml.orig x.yaml\n--- x.yaml.orig\n+++ x.yaml\n@@ -0,0 +1,1 @@\n+a\n",
		},
		{
			name: "no newline at the end",
			in:   "a\nb",
			out:  "a\nb\n",
			want: "diff x.yaml.orig x.yaml\n--- x.yaml.orig\n+++ x.yaml\n" +
				"@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := UnifiedDiff("x.yaml", []byte(tc.in), []byte(tc.out)); got != tc.want {
				t.Errorf("got\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}

// The path is escaped: it comes from the command line.
func TestUnifiedDiffEscapesPath(t *testing.T) {
	got := UnifiedDiff("a\x1b[2Jb.yaml", []byte("x\n"), []byte("y\n"))
	if strings.Contains(got, "\x1b") {
		t.Errorf("raw escape in %q", got)
	}
}

// Every script lists each line of both sides once, in order, keeps only
// equal lines, and is as short as the longest common subsequence allows;
// past maxDiffEdits it is still correct.
func TestLineEditsProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	gen := func(n int) []string {
		s := make([]string, n)
		for i := range s {
			s[i] = string(rune('a' + r.IntN(4)))
		}
		return s
	}
	for i := range 2000 {
		a, b := gen(r.IntN(12)), gen(r.IntN(12))
		ops := lineEdits(a, b)
		checkScript(t, a, b, ops)
		if got, want := changes(ops), len(a)+len(b)-2*lcs(a, b); got != want {
			t.Fatalf("case %d: %q → %q: %d changes, want %d", i, a, b, got, want)
		}
	}
	// Past the bound: all removed, then all added, and still a script.
	a, b := make([]string, 3000), make([]string, 3000)
	for i := range a {
		a[i], b[i] = "a"+string(rune(i)), "b"+string(rune(i))
	}
	checkScript(t, a, b, lineEdits(a, b))
}

func checkScript(t *testing.T, a, b []string, ops []edit) {
	t.Helper()
	i, j := 0, 0
	for _, e := range ops {
		switch e.kind {
		case ' ':
			if e.a != i || e.b != j || a[i] != b[j] {
				t.Fatalf("%q → %q: bad kept line %+v", a, b, e)
			}
			i, j = i+1, j+1
		case '-':
			if e.a != i {
				t.Fatalf("%q → %q: bad removal %+v", a, b, e)
			}
			i++
		case '+':
			if e.b != j {
				t.Fatalf("%q → %q: bad addition %+v", a, b, e)
			}
			j++
		}
	}
	if i != len(a) || j != len(b) {
		t.Fatalf("%q → %q: script covers %d and %d lines", a, b, i, j)
	}
}

func changes(ops []edit) int {
	n := 0
	for _, e := range ops {
		if e.kind != ' ' {
			n++
		}
	}
	return n
}

func lcs(a, b []string) int {
	dp := make([][]int, len(a)+1)
	for i := range dp {
		dp[i] = make([]int, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				dp[i][j] = dp[i+1][j+1] + 1
			} else {
				dp[i][j] = max(dp[i+1][j], dp[i][j+1])
			}
		}
	}
	return dp[0][0]
}

// fmt - reads stdin bounded like a spec file: one byte past the limit is
// refused, and reading stops there.
func TestFormatStdinBounded(t *testing.T) {
	big := strings.NewReader("# " + strings.Repeat("x", MaxSpecBytes) + "\n")
	_, err := FormatStdin(big)
	if err == nil || !strings.Contains(err.Error(), "<stdin>: cannot read spec: it is larger than the limit") {
		t.Errorf("err = %v", err)
	}
	if big.Len() == 0 {
		t.Error("read to the end: the bound did not stop the read")
	}
	f, err := FormatStdin(strings.NewReader("account_id: x\nversion: 1\n"))
	if err != nil || string(f.Out) != "version: 1\naccount_id: x\n" || f.Path != StdinPath {
		t.Errorf("%+v, %v", f, err)
	}
}
