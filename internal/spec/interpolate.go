package spec

import (
	"fmt"
	"strings"
)

// expand substitutes ${VAR} and ${VAR:-default} in s and turns $$ into $.
// substituted reports whether any ${...} was replaced, which is what makes
// the result worth resolving again as YAML. problems are messages for the
// scalar's position: every unset variable, or else the first syntax error
// (after which the rest of s cannot be trusted, so scanning stops).
func expand(s string, lookup func(string) (string, bool)) (out string, substituted bool, problems []string) {
	if !strings.Contains(s, "$") {
		return s, false, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		switch {
		case s[i] != '$':
			b.WriteByte(s[i])
			i++
		case strings.HasPrefix(s[i:], "$$"):
			b.WriteByte('$')
			i += 2
		case strings.HasPrefix(s[i:], "${"):
			r, n, problem := parseRef(s[i:])
			if problem != "" {
				return s, false, []string{problem}
			}
			value, problem := r.resolve(lookup)
			if problem != "" {
				problems = append(problems, problem)
			}
			b.WriteString(value)
			substituted = true
			i += n
		default: // a lone $: no $VAR expansion, by design
			b.WriteByte('$')
			i++
		}
	}
	return b.String(), substituted, problems
}

// ref is one parsed ${NAME} or ${NAME:-def}.
type ref struct {
	name, def  string
	hasDefault bool
}

const refForms = "expected ${VAR} or ${VAR:-default} (VAR: letters, digits and _; $$ for a literal $)"

// parseRef parses the reference at the start of s (which begins with "${")
// and returns it with its length in bytes, or a problem.
func parseRef(s string) (ref, int, string) {
	end := strings.IndexByte(s, '}')
	if end < 0 {
		return ref{}, 0, fmt.Sprintf("unterminated %s: %s", quote(s), refForms)
	}
	name, def, hasDefault := strings.Cut(s[2:end], ":-")
	if !isVarName(name) {
		return ref{}, 0, fmt.Sprintf("invalid variable reference %s: %s", quote(s[:end+1]), refForms)
	}
	// The default ends at the first "}", so "${A:-${B}}" would leave a stray
	// "}" behind; say so instead of producing a surprising value.
	if strings.Contains(def, "${") {
		return ref{}, 0, fmt.Sprintf("nested reference in the default of ${%s:-...}: a default is plain text, references do not nest", name)
	}
	return ref{name: name, def: def, hasDefault: hasDefault}, end + 1, ""
}

// resolve looks the variable up; like POSIX sh's ${VAR:-def}, the default
// also replaces a variable that is set but empty.
func (r ref) resolve(lookup func(string) (string, bool)) (string, string) {
	value, set := lookup(r.name)
	switch {
	case r.hasDefault && value == "":
		return r.def, ""
	case !set:
		return "", fmt.Sprintf("environment variable %s is not set (write ${%s:-default} to give a default)", r.name, r.name)
	}
	return value, ""
}

func isVarName(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range []byte(s) {
		switch {
		case c == '_', 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
		case '0' <= c && c <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}
