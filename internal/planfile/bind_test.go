package planfile

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/riskctl/riskctl/internal/plan"
	"github.com/riskctl/riskctl/internal/spec"
	"github.com/riskctl/riskctl/internal/testwait"
)

// passwd is content a spec path must never leak into an error: a file
// whose content shows up in a refusal was read, and quoted.
const passwd = "root:x:0:0:root:/root:/bin/bash\n"

// passwdMarkers are the parts of passwd no refusal may quote.
var passwdMarkers = []string{"root:x:0:0", "/bin/bash"}

// wantRefused fails unless err is a *RefusedError for accountID that
// matches plan.ErrRefused, says want, and quotes none of forbidden.
func wantRefused(t *testing.T, err error, accountID, want string, forbidden ...string) *RefusedError {
	t.Helper()
	var re *RefusedError
	if !errors.As(err, &re) {
		t.Fatalf("error %v (%T), want a *RefusedError", err, err)
	}
	if !errors.Is(err, plan.ErrRefused) {
		t.Errorf("errors.Is(%v, plan.ErrRefused) is false", err)
	}
	if re.AccountID != accountID {
		t.Errorf("RefusedError.AccountID = %q, want %q", re.AccountID, accountID)
	}
	msg := err.Error()
	if !strings.Contains(msg, want) {
		t.Errorf("error %q does not say %q", msg, want)
	}
	for _, f := range forbidden {
		if strings.Contains(msg, f) {
			t.Errorf("error %q quotes %q", msg, f)
		}
	}
	return re
}

// readSpecsWithin runs ReadSpecs, failing instead of hanging when it opens
// a FIFO (which blocks until a writer comes).
func readSpecsWithin(t *testing.T, root *os.Root, a Account) ([]SpecSource, error) {
	t.Helper()
	type result struct {
		sources []SpecSource
		err     error
	}
	done := make(chan result, 1)
	go func() {
		s, err := ReadSpecs(root, a)
		done <- result{s, err}
	}()
	select {
	case r := <-done:
		return r.sources, r.err
	case <-testwait.After(t):
		t.Fatalf("ReadSpecs(%q) never returned: it opened the file", a.SpecFiles)
		return nil, nil
	}
}

// bindTree is a working directory (root) inside base, with secret files
// outside it: base/x.yaml and outside/outside.yaml hold passwd.
type bindTree struct {
	base, root, outside string
}

func newBindTree(t *testing.T) bindTree {
	t.Helper()
	base := t.TempDir()
	tr := bindTree{base: base, root: filepath.Join(base, "root"), outside: t.TempDir()}
	for _, d := range []string{tr.root, filepath.Join(tr.root, "a"), filepath.Join(tr.root, "sub"), filepath.Join(tr.root, "d.yaml")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	writeSpec(t, base, "x.yaml", passwd)
	writeSpec(t, tr.outside, "outside.yaml", passwd)
	writeSpec(t, tr.root, "secrets.env", passwd)
	writeSpec(t, tr.root, "spec.yaml", "version: 1\naccount_id: "+accountA+"\n")
	writeSpec(t, tr.root, "other.yaml", "version: 1\naccount_id: "+accountB+"\n")
	writeSpec(t, filepath.Join(tr.root, "sub"), "nested.yml", "version: 1\naccount_id: "+accountA+"\nprune: true\n")
	if err := os.Symlink(filepath.Join(tr.outside, "outside.yaml"), filepath.Join(tr.root, "escape.yaml")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join("..", "x.yaml"), filepath.Join(tr.root, "up.yaml")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join("sub", "nested.yml"), filepath.Join(tr.root, "inside.yaml")); err != nil {
		t.Fatal(err)
	}
	return tr
}

func openRoot(t *testing.T, dir string) *os.Root {
	t.Helper()
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { root.Close() })
	return root
}

