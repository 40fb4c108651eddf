package spec

import (
	"bytes"
	"fmt"
	"io"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/riskctl/riskctl/internal/state"
)

// Write prints a as a version-1 spec that Parse accepts and that plans no
// changes against the account it came from. Every behavior is written (so
// every one becomes managed); server-computed fields are left out.
// Integrations without a reference_id cannot be matched by a spec, so they
// are listed in a comment instead.
//
// The output is in Format's canonical layout, so it passes riskctl fmt
// --check. Values are written exactly: every "$" is doubled ("$$") and such
// a string quoted, so a live "https://c.okta.com/${HOME}" is written
// "https://c.okta.com/$${HOME}" and Parse reads it back as the live text,
// reading no variable. Comments (behavior names, ids) are kept on
// one line: control characters, line separators and other non-printing
// characters are written as Go escapes (a newline as \n), so a name cannot
// end the comment and inject YAML.
//
// When a holds a value the spec format cannot express (anything Parse
// would refuse: a behavior key that is not lower-case letters, digits and
// underscores, a risk_level other than low/medium/high, an
// integration_type other than Okta, a tenant_url that is not an https URL
// without user info, query or fragment, a blank reference_id; and what it
// would misread: a reference_id shared by two integrations, text that is
// not valid UTF-8), Write writes nothing and returns an
// *UnexpressibleError listing every such object and why. A partial spec
// would silently leave objects unmanaged, and an invalid one would fail
// later, further from the cause. Write judges its own output with Parse, so
// its refusals follow the parser's rules exactly.
//
// The spec starts with one comment line saying where it came from: by
// default "# Exported by riskctl from account ID."; Header replaces it.
func Write(w io.Writer, a state.Account, opts ...WriteOption) error {
	c := writeConfig{header: "Exported by riskctl from account " + commentText(a.AccountID) + "."}
	for _, o := range opts {
		o(&c)
	}
	problems := unreadable(a)
	var buf bytes.Buffer
	lines := make(map[int]string) // line number → the object written there
	line := 0
	emit := func(object, format string, args ...any) {
		line++
		if object != "" {
			lines[line] = object
		}
		fmt.Fprintf(&buf, format+"\n", args...)
	}
	if c.header != "" {
		emit("", "# %s", c.header)
	}
	emit("", "version: 1")
	emit("account_id", "account_id: %s", yamlString(a.AccountID))

	keys := make([]string, 0, len(a.Behaviors))
	for k := range a.Behaviors {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if len(keys) == 0 {
		emit("", "behaviors: {}")
	} else {
		emit("", "behaviors:")
	}
	for _, k := range keys {
		b := a.Behaviors[k]
		if b.Name != "" {
			emit("", "  # %s", commentText(b.Name))
		}
		key := k
		if !behaviorIDPattern.MatchString(k) {
			key = yamlString(k) // for Parse to judge, not misread
		}
		emit(behaviorObject(k), "  %s: {enabled: %t, risk_level: %s}", key, b.Enabled, yamlString(strings.ToLower(b.RiskLevel)))
	}

	var managed, unmatchable []state.Integration
	for _, in := range a.Integrations {
		if in.ReferenceID == "" {
			unmatchable = append(unmatchable, in)
		} else {
			managed = append(managed, in)
		}
	}
	sortByRef(managed)
	// Above the list, not after its last item: there a comment would be
	// laid out (see Format) as if it were part of that integration.
	for _, in := range unmatchable {
		emit("", "# not exported: integration %s (%s) has no reference_id, so a spec cannot name it",
			commentText(in.ID), commentText(in.TenantURL))
	}
	if len(managed) == 0 {
		emit("", "integrations: []")
	} else {
		emit("", "integrations:")
	}
	for _, in := range managed {
		object := integrationObject(in)
		typ := in.IntegrationType
		if strings.EqualFold(typ, oktaType) {
			typ = oktaType
		}
		emit(object, "  - reference_id: %s", yamlString(in.ReferenceID))
		emit(object, "    integration_type: %s", yamlString(typ))
		emit(object, "    tenant_url: %s", yamlString(in.TenantURL))
		emit(object, "    active: %t", in.Active)
	}
	emit("", "prune: false")

	problems = append(problems, judge(buf.Bytes(), lines, a)...)
	if len(problems) > 0 {
		return &UnexpressibleError{AccountID: a.AccountID, Problems: dedupe(problems)}
	}
	// The canonical layout, so that an export passes riskctl fmt --check.
	out, err := Format("export", buf.Bytes())
	if err != nil {
		return fmt.Errorf("export: %v", err) // a bug, not the account's fault: not spec.Errors
	}
	_, err = w.Write(out)
	return err
}

// WriteOption changes what Write writes.
type WriteOption func(*writeConfig)

type writeConfig struct {
	header string // the first comment line, without "# "; "" for none
}

// Header makes text the spec's first line, as a comment, instead of
// "Exported by riskctl from account ID.": text is written as it is if it
// prints on one line, else with every character that does not print (a
// newline, a line separator, a format character, invalid UTF-8) escaped as
// in Go, so it cannot end the comment. Header("") writes no such line.
func Header(text string) WriteOption {
	if !printable(text) {
		text = commentText(text)
	}
	return func(c *writeConfig) { c.header = text }
}

// printable says whether s is valid UTF-8 of characters that print, which
// a comment line holds as they are.
func printable(s string) bool {
	for _, r := range s {
		if r == utf8.RuneError || !printableRune(r) {
			return false
		}
	}
	return true
}

// oktaType is the only integration_type a spec accepts, as Parse spells it.
const oktaType = "Okta"

// UnexpressibleError is Write's refusal: the live objects whose values no
// spec can express, so exporting them would write an invalid spec or one
// that plans changes. Nothing was written.
type UnexpressibleError struct {
	AccountID string
	Problems  []Unexpressible
}

// Unexpressible is one live object a spec cannot express, and why.
type Unexpressible struct {
	// Object names it: account_id, behavior "imp_travel", or
	// integration "ref" (id "...").
	Object string
	Reason string
}

func (e *UnexpressibleError) Error() string {
	var b strings.Builder
	objects := make(map[string]bool)
	for _, p := range e.Problems {
		objects[p.Object] = true
	}
	n := len(objects)
	fmt.Fprintf(&b, "account %s cannot be exported as a spec: %d object", strconv.QuoteToASCII(e.AccountID), n)
	if n == 1 {
		b.WriteString(" holds a value")
	} else {
		b.WriteString("s hold values")
	}
	b.WriteString(" a spec cannot express (nothing was written)")
	for _, p := range e.Problems {
		fmt.Fprintf(&b, "\n  %s: %s", p.Object, p.Reason)
	}
	return b.String()
}

func behaviorObject(key string) string { return "behavior " + strconv.QuoteToASCII(key) }

func integrationObject(in state.Integration) string {
	return fmt.Sprintf("integration %s (id %s)", strconv.QuoteToASCII(in.ReferenceID), strconv.QuoteToASCII(in.ID))
}

// sortByRef sorts by reference_id, then id.
func sortByRef(ins []state.Integration) {
	sort.SliceStable(ins, func(i, j int) bool {
		if ins[i].ReferenceID != ins[j].ReferenceID {
			return ins[i].ReferenceID < ins[j].ReferenceID
		}
		return ins[i].ID < ins[j].ID
	})
}

// unreadable lists the objects of a that a spec would misread rather than
// refuse: text that is not UTF-8 (YAML is), and a reference_id that two
// integrations share (Parse would name only the second).
func unreadable(a state.Account) []Unexpressible {
	var out []Unexpressible
	if !utf8.ValidString(a.AccountID) {
		out = append(out, Unexpressible{"account_id", "the account id is not valid UTF-8"})
	}
	for _, k := range slices.Sorted(maps.Keys(a.Behaviors)) {
		b := a.Behaviors[k]
		if !utf8.ValidString(k) || !utf8.ValidString(b.RiskLevel) {
			out = append(out, Unexpressible{behaviorObject(k), "the key or risk_level is not valid UTF-8"})
		}
	}
	refs := make(map[string]int, len(a.Integrations))
	for _, in := range a.Integrations {
		refs[in.ReferenceID]++
	}
	ins := slices.Clone(a.Integrations)
	sortByRef(ins)
	for _, in := range ins {
		if in.ReferenceID == "" {
			continue // listed in a comment: unmanaged, as the spec leaves it
		}
		object := integrationObject(in)
		if n := refs[in.ReferenceID]; n > 1 {
			out = append(out, Unexpressible{object, fmt.Sprintf("its reference_id is shared by %d integrations, and a spec names each reference_id once", n)})
		}
		for _, f := range []struct{ name, text string }{
			{"reference_id", in.ReferenceID}, {"integration_type", in.IntegrationType}, {"tenant_url", in.TenantURL},
		} {
			if !utf8.ValidString(f.text) {
				out = append(out, Unexpressible{object, f.name + " is not valid UTF-8"})
			}
		}
	}
	return out
}

// judge parses the spec Write made of a, reading no variable, and reports
// each problem against the object written on its line, then checks that
// what Parse read is what a holds.
func judge(data []byte, lines map[int]string, a state.Account) []Unexpressible {
	noVars := func(string) (string, bool) { return "", false }
	f, err := Parse("export", data, Options{LookupEnv: noVars})
	if err != nil {
		var out []Unexpressible
		es, _ := err.(Errors)
		for _, e := range es {
			object := lines[e.Pos.Line]
			if object == "" {
				object = "the exported spec"
			}
			out = append(out, Unexpressible{object, e.Msg})
		}
		if es == nil {
			out = append(out, Unexpressible{"the exported spec", err.Error()})
		}
		return out
	}
	var out []Unexpressible
	for k, want := range a.Behaviors {
		if got, ok := f.Account.Behaviors[k]; !ok || got.Enabled != want.Enabled || !strings.EqualFold(got.RiskLevel, want.RiskLevel) {
			out = append(out, Unexpressible{behaviorObject(k), "the exported spec does not read back as the live behavior"})
		}
	}
	read := make(map[string]state.Integration, len(f.Account.Integrations))
	for _, in := range f.Account.Integrations {
		read[in.ReferenceID] = in
	}
	for _, in := range a.Integrations {
		if in.ReferenceID == "" {
			continue
		}
		got, ok := read[in.ReferenceID]
		if !ok || !strings.EqualFold(got.IntegrationType, in.IntegrationType) ||
			got.TenantURL != strings.TrimSpace(in.TenantURL) || got.Active != in.Active {
			out = append(out, Unexpressible{integrationObject(in), "the exported spec does not read back as the live integration"})
		}
	}
	return out
}

// dedupe drops repeated problems, keeping the first of each, and orders
// them by kind of object (as Write writes them), then by object, then as
// found.
func dedupe(ps []Unexpressible) []Unexpressible {
	seen := make(map[Unexpressible]bool, len(ps))
	var out []Unexpressible
	for _, p := range ps {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	slices.SortStableFunc(out, func(x, y Unexpressible) int {
		if r := objectRank(x.Object) - objectRank(y.Object); r != 0 {
			return r
		}
		return strings.Compare(x.Object, y.Object)
	})
	return out
}

// objectRank orders objects as Write writes them: the account id, the
// behaviors, the integrations, then the spec as a whole.
func objectRank(object string) int {
	switch {
	case object == "account_id":
		return 0
	case strings.HasPrefix(object, "behavior "):
		return 1
	case strings.HasPrefix(object, "integration "):
		return 2
	}
	return 3
}

// yamlString writes s as a double-quoted scalar that Parse reads back as s,
// interpolating nothing: each "$" is doubled, '"' and '\\' are escaped, and
// every character that does not print (which YAML would refuse, fold or
// drop) is written as a \u or \U escape. s must be valid UTF-8, which
// unreadable checks for every value.
func yamlString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '$':
			b.WriteString("$$")
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case printableRune(r):
			b.WriteRune(r)
		case r <= 0xFFFF:
			fmt.Fprintf(&b, `\u%04X`, r)
		default:
			fmt.Fprintf(&b, `\U%08X`, r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// commentText makes s safe for the rest of a comment line: characters that
// do not print (controls, line and paragraph separators, format characters,
// invalid UTF-8) are written as Go escapes, so s stays on one line and a
// YAML reader accepts it.
func commentText(s string) string {
	var b strings.Builder
	for i, r := range s {
		switch {
		case r == utf8.RuneError && !strings.HasPrefix(s[i:], "\uFFFD"):
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\\':
			b.WriteString(`\\`)
		case printableRune(r):
			b.WriteRune(r)
		default:
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
		}
	}
	return b.String()
}
