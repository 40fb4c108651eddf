package kitinit

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// edit replaces old with new in a workflow of the repository at root.
func edit(t *testing.T, root, name, old, new string) {
	t.Helper()
	p := filepath.Join(root, filepath.FromSlash(WorkflowDir), name)
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), old) {
		t.Fatalf("%s holds no %q", name, old)
	}
	if err := os.WriteFile(p, []byte(strings.Replace(string(data), old, new, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}

// Each rule of --check, broken once in an otherwise good copy.
func TestCheckRules(t *testing.T) {
	good := Pin{Version: "v0.2.0", Commit: testSHA, Release: true}
	pinned := "uses: riskctl/riskctl@" + testSHA + " # v0.2.0"
	for _, tc := range []struct {
		name    string
		specDir string // Check's specDir argument
		breakIt func(t *testing.T, root string)
		want    string // in the one problem
	}{
		{"versions disagree", "", func(t *testing.T, root string) {
			edit(t, root, ApplyWorkflow, "RISKCTL_VERSION: v0.2.0", "RISKCTL_VERSION: v0.3.0")
		}, "riskctl-apply.yml:86: RISKCTL_VERSION is v0.3.0, but .github/workflows/riskctl-pr.yml says v0.2.0"},
		{"version neither tag nor SHA", "", func(t *testing.T, root string) {
			for _, n := range Workflows {
				edit(t, root, n, "RISKCTL_VERSION: v0.2.0", "RISKCTL_VERSION: latest")
			}
		}, "riskctl-pr.yml:49: RISKCTL_VERSION \"latest\" is neither"},
		{"version missing", "", func(t *testing.T, root string) {
			edit(t, root, DriftWorkflow, "  RISKCTL_VERSION: v0.2.0\n", "")
		}, "riskctl-drift.yml: no RISKCTL_VERSION"},
		{"action is ./", "", func(t *testing.T, root string) {
			edit(t, root, PRWorkflow, pinned, "uses: ./")
		}, "riskctl-pr.yml:144: uses: ./ is the setup action of riskctl's own repository"},
		{"action pinned to a tag", "", func(t *testing.T, root string) {
			edit(t, root, DriftWorkflow, pinned, "uses: riskctl/riskctl@v0.2.0")
		}, "pins the setup action to \"v0.2.0\", a tag or branch"},
		{"action pinned to a short SHA", "", func(t *testing.T, root string) {
			edit(t, root, ApplyWorkflow, pinned, "uses: riskctl/riskctl@0123456")
		}, "a tag or branch that can move"},
		{"no setup action", "", func(t *testing.T, root string) {
			edit(t, root, PRWorkflow, pinned, "uses: someone/else@"+testSHA)
		}, "riskctl-pr.yml: no step installs riskctl"},
		{"paths filter on another directory", "", func(t *testing.T, root string) {
			edit(t, root, PRWorkflow, `- "riskscoring/**"`, `- "specs/**"`)
		}, `on.pull_request.paths must be exactly ["riskscoring/**"]`},
		{"spec dirs disagree", "", func(t *testing.T, root string) {
			edit(t, root, DriftWorkflow, "RISKCTL_SPEC_DIR: riskscoring", "RISKCTL_SPEC_DIR: specs")
		}, "RISKCTL_SPEC_DIR is specs, but"},
		{"spec dir is not the one asked", "specs", func(*testing.T, string) {}, "RISKCTL_SPEC_DIR is \"riskscoring\", not the spec directory \"specs\""},
		{"branches filter", "", func(t *testing.T, root string) {
			edit(t, root, ApplyWorkflow, "branches: [main]", "branches: [master]")
		}, "on.push.branches must be exactly [main]"},
		{"missing file", "", func(t *testing.T, root string) {
			if err := os.Remove(filepath.Join(root, filepath.FromSlash(WorkflowDir), DriftWorkflow)); err != nil {
				t.Fatal(err)
			}
		}, "riskctl-drift.yml: missing"},
		{"not YAML", "", func(t *testing.T, root string) {
			if err := os.WriteFile(filepath.Join(root, filepath.FromSlash(WorkflowDir), DriftWorkflow), []byte("on: [\n"), 0o644); err != nil {
				t.Fatal(err)
			}
		}, "riskctl-drift.yml: not YAML"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root, _ := render(t, good, Settings{SpecDir: DefaultSpecDir, Branch: DefaultBranch})
			if r := Check(root, ""); !r.OK() {
				t.Fatalf("the good copy fails: %v", r.Problems)
			}
			tc.breakIt(t, root)
			r := Check(root, tc.specDir)
			var all []string
			for _, p := range r.Problems {
				all = append(all, p.String())
			}
			if len(all) == 0 || !strings.Contains(strings.Join(all, "\n"), tc.want) {
				t.Errorf("problems:\n%s\nwant one with %q", strings.Join(all, "\n"), tc.want)
			}
		})
	}
}

// riskctl's own workflows are the kit as shipped: --check says each
// still uses ./ (what a copy that was not pinned looks like).
func TestCheckRepositoryKit(t *testing.T) {
	r := Check(filepath.Join("..", ".."), "")
	if len(r.Problems) != 3 {
		t.Fatalf("problems %v, want the three uses: ./", r.Problems)
	}
	for _, p := range r.Problems {
		if !strings.Contains(p.Message, "uses: ./") {
			t.Errorf("unexpected problem %s", p)
		}
	}
}

// A workflow that is a symbolic link (to a FIFO, say) is not followed
// into a blocking read: safefile reads regular files only.
func TestCheckRefusesNonRegular(t *testing.T) {
	root, _ := render(t, Pin{Version: testSHA, Commit: testSHA}, Settings{SpecDir: DefaultSpecDir, Branch: DefaultBranch})
	p := filepath.Join(root, filepath.FromSlash(WorkflowDir), PRWorkflow)
	if err := os.Remove(p); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(p, 0o755); err != nil {
		t.Fatal(err)
	}
	r := Check(root, "")
	if len(r.Problems) != 1 || !strings.Contains(r.Problems[0].String(), "riskctl-pr.yml: cannot read") {
		t.Errorf("problems %v", r.Problems)
	}
}
