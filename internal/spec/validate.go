package spec

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/riskctl/riskctl/internal/state"
)

// YAML's short tags, as yaml.Node.ShortTag reports them.
const (
	strTag   = "!!str"
	boolTag  = "!!bool"
	intTag   = "!!int"
	floatTag = "!!float"
	nullTag  = "!!null"
)

// value is a scalar after interpolation.
type value struct {
	text string
	// tag is the YAML tag of text: the parser's, or for an unquoted scalar
	// that had ${...} substituted, the tag YAML gives the resulting text.
	tag string
	// substituted: text came through ${...}, so YAML never read it.
	substituted bool
}

// scalar interpolates n, which must be a scalar; want says what the field
// expects, for the message when it is a mapping or a sequence. ok is false
// once an error has been reported.
func (p *parser) scalar(n *yaml.Node, name, want string) (v value, ok bool) {
	if n.Kind != yaml.ScalarNode {
		p.errorf(n, "%s must be %s, got %s", name, want, describe(n))
		return value{}, false
	}
	if p.expansionCapped && strings.Contains(n.Value, "${") {
		// Past the file's cap (said once, where it was passed) nothing
		// more is interpolated: aliases could repeat a value 100,000
		// times, each built and thrown away.
		return value{}, false
	}
	text, substituted, problems := expand(n.Value, p.lookup)
	for _, problem := range problems {
		p.errorf(n, "%s", problem)
	}
	if len(problems) > 0 {
		return value{}, false
	}
	if substituted {
		if p.expandedBytes += len(text); p.expandedBytes > maxExpandedBytes {
			if !p.expansionCapped {
				p.expansionCapped = true
				p.errorf(n, "interpolation produces more than %d bytes (%d MiB) in this file, the limit for one file: stopped interpolating here", maxExpandedBytes, maxExpandedBytes>>20)
			}
			return value{}, false
		}
	}
	if p.secrets.Contains(text) {
		p.errorf(n, "%s holds a credential of this run (or part of one), and credentials never enter a spec", name)
		return value{}, false
	}
	v = value{text: text, tag: n.ShortTag(), substituted: substituted}
	// Style 0 is plain (unquoted, untagged): re-resolve so that
	// enabled: ${ENABLED:-true} is a boolean, as "enabled: true" would be.
	if substituted && n.Style == 0 {
		v.tag = (&yaml.Node{Kind: yaml.ScalarNode, Value: text}).ShortTag()
	}
	return v, true
}

// str reads a string field. Unquoted numbers are refused rather than read
// back as text: YAML has already turned 0123 into 83, and 1e3 into 1000,
// for every other tool reading the file.
func (p *parser) str(n *yaml.Node, name string) (string, bool) {
	v, ok := p.scalar(n, name, "a string")
	switch {
	case !ok:
		return "", false
	case v.tag == strTag || v.substituted:
		return v.text, true
	case v.tag == nullTag:
		p.errorf(n, "%s must be a string, got null", name)
	default:
		p.errorf(n, "%s must be a string (quote it), got %s", name, v.describe())
	}
	return "", false
}

// boolean reads a true/false field. Only YAML 1.2 booleans count: "yes" and
// "on" are strings to yaml.v3, and silently reading them as true would make
// the spec mean different things to different tools.
func (p *parser) boolean(n *yaml.Node, name string) (bool, bool) {
	v, ok := p.scalar(n, name, "a boolean true/false")
	if !ok {
		return false, false
	}
	if v.tag == boolTag {
		switch strings.ToLower(v.text) {
		case "true":
			return true, true
		case "false":
			return false, true
		}
	}
	hint := ""
	switch strings.ToLower(v.text) {
	case "yes", "no", "on", "off", "y", "n":
		hint = " (YAML 1.1 yes/no/on/off are not booleans)"
	}
	p.errorf(n, "%s must be a boolean true/false, got %s%s", name, v.describe(), hint)
	return false, false
}

