package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	ucli "github.com/urfave/cli/v2"

	"github.com/riskctl/riskctl/internal/emulator"
	"github.com/riskctl/riskctl/internal/reconcile"
	"github.com/riskctl/riskctl/internal/testwait"
)

func TestShortDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		30 * time.Minute:                     "30m",
		time.Hour:                            "1h",
		90 * time.Minute:                     "1h30m",
		time.Hour + 30*time.Second:           "1h0m30s",
		90 * time.Second:                     "1m30s",
		45 * time.Second:                     "45s",
		200 * time.Millisecond:               "200ms",
		2*time.Minute + 500*time.Millisecond: "2m0.5s",
	} {
		if got := shortDuration(d); got != want {
			t.Errorf("shortDuration(%s) = %q, want %q", d, got, want)
		}
	}
}

// The wrapper: the context ends at the limit, as a deadline (ctx.Err() is
// context.DeadlineExceeded), with a cause that names the flag; 0 is none.
func TestWithTimeout(t *testing.T) {
	t.Run("limit", func(t *testing.T) {
		ctx, cancel := withTimeout(context.Background(), 20*time.Millisecond)
		defer cancel()
		if _, ok := ctx.Deadline(); !ok {
			t.Fatal("no deadline")
		}
		select {
		case <-ctx.Done():
		case <-testwait.After(t):
			t.Fatal("the context of a 20ms limit never ended")
		}
		if !errors.Is(ctx.Err(), context.DeadlineExceeded) {
			t.Errorf("Err() = %v, want context.DeadlineExceeded", ctx.Err())
		}
		cause := context.Cause(ctx)
		if cause == nil || cause.Error() != "timed out after 20ms (--timeout)" || !errors.Is(cause, context.DeadlineExceeded) {
			t.Errorf("Cause() = %v", cause)
		}
	})
	t.Run("zero is no limit", func(t *testing.T) {
		ctx, cancel := withTimeout(context.Background(), 0)
		if _, ok := ctx.Deadline(); ok {
			t.Error("a deadline with --timeout 0")
		}
		cancel()
		if !errors.Is(ctx.Err(), context.Canceled) {
			t.Errorf("Err() = %v after cancel", ctx.Err())
		}
	})
	t.Run("parent first", func(t *testing.T) {
		parent, stop := context.WithCancelCause(context.Background())
		ctx, cancel := withTimeout(parent, time.Hour)
		defer cancel()
		stop(errInterrupted)
		if got := context.Cause(ctx); got != errInterrupted {
			t.Errorf("Cause() = %v, want the interrupt", got)
		}
	})
}

// explain names the timeout in the run's error, keeping its exit code, only
// when the run timed out and failed.
func TestTimeoutExplain(t *testing.T) {
	expired := func() *runTimeout {
		ctx, cancel := withTimeout(context.Background(), time.Nanosecond)
		<-ctx.Done()
		return &runTimeout{ctx: ctx, cancel: cancel}
	}
	boom := errors.New("list behaviors: context deadline exceeded")
	partial := &exitError{code: ExitPartial, err: errors.New("apply: 1 of 2 actions failed")}
	for _, tc := range []struct {
		name     string
		limit    *runTimeout
		err      error
		code     int
		msg      string // "" means err unchanged
		noChange bool
	}{
		{name: "not armed", limit: &runTimeout{}, err: boom, noChange: true},
		{name: "no error", limit: expired(), err: nil, noChange: true},
		{name: "error", limit: expired(), err: boom, code: ExitError,
			msg: "timed out after 1ns (--timeout): list behaviors: context deadline exceeded"},
		{name: "quiet error: its details are printed", limit: expired(),
			err:  &exitError{code: ExitError, err: errors.New("some accounts failed"), quiet: true},
			code: ExitError, msg: "timed out after 1ns (--timeout)"},
		{name: "partial apply", limit: expired(), err: partial, code: ExitPartial,
			msg: "timed out after 1ns (--timeout): apply: 1 of 2 actions failed"},
		{name: "names it already", limit: expired(),
			err: fmt.Errorf("not started: %w", &timeoutError{limit: time.Nanosecond}), noChange: true},
		{name: "refusal", limit: expired(), err: refusedErrorf("no"), noChange: true},
		{name: "changes pending", limit: expired(), err: statusError(reconcile.StatusChanges, errors.New("changes pending"), true), noChange: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.limit.explain(tc.err)
			if tc.noChange {
				if got != tc.err {
					t.Errorf("explain(%v) = %v, want it unchanged", tc.err, got)
				}
				return
			}
			if got == nil || got.Error() != tc.msg || ExitCode(got) != tc.code {
				t.Errorf("explain(%v) = %v (exit %d), want %q (exit %d)", tc.err, got, ExitCode(got), tc.msg, tc.code)
			}
			var ee *exitError
			if errors.As(got, &ee) && ee.quiet {
				t.Error("the explained error is quiet: Main would print nothing")
			}
		})
	}
}

