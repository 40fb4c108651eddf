package apply

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"
)

// The duplicate check (duplicates.go) must list the account only once the
// server's clock has left the second in which it stamped this run's last
// create: created_at has whole seconds (docs/api.md#integrations), so a
// copy a concurrent run creates later in that same second gets the same
// created_at and may outrank this run's copy on its id, and the check has
// to see it. The server's clock is not ours, but every create answer
// bounds it from below:
//
//   - an answer stamped S (created_at, the server's clock floored to the
//     second when it created the integration) and received at local time t
//     proves that the server's clock read at least S by t, i.e. its offset
//     from ours (server − local) is at least S − t;
//   - the largest such bound over all answers of the run, offset_lo, holds
//     for all of them (the clocks run at the same rate over seconds);
//   - the server's clock has passed S_last + 1 s (S_last the latest
//     created_at of the run) once the local clock reads
//     S_last + 1 s − offset_lo.
//
// For one create that is exactly one second after its answer (S − t + 1 s
// − (S − t)); with several, one answer received just after the server's
// clock turned a second pins the offset down to its round trip, and the
// wait is often much shorter: answers received at 14:02:07.02 and
// 14:02:07.90 (local), both stamped 14:02:07, need the server's clock past
// 14:02:08 and prove its offset is at least −20 ms, so the check lists at
// 14:02:08.02 local (plus clockMargin), 0.12 s after the last answer
// rather than a second. The bound
// never exceeds DuplicateSettle after the answer that carried S_last, so a
// server that stamps in the future cannot make the check wait longer than
// that, only shorter (it then leaves a duplicate, never
// deletes a copy wrongly: see duplicates.go).
//
// An answer without created_at proves nothing about the offset; its own
// stamp, whatever it is, lies before its answer, so the server's clock has
// passed that stamp's second one second after the answer: that is the
// bound for such a create.
//
// Every answer of the run, not only the creates', also carries a Date
// header (RFC 7231, whole seconds, which the server writes into the
// answer's head): a Date D received at local t proves the server's clock
// read at least D by t, exactly as a created_at does, so it bounds
// offset_lo too (remote.WithServerClock reports them; the answer with the
// largest bound is kept). It is not a create's stamp: it never moves
// S_last.
//
// All the creates of a run often land in one server second, and then no
// answer shows where in its second the server's clock is: the bound is a
// full second after the first answer, while the clock really turns half a
// second after the answers on average. So when the bound is more than
// probeAfter away, the check probes the server's clock instead of sleeping
// it out: it sends a small read (GET /behaviors) every probeInterval, at
// most maxProbes of them, and recomputes the bound from their Dates. A
// probe whose Date is S_last + 1 s proves the clock has passed it, and the
// list goes out clockMargin later. The probe must be a request of its
// own, answered before the list is sent: the list's own Date cannot serve,
// because the server writes the head (and the Date) after it has read the
// listing, so a list dated S_last + 1 s may have been read in S_last. Each
// probe is bounded by the bound it tries to bring forward, so the check
// never lists later than settleAt's bound from the create answers alone
// (at most DuplicateSettle after the last), nor waits past the run's
// deadline (waitUntil); probes go through the client's budget like every
// request. A server without a Date header gets that bound.
//
// A server whose Date runs ahead (a lying one, or a front end whose clock
// is ahead of the one that stamps created_at) makes the check list early:
// it may then miss a copy created later in the same second and leave a
// duplicate, never delete a copy wrongly (duplicates.go: a run deletes only
// its own copies that its list shows outranked).
//
// clockMargin is added to the bound: a server stamps created_at before its
// write becomes visible to a list (the row is stamped, then committed), and
// a list served exactly at the turn of the second could miss a copy
// stamped just before it. It is small next to the second it guards, and
// the list also reaches the server after it is sent, which only helps.
const clockMargin = 50 * time.Millisecond

// DuplicateSettle is the longest the duplicate check waits after the last
// create's answer: created_at's one-second resolution and clockMargin
// (see settleAt). Most checks wait less.
const DuplicateSettle = time.Second + clockMargin

// The probes of the server's clock (see above): a wait up to probeAfter is
// slept; a longer one is probed, a probe sent every probeInterval at most,
// and at most maxProbes per run (ServerClock), however many accounts.
// maxProbes × probeInterval covers DuplicateSettle, so a clock that turns
// late is still seen turning.
const (
	probeAfter    = 150 * time.Millisecond
	probeInterval = 110 * time.Millisecond
	maxProbes     = 10
)

// clockObs is one answer: its created_at (zero when the answer had none),
// or its Date header (date set), and the local time it was received at.
type clockObs struct {
	stamp time.Time
	recv  time.Time
	date  bool // stamp is a Date header: it bounds the offset only
}

// settleAt is the local time after which a list shows every copy stamped
// in or before the second of the latest created_at of obs (see the comment
// above), and that second plus one (the zero time when no answer had a
// created_at). It is the zero time when obs is empty. floor is the part of
// at that no observation of the server's clock can bring forward: the
// bound of the answers without created_at (zero if none).
//
// Answers should be received with time.Now, whose monotonic reading the
// result keeps.
func settleAt(obs []clockObs) (at, serverPast, floor time.Time) {
	var best *clockObs // the answer with the largest offset bound
	var last time.Time // the latest created_at, floored to its second
	for i, o := range obs {
		if o.stamp.IsZero() {
			// No stamp: one second after its answer (see above).
			floor = later(floor, o.recv.Add(time.Second+clockMargin))
			continue
		}
		if best == nil || o.stamp.Sub(o.recv) > best.stamp.Sub(best.recv) {
			best = &obs[i]
		}
		if s := o.stamp.Truncate(time.Second); !o.date && s.After(last) {
			last = s
		}
	}
	if last.IsZero() {
		return floor, time.Time{}, floor
	}
	// S_last + 1 s − offset_lo, with offset_lo = best.stamp − best.recv,
	// written from best.recv so that the monotonic reading is kept.
	pass := last.Add(time.Second)
	return later(floor, best.recv.Add(pass.Sub(best.stamp)+clockMargin)), pass, floor
}

