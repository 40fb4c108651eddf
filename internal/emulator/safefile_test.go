package emulator

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestStateThroughCommittedLinks: inside the working directory, a state
// directory (.riskctl) or state file that is a symbolic link, as a
// checkout may hold, is refused before anything is created through it.
func TestStateThroughCommittedLinks(t *testing.T) {
	for _, tc := range []struct{ name, link, target, want string }{
		{"linked directory", ".riskctl", "OUTSIDE", "its path goes through the symbolic link .riskctl"},
		{"linked file", ".riskctl/emulator.json", "OUTSIDE/victim.json", "is a symbolic link"},
		{"linked journal", ".riskctl/emulator.json.journal", "OUTSIDE/victim.json", "is a symbolic link"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			outside := t.TempDir()
			if err := os.WriteFile(filepath.Join(outside, "victim.json"), []byte("{}"), 0o644); err != nil {
				t.Fatal(err)
			}
			t.Chdir(t.TempDir())
			if err := os.MkdirAll(filepath.Dir(tc.link), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(strings.ReplaceAll(tc.target, "OUTSIDE", outside), tc.link); err != nil {
				t.Skipf("no symlinks here: %v", err)
			}
			e, err := New(Options{StatePath: filepath.Join(".riskctl", "emulator.json"), Accounts: []string{"0123456789abcdef0123456789abcdef"}})
			if err == nil {
				_ = e.Close()
				t.Fatal("the state was kept through a link")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want %q", err, tc.want)
			}
			entries, _ := os.ReadDir(outside)
			if len(entries) != 1 {
				t.Errorf("files made outside: %v", entries)
			}
			if data, _ := os.ReadFile(filepath.Join(outside, "victim.json")); string(data) != "{}" {
				t.Errorf("victim holds %q", data)
			}
		})
	}
}

// TestLockDirectorySwapped: the state directory swapped for a link to
// elsewhere (inside the working directory or out of it) after the path
// was checked and before the lock file is opened makes the open fail; no
// lock file is made through the link.
func TestLockDirectorySwapped(t *testing.T) {
	for _, target := range []string{"inside", "OUTSIDE"} {
		t.Run(target, func(t *testing.T) {
			outside := t.TempDir()
			t.Chdir(t.TempDir())
			for _, d := range []string{".riskctl", "inside"} {
				if err := os.Mkdir(d, 0o755); err != nil {
					t.Fatal(err)
				}
			}
			link := "inside"
			if target == "OUTSIDE" {
				link = outside
			}
			testHookBeforeLockOpen = func() {
				if err := os.Remove(".riskctl"); err != nil {
					t.Error(err)
				}
				if err := os.Symlink(link, ".riskctl"); err != nil {
					t.Error(err)
				}
			}
			t.Cleanup(func() { testHookBeforeLockOpen = nil })
			e, err := New(Options{StatePath: filepath.Join(".riskctl", "emulator.json"), Accounts: []string{"0123456789abcdef0123456789abcdef"}})
			if err == nil {
				_ = e.Close()
				t.Fatal("the lock was opened through a link swapped in after the check")
			}
			if !strings.Contains(err.Error(), "symbolic link .riskctl") {
				t.Errorf("error %v, want it to name the link .riskctl", err)
			}
			for _, d := range []string{"inside", outside} {
				if entries, _ := os.ReadDir(d); len(entries) != 0 {
					t.Errorf("made through the link in %s: %v", d, entries)
				}
			}
		})
	}
}