// The app's Before hook arms --timeout on the context the commands run
// with: 30m by default, none with 0, and none by default for `emulator
// serve`, which runs until interrupted.
func TestTimeoutFlagReachesCommands(t *testing.T) {
	for _, tc := range []struct {
		args string
		cmd  []string // the command path whose Action records the context
		want time.Duration
	}{
		{"plan", []string{"plan"}, defaultTimeout},
		{"plan --timeout 90s", []string{"plan"}, 90 * time.Second},
		{"users list --timeout=2h", []string{"users", "list"}, 2 * time.Hour},
		{"plan --timeout 0", []string{"plan"}, 0},
		{"emulator serve", []string{"emulator", "serve"}, 0},
		{"emulator serve --timeout 1m", []string{"emulator", "serve"}, time.Minute},
	} {
		t.Run(tc.args, func(t *testing.T) {
			app := testApp()
			cmd := app.Command(tc.cmd[0])
			for _, name := range tc.cmd[1:] {
				cmd = cmd.Command(name)
			}
			var deadline time.Time
			var hasDeadline bool
			cmd.Action = func(c *ucli.Context) error {
				deadline, hasDeadline = c.Context.Deadline()
				return nil
			}
			args, err := normalizeArgs(app, argv(tc.args))
			if err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			if err := app.Run(args); err != nil {
				t.Fatal(err)
			}
			end := time.Now()
			switch {
			case tc.want == 0 && hasDeadline:
				t.Errorf("deadline in %s, want none", time.Until(deadline))
			case tc.want == 0:
			case !hasDeadline:
				t.Errorf("no deadline, want %s", tc.want)
			case deadline.Before(start.Add(tc.want)) || deadline.After(end.Add(tc.want)):
				t.Errorf("deadline %s after the start, want %s", deadline.Sub(start), tc.want)
			}
		})
	}
}

func TestTimeoutNegativeIsUsageError(t *testing.T) {
	var out, errOut bytes.Buffer
	code := Main(context.Background(), argv("version --timeout -1s"), Streams{In: strings.NewReader(""), Out: &out, Err: &errOut})
	if code != ExitInvalid || !strings.Contains(errOut.String(), "--timeout -1s: expected a duration of 0 (no limit) or more") {
		t.Errorf("exit %d, stderr %q", code, errOut.String())
	}
}

const (
	timeoutAccount = "0e1d2c3b4a5968778695a4b3c2d1e0f0"
	timeoutToken   = "timeout-test-token"
)

// slowAPI serves the emulator on loopback, holding the answer to every
// request of method slow for latency (or until the client goes away).
func slowAPI(t *testing.T, slow string, latency time.Duration) (baseURL string, emu *emulator.Emulator) {
	t.Helper()
	emu, err := emulator.New(emulator.Options{Accounts: []string{timeoutAccount}, Token: timeoutToken})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.Method == slow {
			// Read the body first: only then does the server notice a
			// client that went away, and end req.Context().
			body, _ := io.ReadAll(req.Body)
			req.Body = io.NopCloser(bytes.NewReader(body))
			select {
			case <-time.After(latency):
			case <-req.Context().Done():
				return
			}
		}
		emu.ServeHTTP(w, req)
	}))
	t.Cleanup(func() {
		srv.CloseClientConnections()
		srv.Close()
	})
	return srv.URL + "/client/v4", emu
}

