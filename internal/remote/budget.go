package remote

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"
)

// Defaults of a Budget, used until the API announces its own limits.
const (
	// DefaultQuota requests per DefaultQuotaWindow: Cloudflare's client API
	// limit per user or token (docs/api.md#rate-limits), shared by everything using the
	// credential, across accounts.
	DefaultQuota       = 1200
	DefaultQuotaWindow = 5 * time.Minute

	// DefaultPerSecond is Cloudflare's limit per client IP. The budget
	// sends at most 90% of it in any rolling second: SendsPerSecond.
	DefaultPerSecond = 200
	SendsPerSecond   = DefaultPerSecond * 9 / 10
)

// Budget paces every request made with one credential. Cloudflare counts
// its limit per user or token, not per account, and locks the credential
// out for five minutes when it is exceeded; so every Client built with the
// same credential in a run (one per account) should share one Budget
// (Config.Budget). A Budget is safe for concurrent use; its zero value is
// ready to use, with the defaults of NewBudget.
//
// Pacing. Before each attempt (retries included) a request waits until all
// of these allow it:
//
//   - Lock-out: after a 429, every request sharing the budget waits until
//     the server's Retry-After (else its announced reset, else the backoff)
//     has passed, so nobody keeps hammering a locked credential.
//   - Per second: at most 90% of DefaultPerSecond sends in any rolling
//     second.
//   - The window: with r requests left of quota q and the window resetting
//     at R, 5% of q (at least 1) is kept in reserve, for other users of the
//     credential and for requests in flight. Above the reserve plus 20% of
//     q, requests go at once (bursts are free: a 100-write apply is not
//     slowed). In the last 20% the usable remainder u is spread evenly over
//     the time left: each send waits until lastSend + (R-lastSend)/(u+1).
//     With nothing usable left, requests wait for R, when the quota is
//     whole again.
//
// Learning. After every answer the budget reads Ratelimit and
// Ratelimit-Policy (else x-ratelimit-*): quota, window, remaining and
// reset. The remaining count the server announces includes everyone's
// use of the credential, so several processes sharing a token, each with
// its own Budget, stay under the limit together. An answer older than the
// one last applied is ignored. Until the first announcement the budget
// assumes DefaultQuota per DefaultQuotaWindow and counts its own sends in
// a sliding window.
//
// Sends in flight. The server counts a request when it arrives, which is
// not the order they were sent in: concurrent requests overtake each other
// between the budget and the server. So an answer's remaining is reduced
// by every send the server may not have counted when it answered: the
// sends made after its request, and the earlier sends that were still
// unanswered when its request went out (an earlier send answered before
// it went out had arrived before it). Without the second part, N senders
// could overshoot the window by up to N-1 (a 429 under a shared budget,
// BENCHMARKS.md). A send the server had counted already is subtracted
// twice, which only makes the estimate lower until the next answer.
// Likewise, when the window resets, the sends still unanswered count
// against the new one. docs/plan-and-apply.md#retries-and-the-request-budget
// says so.
type Budget struct {
	mu  sync.Mutex
	now func() time.Time // time.Now; tests may set it before first use

	inited    bool
	quota     int
	window    time.Duration
	perSecond int // sends allowed in any rolling second

	// Announced state: remaining until resetAt, as of the answer to the
	// request numbered appliedSeq, minus the sends since.
	announced  bool
	remaining  int
	resetAt    time.Time
	seq        uint64 // sends so far
	appliedSeq uint64

	// open holds the sends not answered yet (in flight), each with the
	// number of earlier sends that were open when it went out.
	open map[uint64]int

	own      []time.Time // before any announcement: our sends in the last window
	recent   []time.Time // our last perSecond sends, oldest first
	lastSend time.Time

	lockedUntil time.Time
	lockWhy     string

	changed chan struct{} // closed and replaced when waiters should look again

	// The last wait reported to an OnWait hook, so that several requests
	// waiting for the same thing are reported once.
	reportedKind waitKind
	reportedAt   time.Time
}

// NewBudget returns a budget that assumes DefaultQuota requests per
// DefaultQuotaWindow and DefaultPerSecond until the API announces otherwise.
func NewBudget() *Budget {
	b := &Budget{}
	b.mu.Lock()
	b.initLocked()
	b.mu.Unlock()
	return b
}

