package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestImportDirSwappedAfterCheck: -o DIR is checked, then swapped for a
// symbolic link to a directory outside before anything is written (as a
// concurrent process could). Nothing is written outside DIR: the write is
// carried out relative to directories it opened and checked itself, so
// the swap makes it fail instead of follow the link.
func TestImportDirSwappedAfterCheck(t *testing.T) {
	for _, tc := range []struct{ name, out, swap string }{
		{name: "out", out: "out", swap: "out"},
		{name: "a directory above out", out: "a/out", swap: "a"},
		{name: "absolute", out: "WORK/a/out", swap: "a"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			work, elsewhere := filepath.Join(dir, "work"), filepath.Join(dir, "elsewhere")
			for _, d := range []string{filepath.Join(work, tc.out), elsewhere, filepath.Join(elsewhere, "out")} {
				if err := os.MkdirAll(strings.ReplaceAll(d, filepath.Join(work, "WORK"), work), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			testHookBeforeWrite = func() {
				swapped := filepath.Join(work, tc.swap)
				if err := os.RemoveAll(swapped); err != nil {
					t.Error(err)
				}
				if err := os.Symlink(elsewhere, swapped); err != nil {
					t.Error(err)
				}
			}
			t.Cleanup(func() { testHookBeforeWrite = nil })
			out := strings.ReplaceAll(tc.out, "WORK", work)
			code, _, errOut := runImport(t, work, stateOf("https://a.okta.com", importAccount, importAccount2), "-", "-o", out, "--force")
			if code == ExitOK || !strings.Contains(errOut, "symbolic link") {
				t.Errorf("exit %d, stderr:\n%s\nwant a refusal naming the link", code, errOut)
			}
			if got := listFiles(t, elsewhere); len(got) != 0 {
				t.Errorf("written outside DIR: %v", got)
			}
		})
	}
}

// TestImportHandoffIsTheState: --handoff naming the state file being
// imported, by any spelling, is refused before anything is written, even
// with --force: the one rule of safefile.CheckTargets (not the same file
// as an input).
func TestImportHandoffIsTheState(t *testing.T) {
	dir := t.TempDir()
	state := stateOf("https://a.okta.com", importAccount)
	writeTestFile(t, filepath.Join(dir, "state.json"), state)
	for _, handoff := range []string{"state.json", "./state.json", filepath.Join(dir, "state.json")} {
		code, out, errOut := runImport(t, dir, "", "state.json", "--handoff", handoff, "--force")
		if code != ExitInvalid || !strings.Contains(errOut, "is the state file state.json: refusing to overwrite an input") || out != "" {
			t.Errorf("--handoff %s: exit %d, stdout %q, stderr %q", handoff, code, out, errOut)
		}
		if data, _ := os.ReadFile(filepath.Join(dir, "state.json")); string(data) != state {
			t.Fatalf("the state file was overwritten: %q", data)
		}
	}
}
