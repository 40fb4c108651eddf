package apply

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/riskctl/riskctl/internal/plan"
	"github.com/riskctl/riskctl/internal/remote"
	"github.com/riskctl/riskctl/internal/state"
	"github.com/riskctl/riskctl/internal/textutil"
)

// DefaultParallelism is how many steps run at once when
// Options.Parallelism is 0: 10, as Terraform's -parallelism. The client's
// rate limiter paces the requests whatever this is; it only bounds how
// many wait on slow answers together.
const DefaultParallelism = 10

// DefaultGrace is how long the steps in flight may go on once the run's
// context ends (Ctrl-C): long enough for a request and its retries to
// answer, so that what landed is known, short enough not to hang.
const DefaultGrace = 30 * time.Second

// defaultDuplicateSettle is what Options.DuplicateSettle 0 means: the
// bound from the server's clock (settleAt). It is a variable so that this
// package's tests, which have no concurrent runs to wait for, can run
// without the wait.
var defaultDuplicateSettle time.Duration

// DefaultReadLagWindow is what Options.ReadLagWindow 0 means: how long
// after an ambiguous create's answer a write may take to show in the API's
// reads. Reads have been seen to lag writes by 0.5–2 s; 3 s covers that
// with room, and it is paid only after a create whose outcome is unknown
// (a fault), whose alternative, creating again too soon, leaves a
// duplicate.
const DefaultReadLagWindow = 3 * time.Second

// defaultReadLagWindow is what Options.ReadLagWindow 0 means; a variable
// for the same reason as defaultDuplicateSettle.
var defaultReadLagWindow = DefaultReadLagWindow

// Options tune Execute. The zero value is usable.
type Options struct {
	// Parallelism bounds the steps that run at once (the duplicate
	// check's list and deletes run beside them).
	// 0 means DefaultParallelism; a negative value means 1.
	Parallelism int
	// Progress receives one line per settled step, lines about steps
	// long in flight, the duplicate check's lines, and one line when the
	// run stops with steps not started (see Execute): the lines suit a CI
	// log as well as a terminal. nil is silent. Lines are written whole,
	// one Write each, never concurrently.
	Progress io.Writer
	// InFlightNotice is how long a step may be in flight before a line
	// says so; Heartbeat, how often it says so again while it is (at
	// every multiple of Heartbeat since the step started). 0 means
	// DefaultInFlightNotice and DefaultHeartbeat; negative turns the line
	// off.
	InFlightNotice, Heartbeat time.Duration
	// newTimer makes the timers of in-flight lines; nil means real ones.
	// This package's tests set it to move time themselves.
	newTimer newTimer
	// Now is the clock durations are measured with; nil means time.Now.
	Now func() time.Time
	// Started is when the run began, for the elapsed time on progress
	// lines (a caller applying several plans passes the same Started to
	// each). The zero value means when Execute is called.
	Started time.Time
	// Grace bounds how long steps in flight go on after ctx ends; 0 means
	// DefaultGrace.
	Grace time.Duration
	// DuplicateSettle is how long after its last create's answer the run
	// lists the account for copies a concurrent run created (see
	// checkDuplicates). 0 means as long as the server's clock makes
	// necessary, at most DuplicateSettle (settleAt); negative means no
	// wait (right only where no other process can write, as the embedded
	// emulator, which one process holds at a time); positive is a fixed
	// wait.
	DuplicateSettle time.Duration
	// ReadLagWindow is how long after an ambiguous create (one whose
	// answer was lost) its write may take to show in the API's reads:
	// the look-up by reference_id is polled that long before the create
	// is sent again, and the duplicate check polls the listing that long
	// for copies that show late. 0 means DefaultReadLagWindow; negative
	// means reads never lag (one look-up, one listing). No wait passes
	// the run's deadline.
	ReadLagWindow time.Duration
	// ServerClock is what the run has seen of the server's clock (see
	// ServerClock); a run applying several accounts passes the same one
	// to each. nil means one of this Execute's own.
	ServerClock *ServerClock
	// Live is the live state's integrations the plan was computed from.
	// With the plan's own Before values and unmanaged integrations, their
	// ids are the ones the duplicate check never deletes (see
	// checkDuplicates): a create answered with one of them did not create
	// it. nil leaves only the plan's ids.
	Live []state.Integration
}

