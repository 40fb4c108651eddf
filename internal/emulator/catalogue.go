package emulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"go.yaml.in/yaml/v3"

	"github.com/riskctl/riskctl/internal/safefile"
)

// A behaviors catalogue is the set of behaviors every new account starts
// with (Options.Behaviors, `emulator serve --behaviors FILE`). Cloudflare's
// docs list eight behaviors, but only three keys are public (docs/api.md#behaviors); a
// catalogue written from a live account (`riskctl emulator catalogue`)
// lets the emulator have what that account has. The file is YAML or JSON
// (a valid JSON object is read with encoding/json, anything else as YAML),
// the shape of GET /behaviors' result:
//
//	behaviors:
//	  imp_travel:
//	    name: Impossible Travel             # required, non-empty
//	    description: User has a successful… # required
//	    enabled: false                      # optional, default false
//	    risk_level: high                    # optional, default low
//
// It is read strictly: unknown or duplicate keys, wrong types, bad values,
// anchors and aliases, several documents, and an empty catalogue are each
// an error naming the file, line and column, all reported at once.

// maxCatalogueBytes bounds the file; a real catalogue is a few KiB.
const maxCatalogueBytes = 1 << 20

// defaultCatalogueLevel is the risk_level of an entry that names none.
// Cloudflare documents no default (docs/api.md#behaviors); low is the least surprising.
const defaultCatalogueLevel = riskLow

// LoadBehaviors reads and checks a behaviors catalogue file.
func LoadBehaviors(path string) (map[string]Behavior, error) {
	// Bounded: a regular file of at most maxCatalogueBytes, never a FIFO
	// or a device.
	data, err := safefile.Read(path, maxCatalogueBytes)
	if err != nil {
		return nil, fmt.Errorf("behaviors file: open %s: %w", path, safefile.Reason(err))
	}
	return ParseBehaviors(path, data)
}

// ParseBehaviors reads a catalogue from data; name is used in errors.
func ParseBehaviors(name string, data []byte) (map[string]Behavior, error) {
	p := &catalogueParser{file: name}
	root := p.document(data)
	if root == nil {
		return nil, p.err()
	}
	out := map[string]Behavior{}
	entries := p.topLevel(root)
	if entries != nil {
		p.entries(entries, out)
		if len(entries.Content) == 0 {
			p.addf(entries, "behaviors is empty: a catalogue needs at least one behavior")
		}
	}
	if err := p.err(); err != nil {
		return nil, err
	}
	return out, nil
}

// catalogueParser walks the YAML node tree, collecting every problem.
type catalogueParser struct {
	file string
	errs []error
}

func (p *catalogueParser) addf(n *yaml.Node, format string, args ...any) {
	p.errs = append(p.errs, fmt.Errorf("%s:%d:%d: %s", p.file, n.Line, n.Column, fmt.Sprintf(format, args...)))
}

func (p *catalogueParser) err() error { return errors.Join(p.errs...) }

// document parses exactly one YAML document and returns its root node. A
// JSON catalogue (a valid JSON object) is read with encoding/json instead:
// JSON is almost YAML, but yaml.v3 refuses some of its escapes (\/, and
// \ud83d\ude00 surrogate pairs).
func (p *catalogueParser) document(data []byte) *yaml.Node {
	if trimmed := bytes.TrimLeft(data, " \t\r\n"); len(trimmed) > 0 && trimmed[0] == '{' && json.Valid(data) {
		root, err := jsonNode(json.NewDecoder(bytes.NewReader(data)), data)
		if err != nil { // not expected: data is valid JSON
			p.errs = append(p.errs, fmt.Errorf("%s: %w", p.file, err))
			return nil
		}
		return root
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			err = errors.New("the file is empty")
		}
		p.errs = append(p.errs, fmt.Errorf("%s: %w", p.file, err))
		return nil
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		p.errs = append(p.errs, fmt.Errorf("%s: expected one document", p.file))
		return nil
	}
	if len(doc.Content) == 0 {
		p.errs = append(p.errs, fmt.Errorf("%s: the file is empty", p.file))
		return nil
	}
	return doc.Content[0]
}

