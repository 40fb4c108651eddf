package spec

import (
	"bytes"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/riskctl/riskctl/internal/state"
)

// Write prints a as a version-1 spec that Parse accepts and that plans no
// changes against the account it came from. Every behavior is written (so
// every one becomes managed); server-computed fields are left out.
// Integrations without a reference_id cannot be matched by a spec, so they
// are listed in a comment instead.
//
// The spec is built as a YAML node tree, keys and values from the field
// table (state.Fields), and written by Format's encoder, the one YAML
// serialiser: the output is in Format's canonical layout, so it passes
// riskctl fmt --check. It is made exportBatch integrations at a time, so
// that memory stays bounded however many an account holds; the output is
// the one the spec made whole would be. Values are written exactly: every "$" is doubled
// ("$$") and such a string quoted, so a live "https://c.okta.com/${HOME}" is written
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
// its refusals follow the parser's rules exactly. (Parse judges a batch at
// a time: two integrations sharing a reference_id get Parse's "duplicate
// reference_id" besides Write's own reason only when they fall in one
// batch.)
//
// The spec starts with one comment line saying where it came from: by
// default "# Exported by riskctl from account ID."; Header replaces it.
func Write(w io.Writer, a state.Account, opts ...WriteOption) error {
	c := writeConfig{header: "Exported by riskctl from account " + commentText(a.AccountID) + "."}
	for _, o := range opts {
		o(&c)
	}
	problems := unreadable(a)
	var managed, unmatchable []state.Integration
	for _, in := range a.Integrations {
		if in.ReferenceID == "" {
			unmatchable = append(unmatchable, in)
		} else {
			managed = append(managed, in)
		}
	}
	sortByRef(managed)
	// The spec is made, judged and formatted a batch of integrations at a
	// time, each batch as a whole spec (the same header, behaviors and
	// prune around it), and only the batch's integration lines are kept:
	// an account's node trees, and Format's and Parse's copies of them,
	// would otherwise all be held at once (240 MiB for 12,000
	// integrations; BENCHMARKS.md). Every batch writes its items at the
	// same place in the same skeleton, so the lines are those the whole
	// spec would have. Nothing is written until every batch is judged.
	var out bytes.Buffer
	for lo := 0; ; lo += exportBatch {
		hi := min(lo+exportBatch, len(managed))
		first, last := lo == 0, hi == len(managed)
		notes := unmatchable
		if !first {
			notes = nil // a comment above the list: the first batch writes it
		}
		text, batchProblems, err := writeBatch(a, c.header, managed[lo:hi], notes)
		if err != nil {
			return err
		}
		// Every batch is judged, to name every problem, but once there is
		// one no text is kept.
		problems = append(problems, batchProblems...)
		if len(problems) == 0 {
			if err := appendBatch(&out, text, first, last); err != nil {
				return err
			}
		}
		if last {
			break
		}
	}
	if len(problems) > 0 {
		return &UnexpressibleError{AccountID: a.AccountID, Problems: dedupe(problems)}
	}
	_, err := w.Write(out.Bytes())
	return err
}

// exportBatch is how many integrations Write makes into a spec at a time.
// A variable so that tests can make it small, to check that batches join
// into the spec written whole.
var exportBatch = 256

// writeBatch is the spec of a's behaviors and the integrations batch (the
// notes name those without a reference_id), in Format's canonical layout,
// and the problems judge finds in it.
func writeBatch(a state.Account, header string, batch, notes []state.Integration) ([]byte, []Unexpressible, error) {
	doc := exportTree(a, header, batch, notes)
	text, err := encode(doc)
	if err != nil {
		return nil, nil, fmt.Errorf("export: %v", err) // a bug, not the account's fault: not spec.Errors
	}
	// judge reads back a's behaviors and this batch's integrations.
	part := a
	part.Integrations = batch
	if problems := judge(text, exportLines(text, a, batch), part); len(problems) > 0 {
		return nil, problems, nil
	}
	// The canonical layout, so that an export passes riskctl fmt --check.
	out, err := Format("export", text)
	if err != nil {
		return nil, nil, fmt.Errorf("export: %v", err)
	}
	return out, nil, nil
}