// Execute applies p through api and reports what happened to each change.
// It never stops at the first failure: every change that does not depend
// on a failed one is attempted, so Result may be partial (see
// Result.Partial and Result.Err).
//
// The writes go out in two waves, up to Options.Parallelism steps at a
// time across both:
//
//  1. the behaviors PUT (one PUT /behaviors carrying every changed managed
//     key, each with both enabled and risk_level, from
//     Change.Behavior.After), replaces (DELETE the live integration, then
//     create the desired one), creates (POST, then a PUT setting
//     active=false where the desired integration is inactive: the API
//     creates integrations active) and integration updates (a PUT with
//     tenant_url, active and reference_id, which the PUT overwrites, by the
//     live id), started in that order. They touch different objects, so
//     none waits for another; the two requests of a replace or an inactive
//     create stay in their own step, in order;
//  2. prune deletes, each started once every create and replace has
//     settled: a feed the spec moves to a new reference_id is created
//     before the old one is deleted, never after.
//
// Once the last create or replace has settled, the duplicate check
// (checkDuplicates) runs beside the rest of the run; Execute returns when
// it is done too.
//
// A delete answered 404 is already done. A create whose outcome is
// unknown (*remote.AmbiguousError) is resolved by looking the reference_id
// up, repeatedly for Options.ReadLagWindow since reads may lag writes:
// found means created; not found means the create is sent once more.
//
// Besides the step lines below, the duplicate check writes a line when it
// starts (saying what it waits for), one per reference_id it settles, and
// one with its result; a step in flight for Options.InFlightNotice writes
// a line saying so, and another every Options.Heartbeat while it is:
//
//	[2/10, 3.1s elapsed] creating integration "idp-a" (https://a.okta.com)...
//	[2/10, 11.1s elapsed] still creating integration "idp-a" (https://a.okta.com) [10s elapsed]
//
// Each step that settles (applied, failed or skipped) writes one line to
// Options.Progress, prefixed with how many of the plan's changes are
// settled so far, out of all, and the run's elapsed time:
//
//	[3/10, 1.2s elapsed] integration "idp-a": created (id 0b3f…) in 180ms
//	[4/10, 1.5s elapsed] integration "idp-b": FAILED after 210ms: …
//
// A step's duration is its own work, from its first request to its last:
// time spent waiting for a free Options.Parallelism slot is not counted.
//
// When ctx ends (an interrupt, a timeout), no further step starts and the
// changes not started are StatusSkipped, their Err naming ctx's cause when
// it matches ctx.Err() (see stopCause); one line counts them, rather than
// one per change (a Ctrl-C in a large apply would otherwise print a
// screenful of them):
//
//	[48/200, 9.4s elapsed] Stopped: 152 actions not started (context canceled).
//
// Steps in flight are not cut off:
// their requests go on for up to Options.Grace, so that a create that
// landed is reported as created, not as an unknown outcome.
func Execute(ctx context.Context, api remote.API, p plan.Plan, opts Options) Result {
	x := newExecutor(ctx, api, p, opts)
	inFlight, stop := graceful(ctx, x.grace)
	defer stop()
	// Every answer's Date bounds the server's clock (clock.go).
	inFlight = remote.WithServerClock(inFlight, x.clock.observe)
	x.inFlight = inFlight
	x.run(ctx, inFlight, x.steps())
	x.checks.Wait()
	return x.result()
}

// graceful returns the context of requests in flight: it carries ctx's
// values, and ends grace after ctx does (or when stop is called). It also
// carries ctx itself as the run (remote.WithRun), so that a request not
// yet sent never waits — for the budget, a Retry-After, a backoff — past
// ctx's deadline, nor starts a wait once ctx has ended: the grace is for
// answers to requests already sent, not for new waits.
func graceful(ctx context.Context, grace time.Duration) (inFlight context.Context, stop func()) {
	inFlight, cancel := context.WithCancel(remote.WithRun(context.WithoutCancel(ctx), ctx))
	var timer *time.Timer
	var mu sync.Mutex
	stopAfter := context.AfterFunc(ctx, func() {
		mu.Lock()
		defer mu.Unlock()
		timer = time.AfterFunc(grace, cancel)
	})
	return inFlight, func() {
		stopAfter()
		mu.Lock()
		if timer != nil {
			timer.Stop()
		}
		mu.Unlock()
		cancel()
	}
}

// step is one unit of work: usually one plan change, but the
// behaviors PUT settles every behavior change at once.
type step struct {
	indices []int  // the plan changes the step settles
	label   string // for progress lines
	verb    string // for in-flight lines: "creating"; "" for none
	do      func(ctx context.Context) outcome
	// creates: the step may create an integration (a create or replace);
	// the duplicate check starts once all such steps have settled.
	creates bool
	// after, if not nil, is closed when the step may start.
	after <-chan struct{}
}

