package e2e_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/riskctl/riskctl/internal/cli"
	"github.com/riskctl/riskctl/internal/emulator"
)

// The security suite: every command, every output channel, every route by
// which a credential could get out. riskctl runs with a Cloudflare token
// in CI while pull-request authors control the spec, and the API server
// may echo, redirect or lie; none of that may put a credential (or a
// recognisable piece of one) anywhere but the auth header of a request to
// the configured API.
//
// The channels checked after every run: stdout, stderr, the GitHub step
// outputs and step summary, every file the run left in its working
// directory (saved plans), and every part of every request the servers
// received except the auth headers.

const (
	secAccount = "9a8b7c6d5e4f30211203f4e5d6c7b8a9"
	// Distinctive credentials, in mixed case, so that case-changed echoes
	// are caught too.
	secToken = "LeakTok3n_Zq81XwP0-cVb7_NmAs2Df5_Gh9J"
	secKey   = "0f1e2d3c4b5a69788796a5b4c3d2e1f0abcde"
	secEmail = "ops@example.com"
	// A CI token of the job: never riskctl's to use, never to be printed.
	secCIToken = "ghs_CiJobT0ken7a6b5c4d3e2f1a0b9c8d7e"
)

// leaks returns the secrets of which text holds any piece of 8 or more
// characters, in any case. It deliberately does not use package redact:
// the suite must not share the matcher it checks.
func leaks(text string, secrets []string) []string {
	low := strings.ToLower(text)
	var out []string
	for _, secret := range secrets {
		s := strings.ToLower(secret)
		for i := 0; i+8 <= len(s); i++ {
			if strings.Contains(low, s[i:i+8]) {
				out = append(out, fmt.Sprintf("%s… (piece %q)", secret[:4], secret[i:i+8]))
				break
			}
		}
	}
	return out
}

// secServer is the API under test: the emulator, optionally behind a
// hostile mode, recording every request it receives.
type secServer struct {
	emu  *emulator.Emulator
	mode string // "" honest, or one of the hostile modes below
	trap *httptest.Server

	mu   sync.Mutex
	seen []string // each request without its auth headers
}

// Hostile modes.
const (
	modeEchoCut   = "echo-cut"   // 403, a plain body echoing the auth header, cut by the client inside the token
	modeEchoUpper = "echo-upper" // 400 envelope whose message echoes the token upper-cased
	modeEchoLower = "echo-lower" // 401 HTML page echoing the token lower-cased (not retried: the suite stays fast)
	modeRedirect  = "redirect"   // 307 to another host (the trap), token in the Location
	modeLiveToken = "live-token" // honest, but live objects carry the token (a lying account)
)

func (s *secServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	h := r.Header.Clone()
	auth := h.Get("Authorization") + h.Get("X-Auth-Key")
	h.Del("Authorization")
	h.Del("X-Auth-Key")
	s.mu.Lock()
	s.seen = append(s.seen, fmt.Sprintf("%s %s %v %s", r.Method, r.URL, h, body))
	s.mu.Unlock()

	switch s.mode {
	case modeEchoCut:
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprintf(w, "%s %s trailing", strings.Repeat("x", 190), auth)
	case modeEchoUpper:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `{"success":false,"errors":[{"code":10000,"message":"bad credential %s"}],"messages":[],"result":null}`, strings.ToUpper(auth))
	case modeEchoLower:
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprintf(w, "<html><body><h1>Bad gateway</h1><p>upstream rejected %s</p></body></html>", strings.ToLower(auth))
	case modeRedirect:
		http.Redirect(w, r, s.trap.URL+r.URL.Path+"?t="+secToken, http.StatusTemporaryRedirect)
	default:
		s.emu.ServeHTTP(w, r)
	}
}

func (s *secServer) requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.seen...)
}

// secEnv is one run's world: servers, working directory, environment.
type secEnv struct {
	t       *testing.T
	api     *secServer
	trap    *secServer
	userID  string
	summary string // GITHUB_STEP_SUMMARY
	outputs string // GITHUB_OUTPUT
	// secrets are the run's: its Cloudflare credential and the CI token.
	secrets []string
}