// jsonNode reads the next JSON value from dec as the yaml.Node that yaml.v3
// would have made of it, with its line and column in data, so that a JSON
// catalogue gets the checks and the messages of a YAML one (duplicate keys
// included, which encoding/json alone would let through).
func jsonNode(dec *json.Decoder, data []byte) (*yaml.Node, error) {
	start := int(dec.InputOffset())
	for start < len(data) && strings.IndexByte(" \t\r\n,:", data[start]) >= 0 {
		start++
	}
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	n := &yaml.Node{Kind: yaml.ScalarNode, Line: 1 + bytes.Count(data[:start], []byte("\n"))}
	n.Column = start - bytes.LastIndexByte(data[:start], '\n')
	switch t := tok.(type) {
	case json.Delim:
		n.Kind, n.Tag, n.Style = yaml.MappingNode, "!!map", yaml.FlowStyle
		if t == '[' {
			n.Kind, n.Tag = yaml.SequenceNode, "!!seq"
		}
		for dec.More() {
			c, err := jsonNode(dec, data)
			if err != nil {
				return nil, err
			}
			n.Content = append(n.Content, c)
		}
		if _, err := dec.Token(); err != nil { // the closing delimiter
			return nil, err
		}
	case string:
		n.Tag, n.Value, n.Style = "!!str", t, yaml.DoubleQuotedStyle
	case bool:
		n.Tag, n.Value = "!!bool", strconv.FormatBool(t)
	case float64: // as written, which is what a message should quote
		n.Tag, n.Value = "!!int", string(data[start:dec.InputOffset()])
		if strings.ContainsAny(n.Value, ".eE") {
			n.Tag = "!!float"
		}
	case nil:
		n.Tag, n.Value = "!!null", "null"
	}
	return n, nil
}

// topLevel checks the root mapping, whose only key is behaviors, and
// returns the behaviors mapping.
func (p *catalogueParser) topLevel(root *yaml.Node) *yaml.Node {
	fields := p.mapping(root, "the file", []string{"behaviors"})
	if fields == nil {
		return nil
	}
	entries, found := fields["behaviors"]
	if !found {
		p.addf(root, "missing behaviors: expected behaviors: {KEY: {name, description, enabled, risk_level}}")
		return nil
	}
	if entries.Kind != yaml.MappingNode {
		p.addf(entries, "behaviors must be a mapping of behavior key to behavior")
		return nil
	}
	return entries
}

// entries reads each behavior of the behaviors mapping into out.
func (p *catalogueParser) entries(entries *yaml.Node, out map[string]Behavior) {
	seen := map[string]bool{}
	for i := 0; i+1 < len(entries.Content); i += 2 {
		keyNode, val := entries.Content[i], entries.Content[i+1]
		key, ok := p.str(keyNode, "behavior key")
		if !ok {
			continue
		}
		if seen[key] {
			p.addf(keyNode, "duplicate behavior %q", key)
			continue
		}
		seen[key] = true
		if err := checkBehaviorKey(key); err != nil {
			p.addf(keyNode, "%v", err)
		}
		if b, ok := p.behavior(key, val); ok {
			out[key] = b
		}
	}
}

// behavior reads one entry.
func (p *catalogueParser) behavior(key string, n *yaml.Node) (Behavior, bool) {
	what := fmt.Sprintf("behavior %q", key)
	fields := p.mapping(n, what, []string{"name", "description", "enabled", "risk_level"})
	if fields == nil {
		return Behavior{}, false
	}
	before := len(p.errs)
	b := Behavior{RiskLevel: defaultCatalogueLevel}
	for _, req := range []string{"name", "description"} {
		if _, found := fields[req]; !found {
			p.addf(n, "%s: missing %s", what, req)
		}
	}
	if v, found := fields["name"]; found {
		if b.Name, _ = p.str(v, what+": name"); b.Name == "" && v.Tag == "!!str" {
			p.addf(v, "%s: name must not be empty", what)
		}
	}
	if v, found := fields["description"]; found {
		b.Description, _ = p.str(v, what+": description")
	}
	if v, found := fields["enabled"]; found {
		b.Enabled = p.boolean(v, what+": enabled")
	}
	if v, found := fields["risk_level"]; found {
		if level, ok := p.str(v, what+": risk_level"); ok {
			if riskRank(level) < 0 {
				p.addf(v, "%s: risk_level must be one of low, medium, high, got %q", what, level)
			}
			b.RiskLevel = level
		}
	}
	return b, len(p.errs) == before
}