// outcome is what a step did.
type outcome struct {
	id     string // server id the step ended on, if any
	posted bool   // id is an integration this step's POST created
	done   string // what happened, for the progress line: "created (id …)"
	err    error
}

type executor struct {
	api      remote.API
	changes  []plan.Change
	par      int
	now      func() time.Time
	started  time.Time // for the elapsed time on progress lines
	grace    time.Duration
	progress io.Writer

	// the in-flight lines (watch)
	notice    time.Duration // Options.InFlightNotice
	heartbeat time.Duration // Options.Heartbeat
	timer     newTimer

	mu      sync.Mutex // guards what follows, and orders the progress lines
	settled int        // changes applied, failed or skipped so far
	actions []ActionResult

	dupSettle time.Duration   // Options.DuplicateSettle
	lagWindow time.Duration   // Options.ReadLagWindow
	own       []ownCreate     // integrations this run's POSTs created
	existed   map[string]bool // ids live before the run (newExecutor)
	obs       []clockObs      // the run's create answers, for settleAt
	clock     *ServerClock    // the Dates seen and probes sent (Options.ServerClock)
	// ambiguous counts, per plan change, the POSTs answered with an
	// unknown outcome (*remote.AmbiguousError), found later or not;
	// ambiguousAt is when the last of them was answered.
	ambiguous   map[int]int
	ambiguousAt time.Time
	// createsLeft counts the steps with creates not yet settled; at 0,
	// createsDone is closed and the duplicate check starts.
	createsLeft int
	createsDone chan struct{}

	runCtx   context.Context                      // Execute's ctx: the run's stop and deadline
	inFlight context.Context                      // the requests' context (graceful)
	wall     func() time.Time                     // the clock of waits: time.Now
	after    func(time.Duration) <-chan time.Time // the timer of waits: time.After
	checks   sync.WaitGroup                       // the duplicate check, once started
}

func newExecutor(ctx context.Context, api remote.API, p plan.Plan, opts Options) *executor {
	x := &executor{
		api:         api,
		changes:     p.Changes,
		par:         opts.Parallelism,
		now:         opts.Now,
		started:     opts.Started,
		grace:       opts.Grace,
		progress:    opts.Progress,
		notice:      opts.InFlightNotice,
		heartbeat:   opts.Heartbeat,
		timer:       opts.newTimer,
		actions:     make([]ActionResult, len(p.Changes)),
		dupSettle:   opts.DuplicateSettle,
		lagWindow:   opts.ReadLagWindow,
		ambiguous:   map[int]int{},
		createsDone: make(chan struct{}),
		runCtx:      ctx,
		inFlight:    ctx,
		wall:        time.Now,
		after:       time.After,
		clock:       opts.ServerClock,
	}
	if x.clock == nil {
		x.clock = NewServerClock()
	}
	if x.dupSettle == 0 {
		x.dupSettle = defaultDuplicateSettle
	}
	if x.lagWindow == 0 {
		x.lagWindow = defaultReadLagWindow
	}
	switch {
	case x.par == 0:
		x.par = DefaultParallelism
	case x.par < 0:
		x.par = 1
	}
	if x.now == nil {
		x.now = time.Now
	}
	if x.timer == nil {
		x.timer = realTimer
	}
	if x.started.IsZero() {
		x.started = x.now()
	}
	if x.grace <= 0 {
		x.grace = DefaultGrace
	}
	for i, c := range p.Changes {
		x.actions[i] = ActionResult{Index: i, Change: c}
	}
	x.existed = existingIDs(p, opts.Live)
	return x
}

