package reconcile

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/riskctl/riskctl/internal/apply"
	"github.com/riskctl/riskctl/internal/plan"
	"github.com/riskctl/riskctl/internal/remote"
	"github.com/riskctl/riskctl/internal/state"
	"github.com/riskctl/riskctl/internal/testwait"
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

// Over several accounts, each account's lines count its own changes and
// begin with its id, and the elapsed time is the whole run's. One account
// at a time (Accounts: 1) makes the order of the lines the accounts'.
func TestApplyProgressAcrossAccounts(t *testing.T) {
	clock := &testClock{t: time.Date(2025, 3, 19, 12, 0, 0, 0, time.UTC)}
	accounts := []*Account{behaviorAccount(acctA, clock), {Plan: plan.Plan{AccountID: "no-changes"}}, behaviorAccount(acctB, clock)}
	var out strings.Builder
	results := execute(context.Background(), accounts, ExecuteOptions{Parallelism: 1, Accounts: 1, Progress: &out, Now: clock.now})
	if len(results) != 3 || results[0] == nil || results[1] != nil || results[2] == nil {
		t.Fatalf("results = %v, want one per account, nil for the one without changes", results)
	}
	want := acctA + ": [1/1, 1s elapsed] behaviors: updated imp_travel in 1s\n" +
		acctB + ": [1/1, 2s elapsed] behaviors: updated imp_travel in 1s\n"
	if got := out.String(); got != want {
		t.Errorf("progress =\n%s\nwant\n%s", got, want)
	}
}

// One account's lines are apply's, as they are: no account id, no heading.
func TestApplyProgressOneAccount(t *testing.T) {
	clock := &testClock{t: time.Date(2025, 3, 19, 12, 0, 0, 0, time.UTC)}
	var out strings.Builder
	execute(context.Background(), []*Account{behaviorAccount(acctA, clock)}, ExecuteOptions{Progress: &out, Now: clock.now})
	if got, want := out.String(), "[1/1, 1s elapsed] behaviors: updated imp_travel in 1s\n"; got != want {
		t.Errorf("progress = %q, want %q", got, want)
	}
}

// gate holds every behavior update until want of them are under way at
// once (or the test's time runs out, which the test reports), and counts
// the most under way at once.
type gate struct {
	mu       sync.Mutex
	now      int
	most     int
	want     int
	reached  chan struct{}
	open     bool // reached is closed
	timedOut bool
}

func newGate(want int) *gate { return &gate{want: want, reached: make(chan struct{})} }

func (g *gate) enter(t *testing.T) {
	g.mu.Lock()
	g.now++
	g.most = max(g.most, g.now)
	if g.now == g.want && !g.open {
		g.open = true
		close(g.reached)
	}
	g.mu.Unlock()
	select {
	case <-g.reached:
	case <-testwait.After(t):
		g.mu.Lock()
		g.timedOut = true
		g.mu.Unlock()
	}
	g.mu.Lock()
	g.now--
	g.mu.Unlock()
}

// gatedWriter is an account whose behavior update passes g; calls counts
// them.
type gatedWriter struct {
	remote.API // nil: any other call panics
	t          *testing.T
	g          *gate
	before     func() // called first, when set
	calls      atomic.Int32
}

func (w *gatedWriter) UpdateBehaviors(_ context.Context, changes map[string]remote.BehaviorUpdate) (map[string]remote.Behavior, error) {
	w.calls.Add(1)
	if w.before != nil {
		w.before()
	}
	if w.g != nil {
		w.g.enter(w.t)
	}
	out := map[string]remote.Behavior{}
	for k, v := range changes {
		out[k] = remote.Behavior{Enabled: v.Enabled, RiskLevel: v.RiskLevel}
	}
	return out, nil
}

// gatedAccount is account i (its id and behavior key say which).
func gatedAccount(i int, w *gatedWriter) *Account {
	return &Account{
		API: w,
		Plan: plan.Plan{AccountID: fmt.Sprintf("%032x", i+1), Changes: []plan.Change{{
			Action: plan.Update, Resource: plan.ResourceBehavior, Key: fmt.Sprintf("key_%02d", i),
			Behavior: &plan.BehaviorChange{After: state.Behavior{Enabled: true, RiskLevel: "high"}},
		}}},
	}
}

