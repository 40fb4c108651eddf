package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestColourOnlyOnATerminal drives `plan` in-process with a stdout that
// claims to be a terminal (testscript cannot give stdout a pty): colour is
// used there, and never with --no-color or NO_COLOR.
func TestColourOnlyOnATerminal(t *testing.T) {
	dir := t.TempDir()
	specPath := filepath.Join(dir, "spec.yaml")
	spec := "version: 1\nbehaviors:\n  imp_travel: {enabled: true, risk_level: high}\n"
	if err := os.WriteFile(specPath, []byte(spec), 0o644); err != nil {
		t.Fatal(err)
	}
	state := filepath.Join(dir, "emulator.json")
	run := func(terminal bool, extra ...string) string {
		t.Helper()
		var out, errOut bytes.Buffer
		streams := Streams{In: strings.NewReader(""), Out: &out, Err: &errOut,
			OutIsTerminal: func() bool { return terminal }}
		args := append([]string{"riskctl", "--emulate", "--emulator-state", state}, extra...)
		args = append(args, "plan", "-f", specPath)
		if code := Main(context.Background(), args, streams); code != ExitOK {
			t.Fatalf("exit %d: %s", code, errOut.String())
		}
		return out.String()
	}
	const ansi = "\x1b["

	t.Setenv("NO_COLOR", "")
	if got := run(true); !strings.Contains(got, ansi) {
		t.Errorf("terminal: no colour in\n%s", got)
	}
	if got := run(false); strings.Contains(got, ansi) {
		t.Errorf("pipe: colour in\n%q", got)
	}
	if got := run(true, "--no-color"); strings.Contains(got, ansi) {
		t.Errorf("--no-color: colour in\n%q", got)
	}
	t.Setenv("NO_COLOR", "1")
	if got := run(true); strings.Contains(got, ansi) {
		t.Errorf("NO_COLOR: colour in\n%q", got)
	}
}
