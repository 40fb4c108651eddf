package emulator

import (
	"bytes"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

const catalogueYAML = `# two behaviors of a live account
behaviors:
  imp_travel:
    name: Impossible Travel
    description: Two logins too far apart.
    enabled: true
    risk_level: high
  crowdstrike_low:
    name: CrowdStrike Low ZTA security score
    description: ""
`

func writeTemp(t *testing.T, name, data string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadBehaviors(t *testing.T) {
	want := map[string]Behavior{
		"imp_travel":      {Name: "Impossible Travel", Description: "Two logins too far apart.", Enabled: true, RiskLevel: "high"},
		"crowdstrike_low": {Name: "CrowdStrike Low ZTA security score", RiskLevel: "low"}, // defaults: disabled, low
	}
	got, err := LoadBehaviors(writeTemp(t, "c.yaml", catalogueYAML))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("YAML: got %+v, want %+v", got, want)
	}
	json := `{"behaviors": {"imp_travel": {"name": "Impossible Travel", "description": "Two logins too far apart.", "enabled": true, "risk_level": "high"},
	  "crowdstrike_low": {"name": "CrowdStrike Low ZTA security score", "description": ""}}}`
	got, err = LoadBehaviors(writeTemp(t, "c.json", json))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("JSON: got %+v, want %+v", got, want)
	}
}

func TestLoadBehaviorsIsStrict(t *testing.T) {
	for _, tc := range []struct {
		name, data string
		want       []string // each must appear in the error
	}{
		{"empty file", "", []string{"c.yaml: the file is empty"}},
		{"comment only", "# nothing\n", []string{"c.yaml: the file is empty"}},
		{"not a mapping", "- a\n", []string{"c.yaml:1:1: the file must be a mapping"}},
		{"no behaviors", "other: 1\n", []string{`c.yaml:1:1: the file: unknown field "other" (expected behaviors)`, "c.yaml:1:1: missing behaviors"}},
		{"behaviors a list", "behaviors: [a]\n", []string{"c.yaml:1:12: behaviors must be a mapping"}},
		{"empty catalogue", "behaviors: {}\n", []string{"c.yaml:1:12: behaviors is empty"}},
		{"two documents", "behaviors: {a: {name: A, description: d}}\n---\nbehaviors: {}\n", []string{"c.yaml: expected one document"}},
		{"syntax", "behaviors: {a: [\n", []string{"c.yaml: yaml:"}},
		{"entry not a mapping", "behaviors:\n  a: 1\n", []string{`c.yaml:2:6: behavior "a" must be a mapping`}},
		{"missing name and description", "behaviors:\n  a: {enabled: true}\n", []string{`c.yaml:2:6: behavior "a": missing name`, `c.yaml:2:6: behavior "a": missing description`}},
		{"empty name", "behaviors:\n  a: {name: '', description: d}\n", []string{`c.yaml:2:13: behavior "a": name must not be empty`}},
		{"name not a string", "behaviors:\n  a: {name: 12, description: d}\n", []string{`c.yaml:2:13: behavior "a": name must be a string`}},
		{"unknown field", "behaviors:\n  a: {name: A, description: d, risk: high}\n", []string{`c.yaml:2:32: behavior "a": unknown field "risk" (expected name, description, enabled, risk_level)`}},
		{"bad risk level", "behaviors:\n  a: {name: A, description: d, risk_level: High}\n", []string{`c.yaml:2:44: behavior "a": risk_level must be one of low, medium, high, got "High"`}},
		{"enabled not a bool", "behaviors:\n  a: {name: A, description: d, enabled: \"yes\"}\n", []string{`c.yaml:2:41: behavior "a": enabled must be a boolean true or false, got the string "yes"`}},
		{"duplicate behavior", "behaviors:\n  a: {name: A, description: d}\n  a: {name: B, description: d}\n", []string{`c.yaml:3:3: duplicate behavior "a"`}},
		{"duplicate field", "behaviors:\n  a: {name: A, name: B, description: d}\n", []string{`c.yaml:2:16: behavior "a": duplicate field "name"`}},
		{"bad key", "behaviors:\n  'a b': {name: A, description: d}\n", []string{`c.yaml:2:3: behavior key "a b": expected lower-case letters, digits and underscores only, such as imp_travel`}},
		{"long key", "behaviors:\n  " + strings.Repeat("k", 65) + ": {name: A, description: d}\n", []string{"expected 1 to 64 lower-case letters, digits and underscores"}},
		{"alias", "x: &n {name: A, description: d}\nbehaviors:\n  a: *n\n", []string{"anchors and aliases are not allowed"}},
		{"every problem at once", "behaviors:\n  a: {name: 1, description: d}\n  b: {name: B, description: d, risk_level: x}\n",
			[]string{`behavior "a": name must be a string`, `behavior "b": risk_level must be one of`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseBehaviors("c.yaml", []byte(tc.data))
			if err == nil {
				t.Fatal("accepted")
			}
			msg := err.Error()
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q lacks %q", msg, w)
				}
			}
		})
	}
	// LoadBehaviors names the file by its path.
	bad := writeTemp(t, "bad.yaml", "behaviors: {}\n")
	if _, err := LoadBehaviors(bad); err == nil || !strings.HasPrefix(err.Error(), bad+":1:12: ") {
		t.Errorf("LoadBehaviors: %v, want it to start with %s:1:12", err, bad)
	}
	if _, err := LoadBehaviors(filepath.Join(t.TempDir(), "missing.yaml")); err == nil || !strings.Contains(err.Error(), "missing.yaml") {
		t.Errorf("missing file: %v", err)
	}
	big := writeTemp(t, "big.yaml", "behaviors: {}\n#"+strings.Repeat("x", maxCatalogueBytes))
	if _, err := LoadBehaviors(big); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("big file: %v", err)
	}
}