// newSecEnv serves the test account; credential is the one the run will
// use (secToken or secKey), which modeLiveToken plants in live objects.
func newSecEnv(t *testing.T, mode, credential string) *secEnv {
	emu, err := emulator.New(emulator.Options{
		Accounts: []string{secAccount}, Token: secToken, APIKey: secKey, Email: secEmail,
		SeedUsers: 2, Seed: 3,
	})
	if err != nil {
		t.Fatal(err)
	}
	if mode == modeLiveToken {
		emu.PutIntegration(secAccount, emulator.Integration{
			ReferenceID: "ref-" + credential, IntegrationType: "Okta",
			TenantURL: "https://acme.okta.com/" + strings.ToUpper(credential), Active: true,
		})
		// A type the plan renders as escaped Markdown text ("_" → "\_").
		emu.PutIntegration(secAccount, emulator.Integration{
			ReferenceID: "idp-main", IntegrationType: "Okta_" + credential,
			TenantURL: "https://main.okta.com", Active: true,
		})
	}
	trap := &secServer{emu: emu}
	trapSrv := httptest.NewServer(trap)
	t.Cleanup(trapSrv.Close)
	api := &secServer{emu: emu, mode: mode, trap: trapSrv}
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)

	dir := t.TempDir()
	t.Chdir(dir)
	e := &secEnv{t: t, api: api, trap: trap, userID: emu.Users(secAccount)[0].ID, secrets: []string{credential, secCIToken},
		summary: filepath.Join(dir, "summary.md"), outputs: filepath.Join(dir, "outputs.txt")}
	for k, v := range map[string]string{
		"CLOUDFLARE_BASE_URL":   srv.URL + "/client/v4",
		"CLOUDFLARE_ACCOUNT_ID": secAccount,
		"CLOUDFLARE_API_TOKEN":  secToken,
		"CLOUDFLARE_API_KEY":    "",
		"CLOUDFLARE_EMAIL":      "",
		"GITHUB_TOKEN":          secCIToken,
		"GITHUB_OUTPUT":         e.outputs,
		"GITHUB_STEP_SUMMARY":   e.summary,
		"NO_COLOR":              "1",
	} {
		t.Setenv(k, v)
	}
	e.write("spec.yaml", secSpec(""))
	return e
}

func (e *secEnv) write(name, content string) {
	if err := os.WriteFile(name, []byte(content), 0o644); err != nil {
		e.t.Fatal(err)
	}
}

// secSpec is a spec for the test account that creates one integration;
// referenceID "" means a plain one.
func secSpec(referenceID string) string {
	if referenceID == "" {
		referenceID = "idp-main"
	}
	return "version: 1\naccount_id: " + secAccount + "\nbehaviors:\n  imp_travel: {enabled: true, risk_level: high}\n" +
		"integrations:\n  - reference_id: " + referenceID + "\n    integration_type: Okta\n    tenant_url: https://acme.okta.com\n"
}

// run runs riskctl in-process and returns its exit code and every channel
// it could have written to.
func (e *secEnv) run(args ...string) (int, map[string]string) {
	var stdout, stderr bytes.Buffer
	code := cli.Main(context.Background(), append([]string{"riskctl"}, args...), cli.Streams{
		In: strings.NewReader("yes\n"), Out: &stdout, Err: &stderr,
		InteractiveInput: func() bool { return false },
		OutIsTerminal:    func() bool { return false },
	})
	channels := map[string]string{"stdout": stdout.String(), "stderr": stderr.String()}
	entries, _ := os.ReadDir(".")
	for _, entry := range entries {
		if entry.Name() == "spec.yaml" {
			continue // the input
		}
		if data, err := os.ReadFile(entry.Name()); err == nil {
			channels["file "+entry.Name()] = string(data)
		}
	}
	channels["requests to the API"] = strings.Join(e.api.requests(), "\n")
	channels["requests to the redirect target"] = strings.Join(e.trap.requests(), "\n")
	return code, channels
}

