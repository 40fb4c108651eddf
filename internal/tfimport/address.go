package tfimport

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Address is a resource instance's address, kept in parts: the file's own
// address strings are parsed and checked, never echoed, so everything the
// handoff prints is rebuilt here from validated identifiers and quoted
// keys, whatever the file held.
type Address struct {
	Module []ModuleStep // from the root: module.eu["x"].module.inner
	Data   bool         // a data source (data.TYPE.NAME)
	Type   string
	Name   string
	Key    Key // count or for_each key of the resource instance
}

// ModuleStep is one module call on an address's module path.
type ModuleStep struct {
	Name string
	Key  Key
}

// Key is an instance key: none, a count index or a for_each string.
type Key struct {
	Kind KeyKind
	Int  int64
	Str  string
}

// KeyKind says which instance key a Key is.
type KeyKind int

const (
	NoKey KeyKind = iota
	IntKey
	StringKey
)

// String is the instance address as Terraform prints it:
// module.eu["x"].cloudflare_zero_trust_risk_behavior.main[0].
func (a Address) String() string {
	var b strings.Builder
	b.WriteString(modulePath(a.Module, true))
	if a.Data {
		b.WriteString("data.")
	}
	b.WriteString(a.Type + "." + a.Name + a.Key.String())
	return b.String()
}

// Resource is the address without any instance key, of the resource or
// of its module calls: what a removed block's `from` takes (Terraform
// refuses instance keys there), one for every instance of the resource.
func (a Address) Resource() string {
	var b strings.Builder
	b.WriteString(modulePath(a.Module, false))
	if a.Data {
		b.WriteString("data.")
	}
	b.WriteString(a.Type + "." + a.Name)
	return b.String()
}

// modulePath prints module steps, each followed by a dot.
func modulePath(steps []ModuleStep, keys bool) string {
	var b strings.Builder
	for _, s := range steps {
		b.WriteString("module." + s.Name)
		if keys {
			b.WriteString(s.Key.String())
		}
		b.WriteByte('.')
	}
	return b.String()
}

// String prints the key as Terraform does: "", [0] or ["eu"].
func (k Key) String() string {
	switch k.Kind {
	case IntKey:
		return "[" + strconv.FormatInt(k.Int, 10) + "]"
	case StringKey:
		return "[" + hclQuote(k.Str) + "]"
	}
	return ""
}