// ServerClock is what a run has seen of the server's clock: the answer
// whose Date header bounds the clock's offset best (settleAt uses no
// other), how many Dates it has seen, and the probes (see above) the run
// has sent. Every account of a run talks to one API, so a run applying
// several accounts shares one (Options.ServerClock): each account's
// answers then bound the clock for all, and the run's probes stay within
// maxProbes in all, so that they never eat into the request budget the
// accounts' own requests need (100 accounts probing each took 3m41s
// instead of 8.4s, the budget spreading the last requests of its window).
// Safe for concurrent use.
type ServerClock struct {
	mu     sync.Mutex
	best   clockObs
	dates  int
	probes int
}

// NewServerClock returns a ServerClock that has seen nothing.
func NewServerClock() *ServerClock { return &ServerClock{} }

// observe records an answer's Date header, received at recv
// (remote.WithServerClock), keeping the one with the largest offset bound.
func (c *ServerClock) observe(date, recv time.Time) {
	if date.IsZero() {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.dates++
	if b := c.best; b.stamp.IsZero() || date.Sub(recv) > b.stamp.Sub(b.recv) {
		c.best = clockObs{stamp: date, recv: recv, date: true}
	}
}

// seen returns the best Date observation (zero if none) and the number
// of Dates seen.
func (c *ServerClock) seen() (clockObs, int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.best, c.dates
}

// takeProbe reports whether the run may send one more probe, counting it.
func (c *ServerClock) takeProbe() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.probes >= maxProbes {
		return false
	}
	c.probes++
	return true
}

// probesLeft reports whether the run may still send a probe.
func (c *ServerClock) probesLeft() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.probes < maxProbes
}

// settleBound is settleAt over the run's create answers and the best Date
// seen.
func (x *executor) settleBound() (at, pass, floor time.Time) {
	x.mu.Lock()
	obs := slices.Clone(x.obs)
	x.mu.Unlock()
	if best, _ := x.clock.seen(); !best.stamp.IsZero() {
		obs = append(obs, best)
	}
	return settleAt(obs)
}

// canProbe reports whether observing the server's clock may bring the
// check's list forward by more than probeAfter from now: at is
// settleBound's bound, floor the part of it that no observation can move.
func (x *executor) canProbe(at, pass, floor time.Time) bool {
	return !pass.IsZero() && x.runCtx.Err() == nil && at.Sub(later(floor, x.wall())) > probeAfter
}

// awaitServerClock waits until the duplicate check may list: until the
// bound settleBound gives, looking at it again every probeInterval while
// that is far, and probing the server's clock then while the run has
// probes left (see the comment above); the other accounts' answers may
// prove the turn too. A probe answered without any Date seen (a server
// that sends none, or no answer) ends the looking: the rest is slept. It
// returns how many probes it sent, and fails as waitUntil does.
func (x *executor) awaitServerClock(ctx context.Context) (probes int, err error) {
	var sent time.Time
	dated := true // a Date was seen while the last probe was out
	for {
		at, pass, floor := x.settleBound()
		if !dated || !x.canProbe(at, pass, floor) {
			return probes, x.waitUntil(ctx, at)
		}
		if next := sent.Add(probeInterval); x.wall().Before(next) {
			if err := x.waitUntil(ctx, next); err != nil {
				return probes, err
			}
			continue
		}
		sent = x.wall()
		if !x.clock.takeProbe() {
			continue // none left: look again after probeInterval
		}
		// Its Date, if any, reaches the clock before it returns; what it
		// answers does not matter, nor whether it fails.
		probes++
		end := at
		if dl, ok := x.runCtx.Deadline(); ok && dl.Before(end) {
			end = dl
		}
		pctx, cancel := context.WithTimeout(ctx, end.Sub(sent))
		_, before := x.clock.seen()
		_, _ = x.api.GetBehaviors(pctx)
		cancel()
		_, after := x.clock.seen()
		dated = after > before
	}
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// waitUntil waits until the local time t, unless the run (Execute's ctx)
// has stopped or its deadline comes before t: as the API client's own
// waits (internal/remote/deadline.go), a wait of this run never starts
// once the run has stopped nor ends after its deadline; it fails at once
// instead, saying why. It also ends, failing, when ctx (the requests'
// context) or the run ends while it waits.
func (x *executor) waitUntil(ctx context.Context, t time.Time) error {
	d := t.Sub(x.wall())
	if d <= 0 {
		return nil
	}
	if x.runCtx.Err() != nil {
		return fmt.Errorf("the run has stopped (%v), so not waiting %s", stopCause(x.runCtx), roundDuration(d))
	}
	if dl, ok := x.runCtx.Deadline(); ok && dl.Before(t) {
		return fmt.Errorf("waiting %s would pass the run's deadline in %s", roundDuration(d), roundDuration(max(dl.Sub(x.wall()), 0)))
	}
	select {
	case <-x.after(d):
		return nil
	case <-x.runCtx.Done():
		return fmt.Errorf("the run stopped (%v) while waiting", stopCause(x.runCtx))
	case <-ctx.Done():
		return ctx.Err()
	}
}
