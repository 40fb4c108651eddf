package spec

import (
	"errors"
	"fmt"
	"io"

	"github.com/riskctl/riskctl/internal/safefile"
)

// Formatted is one spec file and its canonical layout.
type Formatted struct {
	Path    string
	In, Out []byte // as read, and as Format lays it out
}

// Changed reports whether the file is not laid out canonically.
func (f Formatted) Changed() bool { return string(f.In) != string(f.Out) }

// FormatFiles reads and formats every spec file paths name (Expand), with
// Load's limits: the work of `riskctl fmt`. It is all or nothing: any
// error (every one is reported, as Errors) means no file is returned, so
// none is printed or written.
//
// With write, each changed file is also checked as a target of fmt -w
// (safefile's output-target rule): one whose path goes through a symbolic
// link (the file itself, or a directory on the way to it) is refused.
// Writing through it could change a file outside the spec directory (a
// spec directory's link to ../.github/workflows/x.yml), and replacing a
// linked file would turn a link the repository keeps into a copy. The
// caller writes the changed files with safefile.WriteTarget, which checks
// the links again as it writes.
func FormatFiles(paths []string, write bool) ([]Formatted, error) {
	expanded, err := Expand(paths)
	errs, _ := err.(Errors) // Expand returns no other error
	var files []Formatted
	for _, path := range expanded {
		in, err := ReadFile(path)
		if err == nil {
			var out []byte
			if out, err = Format(path, in); err == nil {
				files = append(files, Formatted{Path: path, In: in, Out: out})
				continue
			}
		}
		errs = append(errs, err.(Errors)...) // ReadFile and Format return no other error
	}
	if len(errs) > 0 {
		return nil, errs
	}
	if write {
		if err := checkWriteTargets(files); err != nil {
			return nil, err
		}
	}
	return files, nil
}

// checkWriteTargets refuses, before anything is written, every changed
// file fmt -w may not write: one Error per linked path.
func checkWriteTargets(files []Formatted) error {
	var links Errors
	for _, f := range files {
		if !f.Changed() {
			continue
		}
		err := safefile.CheckTargets([]string{f.Path}, nil, true)
		var link *safefile.LinkError
		switch {
		case errors.As(err, &link) && link.IsTarget():
			links = append(links, &Error{Pos: Pos{File: f.Path},
				Msg: "is a symbolic link: fmt -w does not write through links; format the file it points to (nothing was written)"})
		case errors.As(err, &link):
			links = append(links, &Error{Pos: Pos{File: f.Path},
				Msg: fmt.Sprintf("is reached through the symbolic link %s: fmt -w does not write through links; format the file there (nothing was written)", link.Link)})
		case err != nil:
			return err
		}
	}
	if len(links) > 0 {
		return links
	}
	return nil
}

// StdinPath names standard input where FormatStdin's errors and diffs
// name a file.
const StdinPath = "<stdin>"

// FormatStdin reads a spec from r, at most MaxSpecBytes as a spec file
// (ReadFile), and formats it: the work of `riskctl fmt -`.
func FormatStdin(r io.Reader) (Formatted, error) {
	in, err := io.ReadAll(io.LimitReader(r, MaxSpecBytes+1))
	switch {
	case err != nil:
		return Formatted{}, Errors{&Error{Pos: Pos{File: StdinPath}, Msg: "cannot be read: " + err.Error()}}
	case len(in) > MaxSpecBytes:
		return Formatted{}, Errors{&Error{Pos: Pos{File: StdinPath}, Msg: fmt.Sprintf(
			"cannot read spec: it is larger than the limit of %d bytes (%d MiB)", MaxSpecBytes, MaxSpecBytes>>20)}}
	}
	out, err := Format(StdinPath, in)
	if err != nil {
		return Formatted{}, err
	}
	return Formatted{Path: StdinPath, In: in, Out: out}, nil
}
