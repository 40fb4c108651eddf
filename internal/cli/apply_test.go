package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The approval prompt is the CLI's, asked by reconcile.Apply through its
// Approve hook: "no" cancels (exit 1, "Apply cancelled.", no "Error:",
// exit_reason cancelled) with nothing
// applied, no terminal refuses, "yes" applies.
func TestApplyApproval(t *testing.T) {
	clearEnv(t)
	dir := t.TempDir()
	t.Chdir(dir)
	spec := "version: 1\nintegrations:\n  - {reference_id: idp-x, integration_type: Okta, tenant_url: https://x.okta.com}\n"
	if err := os.WriteFile("spec.yaml", []byte(spec), 0o644); err != nil {
		t.Fatal(err)
	}
	outputs := filepath.Join(dir, "outputs")
	t.Setenv("GITHUB_OUTPUT", outputs)
	t.Setenv("GITHUB_STEP_SUMMARY", "")
	var stdout string
	apply := func(answer string, terminal bool) (int, string, string) {
		t.Helper()
		_ = os.Remove(outputs)
		var out, errOut bytes.Buffer
		code := Main(context.Background(), argv("--emulate apply -f spec.yaml"), Streams{
			In: strings.NewReader(answer), Out: &out, Err: &errOut,
			InteractiveInput: func() bool { return terminal },
		})
		gh, _ := os.ReadFile(outputs)
		stdout = out.String()
		return code, errOut.String(), string(gh)
	}
	code, errOut, gh := apply("no\n", true)
	if code != ExitError || !strings.Contains(errOut, "Enter a value") || strings.Contains(errOut, "Error") ||
		!strings.HasSuffix(stdout, "\nApply cancelled.\n") ||
		!strings.Contains(gh, "exit_code=1\n") || !strings.Contains(gh, "exit_reason=cancelled\n") {
		t.Errorf("answer no: exit %d, stdout %q, stderr %q, outputs %q", code, stdout, errOut, gh)
	}
	code, errOut, gh = apply("", false)
	if code != ExitRefused || !strings.Contains(errOut, "stdin is not a terminal; pass --auto-approve") || !strings.Contains(gh, "exit_reason=refused\n") {
		t.Errorf("no terminal: exit %d, stderr %q, outputs %q", code, errOut, gh)
	}
	code, errOut, gh = apply("yes\n", true)
	if code != ExitOK || !strings.Contains(gh, "exit_reason=applied\n") {
		t.Errorf("answer yes: exit %d, stderr %q, outputs %q", code, errOut, gh)
	}
	// Applied once: the plan has no changes now, and nothing is asked.
	code, errOut, gh = apply("", false)
	if code != ExitOK || strings.Contains(errOut, "Enter a value") || !strings.Contains(gh, "exit_reason=no-changes\n") {
		t.Errorf("after apply: exit %d, stderr %q, outputs %q", code, errOut, gh)
	}
}
