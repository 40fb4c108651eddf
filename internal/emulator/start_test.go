package emulator

import (
	"context"
	"errors"
	"net"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestStart(t *testing.T) {
	statePath := filepath.Join(t.TempDir(), "state.json")
	s, err := Start("127.0.0.1:0", Options{StatePath: statePath})
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^http://127\.0\.0\.1:[1-9][0-9]*/client/v4$`).MatchString(s.URL) {
		t.Fatalf("base URL %q", s.URL)
	}
	acct := s.URL + "/accounts/" + testAccount + "/zt_risk_scoring"
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
	// to prove that Shutdown also saves on the way out.
	s.mu.Lock()
	s.opts.StatePath = filepath.Join(filepath.Dir(statePath), "final.json")
	s.mu.Unlock()
	if err := s.Shutdown(context.Background()); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	select {
	case <-s.Done():
	default:
		t.Error("Done is not closed after Shutdown")
	}
	// The lock is released: the state file can be opened again.
	e2, err := New(Options{StatePath: filepath.Join(filepath.Dir(statePath), "final.json")})
	if err != nil {
		t.Fatal(err)
	}
	defer e2.Close()
	if n := len(e2.Integrations(testAccount)); n != 1 {
		t.Errorf("state saved on shutdown holds %d integrations, want 1", n)
	}
	if _, err := http.Get(acct + "/behaviors"); err == nil {
		t.Error("server still answers after Shutdown")
	}
}

func TestServeUntilCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	urls := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, "127.0.0.1:0", Options{}, func(u string) error { urls <- u; return nil }) }()
	var base string
	select {
	case base = <-urls:
	case err := <-done:
		t.Fatalf("Serve returned early: %v", err)
	}
	if resp, err := http.Get(base + "/accounts/" + testAccount + "/zt_risk_scoring/behaviors"); err != nil {
		t.Fatal(err)
	} else {
		checkEnvelope(t, resp)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Serve: %v", err)
	}
}

// A ready that fails stops the server, and its error is Serve's.
func TestServeReadyError(t *testing.T) {
	boom := errors.New("cannot write the ready file")
	if err := Serve(context.Background(), "127.0.0.1:0", Options{}, func(string) error { return boom }); !errors.Is(err, boom) {
		t.Fatalf("Serve = %v, want %v", err, boom)
	}
}

// Options are checked before anything listens; a listen error releases
// the state file's lock.
func TestStartErrors(t *testing.T) {
	var oe *OptionError
	if _, err := Start("127.0.0.1:0", Options{ServerErrorRate: 2}); !errors.As(err, &oe) || oe.Field != "ServerErrorRate" {
		t.Errorf("bad options: %v", err)
	}
	state := filepath.Join(t.TempDir(), "state.json")
	if _, err := Start("256.0.0.1:0", Options{StatePath: state}); err == nil {
		t.Error("want a listen error")
	}
	e, err := New(Options{StatePath: state})
	if err != nil {
		t.Fatalf("the lock was not released: %v", err)
	}
	_ = e.Close()
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
