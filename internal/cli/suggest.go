package cli

import (
	"slices"
	"strings"

	ucli "github.com/urfave/cli/v2"
)

// suggest returns the candidates nearest to typed, for a "did you mean"
// line, as gh and Terraform offer one: compared case-insensitively by
// Damerau-Levenshtein distance (a swapped pair of letters counts one), or
// because typed (three letters or more) begins the candidate. Only candidates within a distance
// that suits typed's length are offered (none for one or two letters,
// which are near everything), and all those at the nearest distance when
// several tie, in the order given.
func suggest(typed string, candidates []string) []string {
	t := strings.ToLower(typed)
	limit := 2
	switch n := len([]rune(t)); {
	case n <= 2:
		limit = 0 // only a difference of case: -F for -f
	case n <= 4:
		limit = 1
	}
	best, out := -1, []string(nil)
	for _, c := range candidates {
		lc := strings.ToLower(c)
		d := editDistance(t, lc)
		prefix := len(t) >= 3 && strings.HasPrefix(lc, t)
		if d > limit && !prefix {
			continue
		}
		// In half steps: a candidate typed begins ranks between one typo
		// and two.
		d *= 2
		if prefix {
			d = min(d, 3)
		}
		switch {
		case best < 0 || d < best:
			best, out = d, []string{c}
		case d == best && !slices.Contains(out, c):
			out = append(out, c)
		}
	}
	return out
}

// editDistance is the optimal-string-alignment distance between a and b
// (in runes): insertions, deletions, substitutions and transpositions of
// two adjacent runes each cost one.
func editDistance(a, b string) int {
	s, t := []rune(a), []rune(b)
	// d[i][j] is the distance between s[:i] and t[:j].
	d := make([][]int, len(s)+1)
	for i := range d {
		d[i] = make([]int, len(t)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(s); i++ {
		for j := 1; j <= len(t); j++ {
			cost := 1
			if s[i-1] == t[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && s[i-1] == t[j-2] && s[i-2] == t[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(s)][len(t)]
}

// unknownCommandError is the usage error for a word that names no
// subcommand of parent (its full name, "riskctl users"), with the nearest
// names when some are near; withHelp adds urfave/cli's help command. The
// names are indented with spaces, not gh's tab: errorText shows a tab
// escaped.
func unknownCommandError(typed, parent string, subs []*ucli.Command, withHelp bool) error {
	var names []string
	for _, c := range subs {
		if !c.Hidden && c.Name != "help" {
			names = append(names, c.Names()...)
		}
	}
	if withHelp {
		names = append(names, "help")
	}
	if near := suggest(typed, names); len(near) > 0 {
		return usageErrorf("unknown command %q for %q\n\nDid you mean this?\n    %s",
			typed, parent, strings.Join(near, "\n    "))
	}
	return usageErrorf("unknown command %q for %q; run '%s --help' for the list", typed, parent, parent)
}

// unknownFlagError is the usage error for an unknown flag token (written
// as typed, without any "=value": a value may be a secret) given to
// command (its full name), with the nearest of the flags the command line
// accepts there. Without one near, it says where to look: afterArg says
// it came after an argument, where it would otherwise have been taken for
// one.
func unknownFlagError(tok, command string, flags []ucli.Flag, afterArg bool) error {
	flag, _, _ := strings.Cut(tok, "=")
	name, _, _ := flagName(flag)
	var names []string
	for _, f := range flags {
		names = append(names, f.Names()...)
	}
	msg := "unknown flag " + flag + " for \"" + command + "\""
	if near := suggest(name, names); len(near) > 0 {
		for i, n := range near {
			near[i] = dashed(n)
		}
		return usageErrorf("%s; did you mean %s?", msg, orList(near))
	}
	if afterArg {
		msg += " (flags may come before or after the arguments; put an argument that starts with '-' after '--'; see '" + command + " --help')"
	} else {
		msg += " (see '" + command + " --help')"
	}
	return usageErrorf("%s", msg)
}

// dashed is a flag name as it is written: -f, --file.
func dashed(name string) string {
	if len(name) == 1 {
		return "-" + name
	}
	return "--" + name
}

// orList joins names as "a", "a or b", "a, b or c".
func orList(names []string) string {
	if len(names) == 1 {
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}