// appendBatch appends to out the lines of text, one batch's formatted spec,
// that the whole spec holds: the first batch's lines up to its last
// integration, the integration lines of the others (those between the
// line "integrations:" and the last line, "prune: false"), and after the
// last batch that last line. Each batch's spec is judged by Parse first,
// so its values are on one line each, and the only top-level lines after
// "integrations:" are the items' and "prune: false".
func appendBatch(out *bytes.Buffer, text []byte, first, last bool) error {
	const tail = keyPrune + ": false\n"
	if !bytes.HasSuffix(text, []byte(tail)) {
		return fmt.Errorf("export: a batch does not end with %q (a riskctl bug: please report it)", tail)
	}
	text = text[:len(text)-len(tail)]
	if !first {
		const key = "\nintegrations:\n"
		i := bytes.Index(text, []byte(key))
		if i < 0 {
			return fmt.Errorf("export: a batch has no integrations list (a riskctl bug: please report it)")
		}
		text = text[i+len(key):]
	}
	out.Write(text)
	if last {
		out.WriteString(tail)
	}
	return nil
}

// exportTree builds the spec of a as a YAML node tree, for Format's
// encoder: the header comment, the version, the account id, every behavior
// (a flow mapping of its fields, under a comment with its name), the
// integrations managed (in the order given; a comment above them names
// the integrations notes, which have no reference_id) and prune: false.
// Every string is double-quoted with each "$" doubled, so Parse reads it
// back as written, interpolating nothing.
func exportTree(a state.Account, header string, managed, notes []state.Integration) *yaml.Node {
	top := &yaml.Node{Kind: yaml.MappingNode}
	add := func(m *yaml.Node, key string, v *yaml.Node) *yaml.Node {
		k := &yaml.Node{Kind: yaml.ScalarNode, Tag: strTag, Value: key}
		m.Content = append(m.Content, k, v)
		return k
	}
	version := add(top, "version", &yaml.Node{Kind: yaml.ScalarNode, Tag: intTag, Value: "1"})
	if header != "" {
		version.HeadComment = "# " + header
	}
	add(top, "account_id", exportString(a.AccountID))

	behaviors := &yaml.Node{Kind: yaml.MappingNode}
	if len(a.Behaviors) == 0 {
		behaviors.Style = yaml.FlowStyle // behaviors: {}
	}
	for _, k := range slices.Sorted(maps.Keys(a.Behaviors)) {
		b := a.Behaviors[k]
		fields := &yaml.Node{Kind: yaml.MappingNode, Style: yaml.FlowStyle}
		for _, f := range behaviorFields {
			add(fields, f.Name, exportValue(f, state.Text(f, &b)))
		}
		// A valid key is written plain, as Parse reads keys (true: is the
		// key "true"); any other is quoted like a value, for Parse to
		// judge, not misread.
		key := &yaml.Node{Kind: yaml.ScalarNode, Value: k}
		if !behaviorIDPattern.MatchString(k) {
			key = exportString(k)
		}
		if b.Name != "" {
			key.HeadComment = "# " + commentText(b.Name)
		}
		behaviors.Content = append(behaviors.Content, key, fields)
	}
	add(top, "behaviors", behaviors)

	integrations := &yaml.Node{Kind: yaml.SequenceNode}
	if len(managed) == 0 {
		integrations.Style = yaml.FlowStyle // integrations: []
	}
	for _, in := range managed {
		item := &yaml.Node{Kind: yaml.MappingNode}
		for _, f := range integrationFields {
			add(item, f.Name, exportValue(f, state.Text(f, &in)))
		}
		integrations.Content = append(integrations.Content, item)
	}
	key := add(top, "integrations", integrations)
	// Above the list, not after its last item: there a comment would be
	// laid out (see Format) as if it were part of that integration.
	var lines []string
	for _, in := range notes {
		lines = append(lines, fmt.Sprintf("# not exported: integration %s (%s) has no reference_id, so a spec cannot name it",
			commentText(in.ID), commentText(in.TenantURL)))
	}
	key.HeadComment = strings.Join(lines, "\n")
	add(top, keyPrune, &yaml.Node{Kind: yaml.ScalarNode, Tag: boolTag, Value: "false"})
	return &yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{top}}
}

