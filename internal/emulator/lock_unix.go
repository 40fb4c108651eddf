//go:build unix && !aix

package emulator

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// lockOpenFlag makes opening the lock file fail on a symbolic link, so
// that a link planted at NAME.lock cannot get its target written.
const lockOpenFlag = unix.O_NOFOLLOW

// tryLock takes an exclusive flock on f without waiting: busy when another
// open file description holds it. golang.org/x/sys/unix has Flock on every
// unix but AIX (lock_other.go), Solaris and illumos included.
func tryLock(f *os.File) (busy bool, err error) {
	err = unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
	if errors.Is(err, unix.EWOULDBLOCK) || errors.Is(err, unix.EINTR) {
		return true, nil
	}
	return false, err
}

func unlock(f *os.File) { _ = unix.Flock(int(f.Fd()), unix.LOCK_UN) }
