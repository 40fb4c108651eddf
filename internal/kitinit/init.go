// Package kitinit is the work of `riskctl init`: it checks that the
// credentials can read each account's risk scoring, exports each account
// into the spec layout the CI kit reads (docs/ci-kit.md), and writes the
// kit's three workflows pinned to the running riskctl (Init); and it
// verifies a repository's copy of the kit (Check).
//
// The workflows come from riskctl's own .github/workflows (kept as a
// checked copy in kit/, see template.go); only their known places are
// rewritten (Render).
package kitinit

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/riskctl/riskctl/internal/remote"
	"github.com/riskctl/riskctl/internal/safefile"
	"github.com/riskctl/riskctl/internal/spec"
	"github.com/riskctl/riskctl/internal/state"
)

// ReadPermission is the token permission a read of risk scoring needs
// (docs/api.md: reads of behaviors and integrations need Zero Trust Read).
const ReadPermission = "Zero Trust Read"

// SpecFile is the name of each account's spec file in the layout init
// writes: <dir>/riskscoring.yaml for one account, and
// <dir>/<account id>/riskscoring.yaml for several (docs/ci-kit.md, many
// accounts).
const SpecFile = "riskscoring.yaml"

// Account is one account to set up, with a client for it.
type Account struct {
	ID  string
	API remote.API
}

// Options are the options of Init.
type Options struct {
	Accounts []Account
	Root     string // the repository's directory; "" is the working directory
	Settings        // the spec directory and branch the workflows name
	Pin      Pin    // what the workflows run (ResolvePin)
	Force    bool   // replace existing files
	DryRun   bool   // check and compute everything, write nothing
	// NoExport writes the workflows only: no account is read (Accounts
	// is ignored), no spec written. For a repository that has its specs,
	// and to pin the workflows again (with Force).
	NoExport bool
}

// AccountCheck is what the credential check found for one account.
type AccountCheck struct {
	ID           string
	Behaviors    int
	Integrations int
	Err          *AccessError // nil: the token can read the account's risk scoring
}

// AccessError says why the credentials cannot read an account's risk
// scoring, and which permission is missing where that is known.
type AccessError struct {
	AccountID  string
	Reason     string // one sentence: what is wrong and what to do
	Permission string // the missing permission ("" when it is not one)
	Err        error
}

func (e *AccessError) Error() string { return e.Reason + ": " + e.Err.Error() }
func (e *AccessError) Unwrap() error { return e.Err }

// CredentialsError refuses an init whose credentials cannot read every
// account: nothing was written.
type CredentialsError struct{ Failed []*AccessError }

func (e *CredentialsError) Error() string {
	if len(e.Failed) == 1 {
		return "the credentials cannot read account " + e.Failed[0].AccountID + ": nothing was written"
	}
	return fmt.Sprintf("the credentials cannot read %d accounts: nothing was written", len(e.Failed))
}

// File is one file Init writes (or, with DryRun, would write).
type File struct {
	Path     string // as the report names it: relative to Root, with '/'
	Data     []byte
	Workflow bool // a workflow, else an account's spec
	Account  string
	Exists   bool // it exists and is replaced (--force)
}

// Result is what Init did.
type Result struct {
	Accounts []AccountCheck
	Files    []File
	Written  bool // false with DryRun, or when it stopped before writing
}

// Init checks the credentials on every account, exports each, renders
// the workflows, checks every target (no symbolic link on the way, no two
// targets one file, none existing unless Force: safefile.CheckTargets)
// and then, unless DryRun, writes each file atomically
// (safefile.WriteTarget, which checks the links again). Nothing is
// written unless every account can be read and every target passes.
func Init(ctx context.Context, o Options) (*Result, error) {
	if o.NoExport {
		o.Accounts = nil
	} else if len(o.Accounts) == 0 {
		return nil, errors.New("no account to set up")
	}
	ids := make([]string, len(o.Accounts))
	for i, a := range o.Accounts {
		ids[i] = a.ID
	}
	if err := CheckAccounts(ids); err != nil {
		return nil, err
	}
	if err := CheckSpecDir(o.SpecDir); err != nil {
		return nil, err
	}
	workflows, err := Render(o.Pin, o.Settings)
	if err != nil {
		return nil, err
	}
	res := &Result{}
	lives := make([]state.Account, len(o.Accounts))
	var failed []*AccessError
	for i, a := range o.Accounts {
		live, err := remote.Fetch(ctx, a.API, a.ID)
		check := AccountCheck{ID: a.ID, Behaviors: len(live.Behaviors), Integrations: len(live.Integrations)}
		if err != nil {
			if ctx.Err() != nil {
				return res, ctx.Err()
			}
			check.Err = classify(a.ID, err)
			failed = append(failed, check.Err)
		}
		res.Accounts = append(res.Accounts, check)
		lives[i] = live
	}
	if len(failed) > 0 {
		return res, &CredentialsError{Failed: failed}
	}

	specPaths := make([]string, len(o.Accounts))
	for i, a := range o.Accounts {
		specPaths[i] = path.Join(o.SpecDir, SpecFile)
		if len(o.Accounts) > 1 {
			specPaths[i] = path.Join(o.SpecDir, a.ID, SpecFile)
		}
	}
	if len(o.Accounts) > 0 {
		if err := checkSpecDirFree(o.Root, o.SpecDir, specPaths); err != nil {
			return res, err
		}
	}
	for i, a := range o.Accounts {
		p := specPaths[i]
		var buf bytes.Buffer
		if err := spec.Write(&buf, lives[i], spec.Header("Exported by riskctl init from account "+a.ID+".")); err != nil {
			return res, fmt.Errorf("account %s: %w", a.ID, err)
		}
		res.Files = append(res.Files, File{Path: p, Data: buf.Bytes(), Account: a.ID})
	}
	for _, name := range Workflows {
		res.Files = append(res.Files, File{Path: path.Join(WorkflowDir, name), Data: workflows[name], Workflow: true})
	}

	targets := make([]string, len(res.Files))
	for i, f := range res.Files {
		targets[i] = filepath.Join(o.Root, filepath.FromSlash(f.Path))
		if _, err := os.Lstat(targets[i]); err == nil {
			res.Files[i].Exists = true
		}
	}
	if err := safefile.CheckTargets(targets, nil, o.Force); err != nil {
		return res, targetError(err, res.Files, targets)
	}
	if o.DryRun {
		return res, nil
	}
	for i, f := range res.Files {
		if err := safefile.WriteTarget(targets[i], f.Data, 0o644, o.Force); err != nil {
			return res, err
		}
	}
	res.Written = true
	return res, nil
}

