package spec_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"

	"github.com/riskctl/riskctl/internal/spec"
)

const schemaID = "https://github.com/riskctl/riskctl/internal/spec/riskctl.schema.json"

// compileSchema compiles spec.JSONSchema with the draft it declares.
func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(spec.JSONSchema()))
	if err != nil {
		t.Fatalf("schema is not JSON: %v", err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource(schemaID, doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(schemaID)
	if err != nil {
		t.Fatalf("schema does not compile: %v", err)
	}
	return s
}

// instance reads YAML as an editor's YAML language server would, into
// JSON values.
func instance(t *testing.T, src string) any {
	t.Helper()
	var v any
	if err := yaml.Unmarshal([]byte(src), &v); err != nil {
		t.Fatalf("YAML: %v", err)
	}
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("YAML to JSON: %v", err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	return inst
}

var schemaEnv = env(map[string]string{"CLOUDFLARE_ACCOUNT_ID": acct, "RISKCTL_VAR_TENANT_URL": "https://acme.okta.com"})

func TestSchemaFile(t *testing.T) {
	compileSchema(t)
	var top struct {
		Schema string `json:"$schema"`
		ID     string `json:"$id"`
	}
	if err := json.Unmarshal(spec.JSONSchema(), &top); err != nil {
		t.Fatal(err)
	}
	if top.Schema != "https://json-schema.org/draft/2020-12/schema" || top.ID != schemaID {
		t.Errorf("$schema = %q, $id = %q", top.Schema, top.ID)
	}
	onDisk, err := os.ReadFile("riskctl.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	got := spec.JSONSchema()
	if !bytes.Equal(onDisk, got) {
		t.Errorf("JSONSchema() is not the committed riskctl.schema.json")
	}
	got[0] = 'x'
	if spec.JSONSchema()[0] != '{' {
		t.Errorf("JSONSchema returns its own buffer")
	}
}

// TestSchemaMatchesParser keeps the schema's keys, required keys and ignore
// enums in step with the parser's.
func TestSchemaMatchesParser(t *testing.T) {
	type object struct {
		Description string                     `json:"description"`
		Properties  map[string]json.RawMessage `json:"properties"`
		Required    []string                   `json:"required"`
	}
	var schema struct {
		object
		Defs map[string]object `json:"$defs"`
	}
	if err := json.Unmarshal(spec.JSONSchema(), &schema); err != nil {
		t.Fatal(err)
	}
	ignoreEnum := func(o object) []string {
		var ignore struct {
			Items struct {
				Enum []string `json:"enum"`
			} `json:"items"`
		}
		if err := json.Unmarshal(o.Properties["ignore"], &ignore); err != nil {
			t.Fatal(err)
		}
		return ignore.Items.Enum
	}
	sorted := func(ss []string) []string { return slices.Sorted(slices.Values(ss)) }
	for _, tc := range []struct {
		name                      string
		obj                       object
		keys, required, ignorable []string
	}{
		{"top level", schema.object, spec.TopKeys, []string{"version"}, nil},
		{"behavior", schema.Defs["behavior"], spec.BehaviorKeys, spec.BehaviorRequired, spec.BehaviorIgnorable},
		{"integration", schema.Defs["integration"], spec.IntegrationKeys, spec.IntegrationRequired, spec.IntegrationIgnorable},
	} {
		var keys []string
		for k, raw := range tc.obj.Properties {
			keys = append(keys, k)
			var p struct {
				Description string `json:"description"`
			}
			if err := json.Unmarshal(raw, &p); err != nil || p.Description == "" {
				t.Errorf("%s: property %q has no description", tc.name, k)
			}
		}
		if diff := cmp.Diff(sorted(tc.keys), sorted(keys)); diff != "" {
			t.Errorf("%s: schema properties differ from the parser's keys (-parser +schema):\n%s", tc.name, diff)
		}
		if diff := cmp.Diff(sorted(tc.required), sorted(tc.obj.Required)); diff != "" {
			t.Errorf("%s: required keys (-parser +schema):\n%s", tc.name, diff)
		}
		if tc.ignorable != nil {
			if diff := cmp.Diff(sorted(tc.ignorable), sorted(ignoreEnum(tc.obj))); diff != "" {
				t.Errorf("%s: ignore enum (-parser +schema):\n%s", tc.name, diff)
			}
		}
		if tc.obj.Description == "" {
			t.Errorf("%s has no description", tc.name)
		}
	}
}

// TestSchemaAcceptsValidSpecs: what Parse accepts, the schema accepts: the
// examples, the full test spec and a few edge cases.
func TestSchemaAcceptsValidSpecs(t *testing.T) {
	s := compileSchema(t)
	paths, err := filepath.Glob("../../examples/*.yaml")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no examples: %v", err)
	}
	paths = append(paths, "testdata/full.yaml")
	type source struct{ name, src string }
	var sources []source
	for _, path := range paths {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		sources = append(sources, source{path, string(data)})
	}
	sources = append(sources,
		source{"interpolated booleans", head + "behaviors:\n  imp_travel:\n    enabled: ${RISKCTL_VAR_ENABLED:-true}\n    risk_level: high\nprune: ${RISKCTL_VAR_PRUNE:-false}\n"},
		source{"case variants", head + "behaviors:\n  imp_travel: {enabled: true, risk_level: HIGH}\n  high_dlp: {enabled: true, risk_level: Medium}\nintegrations:\n  - reference_id: r1\n    integration_type: OKTA\n    tenant_url: HTTPS://Acme.okta.com/\n"},
		source{"interpolated strings", "version: 1\naccount_id: ${CLOUDFLARE_ACCOUNT_ID}\nintegrations:\n  - reference_id: ${RISKCTL_VAR_REF:-r1}\n    integration_type: ${RISKCTL_VAR_TYPE:-Okta}\n    tenant_url: ${RISKCTL_VAR_TENANT_URL}\n    active: ${RISKCTL_VAR_ACTIVE:-false}\n"},
		source{"null sections and lists", head + "behaviors:\n  imp_travel:\n    enabled: true\n    risk_level: low\n    ignore:\nintegrations:\n"},
		source{"empty sections", head + "behaviors: {}\nintegrations: []\nprune: false\n"},
		source{"account from the environment", "version: 1\n"},
		source{"empty account_id", "version: 1\naccount_id: \"\"\n"},
		source{"every ignore", head + "behaviors:\n  imp_travel: {enabled: true, risk_level: high, ignore: [enabled, risk_level]}\nintegrations:\n  - reference_id: r1\n" + okta + "    ignore: [integration_type, tenant_url, active]\n"},
		source{"tenant_url with a port and a path", head + "integrations:\n  - reference_id: r1\n    integration_type: Okta\n    tenant_url: https://acme.okta.com:8443/oauth2/\n"},
	)
	for _, tc := range sources {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := spec.Parse(tc.name, []byte(tc.src), spec.Options{LookupEnv: schemaEnv, DefaultAccountID: acct2}); err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if err := s.Validate(instance(t, tc.src)); err != nil {
				t.Errorf("schema rejects a valid spec: %v", err)
			}
		})
	}
}

// TestSchemaRejectsCommonMistakes: for the mistakes people make, an editor
// using the schema complains as riskctl validate does.
func TestSchemaRejectsCommonMistakes(t *testing.T) {
	s := compileSchema(t)
	integration := func(body string) string { return head + "integrations:\n  - " + body }
	for _, tc := range []struct{ name, src string }{
		{"unknown top-level key", head + "behaviours: {}\n"},
		{"unknown behavior key", head + "behaviors:\n  imp_travel: {enabled: true, risk_level: high, risk_levl: high}\n"},
		{"computed behavior field", head + "behaviors:\n  imp_travel: {enabled: true, risk_level: high, name: Impossible travel}\n"},
		{"invalid behavior id", head + "behaviors:\n  Imp-Travel: {enabled: true, risk_level: high}\n"},
		{"behavior without risk_level", head + "behaviors:\n  imp_travel: {enabled: true}\n"},
		{"bad risk_level", head + "behaviors:\n  imp_travel: {enabled: true, risk_level: extreme}\n"},
		{"risk_level as a number", head + "behaviors:\n  imp_travel: {enabled: true, risk_level: 3}\n"},
		{"enabled yes is a string", head + "behaviors:\n  imp_travel: {enabled: yes, risk_level: high}\n"},
		{"enabled quoted", head + "behaviors:\n  imp_travel: {enabled: \"true\", risk_level: high}\n"},
		{"enabled as a number", head + "behaviors:\n  imp_travel: {enabled: 1, risk_level: high}\n"},
		{"behaviors as a list", head + "behaviors:\n  - imp_travel\n"},
		{"bad integration_type", integration("reference_id: r1\n    integration_type: AzureAD\n    tenant_url: https://acme.okta.com\n")},
		{"http tenant_url", integration("reference_id: r1\n    integration_type: Okta\n    tenant_url: http://acme.okta.com\n")},
		{"tenant_url without a scheme", integration("reference_id: r1\n    integration_type: Okta\n    tenant_url: acme.okta.com\n")},
		{"tenant_url with user info", integration("reference_id: r1\n    integration_type: Okta\n    tenant_url: https://admin:pw@acme.okta.com\n")},
		{"tenant_url with a query", integration("reference_id: r1\n    integration_type: Okta\n    tenant_url: https://acme.okta.com/?x=1\n")},
		{"missing reference_id", integration("integration_type: Okta\n    tenant_url: https://acme.okta.com\n")},
		{"missing tenant_url", integration("reference_id: r1\n    integration_type: Okta\n")},
		{"empty reference_id", integration("reference_id: \"\"\n" + okta)},
		{"reference_id as a number", integration("reference_id: 42\n" + okta)},
		{"computed id", integration("reference_id: r1\n" + okta + "    id: 5f1b2c3d-0000-4000-8000-000000000000\n")},
		{"computed well_known_url", integration("reference_id: r1\n" + okta + "    well_known_url: https://ssf.example/x\n")},
		{"unknown integration key", integration("reference_id: r1\n" + okta + "    activ: false\n")},
		{"active on", integration("reference_id: r1\n" + okta + "    active: on\n")},
		{"integrations as a mapping", head + "integrations:\n  r1: {}\n"},
		{"missing version", "account_id: " + acct + "\n"},
		{"version 2", "version: 2\naccount_id: " + acct + "\n"},
		{"version as a string", "version: \"1\"\naccount_id: " + acct + "\n"},
		{"account_id not hex", "version: 1\naccount_id: acme-production\n"},
		{"prune as a string", head + "prune: \"false\"\n"},
		{"ignore with an unknown field", head + "behaviors:\n  imp_travel: {enabled: true, risk_level: high, ignore: [enabld]}\n"},
		{"ignore with another resource's field", head + "behaviors:\n  imp_travel: {enabled: true, risk_level: high, ignore: [tenant_url]}\n"},
		{"ignore not a list", head + "behaviors:\n  imp_travel: {enabled: true, risk_level: high, ignore: enabled}\n"},
		{"ignore twice", integration("reference_id: r1\n" + okta + "    ignore: [active, active]\n")},
		{"ignore reference_id", integration("reference_id: r1\n" + okta + "    ignore: [reference_id]\n")},
		{"top level a list", "- version: 1\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := spec.Parse("spec.yaml", []byte(tc.src), spec.Options{LookupEnv: schemaEnv}); err == nil {
				t.Errorf("Parse accepts it")
			}
			if err := s.Validate(instance(t, tc.src)); err == nil {
				t.Errorf("schema accepts it")
			}
		})
	}
}
