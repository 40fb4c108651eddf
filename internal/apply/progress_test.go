package apply

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/riskctl/riskctl/internal/plan"
	"github.com/riskctl/riskctl/internal/remote"
	"github.com/riskctl/riskctl/internal/state"
)

// fakeClock is a clock that moves only when told to: the fake API's calls
// advance it, so every duration is exactly what the calls took. Its timers
// (NewTimer, for Options.newTimer) fire when Advance reaches them.
type fakeClock struct {
	mu     sync.Mutex
	t      time.Time
	timers []*fakeTimer // not yet fired nor stopped
	made   int          // timers made so far
}

type fakeTimer struct {
	at time.Time
	c  chan time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2025, 3, 19, 12, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock on by d and fires the timers due by then.
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
	pending := c.timers[:0]
	for _, tm := range c.timers {
		if tm.at.After(c.t) {
			pending = append(pending, tm)
			continue
		}
		tm.c <- c.t // buffered: the timer fires once
	}
	c.timers = pending
}

// NewTimer is a timer on the fake clock (a newTimer).
func (c *fakeClock) NewTimer(d time.Duration) (<-chan time.Time, func() bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	tm := &fakeTimer{at: c.t.Add(d), c: make(chan time.Time, 1)}
	c.timers = append(c.timers, tm)
	c.made++
	return tm.c, func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		for i, p := range c.timers {
			if p == tm {
				c.timers = append(c.timers[:i], c.timers[i+1:]...)
				return true
			}
		}
		return false
	}
}

// Pending is how many timers are neither fired nor stopped, and how many
// were made.
func (c *fakeClock) Pending() (pending, made int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.timers), c.made
}

// slowCalls is a fake API each of whose calls takes d on clock.
func slowCalls(clock *fakeClock, d time.Duration) *fakeAPI {
	return &fakeAPI{before: func(string) { clock.Advance(d) }}
}

// Every progress line counts the plan's changes settled so far, out of all
// of them (the behaviors PUT settles its keys at once, a failure and a
// skip count too), and says how long the run has been going.
func TestProgressCounterAndElapsed(t *testing.T) {
	clock := newFakeClock()
	p := mkPlan(
		plan.Change{Action: plan.Delete, Resource: plan.ResourceIntegration, Key: "broken"}, // fails, no request
		behaviorChange("high_dlp", state.Behavior{}, state.Behavior{Enabled: true, RiskLevel: "low"}),
		behaviorChange("imp_travel", state.Behavior{}, state.Behavior{Enabled: true, RiskLevel: "high"}),
		createChange("new-1", "https://n.okta.com", true),  // one call
		createChange("new-2", "https://n.okta.com", false), // create, then the PUT to inactive
		deleteChange(live("prune-1")),
	)
	var out strings.Builder
	r := Execute(context.Background(), slowCalls(clock, time.Second), p,
		Options{Parallelism: 1, Progress: &out, Now: clock.Now})
	wantCounts(t, r, 5, 1, 0)
	want := strings.Join([]string{
		`[1/6, 0s elapsed] integration "broken": FAILED after 0s: invalid plan change (delete integration "broken"): no integration values`,
		`[3/6, 1s elapsed] behaviors: updated high_dlp, imp_travel in 1s`,
		`[4/6, 2s elapsed] integration "new-1" (https://n.okta.com): created (id id-new-1) in 1s`,
		`[5/6, 4s elapsed] integration "new-2" (https://n.okta.com): created inactive (id id-new-2) in 2s`,
		`[6/6, 5s elapsed] integration "prune-1" (https://x.okta.com): deleted (id id-prune-1) in 1s`,
	}, "\n") + "\n"
	if got := stepLines(out.String()); got != want {
		t.Errorf("progress =\n%s\nwant\n%s", got, want)
	}
}

// stepLines is progress text without the duplicate check's lines, which
// the check's own tests cover.
func stepLines(text string) string {
	var b strings.Builder
	for line := range strings.Lines(text) {
		if !strings.Contains(line, " for copies") {
			b.WriteString(line)
		}
	}
	return b.String()
}

// The count goes on through the skipped changes, so the last line of an
// interrupted run still reads N/N; the skipped changes share one line.
func TestProgressCountsSkipped(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	clock := newFakeClock()
	f := &fakeAPI{before: func(string) { clock.Advance(time.Second); cancel() }}
	var out strings.Builder
	r := Execute(ctx, f, mkPlan(creates(3)...), Options{Parallelism: 1, Progress: &out, Now: clock.Now})
	wantCounts(t, r, 1, 0, 2)
	// The skips may be written while the create is still in flight: the
	// lines come in either order, the counter always counts up.
	got := stepLines(out.String())
	created := `integration "ref-0" (https://acme.okta.com): created (id id-ref-0) in 1s`
	stopped := `Stopped: 2 actions not started (context canceled).`
	want := []string{
		"[1/3, 1s elapsed] " + created + "\n[3/3, 1s elapsed] " + stopped + "\n",
		"[2/3, 1s elapsed] " + stopped + "\n[3/3, 1s elapsed] " + created + "\n",
	}
	if !slices.Contains(want, got) {
		t.Errorf("progress =\n%s\nwant\n%s\nor\n%s", got, want[0], want[1])
	}
}