// exportValue is the node of field f's value text: a boolean as it is, a
// string double-quoted with every "$" doubled. A risk_level is written in
// lower case, an integration_type that is Okta in any case as Okta, as
// Parse would read them, and a tenant_url's non-ASCII host in punycode.
func exportValue(f state.Field, text string) *yaml.Node {
	if f.Type == state.Bool {
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: boolTag, Value: text}
	}
	switch f.Name {
	case state.FieldRiskLevel:
		text = strings.ToLower(text)
	case state.FieldIntegrationType:
		if strings.EqualFold(text, oktaType) {
			text = oktaType
		}
	case state.FieldTenantURL:
		// A live host in Unicode is written in punycode, which Parse
		// requires (hostProblem) and plans compare as the same host.
		text = state.ASCIITenantURL(text)
	}
	return exportString(text)
}

// exportString is the node of a string value. Text that is not valid
// UTF-8, which unreadable reports, is written with U+FFFD in its place, so
// that the rest of the spec can still be encoded and judged.
func exportString(s string) *yaml.Node {
	s = strings.ToValidUTF8(s, "\uFFFD")
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: strTag, Style: yaml.DoubleQuotedStyle, Value: strings.ReplaceAll(s, "$", "$$")}
}

// exportLines maps the lines of text, the encoded export tree, to the
// object written there, for judge to name in its problems: the account
// id, each behavior of a, and each integration (managed, in the order
// written).
func exportLines(text []byte, a state.Account, managed []state.Integration) map[int]string {
	lines := make(map[int]string)
	var doc yaml.Node
	if yaml.Unmarshal(text, &doc) != nil || len(doc.Content) == 0 {
		return lines // judge reports the syntax error against the spec as a whole
	}
	top := doc.Content[0]
	// Each object owns its lines up to the next object's (or the next
	// top-level key's): an encoder may write a key and its value on
	// separate lines ("? key").
	for i := 0; i+1 < len(top.Content); i += 2 {
		k, v := top.Content[i], top.Content[i+1]
		end := math.MaxInt
		if i+2 < len(top.Content) {
			end = top.Content[i+2].Line
		}
		claim := func(start int, object string) {
			for line := start; line < end; line++ {
				lines[line] = object
			}
			end = start
		}
		switch k.Value {
		case "account_id":
			claim(k.Line, "account_id")
		case "behaviors":
			// In the order written: by key.
			keys := slices.Sorted(maps.Keys(a.Behaviors))
			for j := min(len(v.Content)/2, len(keys)) - 1; j >= 0; j-- {
				claim(v.Content[2*j].Line, behaviorObject(keys[j]))
			}
		case "integrations":
			for j := min(len(v.Content), len(managed)) - 1; j >= 0; j-- {
				claim(v.Content[j].Line, integrationObject(managed[j]))
			}
		}
	}
	return lines
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
		for _, f := range integrationFields {
			if f.Type == state.String && !utf8.ValidString(state.Text(f, &in)) {
				out = append(out, Unexpressible{object, f.Name + " is not valid UTF-8"})
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
	// Read back, the spec must plan no change: every compared field
	// equal as a plan compares it.
	var out []Unexpressible
	for k, want := range a.Behaviors {
		if got, ok := f.Account.Behaviors[k]; !ok || !sameFields(behaviorFields, &got, &want) {
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
		if !ok || !sameFields(integrationFields, &got, &in) {
			out = append(out, Unexpressible{integrationObject(in), "the exported spec does not read back as the live integration"})
		}
	}
	return out
}

// sameFields reports whether a and b agree on every compared field of
// fields, as a plan compares them.
func sameFields[T state.Object](fields []state.Field, a, b *T) bool {
	for _, f := range fields {
		if f.Compared && !f.Equal(state.Text(f, a), state.Text(f, b)) {
			return false
		}
	}
	return true
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