func TestReadSpecsRefuses(t *testing.T) {
	tr := newBindTree(t)
	fifo := true
	if err := syscall.Mkfifo(filepath.Join(tr.root, "p.yaml"), 0o600); err != nil {
		fifo = false
		t.Logf("no FIFO case: %v", err)
	}
	root := openRoot(t, tr.root)

	tests := []struct {
		name      string
		specFiles []string
		want      string
		skip      bool
	}{
		{"etc passwd", []string{"/etc/passwd"}, "absolute path", false},
		{"absolute yaml outside", []string{filepath.Join(tr.outside, "outside.yaml")}, "absolute path", false},
		{"absolute yaml inside", []string{filepath.Join(tr.root, "spec.yaml")}, "absolute path", false},
		{"dot dot", []string{"../x.yaml"}, "leaves the working directory", false},
		{"dot dot deeper", []string{"a/../../x.yaml"}, "leaves the working directory", false},
		{"symlink outside", []string{"escape.yaml"}, "through a symlink", false},
		{"relative symlink up", []string{"up.yaml"}, "through a symlink", false},
		{"not yaml", []string{"secrets.env"}, "not a *.yaml or *.yml file", false},
		{"directory", []string{"d.yaml"}, "not a regular file", false},
		{"fifo", []string{"p.yaml"}, "not a regular file", !fifo},
		{"missing", []string{"missing.yaml"}, "missing.yaml", false},
		{"empty path", []string{""}, "the path is empty", false},
		{"two files", []string{"spec.yaml", "other.yaml"}, "names 2 spec files", false},
		{"no file", nil, "names 0 spec files", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.skip {
				t.Skip("syscall.Mkfifo failed")
			}
			a := Account{AccountID: accountA, SpecFiles: tt.specFiles}
			sources, err := readSpecsWithin(t, root, a)
			if sources != nil {
				t.Errorf("ReadSpecs returned sources %q along with its error", sources)
			}
			wantRefused(t, err, accountA, tt.want, passwdMarkers...)
			if !strings.Contains(err.Error(), accountA) {
				t.Errorf("error %q does not name the account", err)
			}
		})
	}
}

func TestReadSpecsReads(t *testing.T) {
	tr := newBindTree(t)
	root := openRoot(t, tr.root)
	tests := []struct {
		path string
		file string // the file it reads, relative to the root
	}{
		{"spec.yaml", "spec.yaml"},
		{"./spec.yaml", "spec.yaml"},
		{"sub/nested.yml", "sub/nested.yml"},
		{"sub/../spec.yaml", "spec.yaml"},
		{"inside.yaml", "sub/nested.yml"}, // a symlink that stays inside
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			sources, err := readSpecsWithin(t, root, Account{AccountID: accountA, SpecFiles: []string{tt.path}})
			if err != nil {
				t.Fatalf("ReadSpecs(%q): %v", tt.path, err)
			}
			want, err := os.ReadFile(filepath.Join(tr.root, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if len(sources) != 1 {
				t.Fatalf("ReadSpecs(%q) = %d sources, want 1", tt.path, len(sources))
			}
			if sources[0].Path != tt.path {
				t.Errorf("SpecSource.Path = %q, want %q (as the plan names it)", sources[0].Path, tt.path)
			}
			if string(sources[0].Data) != string(want) {
				t.Errorf("SpecSource.Data = %q, want %q", sources[0].Data, want)
			}
		})
	}
}