func (e *secEnv) assertNoLeak(what string, channels map[string]string) {
	e.t.Helper()
	for name, text := range channels {
		if found := leaks(text, e.secrets); len(found) > 0 {
			e.t.Errorf("%s: %s leaks %v:\n%s", what, name, found, text)
		}
	}
}

// The commands, as a user (or the CI kit) runs them. pre runs first
// (honestly) when the command needs a saved plan.
var secCommands = []struct {
	name string
	args func(e *secEnv) []string
	pre  []string
}{
	{name: "validate", args: fixed("validate", "-f", "spec.yaml")},
	{name: "plan", args: fixed("plan", "-f", "spec.yaml")},
	{name: "plan json", args: fixed("plan", "-f", "spec.yaml", "--format", "json")},
	{name: "plan markdown", args: fixed("plan", "-f", "spec.yaml", "--format", "markdown", "--detailed-exitcode")},
	{name: "plan --out", args: fixed("plan", "-f", "spec.yaml", "--out", "plan.json")},
	{name: "plan --debug", args: fixed("--debug", "plan", "-f", "spec.yaml")},
	{name: "apply", args: fixed("apply", "-f", "spec.yaml", "--auto-approve")},
	{name: "apply json", args: fixed("apply", "-f", "spec.yaml", "--auto-approve", "--format", "json")},
	{name: "apply PLAN", args: fixed("apply", "plan.json"), pre: []string{"plan", "-f", "spec.yaml", "--out", "plan.json"}},
	{name: "drift", args: fixed("drift", "-f", "spec.yaml")},
	{name: "drift markdown", args: fixed("drift", "-f", "spec.yaml", "--format", "markdown")},
	{name: "drift json", args: fixed("drift", "-f", "spec.yaml", "--format", "json")},
	{name: "export", args: fixed("export")},
	{name: "users list", args: fixed("users", "list")},
	{name: "users list json --debug", args: fixed("--debug", "users", "list", "--format", "json")},
	{name: "users show", args: func(e *secEnv) []string { return []string{"users", "show", "--format", "json", e.userID} }},
	{name: "users report", args: fixed("users", "report", "--show-users")},
	{name: "users report html", args: fixed("users", "report", "--show-users", "--format", "html", "-o", "report.html")},
	{name: "users reset", args: func(e *secEnv) []string { return []string{"users", "reset", "--yes", e.userID} }},
	{name: "behaviors list", args: fixed("behaviors", "list")},
	{name: "integrations list", args: fixed("integrations", "list", "--format", "json")},
}

func fixed(args ...string) func(*secEnv) []string { return func(*secEnv) []string { return args } }

// Every command against an honest API, a lying account and hostile
// servers, with the token from the environment, from a flag, and an API
// key instead: nothing leaks anywhere.
func TestSecurityNoCredentialLeaves(t *testing.T) {
	auths := []struct {
		name       string
		credential string
		env        map[string]string
		flags      []string
	}{
		{name: "token in env", credential: secToken},
		{name: "token as flag", credential: secToken, env: map[string]string{"CLOUDFLARE_API_TOKEN": ""}, flags: []string{"--api-token", secToken}},
		{name: "api key in env", credential: secKey, env: map[string]string{"CLOUDFLARE_API_TOKEN": "", "CLOUDFLARE_API_KEY": secKey, "CLOUDFLARE_EMAIL": secEmail}},
	}
	for _, mode := range []string{"", modeLiveToken, modeEchoCut, modeEchoUpper, modeEchoLower, modeRedirect} {
		for _, auth := range auths {
			for _, cmd := range secCommands {
				name := fmt.Sprintf("%s/%s/%s", orHonest(mode), auth.name, cmd.name)
				t.Run(name, func(t *testing.T) {
					e := newSecEnv(t, mode, auth.credential)
					for k, v := range auth.env {
						t.Setenv(k, v)
					}
					if cmd.pre != nil {
						hostile := e.api.mode
						e.api.mode = ""
						if code, ch := e.run(append(auth.flags, cmd.pre...)...); code != 0 && mode != modeLiveToken {
							t.Fatalf("setup %v: exit %d\n%s", cmd.pre, code, ch["stderr"])
						}
						e.api.mode = hostile
					}
					code, channels := e.run(append(auth.flags, cmd.args(e)...)...)
					e.assertNoLeak(name, channels)
					e.checkOutcome(t, mode, cmd.name, code, channels)
				})
			}
		}
	}
}

