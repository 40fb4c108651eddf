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
// was; the error names path. A symbolic link at path is itself replaced,
// never written through.
func Write(path string, data []byte, perm os.FileMode) error {
	return write(path, data, perm, os.Rename)
}

// WriteNew saves data to path with permission bits perm, like Write, but
// only if nothing is at path: the whole file appears at once, or nothing
// does. The complete temporary file is hard-linked to path, which fails
// if path exists (a file, a directory or a symbolic link, even one that
// appeared since the caller looked): the error then satisfies
// errors.Is(err, fs.ErrExist) and path is left alone. The file system must
// support hard links.
func WriteNew(path string, data []byte, perm os.FileMode) error {
	return write(path, data, perm, func(tmp, path string) error {
		if err := os.Link(tmp, path); err != nil {
			return err
		}
		// path now holds the data; the temporary name is only a second
		// link to it.
		_ = os.Remove(tmp)
		return nil
	})
}

// write writes data to a synced temporary file in path's directory, then
// moves it to path with place. On error the temporary file is removed.
func write(path string, data []byte, perm os.FileMode, place func(tmp, path string) error) (err error) {
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
	return place(tmp.Name(), path)
}
