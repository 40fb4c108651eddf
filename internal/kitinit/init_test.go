package kitinit

import (
	"context"
	"errors"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/riskctl/riskctl/internal/remote"
	"github.com/riskctl/riskctl/internal/safefile"
	"github.com/riskctl/riskctl/internal/spec"
)

// fakeAPI answers the two reads init makes; err fails both.
type fakeAPI struct {
	remote.API
	err error
}

func (f fakeAPI) GetBehaviors(context.Context) (map[string]remote.Behavior, error) {
	if f.err != nil {
		return nil, f.err
	}
	return map[string]remote.Behavior{"imp_travel": {Name: "Impossible Travel", Enabled: true, RiskLevel: "high"}}, nil
}

func (f fakeAPI) ListIntegrations(context.Context) ([]remote.Integration, error) {
	if f.err != nil {
		return nil, f.err
	}
	return nil, nil
}

const (
	acct1 = "5b5e6c8a1f2d4e3b9a7c6d5e4f3a2b1c"
	acct2 = "7c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f"
)

func options(root string, ids ...string) Options {
	o := Options{
		Root:     root,
		Settings: Settings{SpecDir: DefaultSpecDir, Branch: DefaultBranch},
		Pin:      Pin{Version: testSHA, Commit: testSHA},
	}
	for _, id := range ids {
		o.Accounts = append(o.Accounts, Account{ID: id, API: fakeAPI{}})
	}
	return o
}