// steps lists the plan's changes as steps in the order they start: the
// behaviors PUT, replaces, creates, updates (the first wave), then prune
// deletes, each waiting for every create and replace to settle; plan order
// within each kind. Replaces and creates go first so that the last create
// is answered, and the duplicate check's wait starts, as early as it can.
// A change apply cannot carry out (an action the resource does not have, a
// missing Before or After) becomes a step that fails without calling the
// API, at the start.
func (x *executor) steps() []step {
	const (
		invalid = iota
		behaviors
		replaces
		creates
		updates
		deletes
		kinds
	)
	var by [kinds][]step
	var behaviorIdx []int
	for i, c := range x.changes {
		if err := check(c); err != nil {
			by[invalid] = append(by[invalid], step{
				indices: []int{i}, label: label(c),
				do: func(context.Context) outcome { return outcome{err: err} },
			})
			continue
		}
		if c.Resource == plan.ResourceBehavior {
			behaviorIdx = append(behaviorIdx, i)
			continue
		}
		s := step{indices: []int{i}, label: label(c), verb: verbs[c.Action]}
		ic := c.Integration
		switch c.Action {
		case plan.Update:
			s.do = func(ctx context.Context) outcome { return x.update(ctx, c.Key, ic) }
			by[updates] = append(by[updates], s)
		case plan.Replace:
			s.do = func(ctx context.Context) outcome { return x.replace(ctx, i, c.Key, ic) }
			s.creates = true
			by[replaces] = append(by[replaces], s)
		case plan.Create:
			s.do = func(ctx context.Context) outcome { return x.create(ctx, i, c.Key, ic) }
			s.creates = true
			by[creates] = append(by[creates], s)
		case plan.Delete:
			s.do = func(ctx context.Context) outcome { return x.delete(ctx, ic) }
			s.after = x.createsDone
			by[deletes] = append(by[deletes], s)
		}
	}
	if len(behaviorIdx) > 0 {
		by[behaviors] = append(by[behaviors], step{
			indices: behaviorIdx, label: "behaviors", verb: "updating",
			do: func(ctx context.Context) outcome { return x.behaviors(ctx, behaviorIdx) },
		})
	}
	x.createsLeft = len(by[replaces]) + len(by[creates])
	if x.createsLeft == 0 {
		close(x.createsDone)
	}
	var all []step
	for _, k := range by {
		all = append(all, k...)
	}
	return all
}

// verbs say what a step is doing, for its in-flight lines.
var verbs = map[plan.Action]string{
	plan.Create:  "creating",
	plan.Update:  "updating",
	plan.Replace: "replacing",
	plan.Delete:  "deleting",
}

// check reports a change that apply cannot carry out. Plans from
// plan.Compute never have one; a hand-made or corrupted plan might.
func check(c plan.Change) error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("invalid plan change (%s %s %q): %s", c.Action, c.Resource, c.Key, fmt.Sprintf(format, args...))
	}
	switch c.Resource {
	case plan.ResourceBehavior:
		if c.Action != plan.Update {
			return bad("behaviors can only be updated")
		}
		if c.Behavior == nil {
			return bad("no behavior values")
		}
		if c.Key == "" {
			return bad("no behavior key")
		}
		return nil
	case plan.ResourceIntegration:
		ic := c.Integration
		if ic == nil {
			return bad("no integration values")
		}
		needBefore := c.Action == plan.Update || c.Action == plan.Replace || c.Action == plan.Delete
		needAfter := c.Action == plan.Update || c.Action == plan.Replace || c.Action == plan.Create
		switch c.Action {
		case plan.Update, plan.Replace, plan.Create, plan.Delete:
		default:
			return bad("unknown action")
		}
		if needBefore && (ic.Before == nil || ic.Before.ID == "") {
			return bad("no live integration id")
		}
		if needAfter && ic.After == nil {
			return bad("no desired integration")
		}
		return nil
	}
	return bad("unknown resource")
}

// run executes steps in order: at most x.par at a time, each to the end
// whatever the others do, their requests under inFlight; a step with after
// starts once after is closed. Once ctx is done, the steps not yet started
// are skipped, all with one progress line.
func (x *executor) run(ctx, inFlight context.Context, steps []step) {
	sem := make(chan struct{}, x.par)
	var wg sync.WaitGroup
	var skipped []step
	for _, s := range steps {
		if s.after != nil {
			select {
			case <-s.after:
			case <-ctx.Done():
			}
		}
		select {
		case sem <- struct{}{}:
			// select picks at random when both cases are ready.
			if ctx.Err() != nil {
				<-sem
				skipped = append(skipped, s)
				continue
			}
		case <-ctx.Done():
			skipped = append(skipped, s)
			continue
		}
		wg.Go(func() {
			defer func() { <-sem }()
			// The slot is ours. The duration is the step's own work: neither
			// its wait for a slot nor its requests' waits for the budget or
			// a retry.
			stepCtx, waited := remote.WithWaitTally(inFlight)
			stepCtx, writes := remote.WithWriteRecord(stepCtx)
			start := x.now()
			stopWatch := x.watch(s)
			o := s.do(stepCtx)
			stopWatch()
			x.finish(s, o, start, waited(), writes())
		})
	}
	if len(skipped) > 0 {
		x.skip(skipped, stopCause(ctx))
	}
	wg.Wait()
}

// stopCause is why ctx ended, for skipped steps: its cause when that says
// more and still matches ctx.Err() with errors.Is (a timeout's cause
// naming the limit, wrapping context.DeadlineExceeded), else ctx.Err().
func stopCause(ctx context.Context) error {
	if cause := context.Cause(ctx); errors.Is(cause, ctx.Err()) {
		return cause
	}
	return ctx.Err()
}