func (b *Budget) initLocked() {
	if b.inited {
		return
	}
	b.inited = true
	if b.now == nil {
		b.now = time.Now
	}
	b.quota, b.window = DefaultQuota, DefaultQuotaWindow
	b.perSecond = max(1, SendsPerSecond)
	b.changed = make(chan struct{})
	b.open = map[uint64]int{}
}

// BudgetStatus is a snapshot of a Budget, for logs and tests.
type BudgetStatus struct {
	Quota     int           // requests per Window, announced or assumed
	Window    time.Duration //
	Remaining int           // best estimate of the requests left now
	ResetIn   time.Duration // until the quota is whole again
	Announced bool          // the API has announced its limits (else assumed)
	LockedFor time.Duration // left of a lock-out after a 429; 0 if none
}

// Status returns the budget's current view.
func (b *Budget) Status() BudgetStatus {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.initLocked()
	now := b.now()
	r, reset := b.viewLocked(now)
	return BudgetStatus{
		Quota: b.quota, Window: b.window, Remaining: r, ResetIn: max(reset.Sub(now), 0),
		Announced: b.announced, LockedFor: max(b.lockedUntil.Sub(now), 0),
	}
}

// reserve is what the budget never spends of a quota: 5%, at least 1, but
// never all of it. spreadZone is how much above the reserve is spread over
// the time left rather than sent at once: 20%, at least 1.
func reserve(quota int) int    { return min(max(1, (quota*5+99)/100), quota-1) }
func spreadZone(quota int) int { return max(1, quota/5) }

// viewLocked returns the remaining requests and when the quota is whole
// again, as far as the budget knows at now.
func (b *Budget) viewLocked(now time.Time) (int, time.Time) {
	if b.announced {
		if !now.Before(b.resetAt) {
			// The announced reset has passed: the quota is whole again,
			// but for the sends in flight, which may arrive in the new
			// window. Answers to earlier requests no longer count.
			b.remaining, b.resetAt, b.appliedSeq = b.quota-len(b.open), now.Add(b.window), b.seq
		}
		return b.remaining, b.resetAt
	}
	cut := 0
	for cut < len(b.own) && !b.own[cut].After(now.Add(-b.window)) {
		cut++
	}
	b.own = b.own[cut:]
	if len(b.own) == 0 {
		return b.quota, now.Add(b.window)
	}
	return b.quota - len(b.own), b.own[0].Add(b.window)
}

// waitKind says why a request waits.
type waitKind int

const (
	waitNone waitKind = iota
	waitLockOut
	waitPerSecond
	waitSpent
	waitSpread
)

// earliestLocked is when the next send may go, and why not before.
func (b *Budget) earliestLocked(now time.Time) (time.Time, waitKind, string) {
	at, kind, why := now, waitNone, ""
	later := func(t time.Time, k waitKind, w func() string) {
		if t.After(at) {
			at, kind, why = t, k, w()
		}
	}
	later(b.lockedUntil, waitLockOut, func() string { return b.lockWhy })
	if len(b.recent) >= b.perSecond {
		later(b.recent[len(b.recent)-b.perSecond].Add(time.Second), waitPerSecond, func() string {
			return fmt.Sprintf("at most %d requests per second", b.perSecond)
		})
	}
	r, reset := b.viewLocked(now)
	usable := r - reserve(b.quota)
	switch {
	case usable <= 0:
		t := reset
		if !b.announced && len(b.own) > 0 {
			// Sliding window of our own sends: wait until enough of the
			// oldest have left it.
			t = b.own[min(-usable, len(b.own)-1)].Add(b.window)
		}
		later(t, waitSpent, func() string {
			return fmt.Sprintf("rate budget spent: %d of %d requests left, kept in reserve; quota back in %s",
				max(r, 0), b.quota, fmtWait(t.Sub(now)))
		})
	case usable <= spreadZone(b.quota):
		base := b.lastSend
		if base.IsZero() || base.After(now) {
			base = now
		}
		if reset.After(base) {
			t := base.Add(reset.Sub(base) / time.Duration(usable+1))
			later(t, waitSpread, func() string {
				return fmt.Sprintf("rate budget low: %d of %d requests left for the next %s, spread out",
					r, b.quota, fmtWait(reset.Sub(now)))
			})
		}
	}
	return at, kind, why
}