// runTimed runs riskctl in-process against baseURL on a spec of n creates
// in a fresh directory, with args after the command's own.
func runTimed(t *testing.T, baseURL string, n int, args string) (code int, stdout, stderr string, took time.Duration) {
	t.Helper()
	for _, v := range []string{envAPIToken, envAPIKey, envAPIEmail, envAccountID, envBaseURL, "GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY"} {
		t.Setenv(v, "")
	}
	t.Setenv(envAPIToken, timeoutToken)
	t.Setenv("NO_COLOR", "1")
	var spec strings.Builder
	fmt.Fprintf(&spec, "version: 1\naccount_id: %s\nintegrations:\n", timeoutAccount)
	for i := range n {
		fmt.Fprintf(&spec, "  - {reference_id: idp-%d, integration_type: Okta, tenant_url: \"https://t%d.okta.com\"}\n", i, i)
	}
	path := filepath.Join(t.TempDir(), "spec.yaml")
	if err := os.WriteFile(path, []byte(spec.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	start := time.Now()
	// The test's own deadline ends a run that never stops, with an error
	// that is not --timeout's.
	code = Main(testwait.Context(t), argv(args+" -f "+path+" --base-url "+baseURL),
		Streams{In: strings.NewReader(""), Out: &out, Err: &errOut})
	return code, out.String(), errOut.String(), time.Since(start)
}

// A plan whose requests hang stops at --timeout, saying so: exit 1, no
// plan printed. The server holds its answers for an hour, so only the
// timeout can end the run before the test's deadline.
func TestTimeoutStopsPlan(t *testing.T) {
	baseURL, _ := slowAPI(t, http.MethodGet, time.Hour)
	code, stdout, stderr, took := runTimed(t, baseURL, 1, "plan --timeout 200ms")
	t.Logf("exit %d after %s\nstderr:\n%s", code, took, stderr)
	if code != ExitError {
		t.Errorf("exit %d, want %d", code, ExitError)
	}
	if !strings.Contains(stderr, "Error: timed out after 200ms (--timeout)\n") {
		t.Errorf("stderr does not say it timed out:\n%s", stderr)
	}
	if strings.Contains(stdout, "Plan:") {
		t.Errorf("a plan was printed:\n%s", stdout)
	}
	if strings.Contains(stderr, timeoutToken) {
		t.Errorf("the token leaked:\n%s", stderr)
	}
}

// An apply that reaches --timeout stops as on an interrupt: nothing new
// starts, the create in flight finishes and is reported, the rest is not
// started "timed out after …", and the run is partial: exit 5.
func TestTimeoutStopsApplyLikeAnInterrupt(t *testing.T) {
	const n = 10
	baseURL, emu := slowAPI(t, http.MethodPost, 300*time.Millisecond)
	code, stdout, stderr, took := runTimed(t, baseURL, n, "apply --auto-approve --parallelism 1 --timeout 1500ms")
	created := len(emu.Integrations(timeoutAccount))
	t.Logf("exit %d after %s, %d created\nstdout:\n%s\nstderr:\n%s", code, took, created, stdout, stderr)
	if created == 0 || created == n {
		t.Fatalf("%d of %d integrations exist; the timeout should have landed mid-apply", created, n)
	}
	if code != ExitPartial {
		t.Errorf("exit %d, want %d (some applied)", code, ExitPartial)
	}
	if want := fmt.Sprintf("Apply incomplete: %d added, 0 changed, 0 replaced, 0 destroyed; 0 failed, %d not started.", created, n-created); !strings.Contains(stdout, want) {
		t.Errorf("stdout does not say %q", want)
	}
	if got := strings.Count(stderr, ": created (id"); got != created {
		t.Errorf("%d creates reported, %d landed", got, created)
	}
	// One progress line counts the changes not started (internal/apply:
	// executor.skip), and the error says why once.
	what := "actions"
	if n-created == 1 {
		what = "action"
	}
	if stopped := fmt.Sprintf("Stopped: %d %s not started (timed out after 1.5s (--timeout)).\n", n-created, what); strings.Count(stderr, "Stopped:") != 1 || !strings.Contains(stderr, stopped) ||
		!strings.Contains(stderr, "not started: timed out after 1.5s (--timeout)\n") {
		t.Errorf("stderr does not say once that the rest was not started for the timeout")
	}
	if want := fmt.Sprintf("[%d/%d, ", n, n); !strings.Contains(stderr, want) {
		t.Errorf("stderr has no %q line: every change is counted, the skipped ones too", want)
	}
}
