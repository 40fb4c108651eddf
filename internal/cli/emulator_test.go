package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/riskctl/riskctl/internal/emulator"
)

// Account ids and catalogue files of the option tests.
const (
	acctA = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	acctB = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
)

var catalogue, badCatalogue = func() (string, string) {
	dir, err := os.MkdirTemp("", "riskctl-catalogue-")
	if err != nil {
		panic(err)
	}
	good, bad := filepath.Join(dir, "good.yaml"), filepath.Join(dir, "bad.yaml")
	_ = os.WriteFile(good, []byte("behaviors:\n  k: {name: K, description: d, risk_level: medium}\n"), 0o644)
	_ = os.WriteFile(bad, []byte("behaviors:\n  k: {description: d}\n"), 0o644)
	return good, bad
}()

// defaultServe is what `emulator serve` with no flags serves.
var defaultServe = emulatorServeOptions{Addr: "127.0.0.1:8787", Emulator: emulator.Options{Seed: 1}}

func TestEmulatorServeOptions(t *testing.T) {
	with := func(f func(*emulatorServeOptions)) emulatorServeOptions {
		o := defaultServe
		f(&o)
		return o
	}
	for _, tc := range []struct {
		args string
		env  map[string]string
		want emulatorServeOptions
		err  string
	}{
		{args: "", want: defaultServe},
		{args: "--addr :0 --state s.json --ready-file url.txt --log-requests", want: with(func(o *emulatorServeOptions) {
			o.Addr, o.ReadyFile, o.LogRequests, o.Emulator.StatePath = ":0", "url.txt", true, "s.json"
		})},
		{args: "--account " + acctA + " --account=" + acctB + " --debug", want: with(func(o *emulatorServeOptions) {
			o.Emulator.Accounts = []string{acctA, acctB}
		})},
		{args: "--max-accounts 5 --unentitled-account " + acctA + " --unentitled-account " + acctB, want: with(func(o *emulatorServeOptions) {
			o.Emulator.MaxAccounts, o.Emulator.UnentitledAccounts = 5, []string{acctA, acctB}
		})},
		{args: "--behaviors " + catalogue, want: with(func(o *emulatorServeOptions) {
			o.Emulator.Behaviors = map[string]emulator.Behavior{"k": {Name: "K", Description: "d", RiskLevel: "medium"}}
		})},
		{args: "--token T", want: with(func(o *emulatorServeOptions) { o.Emulator.Token = "T" })},
		{args: "", env: map[string]string{"RISKCTL_EMULATOR_TOKEN": "ET"}, want: with(func(o *emulatorServeOptions) { o.Emulator.Token = "ET" })},
		{args: "--api-key K --api-email e@example.com", want: with(func(o *emulatorServeOptions) {
			o.Emulator.APIKey, o.Emulator.Email = "K", "e@example.com"
		})},
		{args: "", env: map[string]string{"RISKCTL_EMULATOR_API_KEY": "K", "RISKCTL_EMULATOR_API_EMAIL": "e@x"},
			want: with(func(o *emulatorServeOptions) { o.Emulator.APIKey, o.Emulator.Email = "K", "e@x" })},
		{args: "--seed-users 20 --seed 9 --page-size 5 --integrations-page-size 3", want: with(func(o *emulatorServeOptions) {
			o.Emulator.SeedUsers, o.Emulator.Seed, o.Emulator.PageSize, o.Emulator.IntegrationsPageSize = 20, 9, 5, 3
		})},
		{args: "--latency 50ms", want: with(func(o *emulatorServeOptions) { o.Emulator.Latency = 50 * time.Millisecond })},
		{args: "--read-lag 2s --max-integrations 10", want: with(func(o *emulatorServeOptions) {
			o.Emulator.ReadLag, o.Emulator.MaxIntegrations = 2*time.Second, 10
		})},
		{args: "--rate-limit 10", want: with(func(o *emulatorServeOptions) {
			o.Emulator.RateLimit, o.Emulator.RateWindow = 10, time.Second
		})},
		{args: "--rate-limit 1200/5m", want: with(func(o *emulatorServeOptions) {
			o.Emulator.RateLimit, o.Emulator.RateWindow = 1200, 5*time.Minute
		})},
		{args: "--rate-limit 1200/5m --lock-out 5m", want: with(func(o *emulatorServeOptions) {
			o.Emulator.RateLimit, o.Emulator.RateWindow, o.Emulator.LockOut = 1200, 5*time.Minute, 5*time.Minute
		})},
		{args: "--lock-out=300ms --rate-limit 5/200ms", want: with(func(o *emulatorServeOptions) {
			o.Emulator.RateLimit, o.Emulator.RateWindow, o.Emulator.LockOut = 5, 200*time.Millisecond, 300*time.Millisecond
		})},
		{args: "--fault-rate 0.1 --reset-rate 0.2 --commit-then-fail-rate 1", want: with(func(o *emulatorServeOptions) {
			o.Emulator.ServerErrorRate, o.Emulator.ResetRate, o.Emulator.CommitThenFailRate = 0.1, 0.2, 1
		})},

		{args: "--rate-limit 0", err: `--rate-limit "0": expected N or N/DURATION with N > 0`},
		{args: "--rate-limit x/1s", err: `--rate-limit "x/1s"`},
		{args: "--rate-limit 5/-1s", err: `--rate-limit "5/-1s": expected N or N/DURATION`},
		{args: "--rate-limit 5/soon", err: `--rate-limit "5/soon"`},
		{args: "--rate-limit 5 --lock-out soon", err: "invalid value"},
		{args: "--seed-users many", err: "invalid value"},
		{args: "--behaviors " + badCatalogue, err: "--behaviors: " + badCatalogue + `:2:6: behavior "k": missing name`},
		{args: "--behaviors /nonexistent/b.yaml", err: "--behaviors: behaviors file: open /nonexistent/b.yaml"},
		{args: "--latency soon", err: "invalid value"},
	} {
		t.Run(tc.args, func(t *testing.T) {
			got, err := optionsFromEnv(t, tc.env, "emulator serve", emulatorServeOptionsFrom, tc.args)
			if tc.err != "" {
				wantUsageError(t, err, tc.err)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got, cmpopts.IgnoreFields(emulator.Options{}, "Logf", "Now")); diff != "" {
				t.Errorf("emulator serve %s: options (-want +got):\n%s", tc.args, diff)
			}
			if got.Emulator.Logf != nil {
				t.Error("the builder set Logf: the action does, from LogRequests")
			}
		})
	}
}