// CheckAccounts checks the account ids to set up: each names a directory
// of the spec layout when there are several, so each must be a name of
// letters, digits, '_', '.' and '-' (a Cloudflare account id is 32 hex
// digits), and none may repeat (two directories naming one account would
// plan and apply it in two jobs at once: docs/ci-kit.md).
func CheckAccounts(ids []string) error {
	seen := map[string]bool{}
	for _, id := range ids {
		if !specDirName.MatchString(id) {
			return fmt.Errorf("account id %q: an account id is letters and digits (32 hex digits)", id)
		}
		if seen[id] {
			return fmt.Errorf("account id %s is given twice", id)
		}
		seen[id] = true
	}
	return nil
}

// SpecDirError refuses to export into a spec directory that holds other
// specs: the export would be a second spec of an account, or a spec
// beside account directories (docs/ci-kit.md, many accounts).
type SpecDirError struct {
	Dir   string
	Found []string // the specs there, at most a few, as the report names them
}

func (e *SpecDirError) Error() string {
	return e.Dir + "/ already holds specs (" + strings.Join(e.Found, ", ") + "): init exports into a spec directory without them; pass --no-export to write only the workflows, or --dir to export elsewhere; nothing was written"
}

// maxFound caps the specs a SpecDirError names.
const maxFound = 3

// checkSpecDirFree refuses a spec directory holding a spec (a *.yaml or
// *.yml file, at its top or in a directory of its own, hidden ones left
// out as riskctl leaves them out) other than the files init writes.
func checkSpecDirFree(root, dir string, ours []string) error {
	mine := map[string]bool{}
	for _, p := range ours {
		mine[p] = true
	}
	var found []string
	note := func(p string) {
		if !mine[p] && len(found) < maxFound {
			found = append(found, p)
		}
	}
	isSpec := func(name string) bool { return strings.HasSuffix(name, ".yaml") || strings.HasSuffix(name, ".yml") }
	entries, err := os.ReadDir(filepath.Join(root, filepath.FromSlash(dir)))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, e := range entries {
		name := e.Name()
		switch {
		case strings.HasPrefix(name, "."):
		case e.IsDir():
			sub, err := os.ReadDir(filepath.Join(root, filepath.FromSlash(dir), name))
			if err != nil {
				return err
			}
			for _, f := range sub {
				if !strings.HasPrefix(f.Name(), ".") && isSpec(f.Name()) {
					note(path.Join(dir, name, f.Name()))
				}
			}
		case isSpec(name):
			note(path.Join(dir, name))
		}
	}
	if len(found) > 0 {
		return &SpecDirError{Dir: dir, Found: found}
	}
	return nil
}

// TargetError refuses the files Init would write, before any is written:
// one exists (without Force), or a path goes through a symbolic link.
type TargetError struct{ Err error }

func (e *TargetError) Error() string { return e.Err.Error() + "; nothing was written" }
func (e *TargetError) Unwrap() error { return e.Err }

// targetError names the files of a CheckTargets refusal as the report
// names them (relative to the repository).
func targetError(err error, files []File, targets []string) error {
	var exist *safefile.ExistError
	if errors.As(err, &exist) {
		var names []string
		for _, p := range exist.Paths {
			for i, t := range targets {
				if t == p {
					names = append(names, files[i].Path)
				}
			}
		}
		return &TargetError{&safefile.ExistError{Paths: names}}
	}
	return &TargetError{err}
}

// classify says what a failed read of an account's risk scoring means
// for the credentials (docs/api.md: a missing or malformed credential is
// 400 9106 or 6003, a wrong or insufficient one 403 10000; an account
// without the entitlement 403 3314).
func classify(accountID string, err error) *AccessError {
	var apiErr *remote.APIError
	e := &AccessError{AccountID: accountID, Err: err}
	switch {
	case errors.Is(err, remote.ErrUnauthorized):
		e.Reason = "the API rejected the credentials as missing or malformed: check CLOUDFLARE_API_TOKEN"
	case errors.As(err, &apiErr) && apiErr.HasCode(remote.CodeNotEntitled):
		e.Reason = "the account does not have Zero Trust risk scoring (it is not part of its plan)"
	case errors.Is(err, remote.ErrForbidden):
		// Cloudflare answers a wrong token and one without the
		// permission alike (403 10000), so both are said.
		e.Permission = ReadPermission
		e.Reason = "the token lacks the permission \"" + ReadPermission + "\" on this account, or is not valid (Cloudflare answers both with 403): give it Zero Trust Read on the account"
	case errors.Is(err, remote.ErrNotFound):
		e.Reason = "the API has no such account or path: check the account id and that --base-url ends in /client/v4"
	default:
		e.Reason = "reading the account's risk scoring failed"
	}
	return e
}
