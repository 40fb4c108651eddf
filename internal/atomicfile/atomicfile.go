// Package atomicfile writes a file so that it is either the old file or
// the whole new one, never a part: a temporary file in the same directory,
// synced, then renamed over the target. riskctl writes saved plans and
// formatted specs this way, so an interrupted run loses nothing.
package atomicfile

import (
	"fmt"
	"os"
	"path/filepath"
)

// Write saves data to path with permission bits perm, replacing a file
// already there. On error the temporary file is removed and path is as it
// was; the error names path.
func Write(path string, data []byte, perm os.FileMode) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
			err = fmt.Errorf("writing %s: %w", path, err)
		}
	}()
	if err = tmp.Chmod(perm); err != nil {
		return err
	}
	if _, err = tmp.Write(data); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
