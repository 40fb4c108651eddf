package safefile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// NotRegularError refuses a file that is not a regular file: a read of a
// named pipe blocks, a device such as /dev/zero never ends.
type NotRegularError struct {
	Mode fs.FileMode
}

func (e *NotRegularError) Error() string {
	what := "not a regular file"
	switch m := e.Mode; {
	case m.IsDir():
		what = "a directory, not a file"
	case m&fs.ModeNamedPipe != 0:
		what = "a named pipe (FIFO), not a regular file"
	case m&fs.ModeSocket != 0:
		what = "a socket, not a regular file"
	case m&fs.ModeDevice != 0:
		what = "a device, not a regular file"
	}
	return "it is " + what
}

// TooLargeError refuses a file larger than the limit its reader allows.
type TooLargeError struct {
	Limit int64
}

func (e *TooLargeError) Error() string {
	return "it is larger than the limit of " + size(e.Limit)
}

// size spells a byte count as a reader would: "16 MiB", or bytes when it
// is not a whole number of KiB or MiB.
func size(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// ErrEscapes is the Err of a read refused because a symbolic link on the
// way leaves the root (ReadConfined, ReadIn). os.Root counts an absolute
// link as leaving, wherever it points: its target depends on where the
// tree is checked out.
var ErrEscapes = errors.New("a symbolic link on its path leaves the directory it is read from (or is absolute)")

// Read reads the regular file at path, at most limit bytes (see the
// package documentation). Symbolic links are followed: the caller named
// path.
func Read(path string, limit int64) ([]byte, error) {
	return read(path, limit, os.Stat, func(flag int) (*os.File, error) { return os.OpenFile(path, flag, 0) })
}

// ReadIn reads the regular file name inside root, at most limit bytes; a
// symbolic link that leaves root is refused unread (ErrEscapes).
func ReadIn(root *os.Root, name string, limit int64) ([]byte, error) {
	data, err := read(name, limit, root.Stat, func(flag int) (*os.File, error) { return root.OpenFile(name, flag, 0) })
	return data, escapes(err)
}

// ReadConfined reads path through a root: the working directory when
// path lies inside it, else path's own directory (see the package
// documentation). Errors name path as given.
func ReadConfined(path string, limit int64) ([]byte, error) {
	dir, name := confine(path)
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: path, Err: Reason(err)}
	}
	defer root.Close()
	data, err := ReadIn(root, name, limit)
	var pe *fs.PathError
	if errors.As(err, &pe) {
		pe.Path = path
	}
	return data, err
}

// InWorkingDir reports whether path lies inside the working directory
// (an absolute path is made relative first): where a checkout's
// committed links are.
func InWorkingDir(path string) bool {
	_, ok := workingDirPath(path)
	return ok
}

// workingDirPath returns path relative to the working directory, and
// whether it lies inside it.
func workingDirPath(path string) (string, bool) {
	local := path
	if filepath.IsAbs(path) {
		if wd, err := os.Getwd(); err == nil {
			if rel, err := filepath.Rel(wd, path); err == nil {
				local = rel
			}
		}
	}
	return local, filepath.IsLocal(local)
}

// confine splits path into the root to open and the name inside it.
func confine(path string) (dir, name string) {
	if local, ok := workingDirPath(path); ok {
		return ".", local
	}
	return filepath.Dir(path), filepath.Base(path)
}

// escapes turns os.Root's refusal of a link that leaves it into
// ErrEscapes, which says it in words a user reads.
func escapes(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) && pe.Err.Error() == "path escapes from parent" {
		pe.Err = ErrEscapes
	}
	return err
}

// Reason is err without the path a *fs.PathError repeats, for a caller
// that names the file itself.
func Reason(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func read(path string, limit int64, stat func(string) (fs.FileInfo, error), open func(flag int) (*os.File, error)) ([]byte, error) {
	info, err := stat(path)
	if err != nil {
		return nil, err
	}
	if err := check(info, limit); err != nil {
		return nil, &fs.PathError{Op: "read", Path: path, Err: err}
	}
	// O_NONBLOCK: if a FIFO was swapped in since the stat, the open
	// returns at once instead of waiting for a writer; the fstat below
	// refuses it. A regular file ignores the flag.
	f, err := open(os.O_RDONLY | nonBlock)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if info, err = f.Stat(); err != nil {
		return nil, err
	}
	if err := check(info, limit); err != nil {
		return nil, &fs.PathError{Op: "read", Path: path, Err: err}
	}
	// Sized from fstat, plus one byte to see the end (or a growth) without
	// a second allocation; a file that grows past limit is still caught.
	buf := make([]byte, 0, info.Size()+1)
	for r := io.LimitReader(f, limit+1); ; {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, &fs.PathError{Op: "read", Path: path, Err: err}
		}
	}
	if int64(len(buf)) > limit {
		return nil, &fs.PathError{Op: "read", Path: path, Err: &TooLargeError{Limit: limit}}
	}
	return buf, nil
}

func check(info fs.FileInfo, limit int64) error {
	if !info.Mode().IsRegular() {
		return &NotRegularError{Mode: info.Mode()}
	}
	if info.Size() > limit {
		return &TooLargeError{Limit: limit}
	}
	return nil
}
