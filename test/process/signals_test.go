package process_test

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/riskctl/riskctl/internal/emulator"
	"github.com/riskctl/riskctl/internal/testwait"
)

// Interrupts, tested as they happen: a real signal sent to a built riskctl
// binary in the middle of its work.

// slowRun starts riskctl against an emulator that answers requests of
// method slow only after latency, in a fresh directory holding spec.yaml
// with n creates.
type slowRun struct {
	emu              *emulator.Emulator
	arrived          chan struct{} // one value per request that reached the server
	release          chan struct{} // a send lets one held request through; closing it, all
	cmd              *exec.Cmd
	stdout           bytes.Buffer
	stderrLines      chan string
	stderr           strings.Builder
	mu               sync.Mutex
	dir, githubOuput string
}

func startSlow(t *testing.T, slow string, latency time.Duration, n int, args ...string) *slowRun {
	t.Helper()
	bin := riskctlBinary(t)
	emu, err := emulator.New(emulator.Options{Accounts: []string{scriptAccount}, Token: scriptToken})
	if err != nil {
		t.Fatal(err)
	}
	arrived, release := make(chan struct{}, 1000), make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.Method == slow {
			// Read the body first: only then does the server notice a
			// client that went away, and end req.Context().
			body, _ := io.ReadAll(req.Body)
			req.Body = io.NopCloser(bytes.NewReader(body))
			select {
			case arrived <- struct{}{}:
			default:
			}
			select {
			case <-time.After(latency):
			case <-release:
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
	dir := t.TempDir()
	var spec strings.Builder
	fmt.Fprintf(&spec, "version: 1\naccount_id: %s\nintegrations:\n", scriptAccount)
	for i := range n {
		fmt.Fprintf(&spec, "  - {reference_id: idp-%d, integration_type: Okta, tenant_url: \"https://t%d.okta.com\"}\n", i, i)
	}
	if err := os.WriteFile(filepath.Join(dir, "spec.yaml"), []byte(spec.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	r := &slowRun{emu: emu, arrived: arrived, release: release, dir: dir, githubOuput: filepath.Join(dir, "gh-output.txt"), stderrLines: make(chan string, 100)}
	r.cmd = exec.Command(bin, args...)
	r.cmd.Dir = dir
	r.cmd.Env = append(os.Environ(),
		"CLOUDFLARE_BASE_URL="+srv.URL+"/client/v4", "CLOUDFLARE_API_TOKEN="+scriptToken,
		"CLOUDFLARE_ACCOUNT_ID="+scriptAccount, "GITHUB_OUTPUT="+r.githubOuput, "NO_COLOR=1")
	r.cmd.Stdout = &r.stdout
	pipe, err := r.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(pipe)
		for sc.Scan() {
			r.mu.Lock()
			r.stderr.WriteString(sc.Text() + "\n")
			r.mu.Unlock()
			select {
			case r.stderrLines <- sc.Text():
			default:
			}
		}
		close(r.stderrLines)
	}()
	return r
}

// waitLine waits for a stderr line containing s.
func (r *slowRun) waitLine(t *testing.T, s string) {
	t.Helper()
	deadline := testwait.After(t)
	for {
		select {
		case line, ok := <-r.stderrLines:
			if !ok {
				t.Fatalf("riskctl ended before printing %q", s)
			}
			if strings.Contains(line, s) {
				return
			}
		case <-deadline:
			t.Fatalf("no %q on stderr", s)
		}
	}
}

// wait waits for the process to end and returns its exit code.
func (r *slowRun) wait(t *testing.T) int {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- r.cmd.Wait() }()
	select {
	case err := <-done:
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			return exitErr.ExitCode()
		}
		if err != nil {
			t.Fatal(err)
		}
		return 0
	case <-testwait.After(t):
		_ = r.cmd.Process.Kill()
		t.Fatal("riskctl did not stop after the signal")
		return -1
	}
}

func (r *slowRun) stderrText() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.stderr.String()
}

