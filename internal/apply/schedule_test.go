package apply

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/riskctl/riskctl/internal/plan"
	"github.com/riskctl/riskctl/internal/state"
	"github.com/riskctl/riskctl/internal/testwait"
)

func creates(n int) []plan.Change {
	var cs []plan.Change
	for i := range n {
		cs = append(cs, createChange(fmt.Sprintf("ref-%d", i), "https://acme.okta.com", true))
	}
	return cs
}

func TestParallelismBound(t *testing.T) {
	for _, tc := range []struct {
		parallelism, want int
	}{
		{2, 2},
		{0, DefaultParallelism},
		{-3, 1},
		{1, 1},
	} {
		t.Run(fmt.Sprint(tc.parallelism), func(t *testing.T) {
			// More creates than the default, so that the default shows.
			n := DefaultParallelism + 2
			f := &fakeAPI{delay: 20 * time.Millisecond}
			r := Execute(context.Background(), f, mkPlan(creates(n)...), Options{Parallelism: tc.parallelism})
			wantCounts(t, r, n, 0, 0)
			if got := f.MaxInflight(); got != tc.want {
				t.Errorf("max concurrent calls = %d, want %d", got, tc.want)
			}
		})
	}
}

// The default is Terraform's -parallelism, which users of both expect.
func TestDefaultParallelismIsTerraforms(t *testing.T) {
	if DefaultParallelism != 10 {
		t.Errorf("DefaultParallelism = %d, want 10 (Terraform's)", DefaultParallelism)
	}
}

// live is a live integration for the fake, whose ids are "id-<ref>".
func live(ref string) state.Integration {
	return state.Integration{ID: "id-" + ref, ReferenceID: ref, IntegrationType: "LegacyIdP", TenantURL: "https://x.okta.com", Active: true}
}

func TestWriteOrder(t *testing.T) {
	// The plan lists the changes in the worst order. Apply starts the
	// behaviors PUT, replaces, creates and updates as one wave (they touch
	// different objects), keeping plan order within each kind, and the
	// prune deletes only once every create and replace has settled.
	p := mkPlan(
		deleteChange(live("prune-1")),
		createChange("new-1", "https://n.okta.com", false),
		replaceChange(live("repl-1"), "https://r.okta.com", true),
		updateChange(live("upd-1"), "https://u.okta.com", true),
		behaviorChange("imp_travel", state.Behavior{}, state.Behavior{Enabled: true, RiskLevel: "high"}),
		deleteChange(live("prune-2")),
		createChange("new-2", "https://n.okta.com", true),
		updateChange(live("upd-2"), "https://u.okta.com", true),
		behaviorChange("high_dlp", state.Behavior{}, state.Behavior{Enabled: true, RiskLevel: "low"}),
	)
	t.Run("sequential", func(t *testing.T) {
		f := &fakeAPI{}
		r := Execute(context.Background(), f, p, Options{Parallelism: 1})
		wantCounts(t, r, 9, 0, 0)
		want := []string{
			"behaviors",
			"delete id-repl-1", "create repl-1",
			"create new-1", "update id-new-1", "create new-2",
			"update id-upd-1", "update id-upd-2",
			"delete id-prune-1", "delete id-prune-2",
		}
		if got := f.Calls(); !slices.Equal(got, want) {
			t.Errorf("calls =\n%q\nwant\n%q", got, want)
		}
	})
	t.Run("parallel", func(t *testing.T) {
		f := &fakeAPI{delay: 5 * time.Millisecond}
		r := Execute(context.Background(), f, p, Options{Parallelism: 8})
		wantCounts(t, r, 9, 0, 0)
		calls := f.Calls()
		if len(calls) != 10 {
			t.Fatalf("calls = %q, want 10", calls)
		}
		pos := map[string]int{}
		for i, c := range calls {
			pos[c] = i
		}
		// Within a step: the replace's DELETE before its POST, the
		// inactive create's PUT after its POST.
		for _, pair := range [][2]string{{"delete id-repl-1", "create repl-1"}, {"create new-1", "update id-new-1"}} {
			if pos[pair[0]] > pos[pair[1]] {
				t.Errorf("%q ran after %q: calls = %q", pair[0], pair[1], calls)
			}
		}
		// Prune deletes after every create.
		for _, del := range []string{"delete id-prune-1", "delete id-prune-2"} {
			for _, c := range []string{"create repl-1", "create new-1", "update id-new-1", "create new-2"} {
				if pos[del] < pos[c] {
					t.Errorf("%q ran before %q: calls = %q", del, c, calls)
				}
			}
		}
	})
}

// Observed: the behaviors PUT ran as its own phase before the integration
// writes, one more round trip. Now it goes out with them: every write of
// the first wave is in flight at once (the fake holds each call until all
// four have arrived; one phase after another would never get there).
func TestFirstWaveIsOneRoundTrip(t *testing.T) {
	p := mkPlan(
		behaviorChange("imp_travel", state.Behavior{}, state.Behavior{Enabled: true, RiskLevel: "high"}),
		updateChange(live("upd-1"), "https://u.okta.com", true),
		replaceChange(live("repl-1"), "https://r.okta.com", true),
		createChange("new-1", "https://n.okta.com", true),
		deleteChange(live("prune-1")),
	)
	const wave = 4 // behaviors, update, the replace's DELETE, create
	all := make(chan struct{})
	var mu sync.Mutex
	var arrived []string
	f := &fakeAPI{}
	f.before = func(call string) {
		mu.Lock()
		arrived = append(arrived, call)
		if len(arrived) == wave {
			close(all)
		}
		first := len(arrived) <= wave
		mu.Unlock()
		if first {
			select {
			case <-all:
			case <-testwait.After(t):
				t.Errorf("%q waited for the rest of the first wave, which never came: calls = %q", call, f.Calls())
			}
		}
	}
	r := Execute(context.Background(), f, p, Options{Parallelism: 10})
	wantCounts(t, r, 5, 0, 0)
	first := slices.Clone(arrived[:wave])
	slices.Sort(first)
	if want := []string{"behaviors", "create new-1", "delete id-repl-1", "update id-upd-1"}; !slices.Equal(first, want) {
		t.Errorf("first wave = %q, want %q", first, want)
	}
	if arrived[len(arrived)-1] != "delete id-prune-1" {
		t.Errorf("calls = %q, want the prune delete last", arrived)
	}
}

