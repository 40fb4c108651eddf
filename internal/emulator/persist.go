package emulator

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
)

// Save writes the whole state to Options.StatePath now. It is a no-op
// without a StatePath.
func (e *Emulator) Save() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.saveLocked()
}

func (e *Emulator) saveLocked() error {
	if e.opts.StatePath == "" {
		return nil
	}
	data, err := json.MarshalIndent(e.st, "", "  ")
	if err != nil {
		return fmt.Errorf("emulator: encode state: %w", err)
	}
	if err := writeFileAtomic(e.opts.StatePath, append(data, '\n')); err != nil {
		return fmt.Errorf("emulator: save state to %s: %w", e.opts.StatePath, err)
	}
	return nil
}

// commitLocked saves after a write. A failed save is answered 500: the
// change is in memory but would be lost on restart, so the caller must not
// believe it succeeded.
func (e *Emulator) commitLocked() *reply {
	err := e.saveLocked()
	if err == nil {
		return nil
	}
	if e.opts.Logf != nil {
		e.opts.Logf("%v", err)
	}
	rp := failf(http.StatusInternalServerError, codeServerErrorMin+http.StatusInternalServerError, "Internal Server Error: the emulator could not save its state")
	return &rp
}

// writeFileAtomic replaces path with data so that a crash leaves either the
// old or the new file, never a torn one: temp file in the same directory
// (rename is only atomic within a file system), fsync, rename.
func writeFileAtomic(path string, data []byte) (err error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	// Make the rename itself durable; best effort, some systems refuse
	// to fsync a directory.
	if d, derr := os.Open(dir); derr == nil {
		_ = d.Sync()
		_ = d.Close()
	}
	return nil
}

// loadState reads a state file. A missing file is a fresh state; anything
// unreadable is an error naming the file, never silently discarded.
func loadState(path string) (*state, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return newState(), nil
	}
	if err != nil {
		return nil, fmt.Errorf("emulator: load state %s: %w", path, err)
	}
	var st state
	if err := json.Unmarshal(data, &st); err != nil {
		return nil, fmt.Errorf("emulator: load state %s: %w", path, err)
	}
	if st.Version != stateVersion {
		return nil, fmt.Errorf("emulator: load state %s: unsupported version %d (want %d)", path, st.Version, stateVersion)
	}
	if st.Accounts == nil {
		st.Accounts = map[string]*account{}
	}
	for id, a := range st.Accounts {
		if a == nil {
			return nil, fmt.Errorf("emulator: load state %s: account %q is null", path, id)
		}
		a.normalize()
	}
	return &st, nil
}
