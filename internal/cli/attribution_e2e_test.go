package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/riskctl/riskctl/internal/emulator"
)

// TestAttributionAgainstEmulator, end to end over HTTP: riskctl applies a
// spec (its writes recorded with their Cf-Auditlog-Id and cf-ray),
// someone else disables imp_travel outside riskctl, and drift names that
// write, never riskctl's own. TestAttributionEndToEnd runs the same over a
// stand-in log whose actor's email is hostile.
func TestAttributionAgainstEmulator(t *testing.T) {
	const token = "attribution-token"
	const bob = "bob-token-for-the-dashboard"
	emu, err := emulator.New(emulator.Options{Accounts: []string{acctA}, Token: token,
		Actors: map[string]string{bob: "bob@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(emu)
	t.Cleanup(srv.Close)
	attributionScenario(t, srv.URL, token, bob, "disabled by bob@example.com ")
}

// TestAttributionEndToEnd is the scenario over the emulator behind a
// stand-in audit log (auditLog): every write answered with its
// Cf-Auditlog-Id and cf-ray and kept with its User-Agent, served in
// cloudflare-go v7.9.0's shape (accounts/logaudit.go).
func TestAttributionEndToEnd(t *testing.T) {
	const token = "attribution-token"
	emu, err := emulator.New(emulator.Options{Accounts: []string{acctA}, Token: token})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(&auditLog{next: emu})
	t.Cleanup(srv.Close)
	attributionScenario(t, srv.URL, token, token, `disabled by alice\u000A::error::x@example.com in the dashboard, `)
}

// TestAttributionWithoutPermission: a token that may not read the audit
// log gets drift's usual exit code and one line saying why nobody is named.
func TestAttributionWithoutPermission(t *testing.T) {
	const token = "attribution-token"
	emu, err := emulator.New(emulator.Options{Accounts: []string{acctA}, Token: token})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(&auditLog{next: emu, deny: true})
	t.Cleanup(srv.Close)
	t.Chdir(t.TempDir())
	clearEnv(t)
	t.Setenv(envAPIToken, token)
	spec := "version: 1\naccount_id: " + acctA + "\nbehaviors:\n  imp_travel: {enabled: true, risk_level: high}\n"
	if err := os.WriteFile("s.yaml", []byte(spec), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	code := Main(context.Background(), argv("drift -f s.yaml --base-url "+srv.URL+"/client/v4"), Streams{In: strings.NewReader(""), Out: &out, Err: &errOut})
	want := "\nWho changed it: unknown — the token cannot read audit logs (Account Settings: Audit Logs Read)\n"
	if code != ExitChanges || !strings.Contains(out.String(), want) {
		t.Errorf("exit %d, stdout:\n%s\nstderr:\n%s", code, out.String(), errOut.String())
	}
}

// auditLog records the writes next answers and serves them newest first,
// one entry per page (so the reader follows the cursor). Its actor's
// email would forge a workflow command if printed raw.
type auditLog struct {
	next    http.Handler
	deny    bool // the token may not read the log: 403
	mu      sync.Mutex
	entries []map[string]any
}

func (l *auditLog) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasSuffix(r.URL.Path, "/logs/audit") {
		l.serveLog(w, r)
		return
	}
	if r.Method == http.MethodGet {
		l.next.ServeHTTP(w, r)
		return
	}
	l.mu.Lock()
	n := len(l.entries) + 1
	id := "log-" + string(rune('a'+n))
	ray := strings.Repeat(string(rune('0'+n)), 16)
	l.entries = append(l.entries, map[string]any{
		"id":       id,
		"account":  map[string]any{"id": acctA, "name": "Acme"},
		"action":   map[string]any{"description": "", "result": "success", "time": time.Now().UTC().Format(time.RFC3339), "type": "update"},
		"actor":    map[string]any{"id": "u1", "context": "dash", "email": "alice\n::error::x@example.com", "ip_address": "192.0.2.1", "token_id": "", "token_name": "", "type": "user"},
		"raw":      map[string]any{"cf_ray_id": ray, "method": r.Method, "status_code": 200, "uri": r.URL.RequestURI(), "user_agent": r.UserAgent()},
		"resource": map[string]any{"id": "", "product": "", "request": nil, "response": nil, "scope": nil, "type": ""},
		"zone":     map[string]any{"id": "", "name": ""},
	})
	l.mu.Unlock()
	w.Header().Set("Cf-Auditlog-Id", id)
	w.Header().Set("Cf-Ray", ray+"-SJC")
	// The emulator answers its own Cf-Auditlog-Id and cf-ray: the stand-in's
	// are the ones its log holds, so they win.
	l.next.ServeHTTP(&ownIDs{ResponseWriter: w, h: http.Header{}}, r)
}

// ownIDs passes an answer through but for its Cf-Auditlog-Id and cf-ray
// headers, which the writer already holds.
type ownIDs struct {
	http.ResponseWriter
	h     http.Header
	wrote bool
}

func (o *ownIDs) Header() http.Header { return o.h }

func (o *ownIDs) WriteHeader(code int) {
	if o.wrote {
		return
	}
	o.wrote = true
	for k, v := range o.h {
		if k != "Cf-Auditlog-Id" && k != "Cf-Ray" {
			o.ResponseWriter.Header()[k] = v
		}
	}
	o.ResponseWriter.WriteHeader(code)
}

func (o *ownIDs) Write(b []byte) (int, error) {
	o.WriteHeader(http.StatusOK)
	return o.ResponseWriter.Write(b)
}

func (l *auditLog) serveLog(w http.ResponseWriter, r *http.Request) {
	if l.deny {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusForbidden)
		_, _ = w.Write([]byte(`{"success":false,"errors":[{"code":10000,"message":"Authentication error"}],"messages":[],"result":null}`))
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	i := 0
	if c := r.URL.Query().Get("cursor"); c != "" {
		i = len(c) // the cursor is i dots
	}
	result, after := []any{}, ""
	if i < len(l.entries) {
		result = append(result, l.entries[len(l.entries)-1-i])
		after = strings.Repeat(".", i+1)
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"success": true, "errors": []any{}, "messages": []any{},
		"result": result, "result_info": map[string]any{"cursors": map[string]any{"after": after}}})
}

// attributionScenario: apply, an out-of-band change, drift; the drift
// text must hold wantText when it is not "".
func attributionScenario(t *testing.T, url, token, otherToken, wantText string) {
	t.Helper()
	base := url + "/client/v4/accounts/" + acctA
	var resp *http.Response
	var err error
	t.Chdir(t.TempDir())
	clearEnv(t)
	t.Setenv(envAPIToken, token)
	spec := "version: 1\naccount_id: " + acctA + "\nbehaviors:\n  imp_travel: {enabled: true, risk_level: high}\n"
	if err := os.WriteFile("s.yaml", []byte(spec), 0o644); err != nil {
		t.Fatal(err)
	}
	run := func(args string) (int, string, string) {
		var out, errOut bytes.Buffer
		code := Main(context.Background(), argv(args+" --base-url "+url+"/client/v4"),
			Streams{In: strings.NewReader(""), Out: &out, Err: &errOut})
		return code, out.String(), errOut.String()
	}

	// riskctl's write: recorded in the JSON report.
	code, out, errOut := run("apply -f s.yaml --auto-approve --format json")
	if code != ExitOK {
		t.Fatalf("apply: exit %d: %s", code, errOut)
	}
	var applied struct {
		Writes []struct {
			AuditLogID string `json:"audit_log_id"`
		} `json:"writes"`
		Accounts []struct {
			Results []struct {
				Writes []struct {
					AuditLogID string `json:"audit_log_id"`
					RayID      string `json:"ray_id"`
				} `json:"writes"`
			} `json:"results"`
		} `json:"accounts"`
	}
	if err := json.Unmarshal([]byte(out), &applied); err != nil || len(applied.Accounts) != 1 || len(applied.Accounts[0].Results) == 0 {
		t.Fatalf("apply JSON (%v):\n%s", err, out)
	}
	own := applied.Accounts[0].Results[0].Writes
	if len(own) != 1 || own[0].AuditLogID == "" || len(applied.Writes) != 1 || applied.Writes[0].AuditLogID != own[0].AuditLogID {
		t.Fatalf("apply recorded %+v (run: %+v); want its PUT with a Cf-Auditlog-Id", own, applied.Writes)
	}

	// Someone else disables it, not with riskctl.
	put, _ := http.NewRequest(http.MethodPut, base+"/zt_risk_scoring/behaviors",
		strings.NewReader(`{"behaviors":{"imp_travel":{"enabled":false,"risk_level":"high"}}}`))
	put.Header.Set("Authorization", "Bearer "+otherToken)
	put.Header.Set("Content-Type", "application/json")
	put.Header.Set("User-Agent", "Mozilla/5.0 (the dashboard)")
	resp, err = http.DefaultClient.Do(put)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	theirRay := resp.Header.Get("Cf-Ray")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("out-of-band PUT: HTTP %d", resp.StatusCode)
	}

	code, out, errOut = run("drift -f s.yaml --format json")
	if code != ExitChanges {
		t.Fatalf("drift: exit %d: %s\n%s", code, errOut, out)
	}
	var drift struct {
		Accounts []struct {
			AuditNote string `json:"audit_note"`
			Plan      struct {
				Changes []struct {
					Key       string `json:"key"`
					ChangedBy []struct {
						RayID     string `json:"ray_id"`
						Action    string `json:"action"`
						TokenName string `json:"actor_token_name"`
						Email     string `json:"actor_email"`
					} `json:"changed_by"`
					Unknown string `json:"changed_by_unknown"`
				} `json:"changes"`
			} `json:"plan"`
		} `json:"accounts"`
	}
	if err := json.Unmarshal([]byte(out), &drift); err != nil || len(drift.Accounts) != 1 || len(drift.Accounts[0].Plan.Changes) != 1 {
		t.Fatalf("drift JSON (%v):\n%s", err, out)
	}
	a := drift.Accounts[0]
	c := a.Plan.Changes[0]
	if a.AuditNote != "" || len(c.ChangedBy) != 1 {
		t.Fatalf("drift attributed %+v (unknown %q, note %q); want the one out-of-band write", c.ChangedBy, c.Unknown, a.AuditNote)
	}
	if theirRay == "" || c.ChangedBy[0].RayID == "" || !strings.HasPrefix(theirRay, c.ChangedBy[0].RayID) {
		t.Errorf("blamed ray %q, the out-of-band write was %q", c.ChangedBy[0].RayID, theirRay)
	}
	if c.ChangedBy[0].RayID != "" && c.ChangedBy[0].RayID == own[0].RayID {
		t.Error("riskctl's own write was blamed")
	}

	code, out, _ = run("drift -f s.yaml")
	if code != ExitChanges || !strings.Contains(out, "      disabled ") || !strings.Contains(out, wantText) {
		t.Errorf("drift text (exit %d) does not say who disabled it (%q):\n%s", code, wantText, out)
	}
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "::") {
			t.Errorf("a forged workflow command: %q", line)
		}
	}
}