// hclQuote is Terraform's quoting of a string instance key (addrs'
// toHCLQuotedString): an HCL quoted string in which template introducers
// ("${", "%{") are doubled and characters that do not print are escaped,
// so the address stays on one line and parses back to the same key.
func hclQuote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i, r := range s {
		switch r {
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '$', '%':
			b.WriteRune(r)
			if strings.HasPrefix(s[i+1:], "{") {
				b.WriteRune(r)
			}
		default:
			switch {
			case unicode.IsPrint(r):
				b.WriteRune(r)
			case r < 0x10000:
				fmt.Fprintf(&b, `\u%04x`, r)
			default:
				fmt.Fprintf(&b, `\U%08x`, r)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}

// checkIdent accepts an HCL identifier, as resource types and names and
// module names must be: a letter or "_", then letters, combining marks,
// digits, "_" and "-" (HCL's ID_Start and ID_Continue, plus "-"), in any
// script, so null_resource.café is a name. Anything else is refused:
// spaces, punctuation and quotes (so a name never needs quoting in a shell
// word or an HCL address), controls and line separators (which would end a
// comment line), and format characters (bidirectional overrides,
// zero-width characters, which would make an address read as another).
func checkIdent(what, s string) error {
	if !isIdent(s) {
		return fmt.Errorf("%s %s is not a Terraform identifier", what, strconv.Quote(s))
	}
	return nil
}

func isIdent(s string) bool {
	if s == "" || !utf8.ValidString(s) {
		return false
	}
	for i, r := range s {
		switch {
		case r == '_' || unicode.IsLetter(r):
		case i > 0 && (r == '-' || unicode.IsDigit(r) || unicode.In(r, unicode.Mn, unicode.Mc)):
		default:
			return false
		}
	}
	return true
}

// parseModulePath reads a module instance address ("" for the root,
// module.eu, module.eu["x"].module.inner[0]), as show -json's
// child_modules and a state file's "module" give it.
func parseModulePath(s string) ([]ModuleStep, error) {
	var steps []ModuleStep
	rest := s
	for rest != "" {
		after, ok := strings.CutPrefix(rest, "module.")
		if !ok {
			return nil, fmt.Errorf("module address %s: expected module.NAME", strconv.Quote(s))
		}
		n := strings.IndexAny(after, ".[")
		if n < 0 {
			n = len(after)
		}
		step := ModuleStep{Name: after[:n]}
		if err := checkIdent("module name", step.Name); err != nil {
			return nil, fmt.Errorf("module address %s: %v", strconv.Quote(s), err)
		}
		rest = after[n:]
		if strings.HasPrefix(rest, "[") {
			key, tail, err := parseKey(rest)
			if err != nil {
				return nil, fmt.Errorf("module address %s: %v", strconv.Quote(s), err)
			}
			step.Key, rest = key, tail
		}
		steps = append(steps, step)
		if rest == "" {
			break
		}
		if rest, ok = strings.CutPrefix(rest, "."); !ok || rest == "" {
			return nil, fmt.Errorf("module address %s: expected .module.NAME after %s", strconv.Quote(s), step.Name)
		}
	}
	return steps, nil
}

// parseKey reads one [KEY] at the start of s: [0] or ["quoted"], and
// returns the rest of s.
func parseKey(s string) (Key, string, error) {
	s = s[1:] // "["
	if strings.HasPrefix(s, `"`) {
		str, n, err := hclUnquote(s)
		if err != nil {
			return Key{}, "", err
		}
		rest, ok := strings.CutPrefix(s[n:], "]")
		if !ok {
			return Key{}, "", fmt.Errorf("instance key: expected ] after the quoted key")
		}
		return Key{Kind: StringKey, Str: str}, rest, nil
	}
	end := strings.IndexByte(s, ']')
	if end < 0 {
		return Key{}, "", fmt.Errorf("instance key: no closing ]")
	}
	n, err := parseIndex(s[:end])
	if err != nil {
		return Key{}, "", err
	}
	return Key{Kind: IntKey, Int: n}, s[end+1:], nil
}

// parseIndex reads a count index: a non-negative decimal integer.
func parseIndex(s string) (int64, error) {
	if s == "" || strings.Trim(s, "0123456789") != "" {
		return 0, fmt.Errorf("instance key %s: expected a count index or a quoted for_each key", strconv.Quote(s))
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("instance key %s: out of range", strconv.Quote(s))
	}
	return n, nil
}

// hclUnquote reads the HCL quoted string at the start of s (which begins
// with '"'), undoing what hclQuote does, and returns it and the number of
// bytes it took.
func hclUnquote(s string) (string, int, error) {
	var b strings.Builder
	for i := 1; i < len(s); {
		c := s[i]
		switch {
		case c == '"':
			return b.String(), i + 1, nil
		case c == '\\':
			r, n, err := hclEscape(s[i:])
			if err != nil {
				return "", 0, err
			}
			b.WriteRune(r)
			i += n
		case (c == '$' || c == '%') && strings.HasPrefix(s[i+1:], string(c)+"{"):
			b.WriteByte(c) // "$${" is a literal "${"
			i += 2
		case (c == '$' || c == '%') && strings.HasPrefix(s[i+1:], "{"):
			return "", 0, fmt.Errorf("instance key: a template sequence %s{ is not a key", string(c))
		default:
			r, n := utf8.DecodeRuneInString(s[i:])
			b.WriteRune(r)
			i += n
		}
	}
	return "", 0, fmt.Errorf("instance key: unterminated quoted key")
}

// hclEscape reads one backslash escape at the start of s.
func hclEscape(s string) (rune, int, error) {
	if len(s) < 2 {
		return 0, 0, fmt.Errorf("instance key: unterminated escape")
	}
	switch s[1] {
	case 'n':
		return '\n', 2, nil
	case 'r':
		return '\r', 2, nil
	case 't':
		return '\t', 2, nil
	case '"':
		return '"', 2, nil
	case '\\':
		return '\\', 2, nil
	case 'u', 'U':
		digits := 4
		if s[1] == 'U' {
			digits = 8
		}
		if len(s) < 2+digits {
			return 0, 0, fmt.Errorf("instance key: short \\%c escape", s[1])
		}
		v, err := strconv.ParseUint(s[2:2+digits], 16, 32)
		if err != nil || !utf8.ValidRune(rune(v)) {
			return 0, 0, fmt.Errorf("instance key: bad \\%c escape", s[1])
		}
		return rune(v), 2 + digits, nil
	}
	return 0, 0, fmt.Errorf("instance key: unknown escape \\%c", s[1])
}

// shellQuote quotes s as one word for a POSIX shell: in single quotes,
// each quote inside closed, backslash-escaped and reopened. Nothing in s
// is then expanded.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
