package cli

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/riskctl/riskctl/internal/spec"
	"github.com/riskctl/riskctl/internal/state"
)

func TestImportOptions(t *testing.T) {
	for _, tc := range []struct {
		args string
		want importOptions
		err  string
	}{
		{args: "state.json", want: importOptions{File: "state.json"}},
		{args: "-", want: importOptions{File: "-"}},
		{args: "state.json -o specs --handoff h.tf --force", want: importOptions{File: "state.json", OutDir: "specs", Handoff: "h.tf", Force: true}},
		{args: "--output=specs state.json --emulate", want: importOptions{File: "state.json", OutDir: "specs"}},
		{args: "", err: "takes one FILE"},
		{args: "a.json b.json", err: "got 2 arguments"},
		{args: "state.json --nope", err: "unknown flag --nope"},
	} {
		t.Run(tc.args, func(t *testing.T) {
			got, err := optionsFrom(t, "import terraform", importOptionsFrom, tc.args)
			if tc.err != "" {
				wantUsageError(t, err, tc.err)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("options (-want +got):\n%s", diff)
			}
		})
	}
}

// TestImportCommandUsage: the command follows the usage conventions of the
// others (TestCommandsUsage).
func TestImportCommandUsage(t *testing.T) {
	cmd := findCommand(t, testApp(), "import terraform")
	if !strings.HasPrefix(cmd.UsageText, "riskctl import terraform") {
		t.Errorf("UsageText %q", cmd.UsageText)
	}
	_, examples, ok := strings.Cut(cmd.Description, "\n\nExamples:\n")
	if !ok {
		t.Fatalf("no Examples in %q", cmd.Description)
	}
	for _, l := range strings.Split(examples, "\n") {
		if !strings.HasPrefix(l, "  ") || !strings.Contains(l, "riskctl import terraform") {
			t.Errorf("example %q does not run riskctl import terraform", l)
		}
	}
}

const (
	importAccount  = "5b5e6c8a1f2d4e3b9a7c6d5e4f3a2b1c"
	importAccount2 = "7c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f"
)

// stateOf is a raw state of one behavior resource and one integration per
// account.
func stateOf(tenantURL string, accounts ...string) string {
	var res []string
	for i, a := range accounts {
		res = append(res, `{"mode": "managed", "type": "cloudflare_zero_trust_risk_behavior", "name": "b`+string(rune('0'+i))+`",
		  "provider": "provider[\"registry.terraform.io/cloudflare/cloudflare\"]",
		  "instances": [{"attributes": {"account_id": "`+a+`", "behaviors": {"imp_travel": {"enabled": true, "risk_level": "HIGH"}}}}]}`,
			`{"mode": "managed", "type": "cloudflare_zero_trust_risk_scoring_integration", "name": "i`+string(rune('0'+i))+`",
		  "provider": "provider[\"registry.terraform.io/cloudflare/cloudflare\"]",
		  "instances": [{"index_key": "k", "attributes": {"id": "x", "account_id": "`+a+`", "integration_type": "Okta",
		    "tenant_url": "`+tenantURL+`", "reference_id": "ref-$1", "active": null, "well_known_url": "w", "created_at": "c"}}]}`)
	}
	return `{"version": 4, "resources": [` + strings.Join(res, ",") + `]}`
}

// runImport runs riskctl in dir with stdin and returns the exit code and
// the two streams.
func runImport(t *testing.T, dir, stdin string, args ...string) (int, string, string) {
	t.Helper()
	clearEnv(t)
	t.Chdir(dir)
	var out, errOut bytes.Buffer
	code := Main(context.Background(), append([]string{"riskctl", "import", "terraform"}, args...),
		Streams{In: strings.NewReader(stdin), Out: &out, Err: &errOut})
	return code, out.String(), errOut.String()
}

