package emulator

import (
	"context"
	"net"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/riskctl/riskctl/internal/testwait"
)

func TestServe(t *testing.T) {
	statePath := filepath.Join(t.TempDir(), "state.json")
	e, err := New(Options{StatePath: statePath})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	urls := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, "127.0.0.1:0", e, func(u string) { urls <- u }) }()

	var base string
	select {
	case base = <-urls:
	case err := <-done:
		t.Fatalf("Serve returned early: %v", err)
	case <-testwait.After(t):
		t.Fatal("ready was not called")
	}
	if !regexp.MustCompile(`^http://127\.0\.0\.1:[1-9][0-9]*/client/v4$`).MatchString(base) {
		t.Fatalf("base URL %q", base)
	}
	acct := base + "/accounts/" + testAccount + "/zt_risk_scoring"
	resp, err := http.Get(acct + "/behaviors")
	if err != nil {
		t.Fatal(err)
	}
	checkEnvelope(t, resp)
	resp, err = http.Post(acct+"/integrations", "application/json", strings.NewReader(createBody))
	if err != nil {
		t.Fatal(err)
	}
	checkEnvelope(t, resp).wantOK(t)

	// Writes are saved as they happen; point the emulator at another file
	// to prove that Serve also saves on the way out.
	e.mu.Lock()
	e.opts.StatePath = filepath.Join(filepath.Dir(statePath), "final.json")
	e.mu.Unlock()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Serve: %v", err)
		}
	case <-testwait.After(t):
		t.Fatal("Serve did not stop on cancel")
	}
	e2, err := New(Options{StatePath: filepath.Join(filepath.Dir(statePath), "final.json")})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(e2.Integrations(testAccount)); n != 1 {
		t.Errorf("state saved on shutdown holds %d integrations, want 1", n)
	}
	if _, err := http.Get(acct + "/behaviors"); err == nil {
		t.Error("server still answers after Serve returned")
	}
}

func TestServeListenError(t *testing.T) {
	e, _ := New(Options{})
	if err := Serve(context.Background(), "256.0.0.1:0", e, nil); err == nil {
		t.Error("want a listen error")
	}
}

func TestBaseURLUnspecifiedHost(t *testing.T) {
	for addr, want := range map[string]string{
		"0.0.0.0:8787":   "http://127.0.0.1:8787/client/v4",
		"[::]:8787":      "http://127.0.0.1:8787/client/v4",
		"127.0.0.1:8787": "http://127.0.0.1:8787/client/v4",
		"[::1]:8787":     "http://[::1]:8787/client/v4",
	} {
		a, err := net.ResolveTCPAddr("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		if got := baseURL(a); got != want {
			t.Errorf("baseURL(%s) = %s, want %s", addr, got, want)
		}
	}
}
