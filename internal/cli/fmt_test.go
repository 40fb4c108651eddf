package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestFmtOptions(t *testing.T) {
	checkOptions(t, "fmt", fmtOptionsFrom, []optionsCase[fmtOptions]{
		{"fmt a.yaml", fmtOptions{Paths: []string{"a.yaml"}}},
		{"fmt -w dir/ b.yaml", fmtOptions{Paths: []string{"dir/", "b.yaml"}, Write: true}},
		{"fmt a.yaml --write", fmtOptions{Paths: []string{"a.yaml"}, Write: true}},
		{"fmt --check -f a.yaml b.yaml", fmtOptions{Paths: []string{"b.yaml", "a.yaml"}, Check: true}},
		{"fmt -d a.yaml", fmtOptions{Paths: []string{"a.yaml"}, Diff: true}},
		{"fmt --diff --check a.yaml", fmtOptions{Paths: []string{"a.yaml"}, Diff: true, Check: true}},
		{"fmt -", fmtOptions{Stdin: true}},
		{"fmt -d -f -", fmtOptions{Stdin: true, Diff: true}},
	})
	checkUsageErrors(t, "fmt", fmtOptionsFrom, []usageCase{
		u("fmt -w --check a.yaml", "-w excludes --check and -d"),
		u("fmt -w -d a.yaml", "-w excludes --check and -d"),
		u("fmt - a.yaml", "- (stdin) is the only PATH"),
		u("fmt -w -", "-w cannot write to stdin"),
		u("fmt", "no spec file: pass -f FILE or -f DIRECTORY"), // the package directory has no riskscoring/
		u("fmt --diffs a.yaml", `unknown flag --diffs for "riskctl fmt"; did you mean --diff?`),
	})
}

// TestSpecDirDiscovery: with no -f or PATH, fmt and the reconcile
// commands read riskscoring/ when the working directory holds it.
func TestSpecDirDiscovery(t *testing.T) {
	t.Chdir(t.TempDir())
	if err := os.Mkdir("riskscoring", 0o755); err != nil {
		t.Fatal(err)
	}
	checkOptions(t, "fmt", fmtOptionsFrom, []optionsCase[fmtOptions]{
		{"fmt", fmtOptions{Paths: []string{"riskscoring"}}},
		{"fmt --check", fmtOptions{Paths: []string{"riskscoring"}, Check: true}},
		{"fmt other.yaml", fmtOptions{Paths: []string{"other.yaml"}}},
	})
	checkOptions(t, "validate", validateOptionsFrom, []optionsCase[validateOptions]{
		{"validate", validateOptions{Files: []string{"riskscoring"}, Format: "text"}},
		{"validate -f other.yaml", validateOptions{Files: []string{"other.yaml"}, Format: "text"}},
	})
	checkOptions(t, "drift", driftOptionsFrom, []optionsCase[driftOptions]{
		{"drift", driftOptions{Audit: defaultAudit, Files: []string{"riskscoring"}, Format: "text"}},
	})
}

// runFmt runs riskctl fmt with args in-process: exit code, stdout, stderr.
func runFmt(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	clearEnv(t)
	var out, errOut bytes.Buffer
	code := Main(context.Background(), append([]string{"riskctl", "fmt"}, args...), Streams{In: strings.NewReader(""), Out: &out, Err: &errOut})
	return code, out.String(), errOut.String()
}

const (
	unformatted   = "account_id: ${CLOUDFLARE_ACCOUNT_ID}   # from the environment\nversion:   1\n"
	formattedFile = "version: 1\naccount_id: ${CLOUDFLARE_ACCOUNT_ID} # from the environment\n"
)