func TestResultOrderFollowsPlan(t *testing.T) {
	p := mkPlan(
		deleteChange(live("prune-1")),
		behaviorChange("imp_travel", state.Behavior{}, state.Behavior{Enabled: true, RiskLevel: "high"}),
		createChange("new-1", "https://n.okta.com", true),
	)
	r := Execute(context.Background(), &fakeAPI{}, p, Options{})
	for i, a := range r.Actions {
		if a.Index != i || a.Change.Key != p.Changes[i].Key {
			t.Errorf("Actions[%d] = index %d, key %q; want index %d, key %q", i, a.Index, a.Change.Key, i, p.Changes[i].Key)
		}
	}
	if r.Actions[0].ID != "id-prune-1" || r.Actions[2].ID != "id-new-1" {
		t.Errorf("ids = %q, %q", r.Actions[0].ID, r.Actions[2].ID)
	}
}

func TestCancelStopsStartingActions(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var once sync.Once
	// The first create cancels the run while it is in flight; nothing new
	// may start after it, and the one in flight finishes: it is applied.
	f := &fakeAPI{before: func(string) { once.Do(cancel) }}
	p := mkPlan(append(creates(3), deleteChange(live("prune-1")))...)
	var out strings.Builder
	r := Execute(ctx, f, p, Options{Parallelism: 1, Progress: &out})

	if got := f.Calls(); !slices.Equal(got, []string{"create ref-0"}) {
		t.Errorf("calls = %q, want only the first create", got)
	}
	// The in-flight create was not cut off; the rest never started.
	wantCounts(t, r, 1, 0, 3)
	for _, a := range r.Actions[1:] {
		if a.Status != StatusSkipped || !errors.Is(a.Err, context.Canceled) || !errors.Is(a.Err, ErrNotStarted) || a.Duration != 0 {
			t.Errorf("action %d = %s, %v, %s", a.Index, a.Status, a.Err, a.Duration)
		}
	}
	// One line for the create, one counting the three not started.
	if n := len(strings.Split(strings.TrimSpace(stepLines(out.String())), "\n")); n != 2 ||
		!strings.Contains(out.String(), "Stopped: 3 actions not started (context canceled).\n") {
		t.Errorf("%d progress lines, want 2, the last counting the 3 not started:\n%s", n, out.String())
	}
}

func TestCancelAfterSomeAppliedIsPartial(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	f := &fakeAPI{}
	f.before = func(call string) {
		if call == "create ref-1" {
			cancel()
		}
	}
	r := Execute(ctx, f, mkPlan(creates(4)...), Options{Parallelism: 1})
	wantCounts(t, r, 2, 0, 2)
	if !r.Partial() {
		t.Error("Partial() = false")
	}
	if err := r.Err(); err == nil || !strings.HasPrefix(err.Error(), "apply: 2 of 4 actions skipped") {
		t.Errorf("Err() = %v", err)
	}
}

func TestDurationsUseOptionsNow(t *testing.T) {
	var mu sync.Mutex
	clock := time.Date(2025, 3, 19, 0, 0, 0, 0, time.UTC)
	now := func() time.Time { // every reading advances the clock 250ms
		mu.Lock()
		defer mu.Unlock()
		clock = clock.Add(250 * time.Millisecond)
		return clock
	}
	var out strings.Builder
	r := Execute(context.Background(), &fakeAPI{}, mkPlan(createChange("r", "https://a.okta.com", true)), Options{Now: now, Progress: &out})
	if r.Actions[0].Duration != 250*time.Millisecond {
		t.Errorf("Duration = %s, want 250ms", r.Actions[0].Duration)
	}
	// Readings: Execute's start (250ms), the step's start (500ms), its end
	// (750ms): it took 250ms, 500ms into the run.
	if got, want := stepLines(out.String()), "[1/1, 500ms elapsed] integration \"r\" (https://a.okta.com): created (id id-r) in 250ms\n"; got != want {
		t.Errorf("progress = %q, want %q", got, want)
	}
}

// A step in flight when the run is interrupted goes on for at most the
// grace period; then its requests are cancelled, and it fails.
func TestInterruptGraceBoundsInFlight(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	f := &fakeAPI{delay: time.Hour, before: func(string) { cancel() }}
	done := make(chan Result, 1)
	go func() {
		done <- Execute(ctx, f, mkPlan(creates(2)...), Options{Parallelism: 1, Grace: 20 * time.Millisecond})
	}()
	select {
	case r := <-done:
		wantCounts(t, r, 0, 1, 1)
	case <-testwait.After(t): // the step's hour, had the grace not ended it
		t.Fatal("Execute waited for the step in flight, past its 20ms grace")
	}
}
