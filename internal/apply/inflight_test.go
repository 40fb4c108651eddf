package apply

import (
	"context"
	"io"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/riskctl/riskctl/internal/testwait"
)

// lineWriter is a progress writer a test can wait on: it records each
// Write as one line and signals every one.
type lineWriter struct {
	mu     sync.Mutex
	lines  []string
	signal chan struct{}
}

func newLineWriter() *lineWriter { return &lineWriter{signal: make(chan struct{}, 1000)} }

func (w *lineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	w.lines = append(w.lines, string(p))
	w.mu.Unlock()
	w.signal <- struct{}{}
	return len(p), nil
}

func (w *lineWriter) Lines() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.lines...)
}

// next waits for the next line written and returns it.
func (w *lineWriter) next(t *testing.T) string {
	t.Helper()
	select {
	case <-w.signal:
	case <-testwait.After(t):
		t.Fatalf("no further progress line; so far:\n%s", strings.Join(w.Lines(), ""))
	}
	lines := w.Lines()
	return lines[len(lines)-1]
}

// blockingCreate is a fake API whose first call waits for release, after
// saying it has arrived.
func blockingCreate() (f *fakeAPI, arrived, release chan struct{}) {
	arrived, release = make(chan struct{}), make(chan struct{})
	var once sync.Once
	f = &fakeAPI{before: func(string) {
		once.Do(func() {
			close(arrived)
			<-release
		})
	}}
	return f, arrived, release
}

func waitFor(t *testing.T, c <-chan struct{}) {
	t.Helper()
	select {
	case <-c:
	case <-testwait.After(t):
		t.Fatal("the request never arrived")
	}
}

// A create the API holds says so after 2 s, then every 10 s, naming the
// integration as its settled line does; the settled line comes last.
// The clock is the test's: no line depends on how fast the machine is.
func TestInFlightNoticeAndHeartbeat(t *testing.T) {
	clock := newFakeClock()
	f, arrived, release := blockingCreate()
	out := newLineWriter()
	done := make(chan Result, 1)
	go func() {
		done <- Execute(context.Background(), f, mkPlan(creates(1)...),
			Options{Progress: out, Now: clock.Now, newTimer: clock.NewTimer})
	}()
	waitFor(t, arrived)
	clock.Advance(2*time.Second - time.Millisecond)
	if got := out.Lines(); len(got) != 0 {
		t.Fatalf("lines before 2s: %q", got)
	}
	clock.Advance(time.Millisecond)
	steps := []struct {
		advance time.Duration
		want    string
	}{
		{0, `[0/1, 2s elapsed] creating integration "ref-0" (https://acme.okta.com)...` + "\n"},
		{8 * time.Second, `[0/1, 10s elapsed] still creating integration "ref-0" (https://acme.okta.com) [10s elapsed]` + "\n"},
		{10 * time.Second, `[0/1, 20s elapsed] still creating integration "ref-0" (https://acme.okta.com) [20s elapsed]` + "\n"},
	}
	for _, s := range steps {
		clock.Advance(s.advance)
		if got := out.next(t); got != s.want {
			t.Errorf("line %q, want %q", got, s.want)
		}
	}
	clock.Advance(5 * time.Second) // no line: the next is due at 30s
	close(release)
	r := <-done
	wantCounts(t, r, 1, 0, 0)
	lines := out.Lines()
	if len(lines) < 4 || lines[3] != `[1/1, 25s elapsed] integration "ref-0" (https://acme.okta.com): created (id id-ref-0) in 25s`+"\n" {
		t.Errorf("lines after the heartbeats:\n%s", strings.Join(lines, ""))
	}
	if pending, made := clock.Pending(); pending != 0 || made != 4 {
		t.Errorf("%d timers left running of %d made, want 0 of 4 (2s, 10s, 20s, 30s)", pending, made)
	}
}

