package notify

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/riskctl/riskctl/internal/apply"
	"github.com/riskctl/riskctl/internal/assess"
	"github.com/riskctl/riskctl/internal/plan"
	"github.com/riskctl/riskctl/internal/reconcile"
	"github.com/riskctl/riskctl/internal/report"
	"github.com/riskctl/riskctl/internal/state"
)

const acct = "0123456789abcdef0123456789abcdef"

// driftPlan is a plan in which live differs from the spec: imp_travel
// disabled by hand (the spec enables it).
func driftPlan(t *testing.T) plan.Plan {
	t.Helper()
	desired := state.Account{AccountID: acct, Behaviors: map[string]state.Behavior{"imp_travel": {Enabled: true, RiskLevel: "high"}}}
	live := state.Account{AccountID: acct, Behaviors: map[string]state.Behavior{"imp_travel": {Enabled: false, RiskLevel: "high", Name: "Impossible Travel"}}}
	p, err := plan.Compute(desired, live)
	if err != nil || len(p.Changes) != 1 {
		t.Fatalf("plan: %v, %d changes", err, len(p.Changes))
	}
	return p
}

// weakeningPlan disables imp_travel: a weakening change.
func weakeningPlan(t *testing.T) plan.Plan {
	t.Helper()
	desired := state.Account{AccountID: acct, Behaviors: map[string]state.Behavior{"imp_travel": {Enabled: false, RiskLevel: "high"}}}
	live := state.Account{AccountID: acct, Behaviors: map[string]state.Behavior{"imp_travel": {Enabled: true, RiskLevel: "high", Name: "Impossible Travel"}}}
	p, err := plan.Compute(desired, live)
	if err != nil || len(p.Changes) != 1 || p.Changes[0].Class() != state.Weakening {
		t.Fatalf("plan: %v, %+v", err, p.Changes)
	}
	return p
}

func cleanPlan() plan.Plan { return plan.Plan{AccountID: acct} }

func driftRun(p plan.Plan, findings ...assess.Finding) Run {
	status := reconcile.StatusOK
	a := report.Account{AccountID: acct, Plan: &p, Findings: findings}
	if a.Drifted() {
		status = reconcile.StatusChanges
	}
	a.Status = status
	return Run{Report: report.Report{Kind: report.KindDrift, Accounts: []report.Account{a}}, Status: status}
}

// appliedRun is an apply run that applied every change of p.
func appliedRun(p plan.Plan) Run {
	res := &apply.Result{}
	for i, c := range p.Changes {
		res.Actions = append(res.Actions, apply.ActionResult{Index: i, Change: c, Status: apply.StatusApplied})
		res.Applied++
	}
	a := report.Account{AccountID: acct, Plan: &p, Result: res}
	return Run{Report: report.Report{Kind: report.KindApply, Accounts: []report.Account{a}}, Status: reconcile.StatusOK}
}

// receiver is a local webhook: it records each body and answers with
// the status codes of answers in turn (200 after them), or stalls.
type receiver struct {
	*httptest.Server
	mu      sync.Mutex
	bodies  [][]byte
	answers []int
	stall   chan struct{} // when not nil, every request waits for it to close or the client to give up
}

func newReceiver(t *testing.T, answers ...int) *receiver {
	t.Helper()
	rc := &receiver{answers: answers}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		rc.bodies = append(rc.bodies, body)
		code := http.StatusOK
		if len(rc.answers) > 0 {
			code, rc.answers = rc.answers[0], rc.answers[1:]
		}
		stall := rc.stall
		rc.mu.Unlock()
		if stall != nil {
			select {
			case <-stall:
			case <-r.Context().Done():
			}
			return
		}
		w.WriteHeader(code)
		_, _ = io.WriteString(w, http.StatusText(code))
	}))
	t.Cleanup(func() {
		if rc.stall != nil {
			close(rc.stall)
		}
		rc.Close()
	})
	return rc
}

// hook is the receiver's webhook URL (loopback http://, allowed).
func (rc *receiver) hook() string { return rc.URL + "/services/T0000/B0000/s3cretW3bhookT0ken" }

func (rc *receiver) received() [][]byte {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([][]byte{}, rc.bodies...)
}

// message decodes the i-th body received.
func (rc *receiver) message(t *testing.T, i int) Message {
	t.Helper()
	got := rc.received()
	if len(got) <= i {
		t.Fatalf("received %d messages, want at least %d", len(got), i+1)
	}
	var m Message
	if err := json.Unmarshal(got[i], &m); err != nil {
		t.Fatalf("message %d is not JSON: %v\n%s", i, err, got[i])
	}
	return m
}

// fastOptions are delivery options for tests: short waits between
// attempts; the attempt timeout is set by the tests that stall.
func fastOptions(urls ...string) Options {
	return Options{URLs: urls, Version: "1.2.3", Backoff: time.Millisecond, Now: func() time.Time { return time.Date(2026, 12, 7, 3, 0, 0, 0, time.UTC) }}
}

var errBoom = errors.New("boom")

var bg = context.Background()
