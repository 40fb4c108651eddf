package kitinit

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "copy the kit's workflows from .github/workflows into kit/")

const (
	testSHA  = "0123456789abcdef0123456789abcdef01234567"
	testSHA2 = "89abcdef0123456789abcdef0123456789abcdef"
)

// The embedded copy is the repository's workflows, byte for byte: the
// repository's files are the one source (go test -update copies them).
func TestKitCopyIsCurrent(t *testing.T) {
	for _, name := range Workflows {
		src := filepath.Join("..", "..", ".github", "workflows", name)
		want, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		dst := filepath.Join("kit", name)
		if *update {
			if err := os.WriteFile(dst, want, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := kitFS.ReadFile("kit/" + name)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("internal/kitinit/%s differs from %s: run go test ./internal/kitinit -update", dst, src)
		}
	}
}

func TestResolvePin(t *testing.T) {
	for _, tc := range []struct {
		name, version, build, flag string
		want                       Pin
		err                        string
	}{
		{"release build", "v0.2.0", testSHA, "", Pin{Version: "v0.2.0", Commit: testSHA, Release: true}, ""},
		{"release candidate", "v0.2.0-rc.1", testSHA, "", Pin{Version: "v0.2.0-rc.1", Commit: testSHA, Release: true}, ""},
		{"dev build", "dev", testSHA, "", Pin{Version: testSHA, Commit: testSHA}, ""},
		{"pseudo-version is no release", "v0.0.0-20260330174726-0123456789ab", testSHA, "", Pin{Version: testSHA, Commit: testSHA}, ""},
		{"snapshot is no release", "v0.1.1-next", testSHA, "", Pin{Version: testSHA, Commit: testSHA}, ""},
		{"unknown commit", "dev", "", "", Pin{}, "does not know the commit"},
		{"release without commit", "v0.2.0", "", "", Pin{}, "does not know the commit of its release: pass --commit <full SHA of v0.2.0> (git ls-remote https://github.com/riskctl/riskctl v0.2.0)"},
		{"dirty", "dev", testSHA + "-dirty", "", Pin{}, "modified tree"},
		{"short commit", "dev", "0123abc", "", Pin{}, "not a full commit SHA"},
		{"flag over dirty", "dev", testSHA + "-dirty", testSHA2, Pin{Version: testSHA2, Commit: testSHA2}, ""},
		{"flag for a release without commit", "v0.2.0", "", testSHA2, Pin{Version: "v0.2.0", Commit: testSHA2, Release: true}, ""},
		{"bad flag", "dev", testSHA, "v0.2.0", Pin{}, "--commit"},
		{"upper-case flag", "dev", testSHA, strings.ToUpper(testSHA), Pin{}, "--commit"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ResolvePin(tc.version, tc.build, tc.flag)
			var pe *PinError
			switch {
			case tc.err != "" && (err == nil || !errors.As(err, &pe) || !strings.Contains(err.Error(), tc.err)):
				t.Fatalf("err = %v, want a *PinError with %q", err, tc.err)
			case tc.err == "" && err != nil:
				t.Fatal(err)
			case got != tc.want:
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

// render writes the rendered kit into a temporary repository.
func render(t *testing.T, p Pin, s Settings) (root string, files map[string][]byte) {
	t.Helper()
	files, err := Render(p, s)
	if err != nil {
		t.Fatal(err)
	}
	root = t.TempDir()
	dir := filepath.Join(root, filepath.FromSlash(WorkflowDir))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root, files
}

// Render changes the known places and nothing else, and its output passes
// --check with the values it was given.
func TestRenderRewritesEveryPlace(t *testing.T) {
	p := Pin{Version: "v0.2.0", Commit: testSHA, Release: true}
	s := Settings{SpecDir: "infra/risk", Branch: "trunk"}
	root, files := render(t, p, s)
	for _, name := range Workflows {
		got := string(files[name])
		for _, gone := range []string{"uses: ./\n", `"riskscoring/**"`, "RISKCTL_SPEC_DIR: riskscoring\n", "RISKCTL_VERSION: v0.1.0", "if: github.repository != 'riskctl/riskctl'", "branches: [main]"} {
			if strings.Contains(got, gone) {
				t.Errorf("%s still holds %q", name, gone)
			}
		}
		if n := strings.Count(got, "uses: riskctl/riskctl@"+testSHA+" # v0.2.0\n"); n != 1 {
			t.Errorf("%s: %d pinned setup actions, want 1", name, n)
		}
		// Only the known lines differ from the kit: the same number of
		// lines, less the three of the guard in the drift workflow.
		kit, _ := kitFS.ReadFile("kit/" + name)
		kitLines, gotLines := strings.Split(string(kit), "\n"), strings.Split(got, "\n")
		removed := 0
		if name == DriftWorkflow {
			removed = 3
		}
		if len(kitLines)-removed != len(gotLines) {
			t.Errorf("%s: %d lines, want %d", name, len(gotLines), len(kitLines)-removed)
		}
	}
	r := Check(root, "infra/risk")
	if !r.OK() {
		t.Fatalf("rendered kit fails --check: %v", r.Problems)
	}
	if r.Version != "v0.2.0" || r.SpecDir != "infra/risk" || r.Branch != "trunk" || len(r.Commits) != 1 || r.Commits[0] != testSHA {
		t.Errorf("check result %+v", r)
	}
}

// A build that is no release pins RISKCTL_VERSION to its commit and says
// in the comment that it is not a release.
func TestRenderDevPin(t *testing.T) {
	files, err := Render(Pin{Version: testSHA, Commit: testSHA}, Settings{SpecDir: DefaultSpecDir, Branch: DefaultBranch})
	if err != nil {
		t.Fatal(err)
	}
	got := string(files[PRWorkflow])
	if !strings.Contains(got, "  RISKCTL_VERSION: "+testSHA+"\n") || !strings.Contains(got, "uses: riskctl/riskctl@"+testSHA+" # a riskctl commit, not a release\n") {
		t.Errorf("dev pin not written:\n%s", got)
	}
}

func TestRenderRefusesBadSettings(t *testing.T) {
	p := Pin{Version: testSHA, Commit: testSHA}
	for _, s := range []Settings{
		{SpecDir: "", Branch: "main"},
		{SpecDir: "../x", Branch: "main"},
		{SpecDir: "/abs", Branch: "main"},
		{SpecDir: ".hidden", Branch: "main"},
		{SpecDir: "a b", Branch: "main"},
		{SpecDir: `x"**`, Branch: "main"},
		{SpecDir: "x\n  evil: 1", Branch: "main"},
		{SpecDir: "riskscoring", Branch: "a]b"},
		{SpecDir: "riskscoring", Branch: "a..b"},
		{SpecDir: "riskscoring", Branch: ""},
	} {
		if _, err := Render(p, s); err == nil {
			t.Errorf("Render(%+v) succeeded", s)
		}
	}
	if _, err := Render(Pin{Version: "v1.0.0", Commit: "abc", Release: true}, Settings{SpecDir: "r", Branch: "main"}); err == nil {
		t.Error("Render took a short commit")
	}
}