// Ctrl-C in a large apply: one line counts the changes not started,
// rather than one line each; the Result still has each one, skipped.
func TestProgressStoppedOneLine(t *testing.T) {
	const n = 200
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	f := &fakeAPI{before: func(string) { cancel() }}
	var out strings.Builder
	r := Execute(ctx, f, mkPlan(creates(n)...), Options{Progress: &out})
	started := len(f.Calls()) // the first, and any started before the stop took hold
	wantCounts(t, r, started, 0, n-started)
	for _, a := range r.Actions {
		if a.Status == StatusSkipped && !errors.Is(a.Err, ErrNotStarted) {
			t.Errorf("action %d: %v", a.Index, a.Err)
		}
	}
	text := stepLines(out.String())
	want := fmt.Sprintf("Stopped: %d actions not started (context canceled).\n", n-started)
	if strings.Count(text, "not started") != 1 || !strings.Contains(text, want) || strings.Contains(text, "skipped") {
		t.Errorf("progress =\n%s\nwant one line %q", text, want)
	}
	if lines := strings.Count(text, "\n"); lines != started+1 {
		t.Errorf("%d lines, want %d: one per create started, one for the rest", lines, started+1)
	}
	if err := r.Err(); strings.Count(err.Error(), "not started") != 1 {
		t.Errorf("Err() says not started more than once:\n%v", err)
	}
}

// The elapsed time is the run's: from Options.Started when it is set (a
// caller applying several accounts), not from this Execute.
func TestProgressElapsedFromStarted(t *testing.T) {
	clock := newFakeClock()
	var out strings.Builder
	Execute(context.Background(), slowCalls(clock, 250*time.Millisecond), mkPlan(creates(1)...),
		Options{Progress: &out, Now: clock.Now, Started: clock.Now().Add(-4 * time.Minute)})
	if got, want := stepLines(out.String()), "[1/1, 4m0s elapsed] integration \"ref-0\" (https://acme.okta.com): created (id id-ref-0) in 250ms\n"; got != want {
		t.Errorf("progress = %q, want %q", got, want)
	}
}

// A step's duration is its own work: with one slot, the steps queue behind
// each other, and none counts the time it waited for the slot.
func TestDurationsExcludeQueueTime(t *testing.T) {
	clock := newFakeClock()
	const n, each = 4, 100 * time.Millisecond
	var out strings.Builder
	r := Execute(context.Background(), slowCalls(clock, each), mkPlan(creates(n)...),
		Options{Parallelism: 1, Progress: &out, Now: clock.Now})
	wantCounts(t, r, n, 0, 0)
	for _, a := range r.Actions {
		if a.Duration != each {
			t.Errorf("action %d took %s, want %s (its own call, not the queue before it)", a.Index, a.Duration, each)
		}
	}
	lines := strings.Split(strings.TrimSuffix(stepLines(out.String()), "\n"), "\n")
	if len(lines) != n {
		t.Fatalf("%d progress lines, want %d:\n%s", len(lines), n, out.String())
	}
	for i, line := range lines {
		// The elapsed time grows with the queue; the duration does not.
		prefix := fmt.Sprintf("[%d/%d, %s elapsed] ", i+1, n, time.Duration(i+1)*each)
		if !strings.HasPrefix(line, prefix) || !strings.HasSuffix(line, " in 100ms") {
			t.Errorf("line %q, want %q… in 100ms", line, prefix)
		}
	}
}

// A skipped change says why the run stopped: a timeout's cause (which
// names the limit) when it still matches ctx.Err(), else ctx.Err().
func TestSkipReasonIsTheCause(t *testing.T) {
	timedOut := fmt.Errorf("timed out after 30m (--timeout): %w", context.DeadlineExceeded)
	t.Run("timeout", func(t *testing.T) {
		ctx, cancel := context.WithDeadlineCause(context.Background(), time.Now().Add(-time.Second), timedOut)
		defer cancel()
		err := Execute(ctx, &fakeAPI{}, mkPlan(creates(1)...), Options{}).Err()
		if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, ErrNotStarted) ||
			!strings.Contains(err.Error(), "not started: timed out after 30m (--timeout)") {
			t.Errorf("Err() = %v", err)
		}
	})
	t.Run("cause not matching ctx.Err", func(t *testing.T) {
		ctx, cancel := context.WithCancelCause(context.Background())
		cancel(errors.New("interrupted"))
		err := Execute(ctx, &fakeAPI{}, mkPlan(creates(1)...), Options{}).Err()
		if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "not started: context canceled") {
			t.Errorf("Err() = %v", err)
		}
	})
}

// A progress line names an integration with its tenant URL and the spec's
// label; the label is the spec's alone: no request carries it.
func TestProgressNamesTenantAndLabelNeverSent(t *testing.T) {
	e := newEnv(t)
	have := e.seed("ref-upd", remote.IntegrationTypeOkta, "https://b.okta.com", true)
	create := createChange("ref-new", "https://acme.okta.com", false)
	create.Integration.Label = "Acme prod"
	update := updateChange(have, "https://b.okta.com", false)
	update.Integration.Label = "B workforce"
	var out strings.Builder
	r := Execute(context.Background(), e.api, mkPlan(update, create), Options{Parallelism: 1, Progress: &out})
	wantCounts(t, r, 2, 0, 0)
	for _, want := range []string{
		`integration "ref-upd" (https://b.okta.com, label "B workforce"): updated`,
		`integration "ref-new" (https://acme.okta.com, label "Acme prod"): created inactive`,
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("progress =\n%s\nwant a line with %s", out.String(), want)
		}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.bodies) == 0 {
		t.Fatal("no request recorded")
	}
	for _, b := range e.bodies {
		if bytes.Contains(b.Body, []byte("label")) || bytes.Contains(b.Body, []byte("Acme prod")) || bytes.Contains(b.Body, []byte("B workforce")) {
			t.Errorf("%s %s sent the label: %s", b.Method, b.Path, b.Body)
		}
	}
}
