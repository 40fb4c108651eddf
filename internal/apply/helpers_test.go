package apply

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/riskctl/riskctl/internal/emulator"
	"github.com/riskctl/riskctl/internal/plan"
	"github.com/riskctl/riskctl/internal/remote"
	"github.com/riskctl/riskctl/internal/state"
)

// testAccount is a realistic 32-hex account id.
const testAccount = "023e105f4ecef8ad9ca31a8372d0c353"

// testToken is the fake credential both sides use; it must never show up in
// progress output or errors.
const testToken = "tok-Zq8u3N0tARealSecret-7c1e"

// env is a real emulator behind httptest and a real client talking to it.
type env struct {
	t   *testing.T
	emu *emulator.Emulator
	api *remote.Client

	mu     sync.Mutex
	bodies []recorded // every request with its body, in arrival order
}

// recorded is a request as it reached the server.
type recorded struct {
	Method, Path string
	Body         []byte
}

func newEnv(t *testing.T) *env {
	t.Helper()
	return newEnvWith(t, emulator.Options{})
}

// newEnvWith is newEnv with more emulator options (the token and account
// are set here).
func newEnvWith(t *testing.T, opts emulator.Options) *env {
	t.Helper()
	opts.Token, opts.Accounts = testToken, []string{testAccount}
	emu, err := emulator.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, emu: emu}
	// Record bodies on the way in: the emulator's own log has method,
	// path and status only.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(b))
		e.mu.Lock()
		e.bodies = append(e.bodies, recorded{Method: r.Method, Path: r.URL.Path, Body: b})
		e.mu.Unlock()
		emu.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	api, err := remote.New(remote.Config{
		AccountID:    testAccount,
		Credentials:  remote.Credentials{Token: testToken},
		BaseURL:      srv.URL + "/client/v4",
		RetryWaitMin: time.Millisecond,
		RetryWaitMax: 5 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	e.api = api
	return e
}

// seed stores a live integration directly, as a dashboard edit would, and
// returns it as the plan's domain type (with its server id).
func (e *env) seed(ref, typ, tenant string, active bool) state.Integration {
	e.t.Helper()
	e.emu.PutIntegration(testAccount, emulator.Integration{
		ReferenceID: ref, IntegrationType: typ, TenantURL: tenant, Active: active,
	})
	for _, in := range e.emu.Integrations(testAccount) {
		if in.ReferenceID == ref {
			return state.Integration{ID: in.ID, ReferenceID: ref, IntegrationType: in.IntegrationType, TenantURL: in.TenantURL, Active: in.Active}
		}
	}
	e.t.Fatalf("seeded integration %q not found", ref)
	return state.Integration{}
}

// byRef returns the emulator's integrations with that reference_id.
func (e *env) byRef(ref string) []emulator.Integration {
	var out []emulator.Integration
	for _, in := range e.emu.Integrations(testAccount) {
		if in.ReferenceID == ref {
			out = append(out, in)
		}
	}
	return out
}

// log is the emulator's request log as "METHOD /suffix STATUS", the suffix
// being the path below /zt_risk_scoring.
func (e *env) log() []string {
	var out []string
	for _, r := range e.emu.Requests() {
		out = append(out, fmt.Sprintf("%s %s %d", r.Method, short(r.Path), r.Status))
	}
	return out
}

// writes is the request log without reads.
func (e *env) writes() []string {
	var out []string
	for _, r := range e.emu.Requests() {
		if r.Method != http.MethodGet {
			out = append(out, fmt.Sprintf("%s %s %d", r.Method, short(r.Path), r.Status))
		}
	}
	return out
}

// body decodes the body of the only recorded request matching method and
// path suffix.
func (e *env) body(method, suffix string) map[string]any {
	e.t.Helper()
	e.mu.Lock()
	defer e.mu.Unlock()
	var found []recorded
	for _, r := range e.bodies {
		if r.Method == method && strings.HasSuffix(r.Path, suffix) {
			found = append(found, r)
		}
	}
	if len(found) != 1 {
		e.t.Fatalf("%d %s requests to …%s, want 1", len(found), method, suffix)
	}
	var m map[string]any
	if err := json.Unmarshal(found[0].Body, &m); err != nil {
		e.t.Fatalf("%s …%s body %q: %v", method, suffix, found[0].Body, err)
	}
	return m
}

func short(path string) string {
	_, after, ok := strings.Cut(path, "/zt_risk_scoring")
	if !ok {
		return path
	}
	return after
}

// Plan change builders. Reasons are deliberately misleading: apply must
// never read them.

func behaviorChange(key string, before, after state.Behavior) plan.Change {
	return plan.Change{
		Action: plan.Update, Resource: plan.ResourceBehavior, Key: key,
		Behavior: &plan.BehaviorChange{Before: before, After: after},
		Reason:   "delete this behavior",
	}
}

func createChange(ref, tenant string, active bool) plan.Change {
	return plan.Change{
		Action: plan.Create, Resource: plan.ResourceIntegration, Key: ref,
		Integration: &plan.IntegrationChange{After: &state.Integration{
			ReferenceID: ref, IntegrationType: remote.IntegrationTypeOkta, TenantURL: tenant, Active: active,
		}},
		Reason: "replace: integration_type changed",
	}
}

func updateChange(live state.Integration, tenant string, active bool) plan.Change {
	after := live
	after.ID = ""
	after.TenantURL, after.Active = tenant, active
	return plan.Change{
		Action: plan.Update, Resource: plan.ResourceIntegration, Key: live.ReferenceID,
		Integration: &plan.IntegrationChange{Before: &live, After: &after},
		Reason:      "prune: not in the spec",
	}
}

func replaceChange(live state.Integration, tenant string, active bool) plan.Change {
	after := state.Integration{
		ReferenceID: live.ReferenceID, IntegrationType: remote.IntegrationTypeOkta, TenantURL: tenant, Active: active,
	}
	return plan.Change{
		Action: plan.Replace, Resource: plan.ResourceIntegration, Key: live.ReferenceID,
		Integration: &plan.IntegrationChange{Before: &live, After: &after},
		Reason:      "update tenant_url only",
	}
}

func deleteChange(live state.Integration) plan.Change {
	return plan.Change{
		Action: plan.Delete, Resource: plan.ResourceIntegration, Key: live.ReferenceID,
		Integration: &plan.IntegrationChange{Before: &live},
		Reason:      "create it",
	}
}

func mkPlan(changes ...plan.Change) plan.Plan {
	return plan.Plan{AccountID: testAccount, Changes: changes}
}

// wantCounts checks a Result's counters.
func wantCounts(t *testing.T, r Result, applied, failed, skipped int) {
	t.Helper()
	if r.Applied != applied || r.Failed != failed || r.Skipped != skipped {
		for _, a := range r.Actions {
			t.Logf("  %d %s %s %q: %s %v", a.Index, a.Change.Action, a.Change.Resource, a.Change.Key, a.Status, a.Err)
		}
		t.Fatalf("applied/failed/skipped = %d/%d/%d, want %d/%d/%d", r.Applied, r.Failed, r.Skipped, applied, failed, skipped)
	}
}

// execute runs Execute with a background context and no progress output.
func execute(t *testing.T, api remote.API, p plan.Plan) Result {
	t.Helper()
	return Execute(context.Background(), api, p, Options{})
}