func writeTestFile(t *testing.T, path, data string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestImportOneAccount: one account goes to stdout, as a spec that loads
// back to the state's values (with "$" kept literal), and the handoff to
// stderr.
func TestImportOneAccount(t *testing.T) {
	dir := t.TempDir()
	code, out, errOut := runImport(t, dir, stateOf("https://acme.okta.com/$HOME", importAccount), "-")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	f, err := spec.Parse("imported.yaml", []byte(out), spec.Options{LookupEnv: func(string) (string, bool) { return "leaked", true }})
	if err != nil {
		t.Fatalf("the spec does not load: %v\n%s", err, out)
	}
	in := f.Account.Integrations
	if len(in) != 1 || in[0].ReferenceID != "ref-$1" || in[0].TenantURL != "https://acme.okta.com/$HOME" || !in[0].Active {
		t.Errorf("integrations = %+v", in)
	}
	if b := f.Account.Behaviors["imp_travel"]; !b.Enabled || b.RiskLevel != "high" {
		t.Errorf("imp_travel = %+v", b)
	}
	for _, want := range []string{
		"removed {\n  from = cloudflare_zero_trust_risk_scoring_integration.i0\n",
		`#   terraform state rm 'cloudflare_zero_trust_risk_scoring_integration.i0["k"]'`,
		"Imported 2 resource instances of 1 account from stdin.",
	} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
}

// TestImportNothingWritten: a refused import writes no spec and no
// handoff, whatever the reason.
func TestImportNothingWritten(t *testing.T) {
	for _, tc := range []struct {
		name  string
		state string
		setup func(t *testing.T, dir string)
		args  []string
		code  int
		err   string
	}{
		{name: "several accounts without -o", state: stateOf("https://a.okta.com", importAccount, importAccount2),
			args: []string{"--handoff", "h.tf"}, code: ExitInvalid, err: "pass -o DIR"},
		{name: "unexpressible tenant_url", state: stateOf(`http://a.okta.com`, importAccount, importAccount2),
			args: []string{"-o", "out", "--handoff", "h.tf"}, code: ExitInvalid, err: "a spec cannot express these values"},
		{name: "an existing spec", state: stateOf("https://a.okta.com", importAccount, importAccount2),
			setup: func(t *testing.T, dir string) {
				os.Mkdir(filepath.Join(dir, "out"), 0o755)
				writeTestFile(t, filepath.Join(dir, "out", importAccount2+".yaml"), "mine")
			},
			args: []string{"-o", "out", "--handoff", "h.tf"}, code: ExitInvalid, err: "not overwriting out/" + importAccount2 + ".yaml"},
		{name: "an existing handoff", state: stateOf("https://a.okta.com", importAccount),
			setup: func(t *testing.T, dir string) { writeTestFile(t, filepath.Join(dir, "h.tf"), "mine") },
			args:  []string{"-o", "out", "--handoff", "h.tf"}, code: ExitInvalid, err: "not overwriting h.tf"},
		{name: "no reference_id", state: strings.ReplaceAll(stateOf("https://a.okta.com", importAccount), `"ref-$1"`, "null"),
			args: []string{"-o", "out", "--handoff", "h.tf"}, code: ExitInvalid, err: `cloudflare_zero_trust_risk_scoring_integration.i0["k"]: has no reference_id`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if tc.setup != nil {
				tc.setup(t, dir)
			}
			before := listFiles(t, dir)
			code, out, errOut := runImport(t, dir, tc.state, append([]string{"-"}, tc.args...)...)
			if code != tc.code || !strings.Contains(errOut, tc.err) {
				t.Errorf("exit %d, stderr:\n%s\nwant exit %d and %q", code, errOut, tc.code, tc.err)
			}
			if out != "" || strings.Contains(errOut, "removed {") {
				t.Errorf("output on a refusal: stdout %q, stderr %q", out, errOut)
			}
			if diff := cmp.Diff(before, listFiles(t, dir)); diff != "" {
				t.Errorf("files changed (-before +after):\n%s", diff)
			}
		})
	}
}

// TestImportForce: --force replaces the files a first import wrote.
func TestImportForce(t *testing.T) {
	dir := t.TempDir()
	state := stateOf("https://a.okta.com", importAccount, importAccount2)
	if code, _, errOut := runImport(t, dir, state, "-", "-o", "out", "--handoff", "h.tf"); code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	writeTestFile(t, filepath.Join(dir, "out", importAccount+".yaml"), "edited")
	if code, _, errOut := runImport(t, dir, state, "-", "-o", "out", "--handoff", "h.tf", "--force"); code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	data, err := os.ReadFile(filepath.Join(dir, "out", importAccount+".yaml"))
	if err != nil || !bytes.Contains(data, []byte("account_id: ")) {
		t.Errorf("not replaced: %q %v", data, err)
	}
	if got := listFiles(t, dir); len(got) != 3 {
		t.Errorf("files %v, want two specs and the handoff", got)
	}
}

