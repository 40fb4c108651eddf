package planfile

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/riskctl/riskctl/internal/plan"
	"github.com/riskctl/riskctl/internal/safefile"
	"github.com/riskctl/riskctl/internal/spec"
)

// A saved plan binds to its account, its spec files and the riskctl that
// made it. The checks here run before apply sends any request, and read
// nothing a plan file names unless it is a spec file inside the working
// directory: a plan file is an input a pull request author may craft.

// RefusedError refuses to apply a saved plan that is not bound to what
// apply would use: another account, files outside the working directory,
// a spec that does not parse, another riskctl version. It matches
// plan.ErrRefused (exit code 4). Its text never quotes a spec file's
// content.
type RefusedError struct {
	AccountID string // "" when the refusal is about the whole file
	Reason    string
}

func (e *RefusedError) Error() string {
	if e.AccountID == "" {
		return "the saved plan is refused: " + e.Reason
	}
	return fmt.Sprintf("the saved plan for account %s is refused: %s", e.AccountID, e.Reason)
}

// Is makes errors.Is(err, plan.ErrRefused) true.
func (e *RefusedError) Is(target error) bool { return target == plan.ErrRefused }

func refused(accountID, format string, args ...any) error {
	return &RefusedError{AccountID: accountID, Reason: fmt.Sprintf(format, args...)}
}

// CheckVersion refuses f unless the riskctl that made it is running: plan
// semantics and fingerprints may change between versions, so a plan is
// applied by the version that was reviewed making it.
func CheckVersion(f File, running string) error {
	if f.RiskctlVersion != running {
		return refused("", "it was made by riskctl %q, and this is riskctl %q", f.RiskctlVersion, running)
	}
	return nil
}

// SpecSource is one spec file as read for a saved plan: its path, as the
// plan names it, and its content.
type SpecSource struct {
	Path string
	Data []byte
}

// Digest is the spec digest of sources (see SpecDigest).
func Digest(sources []SpecSource) string {
	paths := make([]string, len(sources))
	contents := make([][]byte, len(sources))
	for i, s := range sources {
		paths[i], contents[i] = s.Path, s.Data
	}
	return digest(paths, contents)
}

// LocalSpecPath returns path as a saved plan names it: relative to the
// working directory (root, opened on "." by the caller) and inside it. An
// absolute path inside the working directory is made relative; a path
// outside it (absolute, through "..", or through a symlink that leaves it),
// or one that is not a *.yaml or *.yml file, is an error.
func LocalSpecPath(root *os.Root, path string) (string, error) {
	local := path
	if filepath.IsAbs(path) {
		if cwd, err := os.Getwd(); err == nil {
			if rel, err := filepath.Rel(cwd, path); err == nil {
				local = rel
			}
		}
	}
	if err := checkSpecPath(root, local); err != nil {
		return "", fmt.Errorf("spec file %q cannot be named by a saved plan: %v; "+
			"a saved plan names its spec files relative to the directory apply runs in, so run plan --out from a directory that holds them", path, err)
	}
	return filepath.Clean(local), nil
}

// ReadSpecs reads the spec files that a's plan was made from, out of root
// (the working directory). Each path must be relative, inside the root
// (no "..", no symlink that leaves it), a regular *.yaml or *.yml file;
// any other is refused without being read. A plan names one spec file per
// account, as riskctl writes it.
func ReadSpecs(root *os.Root, a Account) ([]SpecSource, error) {
	if len(a.SpecFiles) != 1 {
		return nil, refused(a.AccountID, "it names %d spec files; riskctl plans one spec file per account", len(a.SpecFiles))
	}
	var out []SpecSource
	for _, path := range a.SpecFiles {
		if err := checkSpecPath(root, path); err != nil {
			return nil, refused(a.AccountID, "spec file %q: %v", path, err)
		}
		data, err := safefile.ReadIn(root, path, spec.MaxSpecBytes)
		if err != nil {
			return nil, refused(a.AccountID, "spec file %q cannot be read: %v", path, pathReason(err))
		}
		out = append(out, SpecSource{Path: path, Data: data})
	}
	return out, nil
}