// The first SIGINT during an apply: nothing new starts, the create in
// flight finishes and is reported as created, the summary says what was
// applied and what not, the GitHub outputs are written, exit 5.
//
// The server holds every create until the test lets it through, so the
// signal lands mid-apply however busy the machine: the first create is
// let through, the second is held while the signal is sent, and let
// through once riskctl says it is stopping.
func TestInterruptDuringApply(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			r := startSlow(t, http.MethodPost, time.Hour, 8, "apply", "-f", "spec.yaml", "--auto-approve", "--parallelism", "1")
			r.waitArrived(t)
			r.releaseOne(t)
			r.waitLine(t, "created")
			r.waitArrived(t) // the second create, in flight
			if err := r.cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			r.waitLine(t, "received: stopping")
			// Let the one in flight finish (and any that started before
			// the stop took hold, which the counts below allow).
			close(r.release)
			code := r.wait(t)
			stdout, stderr := r.stdout.String(), r.stderrText()
			if code != 5 {
				t.Errorf("exit %d, want 5 (some applied)\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
			}
			if !strings.Contains(stderr, "received: stopping") {
				t.Errorf("stderr does not say the signal was received:\n%s", stderr)
			}
			created := len(r.emu.Integrations(scriptAccount))
			if created < 2 || created == 8 {
				t.Fatalf("%d of 8 integrations exist; want the first, the one in flight at the signal, and not all", created)
			}
			// Truthful: every create that landed is reported as applied.
			want := fmt.Sprintf("Apply incomplete: %d added, 0 changed, 0 replaced, 0 destroyed; 0 failed, %d not started.", created, 8-created)
			if !strings.Contains(stdout, want) || strings.Contains(stdout, "Apply complete") {
				t.Errorf("stdout does not say %q:\n%s", want, stdout)
			}
			if n := strings.Count(stderr, ": created"); n != created {
				t.Errorf("%d creates reported, %d landed:\n%s", n, created, stderr)
			}
			// The rest share one line (internal/apply: executor.skip).
			what := "actions"
			if 8-created == 1 {
				what = "action"
			}
			if want := fmt.Sprintf("Stopped: %d %s not started (context canceled).\n", 8-created, what); strings.Count(stderr, "not started") != 2 ||
				!strings.Contains(stderr, want) {
				t.Errorf("stderr does not say %q once, and the error why:\n%s", want, stderr)
			}
			out, err := os.ReadFile(r.githubOuput)
			if err != nil || !strings.Contains(string(out), "exit_code=5") || !strings.Contains(string(out), "exit_reason=partial") {
				t.Errorf("GitHub outputs: %q, %v", out, err)
			}
		})
	}
}

// plan (as drift and the users commands) stops promptly on a signal, even
// while the server holds its answer: exit 1, no plan printed. The server
// holds it for an hour, so only a plan that stops at the signal ends
// before the test's deadline.
func TestInterruptDuringPlanStopsPromptly(t *testing.T) {
	r := startSlow(t, http.MethodGet, time.Hour, 1, "plan", "-f", "spec.yaml")
	r.waitArrived(t)
	if err := r.cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	if code := r.wait(t); code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	if strings.Contains(r.stdout.String(), "Plan:") {
		t.Errorf("a plan was printed:\n%s", r.stdout.String())
	}
}

// releaseOne lets one held request through.
func (r *slowRun) releaseOne(t *testing.T) {
	t.Helper()
	select {
	case r.release <- struct{}{}:
	case <-testwait.After(t):
		t.Fatal("no held request to let through")
	}
}

// waitArrived waits for a slow request to reach the server.
func (r *slowRun) waitArrived(t *testing.T) {
	t.Helper()
	select {
	case <-r.arrived:
	case <-testwait.After(t):
		t.Fatal("no request reached the server")
	}
}

// A second signal ends the process at once, saying so: exit 130. The
// server holds the create in flight for an hour, so without the second
// signal the run would end only after apply's grace (apply.DefaultGrace),
// with another exit code.
func TestSecondInterruptStopsAtOnce(t *testing.T) {
	r := startSlow(t, http.MethodPost, time.Hour, 3, "apply", "-f", "spec.yaml", "--auto-approve", "--parallelism", "1")
	r.waitArrived(t)
	if err := r.cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	r.waitLine(t, "received: stopping")
	if err := r.cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	code := r.wait(t)
	if code != 130 {
		t.Errorf("exit %d, want 130", code)
	}
	if !strings.Contains(r.stderrText(), "received again: stopping at once") {
		t.Errorf("stderr:\n%s", r.stderrText())
	}
}