// riskLevel reads risk_level, normalised to lower case: the API's enum is
// lower-case and plans compare lower-case.
func (p *parser) riskLevel(n *yaml.Node) (string, bool) {
	return p.enum(n, state.FieldRiskLevel, "one of low, medium, high", "low", "medium", "high")
}

// integrationType reads integration_type, normalised to the API's "Okta".
func (p *parser) integrationType(n *yaml.Node) (string, bool) {
	return p.enum(n, state.FieldIntegrationType, oktaType, oktaType)
}

// enum reads a string that must equal one of choices, ignoring case, and
// returns the choice as spelled in choices.
func (p *parser) enum(n *yaml.Node, name, want string, choices ...string) (string, bool) {
	v, ok := p.scalar(n, name, want)
	if !ok {
		return "", false
	}
	if v.tag == strTag || v.substituted {
		for _, c := range choices {
			if strings.EqualFold(v.text, c) {
				return c, true
			}
		}
	}
	p.errorf(n, "%s must be %s, got %s", name, want, v.describe())
	return "", false
}

// tenantURL reads tenant_url, trimmed of surrounding spaces.
func (p *parser) tenantURL(n *yaml.Node) (string, bool) {
	s, ok := p.str(n, state.FieldTenantURL)
	if !ok {
		return "", false
	}
	s = strings.TrimSpace(s)
	if ok, without := checkTenantURL(s); !ok {
		p.errorf(n, "%s %s: expected an absolute https URL such as https://acme.okta.com%s", state.FieldTenantURL, quote(s), without)
		return "", false
	}
	if problem := hostProblem(s); problem != "" {
		p.errorf(n, "%s", problem)
		return "", false
	}
	return s, true
}

// hostProblem refuses a tenant_url (checkTenantURL accepted) whose host is
// not plain ASCII, percent-encoded or not: a host written with look-alike
// letters (a Cyrillic "а" in "аcme") reads as another host in a review
// while Okta's risk scores go to it. Written in punycode (xn--…), the
// difference shows. The message gives the punycode form to write.
func hostProblem(s string) string {
	u, err := url.Parse(s)
	if err != nil || !state.HasNonASCII(u.Hostname()) {
		return ""
	}
	host := u.Hostname()
	msg := fmt.Sprintf("%s %s: its host %s is not plain ASCII, and look-alike letters would make it read as another host",
		state.FieldTenantURL, quoteASCII(s), quoteASCII(host))
	puny, ok := state.PunycodeHost(host)
	if !ok {
		return msg + "; it is not a valid internationalized host name either: write the host in ASCII"
	}
	fix := u.Scheme + "://" + puny
	if port := u.Port(); port != "" {
		fix += ":" + port
	}
	fix += u.EscapedPath()
	return msg + "; write it in punycode: " + fix
}

// label reads an integration's label: a short name for people, shown in
// every output that names the integration. It is bounded and printable
// (no control, format, bidi or zero-width character, no surrounding
// space), so that it cannot flood, reorder or hide text in a terminal or
// a pull-request comment.
func (p *parser) label(n *yaml.Node) (string, bool) {
	s, ok := p.str(n, keyLabel)
	if !ok {
		return "", false
	}
	if problem := labelProblem(s); problem != "" {
		p.errorf(n, "%s", problem)
		return "", false
	}
	return s, true
}

// labelProblem says what is wrong with a label, or "".
func labelProblem(s string) string {
	switch {
	case s == "":
		return "label must not be empty: remove the key, or name the integration"
	case !utf8.ValidString(s):
		return "label is not valid UTF-8"
	case utf8.RuneCountInString(s) > MaxLabelRunes:
		return fmt.Sprintf("label %s is longer than %d characters", quoteASCII(s), MaxLabelRunes)
	case strings.TrimSpace(s) != s:
		return fmt.Sprintf("label %s starts or ends with a space: remove it", quoteASCII(s))
	}
	for i, r := range s {
		// unicode.IsPrint: letters, marks, numbers, punctuation, symbols
		// and the ASCII space; not controls, nor format characters (bidi
		// controls, zero-width spaces), nor other spaces.
		if !unicode.IsPrint(r) {
			return fmt.Sprintf("label %s holds a control, format or invisible character (U+%04X) at byte %d: a label is printable text", quoteASCII(s), r, i+1)
		}
	}
	return ""
}