// checkSpecPath says why path may not name a spec file of a saved plan.
func checkSpecPath(root *os.Root, path string) error {
	switch ext := filepath.Ext(path); {
	case path == "":
		return errors.New("the path is empty")
	case filepath.IsAbs(path):
		return errors.New("it is an absolute path, outside the working directory")
	case !filepath.IsLocal(path):
		return errors.New("it leaves the working directory")
	case ext != ".yaml" && ext != ".yml":
		return errors.New("it is not a *.yaml or *.yml file")
	}
	info, err := root.Stat(path) // follows symlinks, refusing those that leave root
	if err != nil {
		return errors.New(pathReason(err))
	}
	if !info.Mode().IsRegular() {
		return errors.New("it is not a regular file")
	}
	return nil
}

// pathReason is err without the path it repeats, which the caller quotes.
func pathReason(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		if pe.Err.Error() == "path escapes from parent" {
			return "it leaves the working directory (through a symlink)"
		}
		return pe.Err.Error()
	}
	return err.Error()
}

// ParseSpec parses the spec of a saved account plan, read by ReadSpecs,
// and checks that it declares the plan's account: a plan applies only to
// the account its spec names. A spec that does not parse is refused
// without quoting it (the file may be anything the plan file names).
func ParseSpec(a Account, sources []SpecSource, opts spec.Options) (*spec.File, error) {
	src := sources[0]
	f, err := spec.Parse(src.Path, src.Data, opts)
	if err != nil {
		return nil, refused(a.AccountID, "spec file %q is not a valid spec (run riskctl validate -f %s)", src.Path, src.Path)
	}
	if f.Account.AccountID != a.AccountID {
		return nil, refused(a.AccountID, "its spec file %q declares account %s; a plan applies only to the account its spec names",
			src.Path, f.Account.AccountID)
	}
	return f, nil
}

// CheckOutput says why plan --out may not write path: it is a spec file
// (named *.yaml or *.yml, or the same file as one of inputs), a directory,
// a path with a symbolic link on it (safefile.CheckTargets), or an existing
// file that is not a riskctl plan. Overwriting a saved plan
// is fine; overwriting anything else would lose it.
func CheckOutput(path string, inputs []string) error {
	if ext := filepath.Ext(path); ext == ".yaml" || ext == ".yml" {
		return fmt.Errorf("--out %q: a plan file named %s would be read as a spec; name it *.json", path, ext)
	}
	info, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return checkTarget(path, inputs)
	}
	if err != nil {
		return fmt.Errorf("--out %q: %v", path, pathReason(err))
	}
	if info.IsDir() {
		return fmt.Errorf("--out %q is a directory", path)
	}
	if err := checkTarget(path, inputs); err != nil {
		return err
	}
	if !isPlanFile(path) {
		return fmt.Errorf("--out %q exists and is not a riskctl plan file: refusing to overwrite it (remove it, or choose another --out)", path)
	}
	return nil
}

// checkTarget applies the output-target rule (safefile.CheckTargets): not
// one of the spec files read, by any spelling (a link to one included),
// and no symbolic link on the way to path. WriteFile checks the links
// again as it writes.
func checkTarget(path string, inputs []string) error {
	err := safefile.CheckTargets([]string{path}, inputs, true)
	var same *safefile.SameFileError
	if errors.As(err, &same) {
		return fmt.Errorf("--out %q is the spec file %s: refusing to overwrite an input", path, inputs[same.Other])
	}
	if err != nil {
		return fmt.Errorf("--out %q: %v", path, err)
	}
	return nil
}

// isPlanFile reports whether path holds a JSON object with the keys of a
// saved plan, whatever its version.
func isPlanFile(path string) bool {
	data, err := safefile.Read(path, MaxPlanBytes)
	if err != nil {
		return false
	}
	var head map[string]json.RawMessage
	if json.Unmarshal(bytes.TrimSpace(data), &head) != nil {
		return false
	}
	_, version := head["format_version"]
	_, accounts := head["accounts"]
	return version && accounts
}

// CheckActions refuses a saved plan whose actions are not the ones fresh,
// the plan computed again from the same spec and the same live state: the
// file was edited.
func CheckActions(saved Account, fresh plan.Plan) error {
	if !cmp.Equal(saved.Plan.Changes, fresh.Changes, cmpopts.EquateEmpty()) {
		return refused(saved.AccountID, "its actions are not what its spec computes against the unchanged account (was the file edited?); run riskctl plan again")
	}
	return nil
}
