package e2e_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/riskctl/riskctl/internal/cli"
	"github.com/riskctl/riskctl/internal/emulator"
)

// Every byte from outside is printed safely (docs/security.md): hostile
// strings from each source (the server's objects, an identity provider's
// user names and emails, the server's error text and the ids it creates,
// a spec's values and YAML tags, a spec file's name) run through each
// command, and no line of stdout or stderr may hold a terminal control,
// a CR, a bidi or zero-width character from them, or begin with "::" (a
// GitHub workflow command) or with a row the data forged.

// hostile holds what an attacker would send: OSC 52 (write the
// clipboard), a CR and erase-line (overwrite what was printed), an 8-bit
// CSI, a bidi override, a zero-width space, and a line feed followed by a
// forged row and a workflow command.
const hostile = "\x1b]52;c;cHduZWQ=\x07\r\x1b[2K\u009b2J\u202e\u200b\u2028\nFORGED ::error title=PWN::pwn"

// hostileStart is hostile behind a leading workflow command, for strings
// a table prints as its first cell.
const hostileStart = "::error::pwn" + hostile

const hostileUser = "36541d16-28fa-4900-b73a-f813c94671ff"

// hostileAPI serves the emulator, seeded with hostile objects, and in
// front of it the answers the emulator cannot be made to give: users
// with hostile names, a failing reset, and in its modes a failing or
// lying create, or every request failing.
type hostileAPI struct {
	emu  *emulator.Emulator
	mode string // "", "fail create", "lying create", "fail all"
}

func envelope(w http.ResponseWriter, status int, result any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	body := map[string]any{"success": status < 300, "errors": []any{}, "messages": []any{}, "result": result}
	if status >= 300 {
		body["errors"] = []any{map[string]any{"code": 10000, "message": hostileStart}}
		body["result"] = nil
	}
	_ = json.NewEncoder(w).Encode(body)
}

func (h *hostileAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	switch {
	case h.mode == "fail all":
		envelope(w, http.StatusBadRequest, nil)
	case r.Method == http.MethodGet && strings.HasSuffix(p, "/summary"):
		envelope(w, http.StatusOK, map[string]any{"users": []any{map[string]any{
			"user_id": hostileUser, "name": hostileStart, "email": hostile + "@example.com",
			"max_risk_level": "high", "event_count": 1, "last_event": "2025-03-19T19:53:56Z",
		}}})
	case r.Method == http.MethodGet && strings.HasSuffix(p, "/"+hostileUser):
		envelope(w, http.StatusOK, map[string]any{
			"name": hostileStart, "email": hostile, "risk_level": hostile,
			"events": []any{map[string]any{"id": hostileStart, "name": hostile, "risk_level": hostile, "timestamp": "2025-03-19T19:53:56Z"}},
		})
	case r.Method == http.MethodPost && strings.HasSuffix(p, "/reset"):
		envelope(w, http.StatusBadRequest, nil)
	case r.Method == http.MethodPost && strings.HasSuffix(p, "/integrations") && h.mode == "fail create":
		envelope(w, http.StatusBadRequest, nil)
	case r.Method == http.MethodPost && strings.HasSuffix(p, "/integrations") && h.mode == "lying create":
		var in map[string]any
		_ = json.NewDecoder(r.Body).Decode(&in)
		in["id"], in["created_at"] = hostileStart, "2025-03-19T19:53:56Z"
		envelope(w, http.StatusOK, in)
	default:
		h.emu.ServeHTTP(w, r)
	}
}

// hostileFile is a spec file name that holds a line feed and a workflow
// command.
const hostileFile = "x\n::error title=PWN::y.yaml"

