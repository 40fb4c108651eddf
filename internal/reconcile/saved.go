package reconcile

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/riskctl/riskctl/internal/plan"
	"github.com/riskctl/riskctl/internal/planfile"
	"github.com/riskctl/riskctl/internal/redact"
	"github.com/riskctl/riskctl/internal/remote"
	"github.com/riskctl/riskctl/internal/spec"
)

// saveTarget is where plan --out writes, checked before any request.
type saveTarget struct {
	Path string
	// specPaths names each spec file as the saved plan will: relative to
	// the working directory, where apply looks for it.
	specPaths map[*spec.File]string
}

// prepareSave checks that a plan of files may be saved to path: the target
// is not an input or anything but a saved plan (planfile.CheckOutput), and
// every spec file is inside the working directory. Errors are *UsageError.
func prepareSave(path string, files []*spec.File) (*saveTarget, error) {
	inputs := make([]string, len(files))
	for i, f := range files {
		inputs[i] = f.Path
	}
	if err := planfile.CheckOutput(path, inputs); err != nil {
		return nil, &UsageError{err}
	}
	root, err := os.OpenRoot(".")
	if err != nil {
		return nil, err
	}
	defer root.Close()
	t := &saveTarget{Path: path, specPaths: make(map[*spec.File]string, len(files))}
	for _, f := range files {
		local, err := planfile.LocalSpecPath(root, f.Path)
		if err != nil {
			return nil, &UsageError{fmt.Errorf("--out: %w", err)}
		}
		t.specPaths[f] = local
	}
	return t, nil
}

// saveOptions steer savePlan.
type saveOptions struct {
	RiskctlVersion string
	// Secrets of the run: a plan holding one is not saved.
	Secrets *redact.Set
}

// savePlan writes the accounts' plans to t. Only a complete run is saved:
// a plan file must describe every account it was asked about. A plan that
// holds a credential of the run (a live object carrying one) is not saved
// either: the file is an artifact.
func savePlan(t *saveTarget, accounts []*Account, opts saveOptions) error {
	f := planfile.File{FormatVersion: planfile.FormatVersion, RiskctlVersion: opts.RiskctlVersion}
	for _, a := range accounts {
		if a.Err != nil {
			return fmt.Errorf("not writing %s: account %s failed", t.Path, a.ID())
		}
		local := []string{t.specPaths[a.File]}
		digest, err := planfile.SpecDigest(local)
		if err != nil {
			return err
		}
		f.Accounts = append(f.Accounts, planfile.NewAccount(local, digest, a.Live, a.Plan))
	}
	var data bytes.Buffer
	if err := planfile.Encode(&data, f); err != nil {
		return err
	}
	if opts.Secrets.Contains(data.String()) {
		return fmt.Errorf("not writing %s: the plan holds a credential of this run (in the live state it was computed from)", t.Path)
	}
	return planfile.WriteFile(t.Path, data.Bytes())
}

// loadOptions steer loadSaved.
type loadOptions struct {
	Connect Connect
	Spec    spec.Options
	// RiskctlVersion is the running riskctl; a plan made by another is
	// refused unless AllowOtherVersion (then Warn hears why).
	RiskctlVersion    string
	AllowOtherVersion bool
	Warn              func(error)
}

// loadSaved returns the accounts of a saved plan, ready to apply exactly
// as saved, or why the plan is refused: made by another riskctl, not bound
// to its spec files and their account (planfile.ReadSpecs, ParseSpec),
// stale (planfile.CheckStale), or edited (planfile.CheckActions). The
// accounts checked before a refusal are returned with it, for the report.
// Spec files are read only from inside the working directory, and nothing
// is requested from an account the spec does not name.
func loadSaved(ctx context.Context, f planfile.File, opts loadOptions) ([]*Account, error) {
	if err := planfile.CheckVersion(f, opts.RiskctlVersion); err != nil {
		if !opts.AllowOtherVersion {
			return nil, fmt.Errorf("%w; apply it with that version, or pass --allow-other-version to override", err)
		}
		opts.Warn(fmt.Errorf("--allow-other-version: %w", err))
	}
	root, err := os.OpenRoot(".")
	if err != nil {
		return nil, err
	}
	defer root.Close()
	var accounts []*Account
	for _, sa := range f.Accounts {
		a, err := loadSavedAccount(ctx, root, sa, opts)
		if err != nil {
			return accounts, err
		}
		accounts = append(accounts, a)
	}
	return accounts, nil
}

