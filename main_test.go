package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/riskctl/riskctl/internal/cli"
	"github.com/riskctl/riskctl/internal/emulator"
	"github.com/riskctl/riskctl/internal/testwait"
)

// The end-to-end CLI scripts (testdata/script/*.txtar) run here, beside
// main: testscript runs this test binary as the scripts' riskctl. The other
// suites that test riskctl as a whole live under test/: test/kit (the CI
// kit and release files), test/process (a built binary under signals,
// concurrent runs and kills) and test/e2e (the security suite and the
// plan-command benchmark, in-process over HTTP).

var update = flag.Bool("update", false, "rewrite cmp targets inside testdata/script/*.txtar")

// Fixed identities of the per-script emulator. The token is fake, and
// scripts assert it never shows up in riskctl's output.
const (
	scriptAccount  = "5b5e6c8a1f2d4e3b9a7c6d5e4f3a2b1c"
	scriptAccount2 = "7c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f"
	scriptAccount3 = "8e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b"
	scriptToken    = "test-token-3f9c2a7e51"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"riskctl":         func() { os.Exit(cli.Main(context.Background(), os.Args, cli.OSStreams())) },
		"notify-receiver": notifyReceiver,
	})
}

// TestScripts runs the end-to-end CLI scripts in testdata/script. Each
// script gets its own emulator (token-protected, one account, seeded users)
// served over real HTTP, with the CLOUDFLARE_* variables pointing at it.
func TestScripts(t *testing.T) {
	scriptWait = testwait.Timeout(t)
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		UpdateScripts:       *update,
		Setup:               setupEmulator,
		Cmds: map[string]func(*testscript.TestScript, bool, []string){
			"exitcode":        cmdExitCode,
			"apicalls":        cmdAPICalls,
			"waitfile":        cmdWaitFile,
			"envfile":         cmdEnvFile,
			"emu-fault":       cmdEmuFault,
			"emu-user":        cmdEmuUser,
			"emu-integration": cmdEmuIntegration,
			"httpdo":          cmdHTTPDo,
		},
	})
}

func setupEmulator(env *testscript.Env) error {
	emu, err := emulator.New(emulator.Options{
		Accounts:  []string{scriptAccount, scriptAccount2, scriptAccount3},
		Token:     scriptToken,
		SeedUsers: 8,
		Seed:      7,
		PageSize:  5, // the seeded users span two summary pages
	})
	if err != nil {
		return err
	}
	srv := httptest.NewServer(emu)
	env.Defer(srv.Close)
	env.Values["emulator"] = emu
	env.Setenv("CLOUDFLARE_BASE_URL", srv.URL+"/client/v4")
	env.Setenv("CLOUDFLARE_API_TOKEN", scriptToken)
	env.Setenv("CLOUDFLARE_ACCOUNT_ID", scriptAccount)
	env.Setenv("TOKEN", scriptToken)
	env.Setenv("ACCOUNT", scriptAccount)
	env.Setenv("ACCOUNT2", scriptAccount2)
	env.Setenv("ACCOUNT3", scriptAccount3)
	// Specs may read only CLOUDFLARE_ACCOUNT_ID and RISKCTL_VAR_*.
	env.Setenv("RISKCTL_VAR_ACCOUNT", scriptAccount)
	env.Setenv("RISKCTL_VAR_ACCOUNT2", scriptAccount2)
	env.Setenv("RISKCTL_VAR_ACCOUNT3", scriptAccount3)
	example, err := filepath.Abs(filepath.Join("examples", "riskscoring.yaml"))
	if err != nil {
		return err
	}
	env.Setenv("EXAMPLE", example)
	return nil
}

func scriptEmulator(ts *testscript.TestScript) *emulator.Emulator {
	return ts.Value("emulator").(*emulator.Emulator)
}

// exitcode N cmd args...: run cmd (like exec) and require exit status N.
// testscript's "! exec" only asserts "non-zero", but exit codes are part of
// riskctl's contract.
func cmdExitCode(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exitcode N command [args...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("exitcode: %q is not a number", args[0])
	}
	got := 0
	if err := ts.Exec(args[1], args[2:]...); err != nil {
		var exitErr *exec.ExitError
		if !errors.As(err, &exitErr) {
			ts.Fatalf("exitcode: %v", err)
		}
		got = exitErr.ExitCode()
	}
	if got != want {
		ts.Fatalf("%s exited with %d, want %d", args[1], got, want)
	}
}

// apicalls reset | apicalls KIND N: check how many requests the script's
// emulator has seen since the last reset. KIND is all, write (anything but
// GET), or an HTTP method.
func cmdAPICalls(ts *testscript.TestScript, neg bool, args []string) {
	emu := scriptEmulator(ts)
	if len(args) == 1 && args[0] == "reset" {
		emu.ResetRequests()
		return
	}
	if len(args) != 2 {
		ts.Fatalf("usage: apicalls reset | apicalls all|write|METHOD N")
	}
	want, err := strconv.Atoi(args[1])
	if err != nil {
		ts.Fatalf("apicalls: %q is not a number", args[1])
	}
	var got []string
	for _, r := range emu.Requests() {
		if args[0] == "all" || (args[0] == "write" && r.Method != "GET") || r.Method == args[0] {
			got = append(got, fmt.Sprintf("%s %s %d", r.Method, r.Path, r.Status))
		}
	}
	if (len(got) == want) == neg {
		ts.Fatalf("apicalls %s: got %d, want %s%d:\n%s", args[0], len(got), map[bool]string{true: "not ", false: ""}[neg], want, strings.Join(got, "\n"))
	}
}

