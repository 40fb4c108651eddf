package emulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/riskctl/riskctl/internal/safefile"
)

// Save writes the whole state to Options.StatePath now and empties its
// journal (compaction, journal.go). Writes are durable without it, in the
// journal; Save keeps the journal short and the state file complete. It is
// a no-op without a StatePath.
func (e *Emulator) Save() error {
	if j := e.journal; j != nil {
		j.flushMu.Lock()
		defer j.flushMu.Unlock()
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.compactLocked()
}

func (e *Emulator) saveLocked() error {
	if e.opts.StatePath == "" {
		return nil
	}
	if e.closed {
		return fmt.Errorf("save state to %s: the emulator is closed", e.opts.StatePath)
	}
	// We hold the state file's lock, so no temp file next to it can be
	// another writer's: whatever this save leaves, or an earlier one
	// left, goes, whether it succeeds or not.
	defer removeStaleTemps(e.opts.StatePath)
	data, err := e.encodeStateLocked()
	if err != nil {
		return err
	}
	if err := writeFileAtomic(e.opts.StatePath, append(data, '\n')); err != nil {
		return fmt.Errorf("save state to %s: %w", e.opts.StatePath, err)
	}
	return nil
}

// stateSaveBytes is the most a saved state file holds: an eighth under
// maxStateBytes, the most the next start reads, so that a state saved now
// always loads again.
var stateSaveBytes = maxStateBytes - maxStateBytes/8

// encodeStateLocked is the state file's content. The audit logs are what
// grows without the integrations' caps (each account keeps up to
// Options.MaxAuditEntries entries, and there may be many accounts): while
// the encoding is over stateSaveBytes, each account's older half of its
// audit log is dropped, in memory too, as a retention limit would. If the
// rest is still too large, the save fails rather than write a state file
// the next start would refuse.
func (e *Emulator) encodeStateLocked() ([]byte, error) {
	for {
		data, err := json.MarshalIndent(e.st, "", "  ")
		if err != nil {
			return nil, fmt.Errorf("encode state: %w", err)
		}
		if len(data) < stateSaveBytes {
			return data, nil
		}
		dropped := false
		for _, a := range e.st.Accounts {
			if n := len(a.Audit); n > 0 {
				a.Audit = slices.Delete(a.Audit, 0, (n+1)/2)
				dropped = true
			}
		}
		if !dropped {
			return nil, fmt.Errorf("save state to %s: %d bytes, more than the %d a state file may hold; delete accounts or integrations, or start from a new state file", e.opts.StatePath, len(data), stateSaveBytes)
		}
	}
}

// tempPrefix is how writeFileAtomic names its temp files: os.CreateTemp
// replaces the "*" of tempPrefix(path)+"*" with a random decimal number.
func tempPrefix(path string) string { return "." + filepath.Base(path) + ".tmp-" }

// isTempOf reports whether name, a file name in path's directory, is one
// of path's temp files: the exact prefix, then digits only, as
// os.CreateTemp writes them. Nothing else matches, not even the temp files
// of another state file whose name starts with path's ("a.json.tmp-x"'s
// are ".a.json.tmp-x.tmp-123", not ".a.json.tmp-123").
func isTempOf(path, name string) bool {
	suffix, ok := strings.CutPrefix(name, tempPrefix(path))
	if !ok || suffix == "" {
		return false
	}
	for i := 0; i < len(suffix); i++ {
		if suffix[i] < '0' || suffix[i] > '9' {
			return false
		}
	}
	return true
}

// removeStaleTemps removes the temp files of path's saves (a crash between
// create and rename leaves one). Only call it holding the state lock.
// Best effort: a file that cannot be removed is left for the next call.
// The directory is listed, not globbed: a file name is compared as bytes,
// whatever glob metacharacters (or Windows separators) it holds.
func removeStaleTemps(path string) {
	dir := filepath.Dir(path)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, ent := range entries {
		if !ent.Type().IsRegular() || !isTempOf(path, ent.Name()) {
			continue
		}
		_ = os.Remove(filepath.Join(dir, ent.Name()))
	}
}

// commitLocked records the write the handler of c has just applied in the
// audit log (audit.go) and queues its journal record; ServeHTTP answers only once it is on disk (syncJournal).
// A record that cannot be queued is answered 500 at once: the change is
// in memory but would be lost on restart, so the caller must not believe
// it succeeded.
func (e *Emulator) commitLocked(c *call, rec record) *reply {
	// The write's audit entries ride in its own record: on disk together
	// or not at all.
	rec.Audit = e.auditLocked(c, rec)
	seq, err := e.appendLocked(c.account, rec)
	if err != nil {
		if e.opts.Logf != nil {
			e.opts.Logf("%v", err)
		}
		rp := saveFailed()
		return &rp
	}
	c.seq = seq
	return nil
}

// saveFailed is the answer to a write whose change could not be saved.
func saveFailed() reply {
	return failf(http.StatusInternalServerError, codeServerErrorMin+http.StatusInternalServerError, "Internal Server Error: the emulator could not save its state")
}

// writeFileAtomic replaces path with data so that a crash leaves either the
// old or the new file, never a torn one (a temp file in the same
// directory, fsync, rename, all relative to the directory opened once).
// The temp file is named tempPrefix(path) and digits. Inside the working
// directory no link is followed on the way (safefile.WriteTarget); a path
// outside it is the user's, links and all (safefile.Write).
func writeFileAtomic(path string, data []byte) error {
	if safefile.InWorkingDir(path) {
		// Through no link, even one swapped in since acquireStateLock
		// checked (safefile.WriteTarget).
		return safefile.WriteTarget(path, data, 0o600, true)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return safefile.Write(path, data, 0o600)
}

// maxStateBytes bounds the state file loadState reads: 64 MiB holds
// DefaultMaxAccounts accounts of thousands of integrations and users each,
// far more than a test or a demo makes. The file sits in a checkout
// (.riskctl/emulator.json), so it may be a link to /dev/zero, a FIFO or a
// padded file: safefile's bounded read refuses each before reading it.
const maxStateBytes = 64 << 20

// loadState reads a state file. A missing file is a fresh state; anything
// unreadable is an error naming the file, never silently discarded.
func loadState(path string) (*state, error) {
	data, err := safefile.Read(path, maxStateBytes)
	if errors.Is(err, fs.ErrNotExist) {
		return newState(), nil
	}
	if err != nil {
		return nil, fmt.Errorf("load state %s: %w", path, safefile.Reason(err))
	}
	var st state
	// Strict: a misspelt field in a hand-edited file is an error, not a
	// silently lost value.
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&st); err != nil {
		return nil, fmt.Errorf("load state %s: %w", path, err)
	}
	var extra json.RawMessage
	if err := dec.Decode(&extra); err != io.EOF {
		return nil, fmt.Errorf("load state %s: unexpected data after the JSON object", path)
	}
	if st.Version != stateVersion {
		return nil, fmt.Errorf("load state %s: unsupported version %d (want %d)", path, st.Version, stateVersion)
	}
	if st.Accounts == nil {
		st.Accounts = map[string]*account{}
	}
	for id, a := range st.Accounts {
		if a == nil {
			return nil, fmt.Errorf("load state %s: account %q is null", path, id)
		}
	}
	// Checked before normalize sorts the integrations, so that an index in
	// an error is the position in the file.
	if err := checkState(&st, path); err != nil {
		return nil, fmt.Errorf("load state %s: %w", path, err)
	}
	for _, a := range st.Accounts {
		a.normalize()
	}
	return &st, nil
}

// lockWait is how long New waits for another process to release the state
// file before giving up; lockPoll is how often it retries. Tests shorten it.
var (
	lockWait = 2 * time.Second
	lockPoll = 50 * time.Millisecond
)

// ErrStateInUse is matched (errors.Is) by the error of New when another
// emulator holds the state file.
var ErrStateInUse = errors.New("emulator state file is in use")

// StateInUseError is the error of New when another emulator, in this or
// another process, holds the lock of the state file. PID is the holder's
// process id as recorded in the lock file, 0 if unknown.
type StateInUseError struct {
	Path string
	PID  int
}

func (e *StateInUseError) Error() string {
	holder := "another process"
	if e.PID > 0 {
		holder = "process " + strconv.Itoa(e.PID)
	}
	return fmt.Sprintf("emulator state file %s is in use by %s (another riskctl --emulate or emulator serve); wait for it or use --emulator-state", e.Path, holder)
}

func (e *StateInUseError) Is(target error) bool { return target == ErrStateInUse }

// lockPath is the sidecar file whose advisory lock makes one emulator the
// only writer of a state file. It is not the state file itself: the atomic
// rename replaces that inode on every save, and a lock on the old one would
// protect nothing.
func lockPath(statePath string) string { return statePath + ".lock" }

// acquireStateLock takes an exclusive lock (flock, or LockFileEx on Windows) on the state file's lock file,
// retrying for up to lockWait, and records our PID in it. The lock belongs
// to the open file description, so it conflicts within one process too, and
// the kernel drops it when the process dies: a crash leaves no stale lock.
// The lock file itself is left in place on release: removing it would let a
// waiter lock an unlinked inode while a newcomer locks a fresh one.
func acquireStateLock(statePath string) (*os.File, error) {
	// A state path that is a device or a FIFO (--state /dev/zero) is
	// refused before a lock file is made beside it (/dev/zero.lock);
	// loadState checks again, on what it opens.
	if fi, err := os.Stat(statePath); err == nil && !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("load state %s: %w", statePath, &safefile.NotRegularError{Mode: fi.Mode()})
	}
	// Inside the working directory, where a checkout's committed links are
	// (a .riskctl that links elsewhere), the state file and its lock are
	// created and replaced through no link: safefile's output-target rule.
	if safefile.InWorkingDir(statePath) {
		if err := safefile.CheckTargets([]string{statePath, lockPath(statePath), journalPath(statePath)}, nil, true); err != nil {
			return nil, fmt.Errorf("emulator state: %w; riskctl keeps its state in a regular file", err)
		}
	}
	if testHookBeforeLockOpen != nil {
		testHookBeforeLockOpen()
	}
	f, err := openLockFile(lockPath(statePath))
	if err != nil {
		return nil, fmt.Errorf("lock state %s: %w", statePath, err)
	}
	deadline := time.Now().Add(lockWait)
	for {
		busy, err := tryLock(f)
		if err != nil {
			_ = f.Close()
			return nil, fmt.Errorf("lock state %s: %w", statePath, err)
		}
		if !busy {
			break
		}
		if !time.Now().Before(deadline) {
			_ = f.Close()
			return nil, &StateInUseError{Path: statePath, PID: lockHolder(lockPath(statePath))}
		}
		time.Sleep(lockPoll)
	}
	// Ours now: record who holds it, for the error of the next one; but
	// only over what a lock file holds (nothing, or a PID), so that a file
	// planted there (a hard link to another file, say) is never clobbered.
	if err := checkLockContent(f); err != nil {
		unlock(f)
		_ = f.Close()
		return nil, fmt.Errorf("lock state %s: %w", statePath, err)
	}
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return f, nil
}

