package safefile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// LinkError refuses an output path with a symbolic link on the way: Link
// is the first one, Path itself when the file is the link.
type LinkError struct {
	Path, Link string
}

func (e *LinkError) Error() string {
	if e.IsTarget() {
		return e.Path + " is a symbolic link, and riskctl writes no file through one"
	}
	return e.Path + ": its path goes through the symbolic link " + e.Link + ", and riskctl writes no file through one"
}

// IsTarget reports whether the file itself is the link.
func (e *LinkError) IsTarget() bool { return filepath.Clean(e.Link) == filepath.Clean(e.Path) }

// SameFileError refuses two outputs, or an output and an input, that are
// one file. Index and Other index the paths given to CheckTargets; Other
// indexes the inputs when Input is set.
type SameFileError struct {
	Index, Other int
	Input        bool
}

func (e *SameFileError) Error() string { return "two paths are the same file" }

// ExistError refuses to replace existing files; it matches fs.ErrExist.
type ExistError struct {
	Paths []string
}

func (e *ExistError) Error() string {
	return "not overwriting " + strings.Join(e.Paths, ", ") + " (pass --force to replace)"
}

func (e *ExistError) Is(target error) bool { return target == fs.ErrExist }

// CheckTargets applies the output-target rule (see the package
// documentation) to paths before anything is written: no path that is one
// of inputs by any spelling, through links too (*SameFileError with
// Input, checked first), no symbolic link on any path (*LinkError), no two
// paths that are one file (*SameFileError), and unless replace, no path that exists
// (*ExistError, listing them all). Other errors are the file system's.
// WriteTarget checks the links again as it writes.
func CheckTargets(paths, inputs []string, replace bool) error {
	type seen struct {
		key  string // the physical path, as the kernel will resolve it
		info os.FileInfo
	}
	var targets []seen
	var existing []string
	for i, path := range paths {
		// An input first, by any spelling, a link to it included: "that
		// is your input" says more than "that is a link".
		if info, err := os.Stat(path); err == nil {
			for j, in := range inputs {
				if inInfo, err := os.Stat(in); err == nil && os.SameFile(info, inInfo) {
					return &SameFileError{Index: i, Other: j, Input: true}
				}
			}
		}
		link, err := linkOn(path)
		if err != nil {
			return fmt.Errorf("checking %s: %w", path, err)
		}
		if link != "" {
			return &LinkError{Path: path, Link: link}
		}
		key, err := physicalPath(path)
		if err != nil {
			return fmt.Errorf("checking %s: %w", path, err)
		}
		info, err := os.Lstat(path)
		switch {
		case err == nil:
			existing = append(existing, path)
		case errors.Is(err, fs.ErrNotExist):
			info = nil
		default:
			return fmt.Errorf("checking %s: %w", path, err)
		}
		for j, t := range targets {
			// EqualFold too: on a case-insensitive file system (macOS,
			// Windows) out/A.yaml is out/a.yaml, even before it exists.
			if strings.EqualFold(t.key, key) || (info != nil && t.info != nil && os.SameFile(t.info, info)) {
				return &SameFileError{Index: i, Other: j}
			}
		}
		targets = append(targets, seen{key, info})
	}
	if len(existing) > 0 && !replace {
		return &ExistError{Paths: existing}
	}
	return nil
}

// WriteTarget writes data to path as Write (replace) or WriteNew does,
// after CheckTargets, walking path's directories one at a time: each is
// opened relative to the one before (os.Root), created if missing, and
// must be no symbolic link and the very directory that was looked at, so
// a directory swapped for a link since the check makes the write fail
// (*LinkError) instead of landing elsewhere. The path is walked as
// cleaned: CheckTargets has judged each component as written, "a/b/.."
// included.
func WriteTarget(path string, data []byte, perm os.FileMode, replace bool) error {
	root, name, err := openParent(path)
	if err != nil {
		return err
	}
	defer func() { _ = root.Close() }()
	if replace {
		if info, err := root.Lstat(name); err == nil && info.Mode()&fs.ModeSymlink != 0 {
			return &LinkError{Path: path, Link: path}
		}
	}
	if err := writeIn(root, name, data, perm, replace); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

// OpenTarget opens path for reading and writing in place, creating it
// with perm if missing, after CheckTargets: its directories are walked as
// WriteTarget walks them (a directory swapped for a link since the check
// is a *LinkError), and the file must be no link, and the file its name
// holds, when looked at after the open; what kind of file it is, the
// caller checks. For a file kept open and changed in place
// (the emulator's lock file), where WriteTarget's whole-file replace does
// not fit.
func OpenTarget(path string, perm os.FileMode) (*os.File, error) {
	root, name, err := openParent(path)
	if err != nil {
		return nil, err
	}
	defer func() { _ = root.Close() }()
	if info, err := root.Lstat(name); err == nil && info.Mode()&fs.ModeSymlink != 0 {
		return nil, &LinkError{Path: path, Link: path}
	}
	f, err := root.OpenFile(name, os.O_RDWR|os.O_CREATE|nonBlock, perm)
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", path, err)
	}
	// os.Root follows a link that stays inside it: one swapped in since
	// the look is caught here, as the name no longer being what was opened.
	opened, err := f.Stat()
	if err == nil {
		var named os.FileInfo
		named, err = root.Lstat(name)
		switch {
		case err == nil && named.Mode()&fs.ModeSymlink != 0:
			err = &LinkError{Path: path, Link: path}
		case err == nil && !os.SameFile(opened, named):
			err = fmt.Errorf("opening %s: the file changed while it was opened", path)
		}
	}
	if err != nil {
		_ = f.Close()
		return nil, err
	}
	return f, nil
}

