package spec

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const passwd = "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"

// TestLoadRefusesLinksThatLeave: a spec file, or a spec directory, that
// is a symbolic link leaving the working directory is refused without
// being read (the error quotes nothing of the target), whether found in
// a directory or named; a link that stays inside is followed.
func TestLoadRefusesLinksThatLeave(t *testing.T) {
	outside := t.TempDir()
	secret := filepath.Join(outside, "passwd")
	if err := os.WriteFile(secret, []byte(passwd), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(t.TempDir())
	if err := os.MkdirAll("riskscoring", 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(secret, filepath.Join("riskscoring", "x.yaml")); err != nil {
		t.Skipf("no symlinks here: %v", err)
	}
	if err := os.Symlink(outside, "linked"); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(outside, "passwd"), filepath.Join(outside, "y.yaml")); err != nil {
		t.Fatal(err)
	}
	wd, _ := os.Getwd()
	for _, paths := range [][]string{
		{"riskscoring"},
		{"riskscoring/x.yaml"},
		{filepath.Join(wd, "riskscoring", "x.yaml")},
		{"linked/passwd"},
		{outside}, // a directory named outside: its y.yaml links out of it
	} {
		_, err := Load(paths, Options{})
		if err == nil {
			t.Errorf("Load(%q) succeeded", paths)
			continue
		}
		msg := err.Error()
		if !strings.Contains(msg, "symbolic link that leaves") || strings.Contains(msg, "root:") {
			t.Errorf("Load(%q) = %v; want a refusal of the link that quotes nothing", paths, err)
		}
	}
	// Inside, a link is fine; and a file named outside the working
	// directory is read from there.
	spec := "version: 1\naccount_id: 0123456789abcdef0123456789abcdef\n"
	if err := os.WriteFile("real.yaml", []byte(spec), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../real.yaml", filepath.Join("riskscoring", "in.yaml")); err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(t.TempDir(), "other.yaml")
	if err := os.WriteFile(other, []byte(strings.Replace(spec, "0123", "4567", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load([]string{"riskscoring/in.yaml", other}, Options{}); err != nil {
		t.Errorf("Load of a link inside and a file outside: %v", err)
	}
}

// TestNotASpecIsNotQuoted: a file that is YAML but not a mapping (as
// /etc/passwd is: one long string) is refused by its kind, not its text.
func TestNotASpecIsNotQuoted(t *testing.T) {
	_, err := Parse("x.yaml", []byte(passwd), Options{})
	if err == nil || strings.Contains(err.Error(), "root") || !strings.Contains(err.Error(), "x.yaml:1:1: a spec must be a YAML mapping") {
		t.Errorf("Parse = %v; want the position and no content", err)
	}
}