// The notice and the heartbeat can each be turned off, or set.
func TestInFlightOptions(t *testing.T) {
	for _, tc := range []struct {
		name              string
		notice, heartbeat time.Duration
		want              []string // after 2s, 10s, 20s
	}{
		{"heartbeat off", 0, -1, []string{`[0/1, 2s elapsed] creating integration "ref-0" (https://acme.okta.com)...`}},
		{"notice off", -1, 0, []string{
			`[0/1, 10s elapsed] still creating integration "ref-0" (https://acme.okta.com) [10s elapsed]`,
			`[0/1, 20s elapsed] still creating integration "ref-0" (https://acme.okta.com) [20s elapsed]`,
		}},
		{"both set", time.Second, 5 * time.Second, []string{
			`[0/1, 1s elapsed] creating integration "ref-0" (https://acme.okta.com)...`,
			`[0/1, 5s elapsed] still creating integration "ref-0" (https://acme.okta.com) [5s elapsed]`,
			`[0/1, 10s elapsed] still creating integration "ref-0" (https://acme.okta.com) [10s elapsed]`,
			`[0/1, 15s elapsed] still creating integration "ref-0" (https://acme.okta.com) [15s elapsed]`,
			`[0/1, 20s elapsed] still creating integration "ref-0" (https://acme.okta.com) [20s elapsed]`,
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clock := newFakeClock()
			f, arrived, release := blockingCreate()
			out := newLineWriter()
			done := make(chan Result, 1)
			go func() {
				done <- Execute(context.Background(), f, mkPlan(creates(1)...), Options{
					Progress: out, Now: clock.Now, newTimer: clock.NewTimer,
					InFlightNotice: tc.notice, Heartbeat: tc.heartbeat,
				})
			}()
			waitFor(t, arrived)
			// One second at a time, waiting for each line due.
			for i := range 20 {
				clock.Advance(time.Second)
				if n := len(out.Lines()); n < len(tc.want) && strings.Contains(tc.want[n], "["+"0/1, "+(time.Duration(i+1)*time.Second).String()+" elapsed]") {
					out.next(t)
				}
			}
			close(release)
			<-done
			var inFlight []string
			for _, l := range out.Lines() {
				if strings.Contains(l, "creating integration") {
					inFlight = append(inFlight, l)
				}
			}
			got := strings.TrimSuffix(strings.Join(inFlight, ""), "\n")
			if want := strings.Join(tc.want, "\n"); got != want {
				t.Errorf("lines =\n%s\nwant\n%s", got, want)
			}
			if pending, _ := clock.Pending(); pending != 0 {
				t.Errorf("%d timers left running", pending)
			}
		})
	}
}

// With both lines off, no timer is made at all.
func TestInFlightOff(t *testing.T) {
	clock := newFakeClock()
	Execute(context.Background(), &fakeAPI{}, mkPlan(creates(3)...), Options{
		Progress: newLineWriter(), Now: clock.Now, newTimer: clock.NewTimer,
		InFlightNotice: -1, Heartbeat: -1,
	})
	if _, made := clock.Pending(); made != 0 {
		t.Errorf("%d timers made", made)
	}
}

// Steps in flight together each write their own lines, whole and one at
// a time; every watcher ends with its step: no goroutine outlives
// Execute.
func TestInFlightManyStepsNoLeak(t *testing.T) {
	before := runtime.NumGoroutine()
	clock := newFakeClock()
	const n = 5
	var arrivedN sync.WaitGroup
	arrivedN.Add(n)
	release := make(chan struct{})
	f := &fakeAPI{before: func(string) { arrivedN.Done(); <-release }}
	out := newLineWriter()
	done := make(chan Result, 1)
	go func() {
		done <- Execute(context.Background(), f, mkPlan(creates(n)...),
			Options{Parallelism: n, Progress: out, Now: clock.Now, newTimer: clock.NewTimer})
	}()
	arrivedN.Wait()
	clock.Advance(2 * time.Second)
	for range n {
		out.next(t)
	}
	clock.Advance(8 * time.Second)
	for range n {
		out.next(t)
	}
	close(release)
	wantCounts(t, <-done, n, 0, 0)
	notices, beats := 0, 0
	for _, l := range out.Lines() {
		switch {
		case strings.Count(l, "\n") != 1 || !strings.HasSuffix(l, "\n"):
			t.Errorf("write %q is not one line", l)
		case strings.Contains(l, "] creating integration"):
			notices++
		case strings.Contains(l, "] still creating integration") && strings.HasSuffix(l, " [10s elapsed]\n"):
			beats++
		}
	}
	if notices != n || beats != n {
		t.Errorf("%d notices and %d heartbeats, want %d each:\n%s", notices, beats, n, strings.Join(out.Lines(), ""))
	}
	if pending, _ := clock.Pending(); pending != 0 {
		t.Errorf("%d timers left running", pending)
	}
	// Goroutines other than the watchers (the fake's, the runtime's) end
	// on their own; wait for the count to come back down.
	deadline := testwait.After(t)
	for runtime.NumGoroutine() > before {
		select {
		case <-deadline:
			buf := make([]byte, 1<<20)
			t.Fatalf("%d goroutines, %d before:\n%s", runtime.NumGoroutine(), before, buf[:runtime.Stack(buf, true)])
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// The watchers' cost: a timer and a goroutine per step in flight, next to
// none with the lines off.
func BenchmarkExecuteInFlightLines(b *testing.B) {
	p := mkPlan(creates(200)...)
	for _, bc := range []struct {
		name   string
		notice time.Duration
	}{{"on", 0}, {"off", -1}} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				Execute(context.Background(), &fakeAPI{}, p, Options{
					Progress: io.Discard, InFlightNotice: bc.notice, Heartbeat: bc.notice, DuplicateSettle: -1,
				})
			}
		})
	}
}
