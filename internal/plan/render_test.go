package plan

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestSummaryString(t *testing.T) {
	tests := []struct {
		s    Summary
		want string
	}{
		{Summary{}, "Plan: 0 to add, 0 to change, 0 to replace, 0 to destroy."},
		{Summary{Add: 1, Change: 2, Replace: 3, Destroy: 4}, "Plan: 1 to add, 2 to change, 3 to replace, 4 to destroy."},
	}
	for _, tt := range tests {
		if got := tt.s.String(); got != tt.want {
			t.Errorf("%+v.String() = %q, want %q", tt.s, got, tt.want)
		}
	}
}

// Colour is the renderer's business: never in the plan, never without Color.
func TestNoANSIWithoutColor(t *testing.T) {
	for _, tc := range loadCases(t) {
		p, err := Compute(tc.desired, tc.live)
		if err != nil {
			continue
		}
		if out := renderText(t, p, TextOptions{}); strings.Contains(out, "\x1b") {
			t.Errorf("%s: ANSI escape in uncoloured text", tc.name)
		}
		if out := renderJSON(t, p); strings.Contains(out, `\u001b`) || strings.Contains(out, "\x1b") {
			t.Errorf("%s: ANSI escape in JSON", tc.name)
		}
		if colored := renderText(t, p, TextOptions{Color: true}); p.HasChanges() && !strings.Contains(colored, "\x1b[") {
			t.Errorf("%s: no colour with Color: true", tc.name)
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