// unaliased reports whether n is neither an alias nor anchored, saying so
// when it is: a file read by the emulator writes its content out.
func (p *catalogueParser) unaliased(n *yaml.Node, what string) bool {
	if n.Kind == yaml.AliasNode || n.Anchor != "" {
		p.addf(n, "%s: anchors and aliases are not allowed", what)
		return false
	}
	return true
}

// mapping checks that n is a mapping with only the allowed keys (nil:
// any key), each once, and returns its values by key.
func (p *catalogueParser) mapping(n *yaml.Node, what string, allowed []string) map[string]*yaml.Node {
	if !p.unaliased(n, what) {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		p.addf(n, "%s must be a mapping", what)
		return nil
	}
	fields := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		name, ok := p.str(k, what+": key")
		switch {
		case !ok:
		case allowed != nil && !slices.Contains(allowed, name):
			p.addf(k, "%s: unknown field %q (expected %s)", what, name, strings.Join(allowed, ", "))
		case fields[name] != nil:
			p.addf(k, "%s: duplicate field %q", what, name)
		case v.Kind == yaml.AliasNode || v.Anchor != "":
			p.addf(v, "%s: anchors and aliases are not allowed", what)
		default:
			fields[name] = v
		}
	}
	return fields
}

// str reads a string scalar. Only real strings count: a YAML number or
// boolean where a string belongs is an error, as it would be in JSON.
func (p *catalogueParser) str(n *yaml.Node, what string) (string, bool) {
	if n.Kind == yaml.AliasNode || n.Anchor != "" {
		p.addf(n, "%s: anchors and aliases are not allowed", what)
		return "", false
	}
	if n.Kind != yaml.ScalarNode || n.Tag != "!!str" {
		p.addf(n, "%s must be a string", what)
		return "", false
	}
	return n.Value, true
}

// boolean reads a true/false scalar, the rule of riskctl specs
// (internal/spec): a YAML 1.2 boolean, true or false in any case. yes, no,
// on and off are strings to yaml.v3, and refused even when tagged !!bool,
// so a catalogue means the same to every tool.
func (p *catalogueParser) boolean(n *yaml.Node, what string) bool {
	var b bool
	if n.Kind == yaml.ScalarNode && n.Tag == "!!bool" {
		switch strings.ToLower(n.Value) {
		case "true", "false":
			if err := n.Decode(&b); err == nil {
				return b
			}
		}
	}
	var got string
	switch {
	case n.Kind == yaml.MappingNode:
		got = "a mapping"
	case n.Kind == yaml.SequenceNode:
		got = "a sequence"
	case n.Kind != yaml.ScalarNode:
		got = "an alias"
	case n.Tag == "!!null":
		got = "null"
	case n.Tag == "!!str":
		got = fmt.Sprintf("the string %q", n.Value)
	default:
		got = fmt.Sprintf("%q (%s)", n.Value, n.Tag)
	}
	hint := ""
	switch strings.ToLower(n.Value) {
	case "yes", "no", "on", "off", "y", "n":
		hint = " (YAML 1.1 yes/no/on/off are not booleans)"
	}
	p.addf(n, "%s must be a boolean true or false, got %s%s", what, got, hint)
	return false
}

// maxBehaviorKeyLen bounds a key; the public ones are about a dozen bytes.
const maxBehaviorKeyLen = 64

