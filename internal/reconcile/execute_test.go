package reconcile

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/riskctl/riskctl/internal/plan"
	"github.com/riskctl/riskctl/internal/remote"
	"github.com/riskctl/riskctl/internal/state"
)

// behaviorWriter accepts behavior updates, each taking a second on clock.
type behaviorWriter struct {
	remote.API // nil: any other call panics
	clock      *testClock
}

func (w *behaviorWriter) UpdateBehaviors(_ context.Context, changes map[string]remote.BehaviorUpdate) (map[string]remote.Behavior, error) {
	w.clock.advance(time.Second)
	out := map[string]remote.Behavior{}
	for k, v := range changes {
		out[k] = remote.Behavior{Enabled: v.Enabled, RiskLevel: v.RiskLevel}
	}
	return out, nil
}

type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func behaviorAccount(id string, clock *testClock) *Account {
	return &Account{
		API: &behaviorWriter{clock: clock},
		Plan: plan.Plan{AccountID: id, Changes: []plan.Change{{
			Action: plan.Update, Resource: plan.ResourceBehavior, Key: "imp_travel",
			Behavior: &plan.BehaviorChange{After: state.Behavior{Enabled: true, RiskLevel: "high"}},
		}}},
	}
}

// Over several accounts, each account's lines count its own changes, under
// its heading, and the elapsed time is the whole run's.
func TestApplyProgressAcrossAccounts(t *testing.T) {
	clock := &testClock{t: time.Date(2025, 3, 19, 12, 0, 0, 0, time.UTC)}
	accounts := []*Account{behaviorAccount(acctA, clock), {Plan: plan.Plan{AccountID: "no-changes"}}, behaviorAccount(acctB, clock)}
	var out strings.Builder
	results := execute(context.Background(), accounts, ExecuteOptions{Parallelism: 1, Progress: &out, Now: clock.now})
	if len(results) != 3 || results[0] == nil || results[1] != nil || results[2] == nil {
		t.Fatalf("results = %v, want one per account, nil for the one without changes", results)
	}
	want := "Applying account " + acctA + ":\n" +
		"[1/1, 1s elapsed] behaviors: updated imp_travel in 1s\n" +
		"Applying account " + acctB + ":\n" +
		"[1/1, 2s elapsed] behaviors: updated imp_travel in 1s\n"
	if got := out.String(); got != want {
		t.Errorf("progress =\n%s\nwant\n%s", got, want)
	}
}

// Progress may be nil, also over several accounts (no heading is written).
func TestApplyWithoutProgress(t *testing.T) {
	clock := &testClock{}
	results := execute(context.Background(), []*Account{behaviorAccount(acctA, clock), behaviorAccount(acctB, clock)}, ExecuteOptions{})
	for i, r := range results {
		if r == nil || r.Applied != 1 {
			t.Errorf("results[%d] = %+v, want 1 applied", i, r)
		}
	}
}
