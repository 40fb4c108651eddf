package spec_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"

	"github.com/riskctl/riskctl/internal/spec"
	"github.com/riskctl/riskctl/internal/state"
)

// TestFieldTableSchemaAndFormatAgree keeps the three descriptions of a
// spec object in step: the field table (state.Fields), the JSON Schema
// editors read (riskctl.schema.json) and the key order Format writes. A
// field added to the table fails here until the schema describes it, in
// the same place, with the same rules.
func TestFieldTableSchemaAndFormatAgree(t *testing.T) {
	var schema struct {
		Defs map[string]json.RawMessage `json:"$defs"`
	}
	if err := json.Unmarshal(spec.JSONSchema(), &schema); err != nil {
		t.Fatal(err)
	}
	policyKeys := map[state.Kind][]string{
		state.KindBehavior:    {"ignore"},
		state.KindIntegration: {"label", "protect", "ignore"},
	}
	formatted := formattedKeyOrder(t)
	for _, kind := range []state.Kind{state.KindBehavior, state.KindIntegration} {
		var def struct {
			Description string                     `json:"description"`
			Properties  map[string]json.RawMessage `json:"properties"`
			Required    []string                   `json:"required"`
		}
		raw := schema.Defs[string(kind)]
		if err := json.Unmarshal(raw, &def); err != nil {
			t.Fatalf("$defs.%s: %v", kind, err)
		}
		set := state.FieldsOf(kind, func(f state.Field) bool { return f.Role != state.Computed })
		keys := append(state.Names(set), policyKeys[kind]...)

		// The same keys, in the same order: the schema lists properties
		// in the order the formatter writes them, so that an editor's
		// completion and riskctl fmt agree.
		if diff := cmp.Diff(keys, propertyOrder(t, raw)); diff != "" {
			t.Errorf("%s: schema properties (-table +schema):\n%s", kind, diff)
		}
		if diff := cmp.Diff(keys, formatted[kind]); diff != "" {
			t.Errorf("%s: Format's key order (-table +Format):\n%s", kind, diff)
		}
		required := state.Names(state.FieldsOf(kind, func(f state.Field) bool { return f.Required }))
		if diff := cmp.Diff(required, def.Required); diff != "" {
			t.Errorf("%s: required (-table +schema):\n%s", kind, diff)
		}
		var ignore struct {
			Items struct {
				Enum []string `json:"enum"`
			} `json:"items"`
		}
		if err := json.Unmarshal(def.Properties["ignore"], &ignore); err != nil {
			t.Fatal(err)
		}
		ignorable := state.Names(state.FieldsOf(kind, func(f state.Field) bool { return f.Ignorable }))
		if diff := cmp.Diff(ignorable, ignore.Items.Enum); diff != "" {
			t.Errorf("%s: ignore enum (-table +schema):\n%s", kind, diff)
		}
		for _, f := range set {
			var p struct {
				Ref     string          `json:"$ref"`
				Default json.RawMessage `json:"default"`
			}
			if err := json.Unmarshal(def.Properties[f.Name], &p); err != nil {
				t.Fatal(err)
			}
			if isBool := p.Ref == "#/$defs/boolean"; isBool != (f.Type == state.Bool) {
				t.Errorf("%s %s: schema boolean %t, table type %v", kind, f.Name, isBool, f.Type)
			}
			want := ""
			if f.Default != "" {
				want = f.Default
				if f.Type == state.String {
					want = fmt.Sprintf("%q", f.Default)
				}
			}
			if got := string(p.Default); got != want {
				t.Errorf("%s %s: schema default %s, table default %s", kind, f.Name, got, want)
			}
		}
		// Computed fields are refused by the parser; the schema says so.
		for _, f := range state.FieldsOf(kind, func(f state.Field) bool { return f.Role == state.Computed }) {
			if !strings.Contains(def.Description, f.Name) {
				t.Errorf("%s: the schema's description does not name the computed field %s", kind, f.Name)
			}
		}
	}
}

// propertyOrder lists the keys of the "properties" object of the schema
// object raw, in the order the file writes them.
func propertyOrder(t *testing.T, raw json.RawMessage) []string {
	t.Helper()
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(obj["properties"]))
	var keys []string
	if _, err := dec.Token(); err != nil { // {
		t.Fatal(err)
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

// formattedKeyOrder formats a spec whose behavior and integration hold
// every key a spec may set, written in reverse table order, and returns
// the key order Format gives each.
func formattedKeyOrder(t *testing.T) map[state.Kind][]string {
	t.Helper()
	var b strings.Builder
	b.WriteString("version: 1\nbehaviors:\n  b:\n")
	writeKeys := func(kind state.Kind, indent string, policy ...string) {
		keys := append(state.Names(state.FieldsOf(kind, func(f state.Field) bool { return f.Role != state.Computed })), policy...)
		slices.Reverse(keys)
		for _, k := range keys {
			fmt.Fprintf(&b, "%s%s: x\n", indent, k)
		}
	}
	writeKeys(state.KindBehavior, "    ", "ignore")
	b.WriteString("integrations:\n  - unknown_key: x\n")
	writeKeys(state.KindIntegration, "    ", "label", "protect", "ignore")
	out, err := spec.Format("order.yaml", []byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Behaviors    map[string]yaml.Node `yaml:"behaviors"`
		Integrations []yaml.Node          `yaml:"integrations"`
	}
	if err := yaml.Unmarshal(out, &doc); err != nil {
		t.Fatal(err)
	}
	order := func(n yaml.Node) []string {
		var keys []string
		for i := 0; i < len(n.Content); i += 2 {
			if k := n.Content[i].Value; k != "unknown_key" {
				keys = append(keys, k)
			} else if i != len(n.Content)-2 {
				t.Errorf("Format put an unknown key before a known one:\n%s", out)
			}
		}
		return keys
	}
	return map[state.Kind][]string{
		state.KindBehavior:    order(doc.Behaviors["b"]),
		state.KindIntegration: order(doc.Integrations[0]),
	}
}