func newHostileEnv(t *testing.T, mode string) {
	emu, err := emulator.New(emulator.Options{Accounts: []string{secAccount}, Token: secToken, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	emu.SetBehavior(secAccount, hostileStart, emulator.Behavior{Name: hostile, Description: hostile, Enabled: true, RiskLevel: "high"})
	emu.PutIntegration(secAccount, emulator.Integration{
		ReferenceID: hostileStart, IntegrationType: "Okta" + hostile,
		TenantURL: "https://acme.okta.com/" + hostile, Active: true,
	})
	srv := httptest.NewServer(&hostileAPI{emu: emu, mode: mode})
	t.Cleanup(srv.Close)
	t.Chdir(t.TempDir())
	for k, v := range map[string]string{
		"CLOUDFLARE_BASE_URL":   srv.URL + "/client/v4",
		"CLOUDFLARE_ACCOUNT_ID": secAccount,
		"CLOUDFLARE_API_TOKEN":  secToken,
		"CLOUDFLARE_API_KEY":    "",
		"CLOUDFLARE_EMAIL":      "",
		"GITHUB_OUTPUT":         "",
		"GITHUB_STEP_SUMMARY":   "",
		"NO_COLOR":              "1",
	} {
		t.Setenv(k, v)
	}
	spec := func(ref string) string {
		return "version: 1\naccount_id: " + secAccount + "\nbehaviors:\n  imp_travel: {enabled: true, risk_level: high}\n" +
			"integrations:\n  - reference_id: " + ref + "\n    integration_type: Okta\n    tenant_url: https://acme.okta.com\n"
	}
	files := map[string]string{
		"spec.yaml": spec("idp-main"),
		// A reference_id in the spec that holds hostile text, in YAML's
		// escapes.
		"hostile-ref.yaml": spec(`"::error::pwn\e]52;c;eA==\a\r\u202e\nFORGED ::error::pwn"`),
		// A YAML tag whose %0A is a line feed once decoded.
		"tag.yaml":  "version: 1\naccount_id: !<x%0A::error::pwn> abc\n",
		hostileFile: "version: 1\naccount_id: " + secAccount + "\nbehaviors: {foo: 1}\n",
		// A valid spec whose name, printed first on validate's line,
		// is a workflow command.
		"::error title=PWN::ok.yaml": spec("idp-main"),
	}
	for name, content := range files {
		if err := os.WriteFile(name, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// unsafeIn returns why a line of output is unsafe, or "".
func unsafeIn(line string) string {
	if !utf8.ValidString(line) {
		return "bytes that are not UTF-8"
	}
	for _, r := range line {
		switch {
		case r < 0x20, r == 0x7f, 0x80 <= r && r < 0xa0:
			return fmt.Sprintf("control character %U", r)
		case r == 0x2028, r == 0x2029, r == 0x061c, r == 0x200e, r == 0x200f,
			0x202a <= r && r <= 0x202e, 0x2066 <= r && r <= 0x2069:
			return fmt.Sprintf("line separator or bidi control %U", r)
		case 0x200b <= r && r <= 0x200d, r == 0x2060, r == 0xfeff:
			return fmt.Sprintf("zero-width character %U", r)
		}
	}
	trimmed := strings.TrimLeftFunc(line, unicode.IsSpace)
	switch {
	case strings.HasPrefix(trimmed, "::"):
		return `a line beginning with "::" (a workflow command)`
	case strings.HasPrefix(trimmed, "FORGED"):
		return "a line the data forged"
	}
	return ""
}

func TestHostileOutputIsEscaped(t *testing.T) {
	cases := []struct {
		name string
		mode string
		args []string
	}{
		{"behaviors list", "", []string{"behaviors", "list"}},
		{"behaviors list json", "", []string{"behaviors", "list", "--format", "json"}},
		{"integrations list", "", []string{"integrations", "list"}},
		{"integrations list json", "", []string{"integrations", "list", "--format", "json"}},
		{"users list", "", []string{"users", "list"}},
		{"users list json", "", []string{"users", "list", "--format", "json"}},
		{"users show", "", []string{"users", "show", hostileUser}},
		{"users show json", "", []string{"users", "show", "--format", "json", hostileUser}},
		{"users reset, its error", "", []string{"users", "reset", "--yes", hostileUser}},
		{"plan, live data", "", []string{"plan", "-f", "spec.yaml"}},
		{"plan markdown, live data", "", []string{"plan", "-f", "spec.yaml", "--format", "markdown"}},
		{"plan, spec value", "", []string{"plan", "-f", "hostile-ref.yaml"}},
		{"drift", "", []string{"drift", "-f", "spec.yaml"}},
		{"apply, progress and results", "", []string{"apply", "-f", "spec.yaml", "--auto-approve"}},
		{"apply, server error", "fail create", []string{"apply", "-f", "spec.yaml", "--auto-approve"}},
		{"apply, created id", "lying create", []string{"apply", "-f", "spec.yaml", "--auto-approve"}},
		{"validate, YAML tag", "", []string{"validate", "-f", "tag.yaml"}},
		{"validate, file name", "", []string{"validate", "-f", hostileFile}},
		{"validate, missing file name", "", []string{"validate", "-f", hostileFile + ".missing"}},
		{"validate, valid file name", "", []string{"validate", "-f", "::error title=PWN::ok.yaml"}},
		{"plan, file name", "", []string{"plan", "-f", hostileFile}},
		{"integrations list, server error", "fail all", []string{"integrations", "list"}},
		{"plan, server error", "fail all", []string{"plan", "-f", "spec.yaml"}},
		{"debug log, server error", "fail create", []string{"--debug", "apply", "-f", "spec.yaml", "--auto-approve"}},
		{"debug log, users", "", []string{"--debug", "users", "list"}},
		{"export", "", []string{"export"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			newHostileEnv(t, tc.mode)
			var stdout, stderr bytes.Buffer
			code := cli.Main(context.Background(), append([]string{"riskctl"}, tc.args...), cli.Streams{
				In: strings.NewReader(""), Out: &stdout, Err: &stderr,
				InteractiveInput: func() bool { return false },
				OutIsTerminal:    func() bool { return false },
			})
			all := stdout.String() + stderr.String()
			if !strings.Contains(strings.ToLower(all), "pwn") {
				t.Errorf("exit %d: the hostile data was not printed at all, so nothing was checked:\nstdout:\n%s\nstderr:\n%s", code, &stdout, &stderr)
			}
			t.Logf("stdout:\n%s\nstderr:\n%s", &stdout, &stderr)
			for name, text := range map[string]string{"stdout": stdout.String(), "stderr": stderr.String()} {
				for i, line := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
					if why := unsafeIn(line); why != "" {
						t.Errorf("%s line %d: %s: %q", name, i+1, why, line)
					}
				}
			}
		})
	}
}
