//go:build unix && !aix

package emulator

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// TestLockFileIsNotFollowed: a symbolic link planted at NAME.lock is not
// followed (its target keeps its content), and a named pipe there is
// refused: the lock file must be a regular file.
func TestLockFileIsNotFollowed(t *testing.T) {
	dir := t.TempDir()
	statePath := filepath.Join(dir, "state.json")
	victim := filepath.Join(dir, "victim")
	if err := os.WriteFile(victim, []byte("12\n"), 0o644); err != nil { // looks like a PID, even
		t.Fatal(err)
	}
	if err := os.Symlink(victim, lockPath(statePath)); err != nil {
		t.Fatal(err)
	}
	e, err := New(Options{StatePath: statePath})
	if err == nil {
		_ = e.Close()
		t.Fatal("a symbolic link was used as the lock file")
	}
	if !strings.Contains(err.Error(), "is a symbolic link") {
		t.Errorf("error %v", err)
	}
	if data, _ := os.ReadFile(victim); string(data) != "12\n" {
		t.Errorf("the link's target now holds %q", data)
	}

	if err := os.Remove(lockPath(statePath)); err != nil {
		t.Fatal(err)
	}
	if err := unix.Mkfifo(lockPath(statePath), 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	if _, err := New(Options{StatePath: statePath}); err == nil || !strings.Contains(err.Error(), "is not a regular file") {
		t.Errorf("named pipe: %v", err)
	}
}
