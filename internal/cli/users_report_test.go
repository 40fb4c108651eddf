package cli

import (
	"github.com/riskctl/riskctl/internal/report"

	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestUsersReportOptions(t *testing.T) {
	def := usersReportOptions{Format: "markdown", Days: 30, MaxUsers: 200}
	with := func(f func(*usersReportOptions)) usersReportOptions { o := def; f(&o); return o }
	for _, tc := range []struct {
		args string
		want usersReportOptions
		err  string
	}{
		{args: "", want: def},
		{args: "--format html -o r.html", want: with(func(o *usersReportOptions) { o.Format, o.Output = "html", "r.html" })},
		{args: "--days 7 --max-users 0 --show-users", want: with(func(o *usersReportOptions) { o.Days, o.MaxUsers, o.ShowUsers = 7, 0, true })},
		{args: "--days 366", want: with(func(o *usersReportOptions) { o.Days = 366 })},
		{args: "--format json", err: `--format "json": expected markdown or html`},
		{args: "--days 0", err: "--days 0: expected 1 to 366"},
		{args: "--days 367", err: "--days 367: expected 1 to 366"},
		{args: "--max-users -1", err: "--max-users -1: expected 0 or more"},
		{args: "extra", err: `users report takes no arguments, got "extra"`},
	} {
		t.Run(tc.args, func(t *testing.T) {
			checkBuilt(t, "users report", usersReportOptionsFrom, tc.args, tc.want, tc.err)
		})
	}
}

// runReport runs `riskctl --emulate users report ARGS` in dir, stderr a
// terminal or not, and returns the exit code, stdout and stderr.
func runReport(t *testing.T, args string, errTerminal bool) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := Main(context.Background(), argv("--emulate users report "+args), Streams{
		In: strings.NewReader(""), Out: &out, Err: &errOut,
		ErrIsTerminal: func() bool { return errTerminal },
	})
	return code, out.String(), errOut.String()
}

// `users report` against the embedded emulator (12 seeded users): the
// Markdown's four sections with their charts, names and emails only with
// --show-users, the HTML page written to -o, --max-users said on stderr
// and in the report, and a progress bar on a terminal only.
func TestUsersReportEmulated(t *testing.T) {
	clearEnv(t)
	t.Chdir(t.TempDir())

	code, md, errOut := runReport(t, "", false)
	// stderr says only that the run was emulated (the report's stdout is
	// the Markdown itself).
	if code != ExitOK || errOut != report.EmulatedNote+"\n" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	for _, want := range []string{"## User risk report", "12 users with risk events", "```mermaid\npie showData",
		"### Risk events by behavior", "xychart-beta horizontal", "### Risk events per day", "### Users at high risk", "`--show-users`"} {
		if !strings.Contains(md, want) {
			t.Errorf("the report lacks %q:\n%s", want, md)
		}
	}
	if strings.Contains(md, "@example.com") {
		t.Errorf("emails without --show-users:\n%s", md)
	}
	if _, shown, _ := runReport(t, "--show-users", false); !strings.Contains(shown, "@example.com`") {
		t.Errorf("no email with --show-users:\n%s", shown)
	}

	code, stdout, errOut := runReport(t, "--format html -o report.html --max-users 3", false)
	if code != ExitOK || stdout != "" {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, errOut)
	}
	if errOut != "Note: read the events of 3 of 12 users (--max-users 3); the report says so.\n"+report.EmulatedNote+"\n" {
		t.Errorf("stderr %q", errOut)
	}
	page, err := os.ReadFile(filepath.Join(".", "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(page), "<!DOCTYPE html>") || strings.Count(string(page), "<svg ") < 2 || // the emulator's events may fall outside the days

		!strings.Contains(string(page), "Cut short: the events of 3 of 12 users were read") {
		t.Errorf("the page:\n%s", page)
	}

	_, _, errOut = runReport(t, "--max-users 5", true)
	if !strings.Contains(errOut, "\rReading users' risk events [") || !strings.Contains(errOut, "] 5/5") || !strings.HasSuffix(errOut, "\r"+"Note: read the events of 5 of 12 users (--max-users 5); the report says so.\n"+report.EmulatedNote+"\n") {
		t.Errorf("on a terminal, stderr %q", errOut)
	}
}

// A server that puts the run's credential into users' names, emails and
// behavior names gets none of it into a report: stdout is redacted by
// Main's writer, and the file -o writes by the command itself.
func TestUsersReportRedactsFile(t *testing.T) {
	const token = "Zq7Kx2Lm9Np4Rs8Tv3Wy6Ab1Cd5Ef0Gh2Jk4Mn7P" // 40 characters, as Cloudflare's tokens
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		info := `"result_info":{"page":1,"per_page":50,"count":1,"total_count":1,"total_pages":1}`
		if strings.HasSuffix(r.URL.Path, "/summary") {
			fmt.Fprintf(w, `{"success":true,"errors":[],"messages":[],"result":{"users":[{"user_id":%q,"name":"n %s","email":"%s@example.com","max_risk_level":"high","event_count":1,"last_event":"2026-12-01T00:00:00Z"}]},%s}`,
				uid1, token, token, info)
			return
		}
		fmt.Fprintf(w, `{"success":true,"errors":[],"messages":[],"result":{"name":"n","email":"e","risk_level":"high","events":[{"id":"e1","name":"b %s","risk_level":"high","timestamp":"2026-12-01T00:00:00Z"}]},%s}`,
			token, info)
	}))
	defer srv.Close()
	clearEnv(t)
	t.Chdir(t.TempDir())
	t.Setenv(envAccountID, "699d98642c564d2e855e9661899b7252")
	t.Setenv(envAPIToken, token)
	t.Setenv(envBaseURL, srv.URL+"/client/v4")
	for _, args := range []string{"--show-users -o r.md", "--show-users --format html -o r.html", "--show-users"} {
		var out, errOut bytes.Buffer
		code := Main(context.Background(), argv("users report "+args), Streams{In: strings.NewReader(""), Out: &out, Err: &errOut})
		if code != ExitOK {
			t.Fatalf("%s: exit %d, stderr %q", args, code, errOut.String())
		}
		text := out.String()
		if f := strings.Fields(args); strings.HasPrefix(f[len(f)-1], "r.") {
			data, err := os.ReadFile(f[len(f)-1])
			if err != nil {
				t.Fatal(err)
			}
			text = string(data)
		}
		if !strings.Contains(text, "1 user with risk events") {
			t.Errorf("%s: not a report:\n%s", args, text)
		}
		if strings.Contains(text, token[:8]) || strings.Contains(text, token[20:28]) {
			t.Errorf("%s: the credential is in the report:\n%s", args, text)
		}
	}
}