// listFiles lists the files under dir with their contents.
func listFiles(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		out[path] = string(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestWriteOutputsNoClobber: without --force a file that appeared after
// the check is still not replaced.
func TestWriteOutputsNoClobber(t *testing.T) {
	path := filepath.Join(t.TempDir(), "spec.yaml")
	writeTestFile(t, path, "mine")
	if err := writeOutputs([]output{{path: path, data: []byte("theirs")}}, false); err == nil {
		t.Error("an existing file was replaced without --force")
	}
	if data, _ := os.ReadFile(path); string(data) != "mine" {
		t.Errorf("file holds %q", data)
	}
	if err := writeOutputs([]output{{path: path, data: []byte("theirs")}}, true); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(path); string(data) != "theirs" {
		t.Errorf("with --force the file holds %q", data)
	}
}

// snapshot lists what is under dir: each file's contents and each
// symbolic link's target, without following links.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case d.Type()&fs.ModeSymlink != 0:
			target, err := os.Readlink(path)
			out[path] = "-> " + target
			return err
		case d.IsDir():
			out[path] = "dir"
			return nil
		}
		data, err := os.ReadFile(path)
		out[path] = string(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestImportRefusesSymlinks: no output is written through a symbolic
// link, of the file or of a directory on its path, with or without
// --force: exit 3, the link named, nothing written anywhere.
func TestImportRefusesSymlinks(t *testing.T) {
	spec1 := filepath.Join("out", importAccount+".yaml")
	for _, tc := range []struct {
		name  string
		setup func(t *testing.T, dir string) // dir holds work/ (the working directory) and victim
		args  []string
		link  string // named in the refusal
	}{
		{name: "spec is a link, --force", setup: linkAt(spec1, "../../victim"),
			args: []string{"-o", "out", "--force"}, link: spec1},
		{name: "spec is a link", setup: linkAt(spec1, "../../victim"),
			args: []string{"-o", "out"}, link: spec1},
		{name: "spec is a dangling link, --force", setup: linkAt(spec1, "../../nowhere"),
			args: []string{"-o", "out", "--force"}, link: spec1},
		{name: "spec is a dangling link", setup: linkAt(spec1, "../../nowhere"),
			args: []string{"-o", "out"}, link: spec1},
		{name: "out is a link", setup: linkAt("out", "../elsewhere"),
			args: []string{"-o", "out"}, link: "out"},
		{name: "out is a link, --force", setup: linkAt("out", "../elsewhere"),
			args: []string{"-o", "out", "--force"}, link: "out"},
		{name: "a link deeper on the path", setup: linkAt("a/b", "../../elsewhere"),
			args: []string{"-o", "a/b/c/out", "--force"}, link: filepath.Join("a", "b")},
		{name: "a link before ..", setup: linkAt("a/b", "../../elsewhere"),
			args: []string{"--handoff", "a/b/../h.tf", "--force"}, link: filepath.Join("a", "b")},
		{name: "handoff is a link, --force", setup: linkAt("h.tf", "../victim"),
			args: []string{"-o", "out", "--handoff", "h.tf", "--force"}, link: "h.tf"},
		{name: "handoff in a linked directory, absolute", setup: linkAt("hd", "../elsewhere"),
			args: []string{"--handoff", "WORK/hd/h.tf", "--force"}, link: filepath.Join("WORK", "hd")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			work := filepath.Join(dir, "work")
			for _, d := range []string{work, filepath.Join(dir, "elsewhere")} {
				if err := os.Mkdir(d, 0o755); err != nil {
					t.Fatal(err)
				}
			}
			writeTestFile(t, filepath.Join(dir, "victim"), "victim")
			tc.setup(t, work)
			args := []string{"-"}
			for _, a := range tc.args {
				args = append(args, strings.ReplaceAll(a, "WORK", work))
			}
			link := strings.ReplaceAll(tc.link, "WORK", work)
			before := snapshot(t, dir)
			code, out, errOut := runImport(t, work, stateOf("https://a.okta.com", importAccount), args...)
			if code != ExitInvalid || !strings.Contains(errOut, link+":") && !strings.Contains(errOut, link+",") ||
				!strings.Contains(errOut, "symbolic link") || !strings.Contains(errOut, "nothing was written") {
				t.Errorf("exit %d, stderr:\n%s\nwant exit 3 naming the link %s", code, errOut, link)
			}
			if out != "" || strings.Contains(errOut, "removed {") {
				t.Errorf("output on a refusal: stdout %q, stderr %q", out, errOut)
			}
			if diff := cmp.Diff(before, snapshot(t, dir)); diff != "" {
				t.Errorf("files changed (-before +after):\n%s", diff)
			}
		})
	}
}

// linkAt makes a symbolic link at name (in the working directory) to
// target, with the directories above it.
func linkAt(name, target string) func(t *testing.T, dir string) {
	return func(t *testing.T, dir string) {
		t.Helper()
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(target, path); err != nil {
			t.Fatal(err)
		}
	}
}

// TestImportThroughLinkedWorkingDir: links above the working directory
// are the user's layout, not the output path's: an import from a working
// directory reached through a link, with absolute paths spelled through
// it ($PWD), writes as usual.
func TestImportThroughLinkedWorkingDir(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "real")
	if err := os.Mkdir(real, 0o755); err != nil {
		t.Fatal(err)
	}
	linked := filepath.Join(dir, "linked")
	if err := os.Symlink(real, linked); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := runImport(t, linked, stateOf("https://a.okta.com", importAccount),
		"-", "-o", filepath.Join(linked, "out"), "--handoff", filepath.Join(linked, "h.tf"))
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, f := range []string{filepath.Join("out", importAccount+".yaml"), "h.tf"} {
		if info, err := os.Lstat(filepath.Join(real, f)); err != nil || !info.Mode().IsRegular() {
			t.Errorf("%s: %v %v", f, info, err)
		}
	}
	// And the same file by both spellings is still one file.
	code, _, errOut = runImport(t, linked, stateOf("https://a.okta.com", importAccount),
		"-", "-o", "out2", "--handoff", filepath.Join(real, "out2", importAccount+".yaml"), "--force")
	if code != ExitInvalid || !strings.Contains(errOut, "are the same file") {
		t.Errorf("exit %d, stderr:\n%s\nwant the same file refused", code, errOut)
	}
	if _, err := os.Lstat(filepath.Join(real, "out2")); err == nil {
		t.Error("out2 was created")
	}
}

