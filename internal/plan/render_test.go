package plan

import (
	"encoding/json"
	"strings"
	"testing"
)

// Colour is package report's business: never in a plan's JSON.
func TestNoANSIInJSON(t *testing.T) {
	for _, tc := range loadCases(t) {
		p, err := Compute(tc.desired, tc.live)
		if err != nil {
			continue
		}
		if out := renderJSON(t, p); strings.Contains(out, `\u001b`) || strings.Contains(out, "\x1b") {
			t.Errorf("%s: ANSI escape in JSON", tc.name)
		}
	}
}

// The JSON schema's invariants, over every golden plan.
func TestJSONShape(t *testing.T) {
	for _, tc := range loadCases(t) {
		p, err := Compute(tc.desired, tc.live)
		if err != nil {
			continue
		}
		out := renderJSON(t, p)
		if !strings.HasSuffix(out, "}\n") {
			t.Errorf("%s: JSON does not end with a newline", tc.name)
		}
		if strings.Contains(out, "null") {
			t.Errorf("%s: JSON holds a null", tc.name)
		}
		var doc map[string]any
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		for _, key := range []string{"format_version", "account_id", "has_changes", "summary", "changes", "unmanaged", "live_fingerprint"} {
			if _, ok := doc[key]; !ok {
				t.Errorf("%s: JSON lacks %q", tc.name, key)
			}
		}
		if doc["format_version"] != FormatVersion || doc["has_changes"] != p.HasChanges() {
			t.Errorf("%s: format_version %v, has_changes %v", tc.name, doc["format_version"], doc["has_changes"])
		}
	}
}