// recordLocked counts a send at now and returns its sequence number.
func (b *Budget) recordLocked(now time.Time) uint64 {
	b.seq++
	b.open[b.seq] = len(b.open)
	b.lastSend = now
	if len(b.recent) >= b.perSecond {
		b.recent = append(b.recent[:0], b.recent[len(b.recent)-b.perSecond+1:]...)
	}
	b.recent = append(b.recent, now)
	if b.announced {
		b.remaining--
	} else {
		b.own = append(b.own, now)
	}
	return b.seq
}

// wakeLocked tells the waiters to look again.
func (b *Budget) wakeLocked() {
	close(b.changed)
	b.changed = make(chan struct{})
}

// acquire waits until the budget lets one more request go, and counts it.
// It fails at once, sending nothing, when ctx is done, or when the wait
// would pass ctx's deadline or the run's (WithRun), or the run has
// stopped, or the wait would last longer than maxWait (a *WaitError
// without Op). report is called before each wait that starts, with dup set
// when another request already reported a wait for the same thing ending
// at about the same time.
//
// It returns the send's sequence number (for observe) and how long it
// waited.
func (b *Budget) acquire(ctx context.Context, maxWait time.Duration, report func(d time.Duration, why string, dup bool)) (seq uint64, waited time.Duration, err error) {
	var myKind waitKind
	var myAt time.Time
	for {
		if err := ctx.Err(); err != nil {
			return 0, waited, &limiterError{err: err}
		}
		b.mu.Lock()
		b.initLocked()
		now := b.now()
		at, kind, why := b.earliestLocked(now)
		if !at.After(now) {
			seq := b.recordLocked(now)
			b.mu.Unlock()
			return seq, waited, nil
		}
		wait := at.Sub(now)
		limited := kind == waitLockOut || kind == waitSpent
		if werr := tooLate(ctx, now, wait, why, limited); werr != nil {
			b.mu.Unlock()
			return 0, waited, werr
		}
		if maxWait > 0 && wait > maxWait {
			b.mu.Unlock()
			return 0, waited, &WaitError{Wait: wait, Why: why, Cap: maxWait, RateLimited: limited}
		}
		// Report a wait once, and again only if it moved a second or more.
		// It is a duplicate when another request reported a wait for the
		// same thing ending at about the same time (a lock-out, a reset,
		// the next slot: they all end at the same instant).
		tell, dup := kind != myKind || at.Sub(myAt) >= time.Second, false
		if tell {
			myKind, myAt = kind, at
			d, tolerance := at.Sub(b.reportedAt), min(time.Second, wait/2)
			dup = kind == b.reportedKind && d > -tolerance && d < tolerance
			if !dup {
				b.reportedKind, b.reportedAt = kind, at
			}
		}
		changed := b.changed
		b.mu.Unlock()

		if tell && report != nil {
			report(wait, why, dup)
		}
		slept := time.Now()
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return 0, waited + time.Since(slept), &limiterError{err: ctx.Err()}
		case <-runDone(ctx):
			// The run stopped during the wait: nothing was sent, and
			// nothing will be (deadline.go).
			timer.Stop()
			waited += time.Since(slept)
			return 0, waited, tooLate(ctx, time.Now(), max(wait-time.Since(slept), 0), why, limited)
		case <-changed:
			timer.Stop()
		case <-timer.C:
		}
		waited += time.Since(slept)
	}
}

// settle marks send number seq as done without an answer to learn from
// (the attempt failed: no headers came back). It no longer counts as in
// flight.
func (b *Budget) settle(seq uint64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.initLocked()
	delete(b.open, seq)
}

// observe learns from the headers of the answer to send number seq,
// received at now; the send is no longer in flight.
func (b *Budget) observe(seq uint64, h http.Header, now time.Time) {
	l := parseLimits(h, now)
	b.mu.Lock()
	defer b.mu.Unlock()
	b.initLocked()
	earlierOpen := b.open[seq]
	delete(b.open, seq)
	if l.quota == 0 && !l.hasRemaining {
		return
	}
	if l.quota > 0 {
		b.quota = l.quota
		if l.window > 0 {
			b.window = l.window
		}
	}
	if l.hasRemaining && (seq > b.appliedSeq || !b.announced) {
		if !b.announced {
			b.announced, b.own = true, nil
		}
		// Sends the server may not have counted yet (see Budget).
		b.remaining = l.remaining - int(b.seq-seq) - earlierOpen
		b.appliedSeq = seq
		switch {
		case l.hasReset:
			b.resetAt = now.Add(l.reset)
		case !b.resetAt.After(now):
			b.resetAt = now.Add(b.window)
		}
		if l.remaining > b.quota {
			b.quota = l.remaining // a quota the policy did not announce
		}
	}
	b.wakeLocked()
}

