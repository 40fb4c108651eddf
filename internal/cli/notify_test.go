package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// The secret part of the test webhook URLs: it must appear in no output.
const hookSecret = "/services/T0NOTIFY/B0NOTIFY/w3bh00kS3cretT0ken"

// hookReceiver is a local webhook answering every request with code, its
// body echoing the URL it was posted to (as a careless receiver's error
// page might), and counting the requests.
type hookReceiver struct {
	*httptest.Server
	mu     sync.Mutex
	bodies [][]byte
}

func newHookReceiver(t *testing.T, code int) *hookReceiver {
	t.Helper()
	h := &hookReceiver{}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		h.mu.Lock()
		h.bodies = append(h.bodies, body)
		h.mu.Unlock()
		w.WriteHeader(code)
		fmt.Fprintf(w, "no such hook: %s", r.URL.Path)
	}))
	t.Cleanup(h.Close)
	return h
}

func (h *hookReceiver) received() [][]byte {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([][]byte{}, h.bodies...)
}

// emulateDrift runs `riskctl --emulate drift` on the example spec (which
// the emulator's seeded account does not match: drift, exit 2) in a
// fresh directory, with the environment variables env and extra
// arguments; it returns the exit code, stdout and stderr, and the GitHub
// outputs and summary written.
func emulateDrift(t *testing.T, env map[string]string, extra ...string) (code int, out, errOut, github string) {
	t.Helper()
	clearEnv(t)
	for k, v := range env {
		t.Setenv(k, v)
	}
	dir := t.TempDir()
	t.Setenv("GITHUB_OUTPUT", filepath.Join(dir, "output"))
	t.Setenv("GITHUB_STEP_SUMMARY", filepath.Join(dir, "summary"))
	spec, err := filepath.Abs(filepath.Join(repoRoot, "examples", "riskscoring.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	args := append([]string{"--emulate", "--emulator-state", filepath.Join(dir, "emulator.json"), "drift", "-f", spec}, extra...)
	code, out, errOut = runRiskctl(t, args...)
	for _, name := range []string{"output", "summary"} {
		data, _ := os.ReadFile(filepath.Join(dir, name))
		github += string(data)
	}
	return code, out, errOut, github
}

// A receiver that fails changes no exit code, is reported on stderr by
// its scheme and host, and its URL's secret part is in no output: not on
// stderr (though the receiver's answer echoes it), not in the JSON report,
// not in the GitHub outputs.
func TestNotifyFailureKeepsExitCode(t *testing.T) {
	wantCode, _, _, _ := emulateDrift(t, nil, "--format", "json")
	if wantCode != ExitChanges {
		t.Fatalf("drift without --notify exits %d; the example spec should drift (%d)", wantCode, ExitChanges)
	}
	h := newHookReceiver(t, http.StatusInternalServerError)
	code, out, errOut, github := emulateDrift(t, nil, "--format", "json", "--notify", h.URL+hookSecret)
	if code != wantCode {
		t.Errorf("exit %d with a failing receiver, %d without --notify", code, wantCode)
	}
	if got := len(h.received()); got != 3 {
		t.Errorf("%d attempts, want 3", got)
	}
	want := "notify: could not deliver to " + h.URL + "/…(redacted): HTTP 500: no such hook: [REDACTED] (3 attempts)"
	if !strings.Contains(errOut, want) {
		t.Errorf("stderr lacks %q:\n%s", want, errOut)
	}
	if !json.Valid([]byte(out)) {
		t.Errorf("stdout is not the JSON report:\n%s", out)
	}
	for channel, text := range map[string]string{"stdout": out, "stderr": errOut, "GitHub outputs": github} {
		if strings.Contains(text, "w3bh00k") || strings.Contains(text, "B0NOTIFY") {
			t.Errorf("%s holds the webhook URL's secret:\n%s", channel, text)
		}
	}
}

// A receiver that takes the message gets the drift; stderr says so; the
// exit code is drift's.
func TestNotifyDelivers(t *testing.T) {
	h := newHookReceiver(t, http.StatusOK)
	code, _, errOut, _ := emulateDrift(t, nil, "--notify", h.URL+hookSecret)
	if code != ExitChanges {
		t.Errorf("exit %d, want %d", code, ExitChanges)
	}
	if !strings.Contains(errOut, `notify: sent "drift" to 1 receiver`) {
		t.Errorf("stderr:\n%s", errOut)
	}
	got := h.received()
	if len(got) != 1 {
		t.Fatalf("%d messages", len(got))
	}
	var m struct {
		Text    string `json:"text"`
		Riskctl struct {
			Command string   `json:"command"`
			Events  []string `json:"events"`
		} `json:"riskctl"`
	}
	if err := json.Unmarshal(got[0], &m); err != nil {
		t.Fatal(err)
	}
	if m.Riskctl.Command != "drift" || !strings.Contains(m.Text, "*Drift* in account") || bytes.Contains(got[0], []byte("w3bh00k")) {
		t.Errorf("message %s", got[0])
	}
}

// With --notify-state the same drift is sent once; the URL may come from
// RISKCTL_NOTIFY_URL, whose secret part is redacted from the start.
func TestNotifyStateAndEnv(t *testing.T) {
	h := newHookReceiver(t, http.StatusOK)
	state := filepath.Join(t.TempDir(), "notify-state.json")
	var errOuts []string
	for range 2 {
		_, _, errOut, _ := emulateDrift(t, map[string]string{envNotifyURL: h.URL + hookSecret}, "--notify-state", state)
		errOuts = append(errOuts, errOut)
	}
	if got := len(h.received()); got != 1 {
		t.Errorf("%d messages for the same drift twice, want 1", got)
	}
	if !strings.Contains(errOuts[1], "not sent again") {
		t.Errorf("second run's stderr:\n%s", errOuts[1])
	}
}

// A webhook over plain http:// to another host is a usage error (exit 3)
// before any API request, and the error does not echo the URL.
func TestNotifyRefusesCleartext(t *testing.T) {
	var apiCalls atomic.Int32
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		apiCalls.Add(1)
		w.WriteHeader(http.StatusBadRequest) // not retried: a regression fails fast
	}))
	defer api.Close()
	spec := filepath.Join(t.TempDir(), "spec.yaml")
	if err := os.WriteFile(spec, []byte("version: 1\naccount_id: 0123456789abcdef0123456789abcdef\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, cmd := range []string{"plan", "drift", "apply --auto-approve"} {
		clearEnv(t)
		t.Setenv(envAPIToken, "test-token-notify-zyxwvut")
		args := append([]string{"--base-url", api.URL}, strings.Fields(cmd)...)
		args = append(args, "-f", spec, "--notify", "http://hooks.example.com"+hookSecret)
		code, out, errOut := runRiskctl(t, args...)
		if code != ExitInvalid || out != "" || !strings.Contains(errOut, "cleartext") || strings.Contains(errOut, "w3bh00k") || strings.Contains(errOut, "hooks.example.com") {
			t.Errorf("%s: exit %d, stdout %q, stderr %q", cmd, code, out, errOut)
		}
	}
	if n := apiCalls.Load(); n != 0 {
		t.Errorf("%d API requests before the usage error", n)
	}
}