// checkBehaviorKey accepts 1-64 of a-z 0-9 _: the rule of behavior ids in
// riskctl specs (internal/spec), so that whatever key a catalogue gives an
// account, `riskctl export` can write it and `riskctl plan` read it back.
// The public keys are snake_case; the private ones are unknown (docs/api.md#behaviors).
func checkBehaviorKey(key string) error {
	if key == "" || len(key) > maxBehaviorKeyLen {
		return fmt.Errorf("behavior key %q: expected 1 to %d lower-case letters, digits and underscores, such as imp_travel", key, maxBehaviorKeyLen)
	}
	for _, c := range key {
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '_') {
			return fmt.Errorf("behavior key %q: expected lower-case letters, digits and underscores only, such as imp_travel (the behavior ids of riskctl specs)", key)
		}
	}
	return nil
}

// checkCatalogue checks Options.Behaviors given in code, with the rules of
// the file.
func checkCatalogue(m map[string]Behavior) error {
	if len(m) == 0 {
		return errors.New("empty: a catalogue needs at least one behavior")
	}
	var errs []error
	for _, key := range slices.Sorted(maps.Keys(m)) {
		b := m[key]
		if err := checkBehaviorKey(key); err != nil {
			errs = append(errs, err)
		}
		if b.Name == "" {
			errs = append(errs, fmt.Errorf("behavior %q: name must not be empty", key))
		}
		if riskRank(b.RiskLevel) < 0 {
			errs = append(errs, fmt.Errorf("behavior %q: risk_level must be one of low, medium, high, got %q", key, b.RiskLevel))
		}
	}
	return errors.Join(errs...)
}

// catalogueFile is the written form: the shape ParseBehaviors reads, with
// the fields in a fixed order.
type catalogueFile struct {
	Behaviors map[string]catalogueEntryFile `json:"behaviors" yaml:"behaviors"`
}

type catalogueEntryFile struct {
	Name        string `json:"name" yaml:"name"`
	Description string `json:"description" yaml:"description"`
	Enabled     bool   `json:"enabled" yaml:"enabled"`
	RiskLevel   string `json:"risk_level" yaml:"risk_level"`
}

// WriteBehaviors writes m as a catalogue that LoadBehaviors reads back to
// m; format is "yaml" or "json". source, if not empty, goes into a YAML
// comment saying where the catalogue came from. m is checked first, so
// what is written can always be loaded.
func WriteBehaviors(w io.Writer, m map[string]Behavior, format, source string) error {
	if err := checkCatalogue(m); err != nil {
		return fmt.Errorf("behaviors catalogue: %w", err)
	}
	doc := catalogueFile{Behaviors: make(map[string]catalogueEntryFile, len(m))}
	for k, b := range m {
		doc.Behaviors[k] = catalogueEntryFile(b)
	}
	switch format {
	case "json":
		data, err := json.MarshalIndent(doc, "", "  ")
		if err != nil {
			return err
		}
		_, err = w.Write(append(data, '\n'))
		return err
	case "yaml":
		var buf bytes.Buffer
		buf.WriteString("# riskctl emulator behaviors catalogue: emulator serve --behaviors FILE\n")
		if source != "" {
			fmt.Fprintf(&buf, "# %s\n", commentText(source))
		}
		enc := yaml.NewEncoder(&buf)
		enc.SetIndent(2)
		if err := enc.Encode(doc); err != nil {
			return err
		}
		if err := enc.Close(); err != nil {
			return err
		}
		_, err := w.Write(buf.Bytes())
		return err
	}
	return fmt.Errorf("behaviors catalogue: unknown format %q (want yaml or json)", format)
}

// commentText makes s safe to put on one YAML comment line: every rune
// that does not print (controls, and line and paragraph breaks such as
// \r, U+0085 and U+2028, which YAML or an editor may take as the end of
// the line) is written as its Go escape, \r or \u2028.
func commentText(s string) string {
	var b strings.Builder
	for _, r := range s {
		if unicode.IsPrint(r) {
			b.WriteRune(r)
			continue
		}
		q := strconv.QuoteRuneToASCII(r)
		b.WriteString(q[1 : len(q)-1])
	}
	return b.String()
}