func TestDigestMatchesSpecDigest(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	writeSpec(t, dir, "spec.yaml", "version: 1\naccount_id: "+accountA+"\n")
	if err := os.Mkdir("sub", 0o755); err != nil {
		t.Fatal(err)
	}
	writeSpec(t, "sub", "b.yml", "version: 1\naccount_id: "+accountB+"\n")
	root := openRoot(t, ".")

	sources, err := ReadSpecs(root, Account{AccountID: accountA, SpecFiles: []string{"spec.yaml"}})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := Digest(sources), specDigest(t, "spec.yaml"); got != want {
		t.Errorf("Digest(ReadSpecs) = %s, SpecDigest = %s", got, want)
	}

	// Several files, in order, as SpecDigest hashes them.
	paths := []string{"sub/b.yml", "spec.yaml"}
	var many []SpecSource
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		many = append(many, SpecSource{Path: p, Data: data})
	}
	if got, want := Digest(many), specDigest(t, paths...); got != want {
		t.Errorf("Digest of %q = %s, SpecDigest = %s", paths, got, want)
	}
	if Digest(many) == Digest([]SpecSource{many[1], many[0]}) {
		t.Error("Digest ignores the order of the files")
	}

	// The path is hashed as the plan names it.
	if Digest(sources) == Digest([]SpecSource{{Path: "./spec.yaml", Data: sources[0].Data}}) {
		t.Error("Digest ignores the path")
	}
}

func TestParseSpec(t *testing.T) {
	noEnv := spec.Options{LookupEnv: func(string) (string, bool) { return "", false }}
	a := Account{AccountID: accountA, SpecFiles: []string{"spec.yaml"}}
	src := func(content string) []SpecSource {
		return []SpecSource{{Path: "spec.yaml", Data: []byte(content)}}
	}

	t.Run("right account", func(t *testing.T) {
		content := "version: 1\naccount_id: " + accountA + "\nbehaviors:\n  imp_travel: {enabled: true, risk_level: high}\n"
		f, err := ParseSpec(a, src(content), noEnv)
		if err != nil {
			t.Fatalf("ParseSpec: %v", err)
		}
		if f.Account.AccountID != accountA || f.Path != "spec.yaml" {
			t.Errorf("ParseSpec = account %q path %q, want %q %q", f.Account.AccountID, f.Path, accountA, "spec.yaml")
		}
		if b := f.Account.Behaviors["imp_travel"]; !b.Enabled || b.RiskLevel != "high" {
			t.Errorf("ParseSpec lost the behaviors: %+v", f.Account.Behaviors)
		}
	})

	t.Run("account from a variable", func(t *testing.T) {
		opts := spec.Options{LookupEnv: func(name string) (string, bool) {
			if name == "RISKCTL_VAR_ACCOUNT" {
				return accountA, true
			}
			return "", false
		}}
		f, err := ParseSpec(a, src("version: 1\naccount_id: ${RISKCTL_VAR_ACCOUNT}\n"), opts)
		if err != nil || f.Account.AccountID != accountA {
			t.Fatalf("ParseSpec = %v, %v", f, err)
		}
	})

	t.Run("default account", func(t *testing.T) {
		opts := noEnv
		opts.DefaultAccountID = accountA
		if _, err := ParseSpec(a, src("version: 1\n"), opts); err != nil {
			t.Errorf("ParseSpec of a spec taking the default account %s: %v", accountA, err)
		}
		opts.DefaultAccountID = accountB
		_, err := ParseSpec(a, src("version: 1\n"), opts)
		wantRefused(t, err, accountA, "declares account "+accountB)
	})

	t.Run("other account", func(t *testing.T) {
		f, err := ParseSpec(a, src("version: 1\naccount_id: "+accountB+"\n"), noEnv)
		if f != nil {
			t.Errorf("ParseSpec returned a File along with its error")
		}
		re := wantRefused(t, err, accountA, "declares account "+accountB)
		if !strings.Contains(re.Error(), accountA) || !strings.Contains(re.Error(), `"spec.yaml"`) {
			t.Errorf("error %q does not name the plan's account %s and the file", re, accountA)
		}
	})

	invalid := []struct {
		name, content string
		forbidden     []string
	}{
		{"passwd", passwd, passwdMarkers},
		{"unknown key", "version: 1\naccount_id: " + accountA + "\nsecretkey: hunter2value\n", []string{"hunter2value", "secretkey"}},
		{"bad yaml", "version: 1\naccount_id: [hunter2value\n", []string{"hunter2value"}},
		{"bad value", "version: 1\naccount_id: hunter2value\n", []string{"hunter2value"}},
		{"two documents", "version: 1\naccount_id: " + accountA + "\n---\nhunter2value: 1\n", []string{"hunter2value"}},
	}
	for _, tt := range invalid {
		t.Run("invalid "+tt.name, func(t *testing.T) {
			f, err := ParseSpec(a, src(tt.content), noEnv)
			if f != nil {
				t.Errorf("ParseSpec returned a File along with its error")
			}
			wantRefused(t, err, accountA, "is not a valid spec", append([]string{tt.content}, tt.forbidden...)...)
		})
	}
}