func TestNotifyOptions(t *testing.T) {
	checkOptions(t, "drift", driftOptionsFrom, []optionsCase[driftOptions]{
		{"drift -f s.yaml --notify https://hooks.slack.com/a --notify http://127.0.0.1:9/b --notify-state st.json",
			driftOptions{Audit: defaultAudit, Files: []string{"s.yaml"}, Format: "text", Notify: notifyOptions{URLs: []string{"https://hooks.slack.com/a", "http://127.0.0.1:9/b"}, StatePath: "st.json"}}},
		{"drift -f s.yaml --notify-state st.json", driftOptions{Audit: defaultAudit, Files: []string{"s.yaml"}, Format: "text", Notify: notifyOptions{StatePath: "st.json"}}},
	})
	checkUsageErrors(t, "plan", planOptionsFrom, []usageCase{
		u("plan -f s.yaml --notify http://hooks.example.com/x", "--notify (URL 1, from the flag or RISKCTL_NOTIFY_URL): http:// would send"),
		u("plan -f s.yaml --notify https://ok.example.com/x --notify ftp://x", "--notify (URL 2"),
	})
	got, err := optionsFromEnv(t, map[string]string{envNotifyURL: "https://a.example.com/1,https://b.example.com/2"}, "apply", applyOptionsFrom, "-f s.yaml --auto-approve")
	if err != nil || len(got.Notify.URLs) != 2 {
		t.Errorf("RISKCTL_NOTIFY_URL with two URLs: %+v, %v", got.Notify, err)
	}
}

func TestRunURLAndActor(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	gh := env(map[string]string{"GITHUB_SERVER_URL": "https://github.com/", "GITHUB_REPOSITORY": "acme/risk", "GITHUB_RUN_ID": "42", "GITHUB_ACTOR": "alice"})
	if got := runURL(gh); got != "https://github.com/acme/risk/actions/runs/42" {
		t.Errorf("runURL = %q", got)
	}
	if got := runActor(gh); got != "alice" {
		t.Errorf("runActor = %q", got)
	}
	gl := env(map[string]string{"CI_JOB_URL": "https://gitlab.example/acme/risk/-/jobs/7", "GITLAB_USER_LOGIN": "bob"})
	if runURL(gl) != "https://gitlab.example/acme/risk/-/jobs/7" || runActor(gl) != "bob" {
		t.Errorf("GitLab: %q, %q", runURL(gl), runActor(gl))
	}
	if none := env(nil); runURL(none) != "" || runActor(none) != "" {
		t.Error("outside CI: not empty")
	}
}