func loadSavedAccount(ctx context.Context, root *os.Root, sa planfile.Account, opts loadOptions) (*Account, error) {
	sources, err := planfile.ReadSpecs(root, sa)
	if err != nil {
		return nil, elsewhere(root, sa, err)
	}
	digest := planfile.Digest(sources)
	// The spec as it is now must parse and name the plan's account before
	// that account is asked anything: the account id in a plan file is
	// whatever its author wrote, and a stale refusal prints live state.
	file, err := planfile.ParseSpec(sa, sources, opts.Spec)
	if err != nil {
		if digest != sa.SpecDigest {
			// It changed since the plan: that is the news, not its content.
			return nil, planfile.CheckStale(sa, sa.Live, digest)
		}
		return nil, err
	}
	a := &Account{File: file}
	if a.API, err = opts.Connect(sa.AccountID); err != nil {
		return nil, err
	}
	if a.Live, err = remote.Fetch(ctx, a.API, sa.AccountID); err != nil {
		return nil, err
	}
	if err := planfile.CheckStale(sa, a.Live, digest); err != nil {
		return nil, err
	}
	// Same spec, same live state: computing again must give the saved
	// actions. This also makes protect and every other plan rule hold for
	// saved plans.
	var targets []plan.Target
	for _, t := range sa.Targets {
		pt, err := plan.ParseTarget(t)
		if err != nil {
			return nil, &planfile.RefusedError{AccountID: sa.AccountID, Reason: err.Error()}
		}
		targets = append(targets, pt)
	}
	popts := plan.Options{Targets: targets, Dedupe: sa.Plan.Dedupe, Policy: a.File.Policy}
	fresh, err := plan.ComputeWith(a.File.Account, a.Live, popts)
	if dups := sharedRefs(err); len(dups) > 0 && !popts.Dedupe {
		// The copies riskctl made, proven again from the audit log (not
		// taken from the file), and only those the reviewed plan deletes.
		popts.Copies = reviewedCopies(copyOrigins(readForProof(ctx, a.API, AuditOptions{}), dups), sa.Plan)
		fresh, err = plan.ComputeWith(a.File.Account, a.Live, popts)
	}
	if err != nil {
		return nil, withSpecPositions(err, a.File)
	}
	if err := planfile.CheckActions(sa, fresh); err != nil {
		return nil, err
	}
	a.Plan = sa.Plan
	return a, nil
}

// elsewhere turns "spec file ...: no such file or directory" into where to
// run apply, when that is the likely cause: a plan names its spec files
// relative to the directory plan ran in (planfile.LocalSpecPath) and does
// not record that directory, so a plan applied from anywhere else finds
// none of them. Any other refusal is err unchanged.
func elsewhere(root *os.Root, sa planfile.Account, err error) error {
	var missing []string
	for _, path := range sa.SpecFiles {
		if !filepath.IsLocal(path) {
			return err // refused for its path, whatever the directory
		}
		if _, serr := root.Stat(path); errors.Is(serr, fs.ErrNotExist) {
			missing = append(missing, strconv.Quote(path))
		}
	}
	if len(missing) == 0 {
		return err
	}
	return &planfile.RefusedError{AccountID: sa.AccountID, Reason: fmt.Sprintf(
		"spec file %s is not here: run riskctl apply from the directory the plan was made in (it names spec files relative to it)",
		strings.Join(missing, ", "))}
}

// reviewedCopies keeps of o's proven copies those the saved plan p
// deletes. A saved plan is applied only against the live state it was
// computed from (planfile.CheckStale), so every copy now was in the
// reviewed plan's live state: one the reviewed plan does not delete was
// seen there, kept, by whoever approved it, and is not removed now.
func reviewedCopies(o *plan.CopyOrigins, p plan.Plan) *plan.CopyOrigins {
	deletes := map[string]bool{}
	for _, c := range p.Changes {
		if c.Action == plan.Delete && c.Integration != nil && c.Integration.Before != nil {
			deletes[c.Integration.Before.ID] = true
		}
	}
	for id := range o.Proven {
		if !deletes[id] {
			delete(o.Proven, id)
			o.Unproven[id] = "in the reviewed plan's live state, and the reviewed plan does not delete it"
		}
	}
	return o
}
