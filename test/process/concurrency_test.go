package process_test

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/riskctl/riskctl/internal/emulator"
)

// Two runs at once, and runs killed at any moment, tested as they happen:
// built riskctl binaries against one emulator over HTTP, with latency.

// account is an emulator behind a real HTTP server, and a directory
// holding spec.yaml, for riskctl processes to share.
type account struct {
	emu *emulator.Emulator
	url string
	dir string
}

// newAccount starts an emulator that answers every request after latency,
// with spec.yaml declaring n integrations (idp-0 … idp-n-1).
func newAccount(t *testing.T, latency time.Duration, n int) *account {
	t.Helper()
	emu, err := emulator.New(emulator.Options{Accounts: []string{scriptAccount}, Token: scriptToken, Latency: latency})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(emu)
	t.Cleanup(func() {
		srv.CloseClientConnections()
		srv.Close()
	})
	a := &account{emu: emu, url: srv.URL + "/client/v4", dir: t.TempDir()}
	var spec strings.Builder
	fmt.Fprintf(&spec, "version: 1\naccount_id: %s\nintegrations:\n", scriptAccount)
	for i := range n {
		fmt.Fprintf(&spec, "  - {reference_id: idp-%d, integration_type: Okta, tenant_url: \"https://t%d.okta.com\"}\n", i, i)
	}
	if err := os.WriteFile(filepath.Join(a.dir, "spec.yaml"), []byte(spec.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return a
}

// command is riskctl with args, run against a's emulator in a's directory.
func (a *account) command(t *testing.T, args ...string) (*exec.Cmd, *bytes.Buffer) {
	cmd := exec.Command(riskctlBinary(t), args...)
	cmd.Dir = a.dir
	cmd.Env = append(os.Environ(),
		"CLOUDFLARE_BASE_URL="+a.url, "CLOUDFLARE_API_TOKEN="+scriptToken,
		"CLOUDFLARE_ACCOUNT_ID="+scriptAccount, "NO_COLOR=1")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	return cmd, &out
}

// run runs riskctl to the end and returns its exit code and output.
func (a *account) run(t *testing.T, args ...string) (int, string) {
	t.Helper()
	cmd, out := a.command(t, args...)
	err := cmd.Run()
	var exitErr *exec.ExitError
	switch {
	case errors.As(err, &exitErr):
		return exitErr.ExitCode(), out.String()
	case err != nil:
		t.Fatal(err)
	}
	return 0, out.String()
}

// checkConverged fails unless every reference_id is held by exactly one
// integration, n in all, and a fresh plan has nothing to do.
func (a *account) checkConverged(t *testing.T, n int) {
	t.Helper()
	count := map[string]int{}
	ins := a.emu.Integrations(scriptAccount)
	for _, in := range ins {
		count[in.ReferenceID]++
	}
	for ref, c := range count {
		if c > 1 {
			t.Errorf("reference_id %s is held by %d integrations", ref, c)
		}
	}
	if len(ins) != n {
		t.Errorf("%d integrations, want %d", len(ins), n)
	}
	if code, out := a.run(t, "plan", "-f", "spec.yaml", "--detailed-exitcode"); code != 0 {
		t.Errorf("plan after the runs: exit %d, want 0 (nothing to do):\n%s", code, out)
	}
}

// Two applies of one spec at the same time (a PR apply and a manual run):
// both create every integration, and each run's duplicate check must
// leave exactly one per reference_id, whatever the interleaving.
func TestConcurrentAppliesLeaveNoDuplicate(t *testing.T) {
	const creates = 20
	trials := 5
	if testing.Short() {
		trials = 2
	}
	for trial := range trials {
		t.Run(fmt.Sprint("trial", trial), func(t *testing.T) {
			a := newAccount(t, 50*time.Millisecond, creates)
			var wg sync.WaitGroup
			codes, outs := make([]int, 2), make([]string, 2)
			for i := range 2 {
				wg.Go(func() { codes[i], outs[i] = a.run(t, "apply", "-f", "spec.yaml", "--auto-approve") })
			}
			wg.Wait()
			for i := range 2 {
				if codes[i] != 0 {
					t.Errorf("run %d: exit %d, want 0:\n%s", i, codes[i], outs[i])
				}
			}
			a.checkConverged(t, creates)
			if t.Failed() {
				t.Logf("run 0:\n%s\nrun 1:\n%s", outs[0], outs[1])
			}
		})
	}
}

// An apply killed (SIGKILL: no handler runs) at a random moment, then run
// again: within three runs the account matches the spec, with no
// duplicate. The random moments are logged with their seed.
func TestKilledApplyConverges(t *testing.T) {
	const creates = 20
	trials := 6
	if testing.Short() {
		trials = 2
	}
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 0))
	t.Logf("seed %d", seed)
	for trial := range trials {
		// Up to 1.5s: the whole apply takes about 1s at this latency, so
		// some kills land in the fetch, most among the creates, some after.
		killAfter := time.Duration(rng.Int64N(int64(1500 * time.Millisecond)))
		t.Run(fmt.Sprintf("trial%d-kill-after-%v", trial, killAfter.Round(time.Millisecond)), func(t *testing.T) {
			a := newAccount(t, 30*time.Millisecond, creates)
			cmd, out := a.command(t, "apply", "-f", "spec.yaml", "--auto-approve")
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			time.Sleep(killAfter)
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
			t.Logf("killed run:\n%s", out)
			for run := 1; ; run++ {
				code, out := a.run(t, "apply", "-f", "spec.yaml", "--auto-approve")
				if code == 0 {
					break
				}
				if run == 3 {
					t.Fatalf("still exit %d after %d runs:\n%s", code, run, out)
				}
			}
			a.checkConverged(t, creates)
		})
	}
}
