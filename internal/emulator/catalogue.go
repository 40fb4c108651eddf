package emulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// A behaviors catalogue is the set of behaviors every new account starts
// with (Options.Behaviors, `emulator serve --behaviors FILE`). Cloudflare's
// docs list eight behaviors, but only three keys are public (notes §4); a
// catalogue written from a live account (`riskctl emulator catalogue`)
// lets the emulator have what that account has. The file is YAML or JSON
// (JSON is read as YAML), the shape of GET /behaviors' result:
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
// Cloudflare documents no default (notes §4); low is the least surprising.
const defaultCatalogueLevel = riskLow

// LoadBehaviors reads and checks a behaviors catalogue file.
func LoadBehaviors(path string) (map[string]Behavior, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("behaviors file: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxCatalogueBytes+1))
	if err != nil {
		return nil, fmt.Errorf("behaviors file %s: %w", path, err)
	}
	if len(data) > maxCatalogueBytes {
		return nil, fmt.Errorf("behaviors file %s: larger than %d bytes", path, maxCatalogueBytes)
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

// document parses exactly one YAML document and returns its root node.
func (p *catalogueParser) document(data []byte) *yaml.Node {
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
		if v.Kind != yaml.ScalarNode || v.Tag != "!!bool" {
			p.addf(v, "%s: enabled must be true or false", what)
		} else {
			b.Enabled = v.Value == "true"
		}
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

// mapping checks that n is a mapping with only the allowed keys, each once,
// and returns its values by key.
func (p *catalogueParser) mapping(n *yaml.Node, what string, allowed []string) map[string]*yaml.Node {
	if n.Kind == yaml.AliasNode || n.Anchor != "" {
		p.addf(n, "%s: anchors and aliases are not allowed", what)
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
		case !slices.Contains(allowed, name):
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

// maxBehaviorKeyLen bounds a key; the public ones are about a dozen bytes.
const maxBehaviorKeyLen = 64

// checkBehaviorKey accepts what can be a behavior key in a URL-free JSON
// map and a spec: 1-64 of A-Z a-z 0-9 _ . - (the public keys are snake_case;
// the private ones are unknown, notes §4).
func checkBehaviorKey(key string) error {
	if key == "" || len(key) > maxBehaviorKeyLen {
		return fmt.Errorf("behavior key %q: expected 1 to %d characters", key, maxBehaviorKeyLen)
	}
	for _, c := range key {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '.' || c == '-') {
			return fmt.Errorf("behavior key %q: only letters, digits, _, . and - are allowed", key)
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
			fmt.Fprintf(&buf, "# %s\n", strings.ReplaceAll(source, "\n", " "))
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