// openParent opens path's directory, walking it from splitTarget's base
// one directory at a time (openDir), and returns it with the file's name.
func openParent(path string) (*os.Root, string, error) {
	base, dirs, name := splitTarget(path)
	root, err := os.OpenRoot(base)
	if err != nil {
		return nil, "", fmt.Errorf("writing %s: %w", path, err)
	}
	walked := base
	for _, dir := range dirs {
		walked = filepath.Join(walked, dir)
		next, err := openDir(root, dir)
		_ = root.Close()
		if err != nil {
			var le *LinkError
			if errors.As(err, &le) {
				return nil, "", &LinkError{Path: path, Link: walked}
			}
			return nil, "", fmt.Errorf("writing %s: %w", path, err)
		}
		root = next
	}
	return root, name, nil
}

// testHookOpenDir, when set, runs between openDir's look at a directory
// and its open: tests swap the directory for a link there.
var testHookOpenDir func(name string)

// openDir opens the directory name in root, creating it if missing; it
// must be a directory, not a link to one, when looked at and when opened.
func openDir(root *os.Root, name string) (*os.Root, error) {
	info, err := root.Lstat(name)
	if errors.Is(err, fs.ErrNotExist) {
		if err := root.Mkdir(name, 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
			return nil, err
		}
		info, err = root.Lstat(name)
	}
	if err != nil {
		return nil, err
	}
	if info.Mode()&fs.ModeSymlink != 0 {
		return nil, &LinkError{Link: name}
	}
	if testHookOpenDir != nil {
		testHookOpenDir(name)
	}
	next, err := root.OpenRoot(name)
	if err != nil {
		// A link swapped in that leaves root, or no directory any more.
		if fi, lerr := root.Lstat(name); lerr == nil && fi.Mode()&fs.ModeSymlink != 0 {
			return nil, &LinkError{Link: name}
		}
		return nil, err
	}
	opened, err := next.Stat(".")
	if err == nil && !os.SameFile(info, opened) {
		// A link swapped in after the look, pointing inside root.
		err = &LinkError{Link: name}
	}
	if err != nil {
		_ = next.Close()
		return nil, err
	}
	return next, nil
}

// splitTarget splits path, cleaned, into the directory to open first (the
// working directory for a path inside it, the leading ".." of a relative
// path, or the file system root), the directories below it, and the file
// name.
func splitTarget(path string) (base string, dirs []string, name string) {
	clean := filepath.Clean(path)
	base, rest := ".", clean
	if filepath.IsAbs(clean) {
		base = filepath.VolumeName(clean) + string(filepath.Separator)
		rest = clean[len(base):]
		if wd, r, ok := withinWorkingDir(clean); ok && wd != "" {
			base, rest = ".", r
		}
	}
	parts := strings.Split(filepath.ToSlash(rest), "/")
	for len(parts) > 1 && parts[0] == ".." {
		base = filepath.Join(base, "..")
		parts = parts[1:]
	}
	return base, parts[:len(parts)-1], parts[len(parts)-1]
}

// linkOn returns the first symbolic link on path that riskctl would
// follow or replace, "" if none: a component of path as given (the
// directories, then the file itself), up to the first that does not
// exist (the rest riskctl creates). Links above the working directory
// are the user's own layout, not the path's: an absolute path inside
// the working directory (as $PWD/out spells it) is judged from there,
// any other absolute path from the root.
func linkOn(path string) (string, error) {
	cur, rest := "", path
	if filepath.IsAbs(path) {
		cur = filepath.VolumeName(path) + string(filepath.Separator)
		rest = path[len(cur):]
		if dir, r, ok := withinWorkingDir(path); ok {
			cur, rest = dir, r
		}
	}
	for _, c := range strings.Split(filepath.ToSlash(rest), "/") {
		if c == "" || c == "." {
			continue
		}
		switch {
		case cur == "":
			cur = c
		case os.IsPathSeparator(cur[len(cur)-1]):
			cur += c
		default:
			cur += string(filepath.Separator) + c
		}
		if c == ".." {
			continue // the parent of a directory that is no link
		}
		info, err := os.Lstat(cur)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return "", nil
		case err != nil:
			return "", err
		case info.Mode()&fs.ModeSymlink != 0:
			return cur, nil
		}
	}
	return "", nil
}

// withinWorkingDir says whether the absolute path abs starts with the
// working directory (spelled as $PWD or as the real path), and returns
// that directory's spelling and the rest of abs, as written: its ".."
// components are for linkOn to walk.
func withinWorkingDir(abs string) (dir, rest string, ok bool) {
	wd, err := os.Getwd()
	if err != nil {
		return "", "", false
	}
	dirs := []string{wd}
	if real, err := filepath.EvalSymlinks(wd); err == nil && real != wd {
		dirs = append(dirs, real)
	}
	for _, d := range dirs {
		prefix := d
		if !os.IsPathSeparator(prefix[len(prefix)-1]) {
			prefix += string(filepath.Separator)
		}
		if rest, ok := strings.CutPrefix(abs, prefix); ok {
			return d, rest, true
		}
	}
	return "", "", false
}

// physicalPath is the absolute path the kernel resolves path to, for a
// path that linkOn cleared: relative to the real working directory (its
// ".." are then physical parents), links above it resolved.
func physicalPath(path string) (string, error) {
	if !filepath.IsAbs(path) {
		wd, err := os.Getwd()
		if err != nil {
			return "", err
		}
		real, err := filepath.EvalSymlinks(wd)
		if err != nil {
			return "", err
		}
		return filepath.Join(real, path), nil
	}
	if dir, rest, ok := withinWorkingDir(path); ok {
		real, err := filepath.EvalSymlinks(dir)
		if err != nil {
			return "", err
		}
		return filepath.Join(real, rest), nil
	}
	return filepath.Clean(path), nil
}
