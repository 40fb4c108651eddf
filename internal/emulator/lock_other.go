//go:build (!unix && !windows) || aix

package emulator

import (
	"fmt"
	"os"
	"runtime"
)

// lockOpenFlag: no O_NOFOLLOW here; nothing is locked anyway.
const lockOpenFlag = 0

// tryLock fails: this GOOS has no flock (AIX: golang.org/x/sys/unix has no
// Flock there, and fcntl locks are per process, so two emulators of one
// process would not exclude each other), and the emulator does not share a
// state file without a lock. The emulator works without Options.StatePath.
func tryLock(*os.File) (busy bool, err error) {
	return false, fmt.Errorf("state locking is not supported on %s; run the emulator without a state file (no --state; for --emulate, use another OS)", runtime.GOOS)
}

func unlock(*os.File) {}
