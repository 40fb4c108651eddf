package spec

import (
	"fmt"
	"strings"

	"github.com/riskctl/riskctl/internal/redact"
)

// The only variables a spec may read: the account id, and variables named
// for the purpose, as Terraform reads only TF_VAR_*. Everything else is
// refused by name, so a pull request cannot read a CI secret (or any other
// variable of the job) into a value that plan prints and posts.
const (
	AccountIDVar = "CLOUDFLARE_ACCOUNT_ID"
	VarPrefix    = "RISKCTL_VAR_"
)

// lookupFunc resolves a variable: its value and whether it is set, or why
// it may not be read.
type lookupFunc func(name string) (value string, set bool, refused string)

// varRefused says why a spec may not read the variable name, or "".
func varRefused(name string) string {
	switch {
	case name == AccountIDVar, strings.HasPrefix(name, VarPrefix) && len(name) > len(VarPrefix):
		return ""
	case redact.IsSecretVar(name):
		return fmt.Sprintf("${%s} is refused: %s holds a credential, and credentials never enter a spec", name, name)
	}
	return fmt.Sprintf("${%s} is refused: a spec reads only %s and %s* variables (rename it %s%s)",
		name, AccountIDVar, VarPrefix, VarPrefix, strings.TrimPrefix(name, VarPrefix))
}

// envLookup is the lookupFunc of a parse: the variable policy, then the
// environment, then the check that no value carries a secret of the run.
func envLookup(lookup func(string) (string, bool), secrets *redact.Set) lookupFunc {
	return func(name string) (string, bool, string) {
		if why := varRefused(name); why != "" {
			return "", false, why
		}
		v, ok := lookup(name)
		if ok && secrets.Contains(v) {
			return "", false, fmt.Sprintf("${%s} is refused: its value holds a credential of this run, and credentials never enter a spec", name)
		}
		return v, ok, ""
	}
}

// MaxValueBytes is the longest a scalar may be after interpolation: 64 KiB,
// far past any id or URL. A value that grows past it through ${...} is an
// error at that scalar, and expansion stops there, so that variables cannot
// blow a small spec up into a huge one.
const MaxValueBytes = 64 << 10

// maxExpandedBytes bounds the text that interpolation produces in one file,
// all values together: aliases let one ${...} be expanded many times.
const maxExpandedBytes = 16 << 20

// expand substitutes ${VAR} and ${VAR:-default} in s and turns $$ into $.
// substituted reports whether any ${...} was replaced, which is what makes
// the result worth resolving again as YAML. problems are messages for the
// scalar's position: every unset variable, or else the first syntax error
// (after which the rest of s cannot be trusted, so scanning stops).
func expand(s string, lookup lookupFunc) (out string, substituted bool, problems []string) {
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
			if b.Len()+len(value) > MaxValueBytes {
				return s, false, []string{fmt.Sprintf("value is longer than %d bytes (%d KiB) after interpolation, the limit for one value", MaxValueBytes, MaxValueBytes>>10)}
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
// also replaces a variable that is set but empty. A refused variable stays
// refused whatever its default.
func (r ref) resolve(lookup lookupFunc) (string, string) {
	value, set, refused := lookup(r.name)
	switch {
	case refused != "":
		return "", refused
	case r.hasDefault && value == "":
		return r.def, ""
	case !set && r.name == AccountIDVar:
		// Not "${CLOUDFLARE_ACCOUNT_ID:-default}": that would suggest
		// writing an account id into the spec as a default, when the
		// usual fix is the flag or the variable, which both fill it
		// (internal/cli/run.go, specOptions).
		return "", "no account id: pass --account-id or set " + AccountIDVar + " (or write the id in account_id)"
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