// Accounts apply at once, AccountsApplying of them and never more; each
// line names its account, and the results are in the accounts' order
// (issue 18: 100 accounts applied one after the other took 191 s).
func TestApplyAccountsConcurrently(t *testing.T) {
	bound := AccountsApplying(0)
	n := bound + 4
	g := newGate(bound)
	var accounts []*Account
	for i := range n {
		accounts = append(accounts, gatedAccount(i, &gatedWriter{t: t, g: g}))
	}
	var out strings.Builder
	results := execute(context.Background(), accounts, ExecuteOptions{Progress: &out})
	if g.timedOut {
		t.Fatalf("accounts were not applied %d at once (at most %d)", bound, g.most)
	}
	if g.most != bound {
		t.Errorf("%d accounts at once, want at most %d", g.most, bound)
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != n {
		t.Errorf("%d progress lines, want %d:\n%s", len(lines), n, out.String())
	}
	for i, a := range accounts {
		r := results[i]
		if r == nil || r.Applied != 1 || r.Actions[0].Change.Key != a.Plan.Changes[0].Key {
			t.Fatalf("results[%d] = %+v, want account %d's one change applied", i, r, i)
		}
		want := a.Plan.AccountID + ": [1/1, "
		if !slices.ContainsFunc(lines, func(l string) bool {
			return strings.HasPrefix(l, want) && strings.Contains(l, "updated "+a.Plan.Changes[0].Key+" in ")
		}) {
			t.Errorf("no line %q… for account %d in:\n%s", want, i, out.String())
		}
	}
}

// The writes in flight across accounts stay within what the budget sends
// in a second, whatever the parallelism.
func TestAccountsApplying(t *testing.T) {
	for _, c := range []struct{ parallelism, want int }{{0, 18}, {10, 18}, {1, 180}, {7, 25}, {100, 1}, {500, 1}} {
		if got := AccountsApplying(c.parallelism); got != c.want {
			t.Errorf("AccountsApplying(%d) = %d, want %d", c.parallelism, got, c.want)
		}
	}
}

// Once ctx ends no account starts: the ones left send nothing and report
// their changes skipped; a failing or interrupted account does not hide
// the others' results.
func TestApplyAccountsCancelledStartNothing(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	first := &gatedWriter{t: t, before: cancel} // the interrupt comes during the first account
	rest := []*gatedWriter{{t: t}, {t: t}}
	accounts := []*Account{gatedAccount(0, first), gatedAccount(1, rest[0]), gatedAccount(2, rest[1])}
	var out strings.Builder
	results := execute(ctx, accounts, ExecuteOptions{Accounts: 1, Progress: &out})
	if r := results[0]; r == nil || r.Applied != 1 {
		t.Errorf("the account in flight: %+v, want its change applied", r)
	}
	for i, w := range rest {
		if n := w.calls.Load(); n != 0 {
			t.Errorf("account %d started after the interrupt: %d calls", i+1, n)
		}
		if r := results[i+1]; r == nil || r.Skipped != 1 || !errors.Is(r.Err(), apply.ErrNotStarted) {
			t.Errorf("results[%d] = %+v, want its change skipped", i+1, r)
		}
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

// prefixWriter writes whole lines, each with the prefix, however they are
// cut into writes; flush ends a last line left without a newline.
func TestPrefixWriter(t *testing.T) {
	var out strings.Builder
	p := &prefixWriter{mu: &sync.Mutex{}, w: &out, prefix: "acct: "}
	for _, s := range []string{"a", "b\nc", "\n\nd"} {
		if n, err := p.Write([]byte(s)); n != len(s) || err != nil {
			t.Fatalf("Write(%q) = %d, %v", s, n, err)
		}
	}
	p.flush()
	if got, want := out.String(), "acct: ab\nacct: c\nacct: \nacct: d\n"; got != want {
		t.Errorf("wrote %q, want %q", got, want)
	}
}
