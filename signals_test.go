package main

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
)

// Interrupts, tested as they happen: a real signal sent to a built riskctl
// binary in the middle of its work.

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// riskctlBinary builds riskctl once per test run.
func riskctlBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "riskctl-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "riskctl")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// slowRun starts riskctl against an emulator that answers requests of
// method slow only after latency, in a fresh directory holding spec.yaml
// with n creates.
type slowRun struct {
	emu              *emulator.Emulator
	arrived          chan struct{} // one value per request that reached the server
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
	arrived := make(chan struct{}, 1000)
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
	r := &slowRun{emu: emu, arrived: arrived, dir: dir, githubOuput: filepath.Join(dir, "gh-output.txt"), stderrLines: make(chan string, 100)}
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

// waitLine waits up to 20s for a stderr line containing s.
func (r *slowRun) waitLine(t *testing.T, s string) {
	t.Helper()
	deadline := time.After(20 * time.Second)
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
			t.Fatalf("no %q on stderr within 20s", s)
		}
	}
}

// wait waits up to 20s for the process and returns its exit code.
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
	case <-time.After(20 * time.Second):
		_ = r.cmd.Process.Kill()
		t.Fatal("riskctl did not stop within 20s of the signal")
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
func TestInterruptDuringApply(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			r := startSlow(t, http.MethodPost, 150*time.Millisecond, 8, "apply", "-f", "spec.yaml", "--auto-approve", "--parallelism", "1")
			r.waitLine(t, "created")
			if err := r.cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			code := r.wait(t)
			stdout, stderr := r.stdout.String(), r.stderrText()
			if code != 5 {
				t.Errorf("exit %d, want 5 (some applied)\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
			}
			if !strings.Contains(stderr, "received: stopping") {
				t.Errorf("stderr does not say the signal was received:\n%s", stderr)
			}
			created := len(r.emu.Integrations(scriptAccount))
			if created == 0 || created == 8 {
				t.Fatalf("%d of 8 integrations exist; the signal should have landed mid-apply", created)
			}
			// Truthful: every create that landed is reported as applied.
			want := fmt.Sprintf("Apply incomplete: %d applied, 0 failed, %d not started.", created, 8-created)
			if !strings.Contains(stdout, want) || strings.Contains(stdout, "Apply complete") {
				t.Errorf("stdout does not say %q:\n%s", want, stdout)
			}
			if n := strings.Count(stderr, ": created"); n != created {
				t.Errorf("%d creates reported, %d landed:\n%s", n, created, stderr)
			}
			out, err := os.ReadFile(r.githubOuput)
			if err != nil || !strings.Contains(string(out), "exit_code=5") || !strings.Contains(string(out), "exit_reason=partial") {
				t.Errorf("GitHub outputs: %q, %v", out, err)
			}
		})
	}
}

// plan (as drift and the users commands) stops promptly on a signal, even
// while the server holds its answer: exit 1, no plan printed.
func TestInterruptDuringPlanStopsPromptly(t *testing.T) {
	r := startSlow(t, http.MethodGet, time.Minute, 1, "plan", "-f", "spec.yaml")
	r.waitArrived(t)
	start := time.Now()
	if err := r.cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	if code := r.wait(t); code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("plan took %s to stop", took)
	}
	if strings.Contains(r.stdout.String(), "Plan:") {
		t.Errorf("a plan was printed:\n%s", r.stdout.String())
	}
}

// waitArrived waits up to 20s for a slow request to reach the server.
func (r *slowRun) waitArrived(t *testing.T) {
	t.Helper()
	select {
	case <-r.arrived:
	case <-time.After(20 * time.Second):
		t.Fatal("no request reached the server within 20s")
	}
}

// A second signal ends the process at once, saying so.
func TestSecondInterruptStopsAtOnce(t *testing.T) {
	r := startSlow(t, http.MethodPost, time.Minute, 3, "apply", "-f", "spec.yaml", "--auto-approve", "--parallelism", "1")
	r.waitArrived(t)
	if err := r.cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	r.waitLine(t, "received: stopping")
	start := time.Now()
	if err := r.cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	code := r.wait(t)
	if code != 130 {
		t.Errorf("exit %d, want 130", code)
	}
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("took %s to stop after the second signal", took)
	}
	if !strings.Contains(r.stderrText(), "received again: stopping at once") {
		t.Errorf("stderr:\n%s", r.stderrText())
	}
}