// lockOut makes every request sharing the budget wait until until (after a
// 429). reported says the caller has told the user about the wait already.
func (b *Budget) lockOut(until time.Time, why string, reported bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.initLocked()
	if !until.After(b.lockedUntil) {
		return
	}
	b.lockedUntil, b.lockWhy = until, why
	if reported {
		b.reportedKind, b.reportedAt = waitLockOut, until
	}
	b.wakeLocked()
}

// WaitError is a request the client gave up on rather than wait: the wait
// the server asked for (a 429's Retry-After or reset), the budget needed,
// or the retry backoff would pass the request context's deadline, or (for
// the budget) would last longer than Config.RetryAfterCap. Nothing more was
// sent. errors.Is(err, ErrRateLimited) holds when the wait was for a 429
// or for a spent quota.
type WaitError struct {
	Op   string        // e.g. "get behaviors"
	Wait time.Duration // the wait that was needed
	Why  string        // e.g. "rate limited (retry-after)"
	// Left is the time that was left before the deadline; or, when Cap is
	// set, Cap is the longest wait allowed and there was no deadline issue;
	// or, when Stopped is set, the run had stopped (--timeout, a signal:
	// its cause) before the wait could start.
	Left    time.Duration
	Cap     time.Duration
	Stopped error
	// Sent counts the attempts of the request already sent: when it is
	// not 0 the request was sent and a retry was not.
	Sent        int
	RateLimited bool // the wait was for a 429 (this request's or another's) or a spent quota
	// Err is the last answer, when the server asked for the wait (the 429
	// as an *APIError); nil when the budget did.
	Err error
}

// Error reads like "get behaviors: not sent: waiting 300s (rate limited
// (retry-after)) would pass the run's deadline in 10s; last answer: HTTP
// 429: 971 Please wait".
func (e *WaitError) Error() string {
	wait := fmt.Sprintf("waiting %s (%s)", fmtWait(e.Wait), e.Why)
	notSent := "not sent"
	if e.Sent > 0 {
		notSent = fmt.Sprintf("not retried after %d %s", e.Sent, plural(e.Sent, "attempt", "attempts"))
	}
	var s string
	switch {
	case e.Stopped != nil:
		s = fmt.Sprintf("%s: %s: the run has stopped (%v), so not %s", e.Op, notSent, e.Stopped, wait)
	case e.Cap > 0:
		s = fmt.Sprintf("%s: %s: %s is more than the longest wait allowed, %s", e.Op, notSent, wait, fmtWait(e.Cap))
	default:
		s = fmt.Sprintf("%s: %s: %s would pass the run's deadline in %s", e.Op, notSent, wait, fmtWait(e.Left))
	}
	if e.Err != nil {
		s += "; last answer: " + trimOp(e.Err.Error(), e.Op)
	}
	return s
}

// Unwrap gives the last answer and, after the run stopped, its cause
// (errors.Is(err, context.DeadlineExceeded) after a --timeout).
func (e *WaitError) Unwrap() []error {
	var errs []error
	for _, err := range []error{e.Err, e.Stopped} {
		if err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

func (e *WaitError) Is(target error) bool { return target == ErrRateLimited && e.RateLimited }

func trimOp(s, op string) string {
	if len(s) > len(op)+2 && s[:len(op)] == op && s[len(op):len(op)+2] == ": " {
		return s[len(op)+2:]
	}
	return s
}

// fmtWait writes a wait as a person reads it: 5ms, 1.5s, 12s, 300s.
func fmtWait(d time.Duration) string {
	switch {
	case d <= 0:
		return "0s"
	case d < time.Second:
		return d.Round(time.Millisecond).String()
	case d < 10*time.Second:
		return d.Round(100 * time.Millisecond).String()
	}
	return fmt.Sprintf("%ds", int64(d.Round(time.Second)/time.Second))
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
