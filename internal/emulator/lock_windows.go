//go:build windows

package emulator

import (
	"errors"
	"os"

	"golang.org/x/sys/windows"
)

// lockOpenFlag: Windows has no O_NOFOLLOW; openLockFile still refuses what
// is not a regular file, and acquireStateLock what does not hold a PID.
const lockOpenFlag = 0

// lockOffsetHigh places the locked byte far beyond any data (at offset
// 0x7fffffff<<32, as bbolt does): LockFileEx locks are mandatory, so a
// lock on byte 0 would keep other processes from reading the PID the file
// records (StateInUseError.PID).
const lockOffsetHigh = 0x7fffffff

// tryLock takes an exclusive lock on one byte of f without waiting (the
// Windows equivalent of flock; released when the handle closes): busy when
// another handle holds it.
func tryLock(f *os.File) (busy bool, err error) {
	ol := windows.Overlapped{OffsetHigh: lockOffsetHigh}
	err = windows.LockFileEx(windows.Handle(f.Fd()),
		windows.LOCKFILE_EXCLUSIVE_LOCK|windows.LOCKFILE_FAIL_IMMEDIATELY, 0, 1, 0, &ol)
	if errors.Is(err, windows.ERROR_LOCK_VIOLATION) {
		return true, nil
	}
	return false, err
}

func unlock(f *os.File) {
	ol := windows.Overlapped{OffsetHigh: lockOffsetHigh}
	_ = windows.UnlockFileEx(windows.Handle(f.Fd()), 0, 1, 0, &ol)
}