// One account: riskscoring/riskscoring.yaml and the three workflows, the
// spec valid and naming the account, the kit passing --check.
func TestInitOneAccount(t *testing.T) {
	root := t.TempDir()
	res, err := Init(context.Background(), options(root, acct1))
	if err != nil {
		t.Fatal(err)
	}
	if !res.Written || len(res.Files) != 4 || res.Accounts[0].Behaviors != 1 {
		t.Fatalf("result %+v", res)
	}
	data, err := os.ReadFile(filepath.Join(root, "riskscoring", SpecFile))
	if err != nil {
		t.Fatal(err)
	}
	a, err := spec.Parse("riskscoring.yaml", data, spec.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if a.Account.AccountID != acct1 {
		t.Errorf("spec names account %q", a.Account.AccountID)
	}
	if r := Check(root, DefaultSpecDir); !r.OK() {
		t.Errorf("the written kit fails --check: %v", r.Problems)
	}
}

// Several accounts: one directory per account (docs/ci-kit.md).
func TestInitManyAccounts(t *testing.T) {
	root := t.TempDir()
	if _, err := Init(context.Background(), options(root, acct1, acct2)); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{acct1, acct2} {
		if _, err := os.Stat(filepath.Join(root, "riskscoring", id, SpecFile)); err != nil {
			t.Error(err)
		}
	}
	if _, err := os.Stat(filepath.Join(root, "riskscoring", SpecFile)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a one-account spec beside the account directories: %v", err)
	}
}

// An existing file is not replaced without Force, and nothing at all is
// written then; with Force every file is replaced.
func TestInitRefusesToReplace(t *testing.T) {
	root := t.TempDir()
	wf := filepath.Join(root, ".github", "workflows")
	if err := os.MkdirAll(wf, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(wf, DriftWorkflow), []byte("mine\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Init(context.Background(), options(root, acct1))
	var te *TargetError
	if !errors.As(err, &te) || !errors.Is(err, fs.ErrExist) || !strings.Contains(err.Error(), ".github/workflows/riskctl-drift.yml") {
		t.Fatalf("err = %v, want a TargetError naming the drift workflow", err)
	}
	if _, err := os.Stat(filepath.Join(root, "riskscoring")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("something was written: %v", err)
	}
	if data, _ := os.ReadFile(filepath.Join(wf, DriftWorkflow)); string(data) != "mine\n" {
		t.Error("the existing file was replaced")
	}
	o := options(root, acct1)
	o.Force = true
	res, err := Init(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(filepath.Join(wf, DriftWorkflow)); string(data) == "mine\n" {
		t.Error("--force did not replace the file")
	}
	if !res.Files[3].Exists || res.Files[0].Exists {
		t.Errorf("Exists marks: %+v", res.Files)
	}
}

// A symbolic link on the way is refused, even with Force.
func TestInitRefusesLinks(t *testing.T) {
	root, elsewhere := t.TempDir(), t.TempDir()
	if err := os.Symlink(elsewhere, filepath.Join(root, "riskscoring")); err != nil {
		t.Skip(err)
	}
	o := options(root, acct1)
	o.Force = true
	_, err := Init(context.Background(), o)
	var link *safefile.LinkError
	if !errors.As(err, &link) {
		t.Fatalf("err = %v, want a LinkError", err)
	}
	if entries, _ := os.ReadDir(elsewhere); len(entries) != 0 {
		t.Errorf("wrote through the link: %v", entries)
	}
}

// DryRun checks and computes everything and writes nothing.
func TestInitDryRun(t *testing.T) {
	root := t.TempDir()
	o := options(root, acct1)
	o.DryRun = true
	res, err := Init(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if res.Written || len(res.Files) != 4 {
		t.Fatalf("result %+v", res)
	}
	if entries, _ := os.ReadDir(root); len(entries) != 0 {
		t.Errorf("dry run wrote %v", entries)
	}
}

// A token the API refuses: each account is said, with the permission
// missing where that is what a 403 means, and nothing is written.
func TestInitCredentials(t *testing.T) {
	forbidden := &remote.APIError{Op: "get behaviors", Status: http.StatusForbidden, Errors: []remote.ErrorItem{{Code: 10000, Message: "Authentication error"}}}
	unentitled := &remote.APIError{Op: "list integrations", Status: http.StatusForbidden, Errors: []remote.ErrorItem{{Code: remote.CodeNotEntitled, Message: "not entitled"}}}
	malformed := &remote.APIError{Op: "get behaviors", Status: http.StatusBadRequest, Errors: []remote.ErrorItem{{Code: remote.CodeInvalidHeaders, Message: "Invalid request headers"}}}
	for _, tc := range []struct {
		err        error
		permission string
		reason     string
	}{
		{forbidden, ReadPermission, `lacks the permission "Zero Trust Read"`},
		{unentitled, "", "does not have Zero Trust risk scoring"},
		{malformed, "", "missing or malformed"},
	} {
		root := t.TempDir()
		o := options(root, acct1, acct2)
		o.Accounts[1].API = fakeAPI{err: tc.err}
		res, err := Init(context.Background(), o)
		var ce *CredentialsError
		if !errors.As(err, &ce) || len(ce.Failed) != 1 || ce.Failed[0].AccountID != acct2 {
			t.Fatalf("err = %v, want a CredentialsError for %s", err, acct2)
		}
		if got := res.Accounts[1].Err; got == nil || got.Permission != tc.permission || !strings.Contains(got.Reason, tc.reason) {
			t.Errorf("account check %+v, want permission %q and %q", got, tc.permission, tc.reason)
		}
		if res.Accounts[0].Err != nil {
			t.Errorf("the readable account failed: %v", res.Accounts[0].Err)
		}
		if entries, _ := os.ReadDir(root); len(entries) != 0 {
			t.Errorf("wrote %v", entries)
		}
	}
}

func TestCheckAccounts(t *testing.T) {
	for ids, ok := range map[string]bool{
		acct1:               true,
		acct1 + " " + acct2: true,
		acct1 + " " + acct1: false,
		"../etc":            false,
		".hidden":           false,
		"a/b":               false,
	} {
		if err := CheckAccounts(strings.Fields(ids)); (err == nil) != ok {
			t.Errorf("CheckAccounts(%s) = %v", ids, err)
		}
	}
}

// A spec directory holding other specs (at its top, or in an account's
// directory) is not exported into: the export would declare an account a
// second time, or sit beside account directories. Hidden entries and the
// files init itself writes do not count.
func TestInitRefusesOccupiedSpecDir(t *testing.T) {
	for _, tc := range []struct {
		files []string
		ok    bool
	}{
		{[]string{"riskscoring/prod.yaml"}, false},
		{[]string{"riskscoring/prod/riskscoring.yml"}, false},
		{[]string{"riskscoring/README.md", "riskscoring/.hidden.yaml", "riskscoring/.old/x.yaml"}, true},
		{[]string{"riskscoring/" + SpecFile}, true}, // replaced with Force
	} {
		root := t.TempDir()
		for _, f := range tc.files {
			p := filepath.Join(root, filepath.FromSlash(f))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte("x: 1\n"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		o := options(root, acct1)
		o.Force = true
		_, err := Init(context.Background(), o)
		var sd *SpecDirError
		if tc.ok != (err == nil) || (!tc.ok && !errors.As(err, &sd)) {
			t.Errorf("%v: err = %v", tc.files, err)
		}
		if !tc.ok {
			if _, err := os.Stat(filepath.Join(root, ".github")); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("%v: wrote the workflows", tc.files)
			}
		}
	}
}

// NoExport reads no account and writes the workflows only.
func TestInitNoExport(t *testing.T) {
	root := t.TempDir()
	o := options(root, acct1)
	o.Accounts[0].API = fakeAPI{err: errors.New("must not be read")}
	o.NoExport = true
	res, err := Init(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Accounts) != 0 || len(res.Files) != 3 || !res.Files[0].Workflow {
		t.Errorf("result %+v", res)
	}
}