// checkTenantURL accepts https://host[:port][/path]. Okta is told where to
// send risk signals by this URL, so credentials, a query or a fragment in it
// are mistakes; without names the part to drop.
func checkTenantURL(s string) (ok bool, without string) {
	u, err := url.Parse(s)
	switch {
	case err != nil, u.Scheme != "https", u.Opaque != "", u.Hostname() == "":
		return false, ""
	case u.User != nil:
		return false, ", without user info"
	case u.RawQuery != "" || u.ForceQuery:
		return false, ", without a query"
	case u.Fragment != "" || strings.Contains(s, "#"):
		return false, ", without a fragment"
	}
	if port := u.Port(); port != "" {
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return false, ", with a port from 1 to 65535"
		}
	}
	return true, ""
}

// referenceIDProblem says what is wrong with a non-empty reference_id, or
// "". A reference_id is printable ASCII without surrounding spaces: it is
// how plans match integrations and what they print, so look-alike, invisible
// or reordering (bidi) characters would make two ids that read the same
// differ.
func referenceIDProblem(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e {
			return fmt.Sprintf("reference_id %s holds a control or non-ASCII character at byte %d: a reference_id is printable ASCII", quoteASCII(s), i+1)
		}
	}
	if strings.TrimSpace(s) != s {
		return fmt.Sprintf("reference_id %s starts or ends with a space: remove it", quoteASCII(s))
	}
	return ""
}

// isAccountID reports whether s looks like a Cloudflare account id.
func isAccountID(s string) bool {
	if len(s) != 32 {
		return false
	}
	for _, c := range []byte(s) {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// describe names what a node is, for "got ..." in messages.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a sequence"
	case yaml.ScalarNode:
		return value{text: n.Value, tag: n.ShortTag()}.describe()
	}
	return "an unexpected YAML node"
}

// kindOf is describe without the value: "a string", "a sequence".
func kindOf(n *yaml.Node) string {
	if n.Kind != yaml.ScalarNode {
		return describe(n)
	}
	switch n.ShortTag() {
	case strTag:
		return "a string"
	case boolTag:
		return "a boolean"
	case intTag, floatTag:
		return "a number"
	case nullTag:
		return "null"
	}
	return "a scalar"
}

func (v value) describe() string {
	switch v.tag {
	case strTag:
		return "string " + quote(v.text)
	case boolTag:
		return "boolean " + v.text
	case intTag:
		return "integer " + v.text
	case floatTag:
		return "number " + v.text
	case nullTag:
		return "null"
	}
	return v.tag + " " + quote(v.text)
}

// quote quotes user text for a message, cut short so that one huge value
// cannot flood the output.
func quote(s string) string {
	const maxRunes = 64
	if utf8.RuneCountInString(s) > maxRunes {
		s = string([]rune(s)[:maxRunes]) + "…"
	}
	return fmt.Sprintf("%q", s)
}

// quoteASCII is quote with every non-ASCII character escaped, for text
// that may hold bidi or invisible characters.
func quoteASCII(s string) string {
	const maxRunes = 64
	if utf8.RuneCountInString(s) > maxRunes {
		return strconv.QuoteToASCII(string([]rune(s)[:maxRunes])) + "…"
	}
	return strconv.QuoteToASCII(s)
}

// didYouMean suggests the allowed key closest to name, when it is close
// enough to be a typo (a third of the key's length, at least 1 edit).
func didYouMean(name string, allowed []string) string {
	best, bestDist := "", -1
	for _, a := range allowed {
		if d := editDistance(strings.ToLower(name), a); bestDist < 0 || d < bestDist {
			best, bestDist = a, d
		}
	}
	if best == "" || bestDist > max(1, len(best)/3) {
		return ""
	}
	return fmt.Sprintf(": did you mean %q?", best)
}

// editDistance is the Levenshtein distance between a and b, in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
