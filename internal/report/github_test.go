package report

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestGitHubFromEnv(t *testing.T) {
	env := map[string]string{"GITHUB_OUTPUT": "/o", "GITHUB_STEP_SUMMARY": "/s"}
	g := GitHubFromEnv(func(k string) string { return env[k] })
	if g.OutputPath != "/o" || g.SummaryPath != "/s" || g.Filter != nil || !g.Enabled() {
		t.Errorf("GitHubFromEnv = %+v", g)
	}
	if g := GitHubFromEnv(func(string) string { return "" }); g.Enabled() {
		t.Errorf("empty env: %+v is enabled", g)
	}
}

func TestPublish(t *testing.T) {
	dir := t.TempDir()
	g := GitHub{OutputPath: filepath.Join(dir, "output"), SummaryPath: filepath.Join(dir, "summary.md")}
	// Earlier steps wrote to both files (the output file without a final newline).
	write(t, g.OutputPath, "earlier=1")
	write(t, g.SummaryPath, "# Earlier step\n")

	r := reportCases(t)[4].report // every_action + a failed account
	if err := g.Publish(r, 1, "error"); err != nil {
		t.Fatal(err)
	}
	if err := g.Publish(reportCases(t)[1].report, 0, "no-\nchanges\r"); err != nil {
		t.Fatal(err)
	}
	want := "earlier=1\n" +
		"has_changes=true\nadd=2\nchange=4\nreplace=1\ndestroy=2\nweakening=5\nexit_code=1\nexit_reason=error\naccess_impact=0\nfindings=0\nemulated=false\n" +
		"has_changes=false\nadd=0\nchange=0\nreplace=0\ndestroy=0\nweakening=0\nexit_code=0\nexit_reason=no- changes\naccess_impact=0\nfindings=0\nemulated=false\n"
	if got := read(t, g.OutputPath); got != want {
		t.Errorf("outputs:\n%s\nwant:\n%s", got, want)
	}
	summary := read(t, g.SummaryPath)
	if !strings.HasPrefix(summary, "# Earlier step\n\n> [!WARNING]\n") {
		t.Errorf("the summary was not appended after a blank line:\n%.200s", summary)
	}
	if strings.Count(summary, "<!-- riskctl:plan account=") != 3 {
		t.Errorf("the summary does not hold both reports:\n%s", summary)
	}
	if i := strings.Index(summary, "\n\n<!-- riskctl:plan account="+acctB+" -->\n### riskctl plan"); i < 0 {
		t.Error("the second report does not start on a block of its own")
	}
	checkHTML(t, renderHTML(t, summary))

	// Only the paths that are set are written.
	only := GitHub{OutputPath: filepath.Join(dir, "only-output")}
	if err := only.Publish(r, 0, "changes"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "only-output")); err != nil {
		t.Error(err)
	}
	if err := (GitHub{SummaryPath: filepath.Join(dir, "missing", "summary")}).Publish(r, 0, "changes"); err == nil {
		t.Error("no error for an unwritable summary path")
	}
}

func write(t *testing.T, path, s string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