func TestCheckVersion(t *testing.T) {
	f := File{RiskctlVersion: "v1.2.3"}
	if err := CheckVersion(f, "v1.2.3"); err != nil {
		t.Errorf("CheckVersion of the same version: %v", err)
	}
	for _, running := range []string{"v9.9.9", "v1.2.3-dirty", "dev", ""} {
		err := CheckVersion(f, running)
		wantRefused(t, err, "", `"v1.2.3"`)
		if !strings.Contains(err.Error(), `"`+running+`"`) {
			t.Errorf("error %q does not quote the running version %q", err, running)
		}
	}
	wantRefused(t, CheckVersion(File{}, "v1.2.3"), "", `riskctl ""`)
}

func TestCheckOutput(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)

	// The inputs are riskctl plans, so that only the input rule refuses
	// overwriting them.
	if err := Write("spec.json", sampleFile(t, t.TempDir())); err != nil {
		t.Fatal(err)
	}
	if err := Write("plan.json", sampleFile(t, t.TempDir())); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("spec.json", "link.json"); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir("out.json", 0o755); err != nil {
		t.Fatal(err)
	}
	writeSpec(t, dir, "spec.yaml", "version: 1\naccount_id: "+accountA+"\n")
	writeSpec(t, dir, "notes.txt", "my notes\n")
	writeSpec(t, dir, "empty.json", "")
	writeSpec(t, dir, "report.json", `{"format_version": "1", "kind": "plan", "changes": []}`)
	writeSpec(t, dir, "noversion.json", `{"accounts": []}`)
	writeSpec(t, dir, "array.json", `[{"format_version": "1", "accounts": []}]`)

	inputs := []string{"spec.json", "spec.yaml"}
	tests := []struct {
		name, path string
		inputs     []string
		want       string // "" when path may be written
	}{
		{"new file", "new.json", inputs, ""},
		{"new file in a missing dir", "nodir/new.json", inputs, ""},
		{"existing plan", "plan.json", inputs, ""},
		{"existing plan, absolute", filepath.Join(dir, "plan.json"), inputs, ""},
		{"yaml", "x.yaml", inputs, "would be read as a spec"},
		{"yml", "x.yml", inputs, "would be read as a spec"},
		{"the yaml input", "spec.yaml", inputs, "would be read as a spec"},
		{"directory", "out.json", inputs, "is a directory"},
		{"input", "spec.json", inputs, "refusing to overwrite an input"},
		{"input, dot slash", "./spec.json", inputs, "refusing to overwrite an input"},
		{"input spelled with dot slash", "spec.json", []string{"./spec.json"}, "refusing to overwrite an input"},
		{"input, absolute", filepath.Join(dir, "spec.json"), inputs, "refusing to overwrite an input"},
		{"input through a symlink", "link.json", inputs, "refusing to overwrite an input"},
		{"symlink input", "spec.json", []string{"link.json"}, "refusing to overwrite an input"},
		{"not a plan", "notes.txt", inputs, "is not a riskctl plan file"},
		{"empty", "empty.json", inputs, "is not a riskctl plan file"},
		{"plan --format json output", "report.json", inputs, "is not a riskctl plan file"},
		{"no format_version", "noversion.json", inputs, "is not a riskctl plan file"},
		{"not an object", "array.json", inputs, "is not a riskctl plan file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before, _ := os.ReadFile(tt.path)
			err := CheckOutput(tt.path, tt.inputs)
			if tt.want == "" {
				if err != nil {
					t.Errorf("CheckOutput(%q, %q): %v, want nil", tt.path, tt.inputs, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("CheckOutput(%q, %q) = nil, want an error saying %q", tt.path, tt.inputs, tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("CheckOutput(%q): %q, want it to say %q", tt.path, err, tt.want)
			}
			if !strings.Contains(err.Error(), tt.path) {
				t.Errorf("CheckOutput(%q): %q does not name the path", tt.path, err)
			}
			if after, _ := os.ReadFile(tt.path); string(after) != string(before) {
				t.Errorf("CheckOutput changed %s", tt.path)
			}
		})
	}
}

func TestLocalSpecPath(t *testing.T) {
	dir := t.TempDir()
	outside := t.TempDir()
	t.Chdir(dir)
	writeSpec(t, dir, "spec.yaml", "version: 1\n")
	if err := os.Mkdir("sub", 0o755); err != nil {
		t.Fatal(err)
	}
	writeSpec(t, "sub", "s.yml", "version: 1\n")
	writeSpec(t, dir, "notes.txt", passwd)
	writeSpec(t, outside, "outside.yaml", passwd)
	if err := os.Symlink(filepath.Join(outside, "outside.yaml"), "escape.yaml"); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join("sub", "s.yml"), "inside.yaml"); err != nil {
		t.Fatal(err)
	}
	root := openRoot(t, ".")

	ok := []struct{ path, want string }{
		{"spec.yaml", "spec.yaml"},
		{"./spec.yaml", "spec.yaml"},
		{"sub/../spec.yaml", "spec.yaml"},
		{"sub//s.yml", "sub/s.yml"},
		{"inside.yaml", "inside.yaml"},
		{filepath.Join(dir, "spec.yaml"), "spec.yaml"},
		{filepath.Join(dir, "sub", "s.yml"), filepath.Join("sub", "s.yml")},
	}
	for _, tt := range ok {
		got, err := LocalSpecPath(root, tt.path)
		if err != nil || got != tt.want {
			t.Errorf("LocalSpecPath(%q) = %q, %v, want %q", tt.path, got, err, tt.want)
		}
	}

	bad := []struct{ name, path, want string }{
		{"absolute outside", filepath.Join(outside, "outside.yaml"), "leaves the working directory"},
		{"etc passwd", "/etc/passwd", "leaves the working directory"},
		{"dot dot", "../x.yaml", "leaves the working directory"},
		{"dot dot inside out", "sub/../../x.yaml", "leaves the working directory"},
		{"escaping symlink", "escape.yaml", "through a symlink"},
		{"not yaml", "notes.txt", "not a *.yaml or *.yml file"},
		{"missing", "missing.yaml", "cannot be named by a saved plan"},
		{"empty", "", "the path is empty"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			got, err := LocalSpecPath(root, tt.path)
			if err == nil {
				t.Fatalf("LocalSpecPath(%q) = %q, want an error", tt.path, got)
			}
			if got != "" {
				t.Errorf("LocalSpecPath(%q) returned %q along with its error", tt.path, got)
			}
			msg := err.Error()
			if !strings.Contains(msg, tt.want) || !strings.Contains(msg, "cannot be named by a saved plan") {
				t.Errorf("LocalSpecPath(%q): %q, want it to say %q", tt.path, msg, tt.want)
			}
			for _, m := range passwdMarkers {
				if strings.Contains(msg, m) {
					t.Errorf("LocalSpecPath(%q): %q quotes the file", tt.path, msg)
				}
			}
		})
	}
}
