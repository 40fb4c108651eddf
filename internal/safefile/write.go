package safefile

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Write saves data to path with permission bits perm, replacing a file
// already there. On error the temporary file is removed and path is as it
// was; the error names path. A symbolic link at path is itself replaced,
// never written through. Everything happens relative to path's directory,
// opened once (see the package documentation).
func Write(path string, data []byte, perm os.FileMode) error {
	dir, name := filepath.Split(path)
	return inDir(path, dir, func(root *os.Root) error { return writeIn(root, name, data, perm, true) })
}

// WriteNew saves data to path with permission bits perm, like Write, but
// only if nothing is at path: the whole file appears at once, or nothing
// does. The complete temporary file is hard-linked to path, which fails
// if path exists (a file, a directory or a symbolic link, even one that
// appeared since the caller looked): the error then satisfies
// errors.Is(err, fs.ErrExist) and path is left alone. The file system must
// support hard links.
func WriteNew(path string, data []byte, perm os.FileMode) error {
	dir, name := filepath.Split(path)
	return inDir(path, dir, func(root *os.Root) error { return writeIn(root, name, data, perm, false) })
}

// inDir opens dir as a root and runs write in it; errors name path.
func inDir(path, dir string, write func(*os.Root) error) error {
	if dir == "" {
		dir = "."
	}
	root, err := os.OpenRoot(dir)
	if err == nil {
		err = write(root)
		_ = root.Close()
	}
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

// writeIn writes data to a synced temporary file in root, then renames it
// over name (replace) or hard-links it to name, which must not exist. On
// error the temporary file is removed.
func writeIn(root *os.Root, name string, data []byte, perm os.FileMode, replace bool) (err error) {
	tmpName, tmp, err := createTemp(root, name)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = root.Remove(tmpName)
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
	if replace {
		// rename(2) replaces the entry name, a link included: it never
		// writes through one.
		if err = root.Rename(tmpName, name); err != nil {
			return err
		}
	} else {
		if err = root.Link(tmpName, name); err != nil {
			return err
		}
		// name now holds the data; the temporary name is only a second
		// link to it.
		_ = root.Remove(tmpName)
	}
	syncDir(root)
	return nil
}

// createTemp creates "."+name+".tmp-" and random digits in root, never
// through an existing file or link (O_EXCL).
func createTemp(root *os.Root, name string) (string, *os.File, error) {
	for range 100 {
		var b [8]byte
		_, _ = rand.Read(b[:])
		// Digits only, as os.CreateTemp names them: the emulator's
		// clean-up recognises its temp files by that.
		n := uint64(0)
		for _, c := range b {
			n = n<<8 | uint64(c)
		}
		tmpName := fmt.Sprintf(".%s.tmp-%d", name, n%1_000_000_000_000)
		f, err := root.OpenFile(tmpName, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		return tmpName, f, err
	}
	return "", nil, fmt.Errorf("cannot create a temporary file for %s", name)
}

// syncDir makes a rename durable; best effort, some systems refuse to
// fsync a directory.
func syncDir(root *os.Root) {
	if d, err := root.Open("."); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
}