// TestFmtWriteKeepsMode: -w replaces the file with its formatted content
// and keeps its permission bits; a formatted file is not rewritten.
func TestFmtWriteKeepsMode(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix permission bits")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "prod.yaml")
	if err := os.WriteFile(path, []byte(unformatted), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o640); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runFmt(t, "-w", path)
	if code != ExitOK || out != path+"\n" || errOut != "" {
		t.Fatalf("fmt -w: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	data, err := os.ReadFile(path)
	if err != nil || string(data) != formattedFile {
		t.Fatalf("after fmt -w: %q, %v; want %q", data, err, formattedFile)
	}
	info, err := os.Stat(path)
	if err != nil || info.Mode().Perm() != 0o640 {
		t.Errorf("mode after fmt -w: %v, %v; want 0640", info.Mode(), err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("fmt -w left files behind: %v", entries)
	}

	before, _ := os.Stat(path)
	if code, out, _ := runFmt(t, "-w", path); code != ExitOK || out != "" {
		t.Errorf("fmt -w of a formatted file: exit %d, stdout %q; want 0 and nothing listed", code, out)
	}
	if after, _ := os.Stat(path); !after.ModTime().Equal(before.ModTime()) {
		t.Errorf("fmt -w rewrote a formatted file")
	}
}

// TestFmtCheckWritesNothing: --check exits 3, lists the file, leaves it.
func TestFmtCheckWritesNothing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "prod.yaml")
	if err := os.WriteFile(path, []byte(unformatted), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runFmt(t, "--check", path)
	if code != ExitInvalid || out != path+"\n" || !strings.Contains(errOut, "1 spec file is not formatted") {
		t.Errorf("fmt --check: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if data, _ := os.ReadFile(path); string(data) != unformatted {
		t.Errorf("fmt --check changed the file: %q", data)
	}
	if code, out, _ := runFmt(t, path); code != ExitOK || out != formattedFile {
		t.Errorf("fmt: exit %d, stdout %q; want %q", code, out, formattedFile)
	}
}

// TestFmtWriteRefusesSymlinks: a link is not written through (nor
// replaced), and then no file of the run is written.
func TestFmtWriteRefusesSymlinks(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "target.yaml")
	for _, p := range []string{target, filepath.Join(dir, "a.yaml")} {
		if err := os.WriteFile(p, []byte(unformatted), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("target.yaml", filepath.Join(dir, "link.yaml")); err != nil {
		t.Skipf("no symlinks here: %v", err)
	}
	code, out, errOut := runFmt(t, "-w", dir)
	if code != ExitInvalid || out != "" || !strings.Contains(errOut, "link.yaml: is a symbolic link") {
		t.Errorf("fmt -w: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	for _, p := range []string{target, filepath.Join(dir, "a.yaml")} {
		if data, _ := os.ReadFile(p); string(data) != unformatted {
			t.Errorf("%s was written: %q", p, data)
		}
	}
	if info, err := os.Lstat(filepath.Join(dir, "link.yaml")); err != nil || info.Mode().Type() != os.ModeSymlink {
		t.Errorf("the link was replaced: %v, %v", info, err)
	}
}

// TestFmtWriteRefusesLinkedDirectories: -w does not write through a
// directory that is a link either (riskscoring/ linking to another
// directory, or a -f through a link), nor any file of the run then;
// reading through it is fine while the link stays in the working
// directory.
func TestFmtWriteRefusesLinkedDirectories(t *testing.T) {
	t.Chdir(t.TempDir())
	if err := os.Mkdir("specs", 0o755); err != nil {
		t.Fatal(err)
	}
	target := filepath.Join("specs", "prod.yaml")
	for _, p := range []string{target, "a.yaml"} {
		if err := os.WriteFile(p, []byte(unformatted), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("specs", "riskscoring"); err != nil {
		t.Skipf("no symlinks here: %v", err)
	}
	if err := os.Mkdir("real", 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join("..", "riskscoring"), filepath.Join("real", "link")); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		link string
	}{
		{[]string{"-w"}, "riskscoring"},
		{[]string{"-w", "-f", "riskscoring/"}, "riskscoring"},
		{[]string{"-w", "riskscoring/prod.yaml", "a.yaml"}, "riskscoring"},
		{[]string{"-w", "a.yaml", "real/link/prod.yaml"}, "real/link"},
	} {
		code, out, errOut := runFmt(t, tc.args...)
		if code != ExitInvalid || out != "" || !strings.Contains(errOut, "prod.yaml: is reached through the symbolic link "+tc.link+":") {
			t.Errorf("fmt %q: exit %d, stdout %q, stderr %q", tc.args, code, out, errOut)
		}
		for _, p := range []string{target, "a.yaml"} {
			if data, _ := os.ReadFile(p); string(data) != unformatted {
				t.Fatalf("fmt %q: %s was written: %q", tc.args, p, data)
			}
		}
	}
	if code, out, _ := runFmt(t, "--check"); code != ExitInvalid || !strings.Contains(out, "prod.yaml") {
		t.Errorf("fmt --check through the link: exit %d, stdout %q", code, out)
	}
	if code, out, _ := runFmt(t, "riskscoring/prod.yaml"); code != ExitOK || out != formattedFile {
		t.Errorf("fmt through the link: exit %d, stdout %q", code, out)
	}
	// A file reached without links is written, from the working
	// directory or by its absolute path.
	abs, err := filepath.Abs(target)
	if err != nil {
		t.Fatal(err)
	}
	if code, out, errOut := runFmt(t, "-w", "a.yaml", abs); code != ExitOK || out != "a.yaml\n"+abs+"\n" {
		t.Errorf("fmt -w without links: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

// TestFmtRefusesLinksThatLeave: a spec file or directory linking out of
// the working directory is not read: fmt prints nothing of it, in no
// mode, and the error quotes none of it.
func TestFmtRefusesLinksThatLeave(t *testing.T) {
	outside := t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "secret.yaml"), []byte("secret: s3cr3t\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(t.TempDir())
	if err := os.Mkdir("riskscoring", 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(outside, "secret.yaml"), filepath.Join("riskscoring", "x.yaml")); err != nil {
		t.Skipf("no symlinks here: %v", err)
	}
	if err := os.Symlink(outside, "linked"); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{}, {"-w"}, {"--check"}, {"linked/secret.yaml"}, {"-f", "linked"}} {
		code, out, errOut := runFmt(t, args...)
		if code != ExitInvalid || out != "" || strings.Contains(errOut, "s3cr3t") || !strings.Contains(errOut, "symbolic link that leaves the working directory") {
			t.Errorf("fmt %q: exit %d, stdout %q, stderr %q", args, code, out, errOut)
		}
	}
	if data, _ := os.ReadFile(filepath.Join(outside, "secret.yaml")); string(data) != "secret: s3cr3t\n" {
		t.Errorf("the target was written: %q", data)
	}
}

// TestFmtBounded: fmt reads spec files as Load does: regular files only,
// at most spec.MaxSpecBytes.
func TestFmtBounded(t *testing.T) {
	big := filepath.Join(t.TempDir(), "big.yaml")
	if err := os.WriteFile(big, bytes.Repeat([]byte("# padding\n"), 500_000), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runFmt(t, big)
	if code != ExitInvalid || out != "" || !strings.Contains(errOut, "larger than the limit") {
		t.Errorf("fmt of a 5 MB file: exit %d, stdout %d bytes, stderr %q", code, len(out), errOut)
	}
	if runtime.GOOS != "windows" {
		code, _, errOut = runFmt(t, "/dev/null")
		if code != ExitInvalid || !strings.Contains(errOut, "not a regular file") && !strings.Contains(errOut, "a device") {
			t.Errorf("fmt /dev/null: exit %d, stderr %q", code, errOut)
		}
	}
}