// emu-fault METHOD PATH_SUFFIX STATUS [commit]: the next matching request
// gets STATUS (0 = dropped connection); "commit" stores the write first.
func cmdEmuFault(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 3 || len(args) > 4 {
		ts.Fatalf("usage: emu-fault METHOD PATH_SUFFIX STATUS [commit]")
	}
	status, err := strconv.Atoi(args[2])
	if err != nil {
		ts.Fatalf("emu-fault: %q is not a status", args[2])
	}
	scriptEmulator(ts).InjectFault(emulator.Fault{
		Method:         args[0],
		PathSuffix:     args[1],
		Status:         status,
		Reset:          status == 0,
		RetryAfter:     "0",
		CommitThenFail: len(args) == 4 && args[3] == "commit",
	})
}

// scriptWait is how long waitfile waits: until the test binary's deadline
// (internal/testwait), as testscript's commands cannot see the test's.
var scriptWait time.Duration

// waitfile FILE: wait for FILE to exist (a background server's ready
// file).
func cmdWaitFile(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: waitfile FILE")
	}
	deadline := time.Now().Add(scriptWait)
	for {
		if _, err := os.Stat(ts.MkAbs(args[0])); err == nil {
			return
		}
		if time.Now().After(deadline) {
			ts.Fatalf("waitfile: %s never appeared", args[0])
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// envfile VAR FILE: set VAR to FILE's contents, trimmed.
func cmdEnvFile(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: envfile VAR FILE")
	}
	ts.Setenv(args[0], strings.TrimSpace(ts.ReadFile(args[1])))
}

// emu-user N VAR [EMAIL_VAR]: set VAR to the id of the script emulator's
// Nth seeded user (from 0), and EMAIL_VAR to their email, so scripts can
// name users without hard-coding them.
func cmdEmuUser(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 || len(args) > 3 {
		ts.Fatalf("usage: emu-user N VAR [EMAIL_VAR]")
	}
	n, err := strconv.Atoi(args[0])
	users := scriptEmulator(ts).Users(scriptAccount)
	if err != nil || n < 0 || n >= len(users) {
		ts.Fatalf("emu-user: %q is not one of the %d users", args[0], len(users))
	}
	ts.Setenv(args[1], users[n].ID)
	if len(args) == 3 {
		ts.Setenv(args[2], users[n].Email)
	}
}

// emu-integration REFERENCE_ID TYPE TENANT_URL: add a live integration
// behind the API's back, as a change made in the dashboard would. TYPE may
// be one the API does not offer yet, to exercise replaces.
func cmdEmuIntegration(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: emu-integration REFERENCE_ID TYPE TENANT_URL")
	}
	scriptEmulator(ts).PutIntegration(scriptAccount, emulator.Integration{
		ReferenceID:     args[0],
		IntegrationType: args[1],
		TenantURL:       args[2],
		Active:          true,
	})
}

// notify-receiver URLFILE BODIES: a webhook receiver on loopback, for
// scripts that start it in the background: it writes its URL (with a
// Slack-like path) to URLFILE once listening, and appends each body it
// receives, one line each, to BODIES. It answers 200 until killed.
func notifyReceiver() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: notify-receiver URLFILE BODIES")
		os.Exit(2)
	}
	out, err := os.OpenFile(os.Args[2], os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		var compact bytes.Buffer
		if json.Compact(&compact, b) != nil {
			compact.Reset()
			compact.WriteString("not JSON")
		}
		mu.Lock()
		fmt.Fprintf(out, "%s %s\n", r.URL.Path, compact.Bytes())
		mu.Unlock()
	}))
	defer srv.Close()
	if err := os.WriteFile(os.Args[1], []byte(srv.URL+"/services/T0RECV/B0RECV/recv5ecret\n"), 0o600); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	<-sig
}

// httpdo METHOD PATH TOKEN BODY: send one request to the script's API
// (PATH below the account, e.g. /zt_risk_scoring/behaviors) as another
// client would: not riskctl, with its own token and User-Agent. A change
// made this way is what drift attribution must name.
func cmdHTTPDo(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 4 {
		ts.Fatalf("usage: httpdo METHOD PATH TOKEN BODY")
	}
	url := ts.Getenv("CLOUDFLARE_BASE_URL") + "/accounts/" + ts.Getenv("CLOUDFLARE_ACCOUNT_ID") + args[1]
	req, err := http.NewRequest(args[0], url, strings.NewReader(args[3]))
	if err != nil {
		ts.Fatalf("httpdo: %v", err)
	}
	req.Header.Set("Authorization", "Bearer "+args[2])
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Mozilla/5.0 (a browser)")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		ts.Fatalf("httpdo: %v", err)
	}
	resp.Body.Close()
	if ok := resp.StatusCode/100 == 2; ok == neg {
		ts.Fatalf("httpdo %s %s: HTTP %d", args[0], args[1], resp.StatusCode)
	}
}