// testHookBeforeLockOpen, when set, runs between the check of the lock
// file's path and its open: tests swap a directory for a link there.
var testHookBeforeLockOpen func()

// openLockFile opens (creating it, and its directory) the lock file,
// refusing anything but a regular file (openRegular).
func openLockFile(path string) (*os.File, error) { return openRegular(path, "lock file", 0o644) }

// openRegular opens (creating it, and its directory) the lock file or the
// journal (what names it) with perm, refusing anything but a regular file. Inside
// the working directory it is opened as safefile.OpenTarget opens, through
// no link on the way, even one swapped in since acquireStateLock checked;
// outside it, links on the way are the user's, and only the file itself
// must not be a link (on unix, where O_NOFOLLOW exists: lockOpenFlag).
func openRegular(path, what string, perm os.FileMode) (*os.File, error) {
	var f *os.File
	var err error
	if safefile.InWorkingDir(path) {
		f, err = safefile.OpenTarget(path, perm)
	} else if err = os.MkdirAll(filepath.Dir(path), 0o755); err == nil {
		f, err = os.OpenFile(path, os.O_RDWR|os.O_CREATE|lockOpenFlag, perm)
	}
	if err != nil {
		var link *safefile.LinkError
		if errors.As(err, &link) && !link.IsTarget() {
			return nil, err
		}
		if fi, lerr := os.Lstat(path); lerr == nil && fi.Mode()&fs.ModeSymlink != 0 {
			return nil, fmt.Errorf("%s %s is a symbolic link: riskctl only uses a regular file there; remove it", what, path)
		}
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		_ = f.Close()
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		_ = f.Close()
		return nil, fmt.Errorf("%s %s is not a regular file (%v): riskctl only uses a regular file there; remove it", what, path, fi.Mode().Type())
	}
	return f, nil
}

// maxLockFileBytes bounds what a lock file of ours can hold: a PID line.
const maxLockFileBytes = 32

// checkLockContent refuses a lock file holding something other than what
// acquireStateLock writes (nothing, or a PID and a newline).
func checkLockContent(f *os.File) error {
	buf := make([]byte, maxLockFileBytes+1)
	n, err := f.ReadAt(buf, 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	text := strings.TrimSpace(string(buf[:n]))
	if _, perr := strconv.Atoi(text); n <= maxLockFileBytes && (text == "" || perr == nil) {
		return nil
	}
	return fmt.Errorf("lock file %s holds data that is not a process id, so it is not riskctl's: move it away", f.Name())
}

// lockHolder reads the PID a lock file records, 0 if it holds none (yet).
func lockHolder(path string) int {
	// Bounded: the path may have become a FIFO or a device since it was
	// opened for the lock.
	data, err := safefile.Read(path, maxLockFileBytes)
	if err != nil {
		return 0
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil || pid <= 0 {
		return 0
	}
	return pid
}

// releaseStateLock drops the lock (closing the descriptor releases it).
func releaseStateLock(f *os.File) error {
	if f == nil {
		return nil
	}
	unlock(f)
	return f.Close()
}
