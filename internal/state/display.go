package state

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/idna"
)

// How riskctl names an integration and prints its tenant URL for people:
// one rule, used by every row, title, banner, progress line and refusal.
//
// A tenant URL decides where Okta sends risk scores, so two URLs that
// differ must never print alike: a host written with a Cyrillic "а"
// (U+0430) reads as "acme" but is another host. Hosts are therefore
// printed in ASCII (punycode, xn--…), and every other character of the URL
// outside printable ASCII as a \u escape.
// docs/spec.md#tenant-hosts-in-ascii-punycode says why a spec must write
// such hosts in punycode.

// DisplayURL is u as people are shown it: its host in ASCII (punycode,
// or \u escapes where punycode cannot encode it), every other character
// outside printable ASCII (spaces, controls, bidi, non-ASCII) as a \u
// escape. Two URLs with different text never display alike, except that
// a non-ASCII host and its punycode, which name the same host, do.
func DisplayURL(u string) string {
	if isPlainASCII(u) {
		return u
	}
	scheme, rest, ok := strings.Cut(u, "://")
	if !ok || !isPlainASCII(scheme) {
		return escapeNonASCII(u)
	}
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	authority, tail := rest[:end], rest[end:]
	userinfo, hostport := "", authority
	if i := strings.LastIndexByte(authority, '@'); i >= 0 {
		userinfo, hostport = authority[:i+1], authority[i+1:]
	}
	host, port := splitPort(hostport)
	return scheme + "://" + escapeNonASCII(userinfo) + ASCIIHost(host) + escapeNonASCII(port) + escapeNonASCII(tail)
}

// ASCIIHost is host in ASCII: as it is when it is ASCII already, else its
// punycode (xn--…) form, else, when punycode cannot encode it, with every
// character outside printable ASCII as a \u escape.
func ASCIIHost(host string) string {
	if isPlainASCII(host) {
		return host
	}
	// The Punycode profile maps nothing (no case folding, no width
	// mapping): each host prints as it is, only encoded. Text that is not
	// UTF-8 would be encoded as U+FFFD, which would print two hosts alike.
	if !utf8.ValidString(host) {
		return escapeNonASCII(host)
	}
	if a, err := idna.Punycode.ToASCII(host); err == nil && isPlainASCII(a) {
		return a
	}
	return escapeNonASCII(host)
}

// ASCIITenantURL is u with a host that is not ASCII written in punycode,
// lower-case, as CanonicalTenantURL compares it; u as it is otherwise. It
// is what riskctl writes into a spec from live state (export, import), so
// that the spec passes validate and plans no change against the live
// integration. The rest of u is kept as written.
func ASCIITenantURL(u string) string {
	scheme, rest, ok := strings.Cut(u, "://")
	if !ok || !HasNonASCII(u) {
		return u
	}
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	authority := rest[:end]
	if !HasNonASCII(authority) {
		return u
	}
	return scheme + "://" + comparableHost(strings.ToLower(authority)) + rest[end:]
}

// comparableHost is the form of a lower-cased host that plans compare:
// its punycode when it is not ASCII, so that a live host the API holds
// in Unicode and the same host written in punycode in a spec are equal
// (and never show as a change whose two sides print alike). A host
// punycode cannot encode is kept as it is.
func comparableHost(host string) string {
	if !HasNonASCII(host) || !utf8.ValidString(host) {
		return host // not UTF-8: punycode would make it U+FFFD
	}
	if a, err := idna.Punycode.ToASCII(host); err == nil && !HasNonASCII(a) {
		return a
	}
	return host
}

// PunycodeHost is the form a spec should write for host: the IDNA lookup
// form (lower case, punycode labels), as a browser would resolve it. ok is
// false when host is not a valid internationalized host name.
func PunycodeHost(host string) (string, bool) {
	a, err := idna.Lookup.ToASCII(host)
	if err != nil || !isPlainASCII(a) {
		return "", false
	}
	return a, true
}

// HasNonASCII reports whether s holds a byte outside ASCII.
func HasNonASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return true
		}
	}
	return false
}

// IntegrationName names an integration for people: integration "REF",
// then in parentheses its tenant URL (DisplayURL) and its label when it
// has them; one without a reference_id is named by its id. label is the
// spec's label (spec.ObjectPolicy.Label), which the spec checked to be
// printable; it is quoted as Go quotes (%q).
func IntegrationName(ref, id, tenantURL, label string) string {
	name := fmt.Sprintf("integration %q", ref)
	var about []string
	if ref == "" {
		name = "integration"
		about = append(about, fmt.Sprintf("id %q", id), "no reference_id")
	}
	if tenantURL != "" {
		about = append(about, DisplayURL(tenantURL))
	}
	if label != "" {
		about = append(about, fmt.Sprintf("label %q", label))
	}
	if len(about) == 0 {
		return name
	}
	return name + " (" + strings.Join(about, ", ") + ")"
}

// splitPort splits ":port" off hostport, keeping an IPv6 literal's
// brackets with its host.
func splitPort(hostport string) (host, port string) {
	i := strings.LastIndexByte(hostport, ':')
	if i < 0 || strings.LastIndexByte(hostport, ']') > i {
		return hostport, ""
	}
	return hostport[:i], hostport[i:]
}

// isPlainASCII reports whether s is printable ASCII without spaces and
// without a backslash (which escapeNonASCII's escapes start with).
func isPlainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c >= 0x7f || c == '\\' {
			return false
		}
	}
	return true
}

// escapeNonASCII writes every character of s outside printable ASCII
// (space included), and the backslash that starts an escape, as \uXXXX,
// or \UXXXXXXXX past the Basic Multilingual Plane; a byte that is not
// UTF-8 as \xXX.
func escapeNonASCII(s string) string {
	if isPlainASCII(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02X`, s[i])
		case r > ' ' && r < 0x7f && r != '\\':
			b.WriteRune(r)
		case r > 0xffff:
			fmt.Fprintf(&b, `\U%08X`, r)
		default:
			fmt.Fprintf(&b, `\u%04X`, r)
		}
		i += size
	}
	return b.String()
}