// TestImportHandoffIsASpec: a --handoff naming one of the spec files, by
// any spelling (or a hard link to it), is refused before anything is
// written, with or without --force.
func TestImportHandoffIsASpec(t *testing.T) {
	acct := importAccount + ".yaml"
	for _, tc := range []struct {
		name    string
		setup   func(t *testing.T, dir string)
		handoff string // WORK is the working directory
		force   bool
	}{
		{name: "absolute, --force", handoff: "WORK/out2/" + acct, force: true},
		{name: "absolute", handoff: "WORK/out2/" + acct},
		{name: "dot", handoff: "out2/./" + acct},
		{name: "dot dot, --force", handoff: "out2/../out2/" + acct, force: true},
		{name: "double slash", handoff: "out2//" + acct},
		{name: "another case", handoff: "out2/" + strings.ToUpper(importAccount) + ".yaml"},
		{name: "existing, absolute, --force", setup: func(t *testing.T, dir string) {
			os.Mkdir(filepath.Join(dir, "out2"), 0o755)
			writeTestFile(t, filepath.Join(dir, "out2", acct), "mine")
		}, handoff: "WORK/out2/" + acct, force: true},
		{name: "hard link, --force", setup: func(t *testing.T, dir string) {
			os.Mkdir(filepath.Join(dir, "out2"), 0o755)
			writeTestFile(t, filepath.Join(dir, "out2", acct), "mine")
			if err := os.Link(filepath.Join(dir, "out2", acct), filepath.Join(dir, "h.tf")); err != nil {
				t.Fatal(err)
			}
		}, handoff: "h.tf", force: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if tc.setup != nil {
				tc.setup(t, dir)
			}
			args := []string{"-", "-o", "out2", "--handoff", strings.ReplaceAll(tc.handoff, "WORK", dir)}
			if tc.force {
				args = append(args, "--force")
			}
			before := snapshot(t, dir)
			code, out, errOut := runImport(t, dir, stateOf("https://a.okta.com", importAccount, importAccount2), args...)
			if code != ExitInvalid || !strings.Contains(errOut, "are the same file") || !strings.Contains(errOut, "nothing was written") {
				t.Errorf("exit %d, stderr:\n%s\nwant exit 3: the same file", code, errOut)
			}
			if out != "" || strings.Contains(errOut, "removed {") {
				t.Errorf("output on a refusal: stdout %q, stderr %q", out, errOut)
			}
			if diff := cmp.Diff(before, snapshot(t, dir)); diff != "" {
				t.Errorf("files changed (-before +after):\n%s", diff)
			}
		})
	}
}