// checkOutcome keeps the suite honest: each run did what it was meant to
// (reached the server, failed on a hostile one), so "nothing leaked" is
// not the result of nothing having happened.
func (e *secEnv) checkOutcome(t *testing.T, mode, cmd string, code int, channels map[string]string) {
	t.Helper()
	reached := len(e.api.requests()) > 0
	switch {
	case cmd == "validate":
		if code != 0 || len(e.api.requests()) != 0 {
			t.Errorf("validate: exit %d, %d requests", code, len(e.api.requests()))
		}
	case mode == "":
		if code != 0 && code != 2 {
			t.Errorf("honest server: exit %d\n%s", code, channels["stderr"])
		}
	case mode == modeLiveToken:
		if !reached {
			t.Errorf("no request reached the server")
		}
		if cmd == "plan --out" && (code == 0 || channels["file plan.json"] != "") {
			t.Errorf("a plan holding a credential was saved (exit %d)", code)
		}
	default: // hostile
		if !reached || code == 0 {
			t.Errorf("hostile server %s: exit %d after %d requests\n%s", mode, code, len(e.api.requests()), channels["stderr"])
		}
		if mode == modeRedirect && len(e.trap.requests()) != 0 {
			t.Errorf("the redirect was followed: %v", e.trap.requests())
		}
	}
}

func orHonest(mode string) string {
	if mode == "" {
		return "honest"
	}
	return mode
}

// A spec (written by a pull-request author) that tries to read a
// credential into a value: refused at validate as at plan, apply and drift
// (exit 3), before any request, without printing it.
func TestSecuritySpecCannotReadCredentials(t *testing.T) {
	specs := map[string]string{
		"token as risk level":        strings.Replace(secSpec(""), "risk_level: high", `risk_level: "${CLOUDFLARE_API_TOKEN:-high}"`, 1),
		"token as reference_id":      secSpec("${CLOUDFLARE_API_TOKEN}"),
		"token in tenant_url path":   strings.Replace(secSpec(""), "https://acme.okta.com", "https://acme.okta.com/${CLOUDFLARE_API_TOKEN}", 1),
		"CI token":                   secSpec("${GITHUB_TOKEN}"),
		"another variable, same":     secSpec("${RISKCTL_VAR_REF}"),
		"another variable, any name": secSpec("${MY_COPY}"),
		"token pasted":               secSpec(strings.ToLower(secToken)),
	}
	commands := [][]string{
		{"validate", "-f", "spec.yaml"},
		{"plan", "-f", "spec.yaml", "--format", "markdown"},
		{"plan", "-f", "spec.yaml", "--out", "plan.json"},
		{"apply", "-f", "spec.yaml", "--auto-approve"},
		{"drift", "-f", "spec.yaml"},
	}
	for name, src := range specs {
		for _, args := range commands {
			t.Run(name+"/"+args[0], func(t *testing.T) {
				e := newSecEnv(t, "", secToken)
				t.Setenv("RISKCTL_VAR_REF", secToken)
				t.Setenv("MY_COPY", secToken)
				e.write("spec.yaml", src)
				code, channels := e.run(args...)
				e.assertNoLeak(name, channels)
				if code != 3 {
					t.Errorf("exit %d, want 3\n%s", code, channels["stderr"])
				}
				if !strings.Contains(channels["stderr"], "spec.yaml:") {
					t.Errorf("the error does not say where: %s", channels["stderr"])
				}
				if n := len(e.api.requests()); n != 0 {
					t.Errorf("%d requests sent for an invalid spec", n)
				}
				if _, err := os.Stat("plan.json"); err == nil {
					t.Errorf("a plan file was written")
				}
			})
		}
	}
}
