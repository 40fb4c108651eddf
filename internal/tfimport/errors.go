package tfimport

import (
	"strconv"
	"strings"
)

// Error is one problem of a state file: the file, the resource instance
// when there is one, and what is wrong.
type Error struct {
	File    string
	Address string // "" for a problem of the whole file
	Msg     string
}

func (e *Error) Error() string {
	if e.Address == "" {
		return e.File + ": " + e.Msg
	}
	return e.File + ": " + e.Address + ": " + e.Msg
}

// Errors are every problem found in a file, in file order. Import reports
// them all at once, so that one run lists every integration to fix.
type Errors []*Error

// MaxErrors caps Errors: past it, a broken file would only repeat itself.
const MaxErrors = 100

func (es Errors) Error() string {
	lines := make([]string, 0, len(es)+1)
	for _, e := range es {
		lines = append(lines, e.Error())
	}
	if len(es) >= MaxErrors {
		lines = append(lines, "(stopped after "+strconv.Itoa(MaxErrors)+" problems)")
	}
	return strings.Join(lines, "\n")
}

// problems collects a file's Errors.
type problems struct {
	file string
	errs Errors
}

func (p *problems) add(address, msg string) {
	if len(p.errs) < MaxErrors {
		p.errs = append(p.errs, &Error{File: p.file, Address: address, Msg: msg})
	}
}

func (p *problems) err() error {
	if len(p.errs) == 0 {
		return nil
	}
	return p.errs
}

// fileError is a problem of the whole file, which stops the import.
func fileError(file, msg string) error {
	return Errors{{File: file, Msg: msg}}
}