// skip records steps that were never started, at once, with one line
// counting their changes (reportStopped): each is in the Result, and in
// the final summary's count, but a line each would bury the lines of the
// steps still in flight.
func (x *executor) skip(steps []step, cause error) {
	err := fmt.Errorf("%w: %w", ErrNotStarted, cause)
	x.mu.Lock()
	defer x.mu.Unlock()
	n := 0
	for _, s := range steps {
		for _, i := range s.indices {
			x.actions[i].Status = StatusSkipped
			x.actions[i].Err = err
		}
		n += len(s.indices)
		x.settled += len(s.indices)
		x.settledCreate(s)
	}
	x.reportStopped(n, cause)
}

// settledCreate counts s as settled if it creates, and starts the
// duplicate check when it was the last such step. x.mu must be held.
func (x *executor) settledCreate(s step) {
	if !s.creates {
		return
	}
	if x.createsLeft--; x.createsLeft == 0 {
		close(x.createsDone)
		x.checks.Go(func() { x.checkDuplicates(x.inFlight) })
	}
}

// finish records the outcome of a step that started at start, for every
// change it settles. Steps own disjoint indices; x.mu orders the lines.
func (x *executor) finish(s step, o outcome, start time.Time, waited time.Duration, writes []remote.Write) {
	x.mu.Lock()
	defer x.mu.Unlock()
	end := x.now()
	d := max(end.Sub(start)-waited, 0)
	for _, i := range s.indices {
		a := &x.actions[i]
		a.ID, a.Err, a.Duration, a.Writes = o.id, o.err, d, writes
		a.Status = StatusApplied
		if o.err != nil {
			a.Status = StatusFailed
		}
	}
	if o.posted {
		i := s.indices[0]
		x.own = append(x.own, ownCreate{index: i, ref: referenceID(x.changes[i].Key, *x.changes[i].Integration.After), id: o.id})
	}
	defer x.settledCreate(s)
	if ce, ok := o.err.(*createError); ok {
		// Its message is long, and the run's error repeats every failed
		// change's in full at the end (Result.Err): the line gives the
		// verdict, the end what is known and the next step, once.
		x.report(s, end, "%s: FAILED after %s: %s (details at the end)", s.label, roundDuration(d), ce.Verdict)
		return
	}
	if o.err != nil {
		x.report(s, end, "%s: FAILED after %s: %v", s.label, roundDuration(d), textutil.OneLine(o.err.Error()))
		return
	}
	x.report(s, end, "%s: %s in %s", s.label, o.done, roundDuration(d))
}

// report counts s's changes as settled at time at and writes the progress
// line (see line). x.mu must be held.
func (x *executor) report(s step, at time.Time, format string, args ...any) {
	x.settled += len(s.indices)
	x.line(at, format, args...)
}

// line writes a progress line, prefixed "[settled/total, elapsed]", at
// time at. x.mu must be held: it orders the lines.
func (x *executor) line(at time.Time, format string, args ...any) {
	if x.progress == nil {
		return
	}
	// The message names data (reference ids, ids the server created, its
	// error text): one escaping rule keeps it on this one line and out of
	// the terminal's control (textutil.Visible, docs/security.md).
	line := fmt.Sprintf("[%d/%d, %s elapsed] ", x.settled, len(x.changes), roundElapsed(at.Sub(x.started))) +
		textutil.Visible(fmt.Sprintf(format, args...)) + "\n"
	_, _ = io.WriteString(x.progress, line) // progress is best effort
}

func (x *executor) result() Result {
	r := Result{Actions: x.actions}
	for _, a := range x.actions {
		switch a.Status {
		case StatusApplied:
			r.Applied++
		case StatusFailed:
			r.Failed++
		case StatusSkipped:
			r.Skipped++
		}
	}
	return r
}

// roundElapsed keeps the run's elapsed time coarser than a step's
// duration: 350ms, 4.2s, 4m12s.
func roundElapsed(d time.Duration) time.Duration {
	switch {
	case d >= time.Minute:
		return d.Round(time.Second)
	case d >= time.Second:
		return d.Round(100 * time.Millisecond)
	default:
		return d.Round(time.Millisecond)
	}
}

// roundDuration keeps progress lines short: 1.23s, 120ms, 350µs.
func roundDuration(d time.Duration) time.Duration {
	switch {
	case d >= time.Second:
		return d.Round(10 * time.Millisecond)
	case d >= time.Millisecond:
		return d.Round(time.Millisecond)
	default:
		return d.Round(time.Microsecond)
	}
}