// TestWriteOutputsAtomic: with --force a file is replaced by a new one
// (renamed into place), not truncated and rewritten in place: a hard link
// to the old file keeps the old contents, and no temporary file is left.
// Without --force a file that appeared since the check is an exists error.
func TestWriteOutputsAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "spec.yaml")
	writeTestFile(t, path, "mine")
	old := filepath.Join(dir, "old")
	if err := os.Link(path, old); err != nil {
		t.Fatal(err)
	}
	if err := writeOutputs([]output{{path: path, data: []byte("theirs")}}, true); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(path); string(data) != "theirs" {
		t.Errorf("with --force the file holds %q", data)
	}
	if data, _ := os.ReadFile(old); string(data) != "mine" {
		t.Errorf("the old file was rewritten in place: it holds %q", data)
	}
	err := writeOutputs([]output{{path: path, data: []byte("again")}}, false)
	if !errors.Is(err, fs.ErrExist) {
		t.Errorf("without --force: %v, want an exists error", err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("directory holds %v, want the file and its old link", entries)
	}
	fresh := filepath.Join(dir, "sub", "new.yaml")
	if err := writeOutputs([]output{{path: fresh, data: []byte("new")}}, false); err != nil {
		t.Fatal(err)
	}
	if info, err := os.Stat(fresh); err != nil || info.Mode().Perm() != 0o644 {
		t.Errorf("new file: %v %v", info, err)
	}
	if entries, _ := os.ReadDir(filepath.Dir(fresh)); len(entries) != 1 {
		t.Errorf("a temporary file was left: %v", entries)
	}
}

// TestImportHeader: an imported spec says only that it was imported; an
// export keeps its own header.
func TestImportHeader(t *testing.T) {
	code, out, errOut := runImport(t, t.TempDir(), stateOf("https://a.okta.com", importAccount), "-")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if want := "# Imported by riskctl import terraform from \"stdin\".\nversion: 1\n"; !strings.HasPrefix(out, want) {
		t.Errorf("spec starts\n%s\nwant\n%s", out, want)
	}
	if strings.Contains(out, "Exported") {
		t.Errorf("the imported spec says it was exported:\n%s", out)
	}
	a := state.Account{AccountID: importAccount, Behaviors: map[string]state.Behavior{}}
	for _, tc := range []struct {
		opts []spec.WriteOption
		want string
	}{
		{want: "# Exported by riskctl from account " + importAccount + ".\nversion: 1\n"},
		{opts: []spec.WriteOption{spec.Header("")}, want: "version: 1\n"},
		{opts: []spec.WriteOption{spec.Header("from \"a\\b\" ünï")}, want: "# from \"a\\b\" ünï\nversion: 1\n"},
		{opts: []spec.WriteOption{spec.Header("x\ninjected: true\u2028")}, want: "# x\\ninjected: true\\u2028\nversion: 1\n"},
	} {
		var buf bytes.Buffer
		if err := spec.Write(&buf, a, tc.opts...); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(buf.String(), tc.want) {
			t.Errorf("spec.Write starts\n%s\nwant\n%s", buf.String(), tc.want)
		}
		if _, err := spec.Parse("x.yaml", buf.Bytes(), spec.Options{}); err != nil {
			t.Errorf("does not load: %v\n%s", err, buf.String())
		}
	}
}
