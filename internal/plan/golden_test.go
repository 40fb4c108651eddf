package plan

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/riskctl/riskctl/internal/spec"
	"github.com/riskctl/riskctl/internal/state"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/plan")

// Every case directory holds desired.json and live.json (a state.Account
// with Go field names), optionally targets.txt (one target per line, for
// Options.Targets), optionally dedupe.txt (its presence sets
// Options.Dedupe), and the goldens: plan.json, or error.txt when
// ComputeWith must fail. The text of each plan.json is package report's
// golden (internal/report/testdata/plantext).
const caseRoot = "testdata/plan"

var goldenFiles = []string{"plan.json", "error.txt"}

// wantCases must all exist, so that a deleted directory fails loudly.
var wantCases = []string{
	"no_changes", "behavior_update", "risk_level_case_only", "unmanaged_behaviors",
	"missing_behavior", "create", "create_inactive", "update_tenant_url", "update_active",
	"tenant_url_normalised", "replace_type", "replace_protected", "prune_delete",
	"prune_off_unmanaged", "unmanaged_no_reference", "duplicate_live_reference",
	"duplicate_live_reference_unmanaged", "every_action",
	"targets_behavior", "targets_integration", "target_unknown",
	"ignore_fields", "ignore_no_changes", "dedupe",
}

// errorCases are the cases where Compute fails, with the error type it must return.
var errorCases = map[string]func(error) bool{
	"missing_behavior":         errorIs[*MissingBehaviorsError],
	"replace_protected":        errorIs[*ProtectedError],
	"duplicate_live_reference": errorIs[*DuplicateReferenceError],
	"target_unknown":           errorIs[*UnknownTargetError],
}

func errorIs[T error](err error) bool {
	var target T
	return errors.As(err, &target)
}

type planCase struct {
	name, dir     string
	desired, live state.Account
	opts          Options
}

func loadCases(t *testing.T) []planCase {
	t.Helper()
	dirs, err := filepath.Glob(filepath.Join(caseRoot, "*", "desired.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cases []planCase
	for _, d := range dirs {
		dir := filepath.Dir(d)
		c := planCase{name: filepath.Base(dir), dir: dir}
		c.desired, c.opts.Policy = readAccount(t, filepath.Join(dir, "desired.json"))
		c.live, _ = readAccount(t, filepath.Join(dir, "live.json"))
		c.opts.Targets = readTargets(t, filepath.Join(dir, "targets.txt"))
		_, err := os.Stat(filepath.Join(dir, "dedupe.txt"))
		c.opts.Dedupe = err == nil
		cases = append(cases, c)
	}
	for _, name := range wantCases {
		if !slices.ContainsFunc(cases, func(c planCase) bool { return c.name == name }) {
			t.Errorf("missing case directory %s/%s", caseRoot, name)
		}
	}
	return cases
}

// caseAccount is a case's account file: a state.Account and, beside each
// object, its policy (Protect, Ignore; Prune for the account), as a spec
// writes them.
type caseAccount struct {
	AccountID string
	Behaviors map[string]struct {
		state.Behavior
		Ignore []string
	}
	Integrations []struct {
		state.Integration
		Protect bool
		Ignore  []string
	}
	Prune bool
}

func readAccount(t *testing.T, path string) (state.Account, spec.Policy) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var c caseAccount
	if err := dec.Decode(&c); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	a := state.Account{AccountID: c.AccountID}
	policy := spec.Policy{Prune: c.Prune, Behaviors: map[string]spec.ObjectPolicy{}, Integrations: map[string]spec.ObjectPolicy{}}
	if c.Behaviors != nil {
		a.Behaviors = map[string]state.Behavior{}
	}
	for k, b := range c.Behaviors {
		a.Behaviors[k] = b.Behavior
		policy.Behaviors[k] = spec.ObjectPolicy{Ignore: b.Ignore}
	}
	for _, in := range c.Integrations {
		a.Integrations = append(a.Integrations, in.Integration)
		policy.Integrations[in.ReferenceID] = spec.ObjectPolicy{Protect: in.Protect, Ignore: in.Ignore}
	}
	return a, policy
}

// readTargets reads a case's targets.txt; none when it does not exist.
func readTargets(t *testing.T, path string) []Target {
	t.Helper()
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var targets []Target
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		target, err := ParseTarget(line)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		targets = append(targets, target)
	}
	return targets
}

func TestGolden(t *testing.T) {
	for _, tc := range loadCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			p, err := ComputeWith(tc.desired, tc.live, tc.opts)
			files := make(map[string]string)
			if isErr, wantErr := errorCases[tc.name]; wantErr {
				if err == nil || !isErr(err) {
					t.Fatalf("Compute error = %v, want the case's error type", err)
				}
				files["error.txt"] = err.Error() + "\n"
			} else {
				if err != nil {
					t.Fatalf("Compute: %v", err)
				}
				files["plan.json"] = renderJSON(t, p)
			}
			checkGolden(t, tc.dir, files)
		})
	}
}

func renderJSON(t *testing.T, p Plan) string {
	t.Helper()
	var b bytes.Buffer
	if err := RenderJSON(&b, p); err != nil {
		t.Fatalf("RenderJSON: %v", err)
	}
	return b.String()
}

// checkGolden compares got (golden file name → content) with dir's goldens,
// or rewrites them with -update; a golden that got lacks is stale.
func checkGolden(t *testing.T, dir string, got map[string]string) {
	t.Helper()
	for _, name := range goldenFiles {
		path := filepath.Join(dir, name)
		content, produced := got[name]
		if *update {
			if produced {
				if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
					t.Fatal(err)
				}
			} else if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		switch {
		case errors.Is(err, os.ErrNotExist) && !produced:
			continue
		case errors.Is(err, os.ErrNotExist):
			t.Errorf("%s is missing; run go test ./internal/plan -update", path)
			continue
		case err != nil:
			t.Fatal(err)
		case !produced:
			t.Errorf("%s is stale (this case does not produce it); run go test ./internal/plan -update", path)
			continue
		}
		if diff := cmp.Diff(string(want), content); diff != "" {
			t.Errorf("%s mismatch (-golden +got):\n%s", path, diff)
		}
	}
}