// TestEmulatorServeRedactsCredentials: the emulator's credentials given as
// flags are secrets of the run, even when serve then fails.
func TestEmulatorServeRedactsCredentials(t *testing.T) {
	clearEnv(t)
	var out, errOut bytes.Buffer
	code := Main(context.Background(), argv("emulator serve --token hunter2tok --api-key k3y-s3cr3t --rate-limit hunter2tok"),
		Streams{In: strings.NewReader(""), Out: &out, Err: &errOut})
	if code != ExitInvalid {
		t.Errorf("exit %d, want %d", code, ExitInvalid)
	}
	if got := errOut.String(); !strings.Contains(got, "--rate-limit") || strings.Contains(got, "hunter2tok") {
		t.Errorf("stderr %q", got)
	}
}

func TestEmulatorCatalogueOptions(t *testing.T) {
	for _, tc := range []struct {
		args string
		want emulatorCatalogueOptions
		err  string
	}{
		{args: "", want: emulatorCatalogueOptions{Format: "yaml"}},
		{args: "--account-id " + acctA + " --format JSON -o b.json", want: emulatorCatalogueOptions{AccountID: acctA, Format: "json", Output: "b.json"}},
		{args: "--output b.yaml", want: emulatorCatalogueOptions{Format: "yaml", Output: "b.yaml"}},
		{args: "--format toml", err: `--format "toml": expected yaml or json`},
		{args: "extra", err: "emulator catalogue takes no arguments"},
	} {
		t.Run(tc.args, func(t *testing.T) {
			got, err := optionsFromEnv(t, nil, "emulator catalogue", emulatorCatalogueOptionsFrom, tc.args)
			if tc.err != "" {
				wantUsageError(t, err, tc.err)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

// TestEmulatorCatalogueFromLiveAccount: `emulator catalogue` reads a live
// account's behaviors through the normal client (global credentials and
// base URL), and what it writes is a catalogue that `emulator serve
// --behaviors` loads back to the same behaviors.
func TestEmulatorCatalogueFromLiveAccount(t *testing.T) {
	const token = "catalogue-token"
	live := map[string]emulator.Behavior{
		"imp_travel":      {Name: "Impossible Travel", Description: "far apart", Enabled: true, RiskLevel: "high"},
		"crowdstrike_low": {Name: "CrowdStrike Low ZTA security score", Description: "score 0-50", RiskLevel: "low"},
	}
	emu, err := emulator.New(emulator.Options{Accounts: []string{acctA}, Token: token, Behaviors: live})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(emu)
	t.Cleanup(srv.Close)
	clearEnv(t)
	t.Setenv(envAPIToken, token)
	t.Setenv(envAccountID, acctA)
	run := func(args string) (int, string, string) {
		var out, errOut bytes.Buffer
		code := Main(context.Background(), argv(args+" --base-url "+srv.URL+"/client/v4"),
			Streams{In: strings.NewReader(""), Out: &out, Err: &errOut})
		return code, out.String(), errOut.String()
	}

	code, out, errOut := run("emulator catalogue")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	got, err := emulator.ParseBehaviors("stdout", []byte(out))
	if err != nil || !cmp.Equal(got, live) {
		t.Fatalf("stdout does not load back (%v):\n%s", err, out)
	}
	if !strings.Contains(out, "# behaviors of account "+acctA) {
		t.Errorf("no provenance comment:\n%s", out)
	}

	file := filepath.Join(t.TempDir(), "b.json")
	if code, _, errOut := run("emulator catalogue --format json -o " + file); code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	data, err := os.ReadFile(file)
	if err != nil || !json.Valid(data) {
		t.Fatalf("%s: %v\n%s", file, err, data)
	}
	opts, err := optionsFromEnv(t, nil, "emulator serve", emulatorServeOptionsFrom, "--behaviors "+file)
	if err != nil || !cmp.Equal(opts.Emulator.Behaviors, live) {
		t.Errorf("serve --behaviors %s: %v, %+v", file, err, opts.Emulator.Behaviors)
	}
	var gets int
	for _, r := range emu.Requests() {
		if r.Method != http.MethodGet || !strings.HasSuffix(r.Path, "/behaviors") || r.Status != http.StatusOK {
			t.Errorf("unexpected request %+v", r)
		}
		gets++
	}
	if gets != 2 {
		t.Errorf("%d requests, want one GET /behaviors per run", gets)
	}

	// The credentials are the global ones: a wrong token is the usual
	// access error, and nothing is written.
	t.Setenv(envAPIToken, "wrong") // optionsFromEnv above cleared the environment
	t.Setenv(envAccountID, acctA)
	code, out, errOut = run("emulator catalogue")
	if code != ExitError || out != "" || !strings.Contains(errOut, "403") {
		t.Errorf("wrong token: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

// runRiskctl runs riskctl with args; it returns the exit code, stdout and
// stderr.
func runRiskctl(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := Main(context.Background(), append([]string{"riskctl"}, args...),
		Streams{In: strings.NewReader(""), Out: &out, Err: &errOut})
	return code, out.String(), errOut.String()
}

// TestEmulatorServeErrorsNameFlags: what emulator.New refuses in the
// options of `emulator serve` is told in terms of the flags and variables
// that set it, not of emulator.Options fields.
func TestEmulatorServeErrorsNameFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{"--api-key", "k3y", "--api-email", "ops@example.com"}, nil, "--api-key / RISKCTL_EMULATOR_API_KEY: must be a Global API Key: 37 hex characters"},
		{nil, map[string]string{"RISKCTL_EMULATOR_API_KEY": "k3y", "RISKCTL_EMULATOR_API_EMAIL": "ops"},
			`--api-email / RISKCTL_EMULATOR_API_EMAIL: "ops" is not an email address`},
		{[]string{"--token", "two words"}, nil, "--token / RISKCTL_EMULATOR_TOKEN: must not contain spaces"},
		{[]string{"--seed-users", "-1"}, nil, "--seed-users: must not be negative, got -1"},
		{[]string{"--page-size", "-2"}, nil, "--page-size: must not be negative, got -2"},
		{[]string{"--latency", "-1s"}, nil, "--latency: must not be negative, got -1s"},
		// Checked by the emulator only (Start), named by the flag here.
		{[]string{"--lock-out", "5m"}, nil, "--lock-out: needs a rate limit"},
		{[]string{"--rate-limit", "5", "--lock-out", "-1s"}, nil, "--lock-out: must not be negative, got -1s"},
		{[]string{"--fault-rate", "1.5"}, nil, "--fault-rate: must be a probability between 0 and 1, got 1.5"},
		{[]string{"--reset-rate", "-0.1"}, nil, "--reset-rate: must be a probability between 0 and 1, got -0.1"},
		{[]string{"--commit-then-fail-rate", "2"}, nil, "--commit-then-fail-rate: must be a probability between 0 and 1"},
		{[]string{"--api-key", strings.Repeat("a", 37)}, nil, "--api-email / RISKCTL_EMULATOR_API_EMAIL: an API key needs its email"},
		{[]string{"--api-email", "ops@example.com"}, nil, "--api-key / RISKCTL_EMULATOR_API_KEY: an email needs its API key"},
		{[]string{"--account", "A"}, nil, `--account: "A" is not a Cloudflare account id: expected 32 lower-case hex characters`},
		{[]string{"--account", strings.ToUpper(acctA)}, nil, `--account: "` + strings.ToUpper(acctA) + `" is not a Cloudflare account id`},
		{[]string{"--unentitled-account", "x"}, nil, `--unentitled-account: "x" is not a Cloudflare account id`},
		{[]string{"--max-accounts", "-1"}, nil, "--max-accounts: must not be negative, got -1"},
		{[]string{"--max-integrations", "-1"}, nil, "--max-integrations: must not be negative, got -1"},
		{[]string{"--read-lag", "-1s"}, nil, "--read-lag: must not be negative, got -1s"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			clearEnv(t)
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			args := append([]string{"emulator", "serve", "--addr", "127.0.0.1:0"}, tc.args...)
			code, _, errOut := runRiskctl(t, args...)
			if code != ExitInvalid || !strings.Contains(errOut, tc.want) || strings.Contains(errOut, "Options.") {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", code, errOut, ExitInvalid, tc.want)
			}
		})
	}
}

// TestEmulateStateErrorHasOnePrefix: a refused state file is reported as
// "embedded emulator: load state FILE: ...", once, with what to do.
func TestEmulateStateErrorHasOnePrefix(t *testing.T) {
	clearEnv(t)
	state := filepath.Join(t.TempDir(), "old.json")
	if err := os.WriteFile(state, []byte(`{"version":1,"accounts":{"acc 1":{}}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := runRiskctl(t, "--emulate", "--emulator-state", state, "behaviors", "list")
	want := "embedded emulator: load state " + state + `: account "acc 1": not a Cloudflare account id`
	if code == ExitOK || !strings.Contains(errOut, want) || strings.Contains(errOut, "emulator: emulator:") {
		t.Errorf("exit %d, stderr %q; want %q once", code, errOut, want)
	}
	if hint := "an older riskctl accepted any account id: delete that account from " + state + ", or delete " + state + " to start over"; !strings.Contains(errOut, hint) {
		t.Errorf("stderr %q lacks %q", errOut, hint)
	}
}

// TestEmulatorCatalogueOutputIsNotFollowed: -o writes through a temp file
// of its own, never through a file or link at a fixed temp name, and
// replaces a link at the output path instead of writing its target.
func TestEmulatorCatalogueOutputIsNotFollowed(t *testing.T) {
	emu, err := emulator.New(emulator.Options{Accounts: []string{acctA}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(emu)
	t.Cleanup(srv.Close)
	clearEnv(t)
	t.Setenv(envAPIToken, "t")
	t.Setenv(envAccountID, acctA)
	dir := t.TempDir()
	victim, out := filepath.Join(dir, "victim"), filepath.Join(dir, "b.yaml")
	if err := os.WriteFile(victim, []byte("precious\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, link := range []string{out + ".tmp", out} {
		if err := os.Symlink(victim, link); err != nil {
			t.Skipf("symlink: %v", err)
		}
	}
	if code, _, errOut := runRiskctl(t, "emulator", "catalogue", "-o", out, "--base-url", srv.URL+"/client/v4"); code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if data, _ := os.ReadFile(victim); string(data) != "precious\n" {
		t.Errorf("the link's target was written: %q", data)
	}
	if fi, err := os.Lstat(out); err != nil || !fi.Mode().IsRegular() {
		t.Errorf("%s: %v, %v; want a regular file", out, fi, err)
	}
	if _, err := emulator.LoadBehaviors(out); err != nil {
		t.Error(err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 3 { // victim, b.yaml and the planted b.yaml.tmp: no temp file left
		t.Errorf("%d files in %s, want 3", len(entries), dir)
	}
}
