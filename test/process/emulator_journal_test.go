package process_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/riskctl/riskctl/internal/testwait"
)

// The emulator's journal, tested as it happens: `riskctl emulator serve
// --state F` killed with SIGKILL in the middle of a storm of creates keeps
// every create it answered 200 (internal/emulator/journal.go).

// serveProcess is a running `riskctl emulator serve`.
type serveProcess struct {
	cmd    *exec.Cmd
	url    string        // base URL, ".../client/v4"
	exited chan struct{} // closed once the process is gone
	stderr *bytes.Buffer
}

// startServe starts `riskctl emulator serve --state state` and waits for
// its URL, written to a ready file of its own.
func startServe(t *testing.T, state string, round int) *serveProcess {
	t.Helper()
	ready := filepath.Join(filepath.Dir(state), fmt.Sprintf("url-%d.txt", round))
	cmd := exec.Command(riskctlBinary(t), "emulator", "serve", "--addr", "127.0.0.1:0",
		"--state", state, "--ready-file", ready, "--account", scriptAccount, "--max-integrations", "100000")
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = io.Discard, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	p := &serveProcess{cmd: cmd, exited: exited, stderr: &stderr}
	go func() {
		_ = cmd.Wait()
		close(exited)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
	})
	deadline := testwait.After(t)
	for {
		if data, err := os.ReadFile(ready); err == nil && strings.HasSuffix(string(data), "\n") {
			p.url = strings.TrimSpace(string(data))
			return p
		}
		select {
		case <-exited:
			t.Fatalf("emulator serve ended before it was ready: %s", stderr.String())
		case <-deadline:
			t.Fatal("emulator serve not ready in time")
		case <-time.After(10 * time.Millisecond):
		}
	}
}

func (p *serveProcess) integrations() string {
	return p.url + "/accounts/" + scriptAccount + "/zt_risk_scoring/integrations"
}

type storedIntegration struct {
	ID          string `json:"id"`
	ReferenceID string `json:"reference_id"`
	TenantURL   string `json:"tenant_url"`
}

// TestEmulatorKill9LosesNoAcknowledgedWrite: rounds of a create storm,
// each ended by SIGKILL once enough creates were answered; after each
// restart on the same state file every create answered 200 so far is
// listed, with its values, exactly once.
func TestEmulatorKill9LosesNoAcknowledgedWrite(t *testing.T) {
	state := filepath.Join(t.TempDir(), "emulator.json")
	acked := map[string]storedIntegration{} // id -> what the answer said
	const rounds, workers, killAfter = 3, 8, 150
	for round := range rounds {
		p := startServe(t, state, round)
		client := &http.Client{Timeout: testwait.Timeout(t)}
		var (
			mu      sync.Mutex
			n       int
			enough  = make(chan struct{})
			stop    = make(chan struct{})
			wg      sync.WaitGroup
			roundOK = map[string]storedIntegration{}
		)
		for w := range workers {
			wg.Go(func() {
				for i := 0; ; i++ {
					select {
					case <-stop:
						return
					default:
					}
					ref := fmt.Sprintf("r%d-w%d-%d", round, w, i)
					body := fmt.Sprintf(`{"integration_type":"Okta","tenant_url":"https://%s.okta.com","reference_id":%q}`, ref, ref)
					resp, err := client.Post(p.integrations(), "application/json", strings.NewReader(body))
					if err != nil {
						return // killed
					}
					raw, err := io.ReadAll(resp.Body)
					resp.Body.Close()
					if err != nil || resp.StatusCode != http.StatusOK {
						if err == nil {
							t.Errorf("create answered %d: %s", resp.StatusCode, raw)
						}
						return
					}
					var env struct {
						Result storedIntegration `json:"result"`
					}
					if err := json.Unmarshal(raw, &env); err != nil || env.Result.ID == "" || env.Result.ReferenceID != ref {
						t.Errorf("create answer %s: %v", raw, err)
						return
					}
					mu.Lock()
					roundOK[env.Result.ID] = env.Result
					n++
					if n == killAfter {
						close(enough)
					}
					mu.Unlock()
				}
			})
		}
		select {
		case <-enough:
		case <-testwait.After(t):
			close(stop)
			wg.Wait()
			t.Fatalf("round %d: fewer than %d creates answered in time", round, killAfter)
		}
		// Mid-storm: the workers are still sending.
		if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		close(stop)
		wg.Wait()
		mu.Lock()
		for id, in := range roundOK {
			acked[id] = in
		}
		mu.Unlock()
		if t.Failed() {
			return
		}
		check := startServe(t, state, round+100)
		listed := list(t, client, check)
		byID := map[string]storedIntegration{}
		for _, in := range listed {
			if _, dup := byID[in.ID]; dup {
				t.Errorf("round %d: id %s listed twice", round, in.ID)
			}
			byID[in.ID] = in
		}
		for id, want := range acked {
			if got, ok := byID[id]; !ok {
				t.Errorf("round %d: acknowledged create %s (%s) lost by kill -9", round, id, want.ReferenceID)
			} else if got != want {
				t.Errorf("round %d: %s came back as %+v, answered as %+v", round, id, got, want)
			}
		}
		t.Logf("round %d: %d creates acknowledged in all, %d listed after restart", round, len(acked), len(listed))
		if t.Failed() {
			return
		}
		// The checking server is killed too: a restart's compaction
		// survives it.
		if err := check.cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
	}

	// A clean stop compacts: the journal is empty, the state file has all.
	last := startServe(t, state, 1000)
	want := len(list(t, &http.Client{Timeout: testwait.Timeout(t)}, last))
	if err := last.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-last.exited:
	case <-testwait.After(t):
		t.Fatal("emulator serve did not stop on SIGTERM")
	}
	if !last.cmd.ProcessState.Success() {
		t.Errorf("emulator serve ended with %v after SIGTERM: %s", last.cmd.ProcessState, last.stderr)
	}
	if fi, err := os.Stat(state + ".journal"); err != nil || fi.Size() != 0 {
		t.Errorf("journal after a clean stop: %v %v, want empty", fi, err)
	}
	var doc struct {
		Accounts map[string]struct {
			Integrations []storedIntegration `json:"integrations"`
		} `json:"accounts"`
	}
	data, err := os.ReadFile(state)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	if got := len(doc.Accounts[scriptAccount].Integrations); got != want || got < len(acked) {
		t.Errorf("state file after a clean stop holds %d integrations, want %d (%d acknowledged)", got, want, len(acked))
	}
}

func list(t *testing.T, client *http.Client, p *serveProcess) []storedIntegration {
	t.Helper()
	resp, err := client.Get(p.integrations())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var env struct {
		Success bool                `json:"success"`
		Result  []storedIntegration `json:"result"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&env); err != nil || !env.Success {
		t.Fatalf("list: %v (success %v)", err, env.Success)
	}
	return env.Result
}
