package assess

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/riskctl/riskctl/internal/state"
	"github.com/riskctl/riskctl/internal/textutil"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// Golden cases. testdata/impact/<case>/input.json is an impactInput (Go
// field names), its golden impact.json what AccessImpact returns;
// testdata/findings/<case>/input.json is a Wiring, its golden
// findings.json what Findings returns. Regenerate with
// go test ./internal/assess -update, then review the diff.

type impactInput struct {
	Access        state.Access
	Before, After map[string]state.Behavior
}

var wantImpactCases = []string{
	"dead_exclude_high", "revived_exclude_high", "require_denies_new_level", "changed_include",
	"level_moves", "groups", "group_missing_and_cycle", "lint_only", "no_change", "reusable_shared",
}

var wantFindingCases = []string{
	"unmanaged_active", "idp_missing", "idp_not_okta", "idp_tenant_mismatch", "lookalike_host",
	"punycode_same_host", "wired", "idps_not_read",
}

func TestImpactGolden(t *testing.T) {
	for _, dir := range caseDirs(t, "testdata/impact", wantImpactCases) {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			var in impactInput
			readInput(t, filepath.Join(dir, "input.json"), &in)
			checkGolden(t, filepath.Join(dir, "impact.json"), AccessImpact(in.Access, in.Before, in.After))
		})
	}
}

func TestFindingsGolden(t *testing.T) {
	for _, dir := range caseDirs(t, "testdata/findings", wantFindingCases) {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			var in Wiring
			readInput(t, filepath.Join(dir, "input.json"), &in)
			checkGolden(t, filepath.Join(dir, "findings.json"), Findings(in))
		})
	}
}

// caseDirs lists root's case directories; each of want must be there, so
// that a deleted case fails loudly.
func caseDirs(t *testing.T, root string, want []string) []string {
	t.Helper()
	inputs, err := filepath.Glob(filepath.Join(root, "*", "input.json"))
	if err != nil {
		t.Fatal(err)
	}
	var dirs []string
	for _, in := range inputs {
		dirs = append(dirs, filepath.Dir(in))
	}
	for _, name := range want {
		if !slices.Contains(dirs, filepath.Join(root, name)) {
			t.Errorf("missing case directory %s/%s", root, name)
		}
	}
	return dirs
}

func readInput(t *testing.T, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

func checkGolden(t *testing.T, path string, v any) {
	t.Helper()
	var b bytes.Buffer
	if err := textutil.NewEncoder(&b).Encode(v); err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		t.Fatalf("%s is missing; run go test ./internal/assess -update", path)
	}
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), b.String()); diff != "" {
		t.Errorf("%s mismatch (-golden +got):\n%s", path, diff)
	}
}
