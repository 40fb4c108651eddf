//go:build (!unix && !windows) || aix

package emulator

import (
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestStateLockingUnsupported: without flock, a state file is refused with
// an error that says why, rather than shared without a lock.
func TestStateLockingUnsupported(t *testing.T) {
	_, err := New(Options{StatePath: filepath.Join(t.TempDir(), "state.json")})
	want := "state locking is not supported on " + runtime.GOOS
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("error %v, want %q", err, want)
	}
}