func TestWriteBehaviorsRoundTrip(t *testing.T) {
	m := map[string]Behavior{
		"imp_travel": {Name: "Impossible Travel", Description: "desc: with a colon\nand a newline", Enabled: true, RiskLevel: "high"},
		"high_dlp":   {Name: "High DLP", Description: "", RiskLevel: "medium"},
		"yes":        {Name: "123", Description: "true", RiskLevel: "low"},
	}
	for _, format := range []string{"yaml", "json"} {
		var buf bytes.Buffer
		if err := WriteBehaviors(&buf, m, format, "account 023e… via riskctl"); err != nil {
			t.Fatal(err)
		}
		got, err := ParseBehaviors("out."+format, buf.Bytes())
		if err != nil {
			t.Fatalf("%s: %v\n%s", format, err, buf.String())
		}
		if !reflect.DeepEqual(got, m) {
			t.Errorf("%s round trip: got %+v, want %+v\n%s", format, got, m, buf.String())
		}
	}
	if err := WriteBehaviors(&bytes.Buffer{}, map[string]Behavior{}, "yaml", ""); err == nil {
		t.Error("an empty catalogue was written")
	}
	if err := WriteBehaviors(&bytes.Buffer{}, m, "toml", ""); err == nil {
		t.Error("format toml accepted")
	}
}

// TestCatalogueReplacesSeededBehaviors: Options.Behaviors is what every new
// account has, and what the demo users' events are drawn from.
func TestCatalogueReplacesSeededBehaviors(t *testing.T) {
	cat, err := LoadBehaviors(writeTemp(t, "c.yaml", catalogueYAML))
	if err != nil {
		t.Fatal(err)
	}
	v := newTestEnv(t, Options{Behaviors: cat, SeedUsers: 20})
	var got struct {
		Behaviors map[string]wireBehavior `json:"behaviors"`
	}
	v.do("GET", path("/behaviors"), nil).wantOK(t).result(t, &got)
	if keys := slices.Sorted(maps.Keys(got.Behaviors)); !reflect.DeepEqual(keys, []string{"crowdstrike_low", "imp_travel"}) {
		t.Errorf("keys %v", keys)
	}
	if b := got.Behaviors["imp_travel"]; !b.Enabled || b.RiskLevel != "high" || b.Name != "Impossible Travel" {
		t.Errorf("imp_travel %+v", b)
	}
	v.do("PUT", path("/behaviors"), `{"behaviors":{"high_dlp":{"enabled":true,"risk_level":"low"}}}`).wantError(t, http.StatusBadRequest, codeUnknownKey)
	v.do("PUT", path("/behaviors"), `{"behaviors":{"crowdstrike_low":{"enabled":true,"risk_level":"medium"}}}`).wantOK(t)
	names := map[string]bool{}
	for _, u := range v.e.Users(testAccount) {
		for _, ev := range u.Events {
			names[ev.Name] = true
		}
	}
	if !reflect.DeepEqual(names, map[string]bool{"Impossible Travel": true, "CrowdStrike Low ZTA security score": true}) {
		t.Errorf("event names %v, want the catalogue's", names)
	}
	// Each account gets its own copy.
	other := onAccount("ffffffffffffffffffffffffffffffff", "/behaviors")
	v.do("GET", other, nil).wantOK(t).result(t, &got)
	if got.Behaviors["crowdstrike_low"].Enabled {
		t.Error("a PUT on one account changed another")
	}
	cat["imp_travel"] = Behavior{Name: "changed", RiskLevel: "low"}
	if v.e.Behaviors(testAccount)["imp_travel"].Name != "Impossible Travel" {
		t.Error("the emulator shares the caller's map")
	}
}

func TestDefaultCatalogueIsThePublicKeys(t *testing.T) {
	v := newTestEnv(t, Options{})
	keys := slices.Sorted(maps.Keys(v.e.Behaviors(testAccount)))
	if !reflect.DeepEqual(keys, []string{"high_dlp", "imp_travel", "sentinel_one"}) {
		t.Errorf("default keys %v", keys)
	}
}

func TestCatalogueOptionIsChecked(t *testing.T) {
	for _, tc := range []struct {
		cat  map[string]Behavior
		want string
	}{
		{map[string]Behavior{}, "Options.Behaviors: empty"},
		{map[string]Behavior{"a": {Name: "", RiskLevel: "low"}}, `behavior "a": name must not be empty`},
		{map[string]Behavior{"a": {Name: "A"}}, `behavior "a": risk_level must be one of low, medium, high, got ""`},
		{map[string]Behavior{"a/b": {Name: "A", RiskLevel: "low"}}, `behavior key "a/b"`},
	} {
		if _, err := New(Options{Behaviors: tc.cat}); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Behaviors %v: %v, want %q", tc.cat, err, tc.want)
		}
	}
}
