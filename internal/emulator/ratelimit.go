package emulator

import (
	"net/http"
	"strconv"
	"time"
)

// Cloudflare's documented client API limit (docs/api.md#rate-limits): 1200 requests per
// 5 minutes per user or token. Without Options.RateLimit the emulator
// advertises it in the headers, from a real per-credential counter, but does
// not enforce it.
const (
	defaultQuota  = 1200
	defaultWindow = 5 * time.Minute
)

// rateLimitName is the limit name of the Ratelimit and Ratelimit-Policy
// headers, as Cloudflare sends it.
const rateLimitName = `"default"`

// maxIdleWindows is the size of the window map past which expired windows
// are swept.
const maxIdleWindows = 1024

// maxWindows hard-caps the window map, live windows included, so that a
// flood of distinct credentials (the headers are counted before auth)
// cannot grow memory for a whole window. A new credential past it gets no
// window: with Options.RateLimit it is answered 429, without it is served
// with the headers of an untouched quota. A var for the tests.
var maxWindows = 10000

// rateWindow counts one credential's requests in a fixed window.
type rateWindow struct {
	start       time.Time
	count       int
	lockedUntil time.Time // zero: not locked out
}

// rateLimitLocked counts the request against its credential's fixed window
// and returns the rate-limit headers every answer carries (Ratelimit,
// Ratelimit-Policy and the older x-ratelimit-*). While the credential is
// over Options.RateLimit, or locked out (Options.LockOut), it also returns
// the 429 itself: code 971, Retry-After in whole seconds rounded up.
func (e *Emulator) rateLimitLocked(r *http.Request) (http.Header, *reply) {
	now := e.clock()
	key := credentialKey(r)
	w := e.windows[key]
	if w != nil && !w.lockedUntil.IsZero() {
		if now.Before(w.lockedUntil) {
			// Locked out: not counted, answered 429 until the end.
			return e.limitedLocked(now, w.lockedUntil)
		}
		w = nil // the lock-out is over: a fresh window, a full quota
	}
	if w == nil || now.Sub(w.start) >= e.window {
		_, known := e.windows[key] // a new window for it takes no new slot
		if !known && len(e.windows) >= maxIdleWindows {
			e.sweepWindowsLocked(now)
		}
		if !known && len(e.windows) >= maxWindows {
			// Full of live windows: refuse (or let through) without
			// recording anything.
			if !e.enforce {
				return e.limitHeaders(e.quota, now.Add(e.window), now), nil
			}
			return e.limitedLocked(now, now.Add(e.window))
		}
		w = &rateWindow{start: now}
		e.windows[key] = w
	}
	w.count++
	reset := w.start.Add(e.window)
	if !e.enforce || w.count <= e.quota {
		return e.limitHeaders(e.quota-w.count, reset, now), nil
	}
	if e.opts.LockOut > 0 {
		// Blocked for LockOut from the first request over, and at least
		// until the window would have reset: a lock-out never makes the
		// limit weaker than it is without one.
		w.lockedUntil = now.Add(e.opts.LockOut)
		if w.lockedUntil.Before(reset) {
			w.lockedUntil = reset
		}
		reset = w.lockedUntil
	}
	return e.limitedLocked(now, reset)
}

// limitedLocked is the 429 of the limiter: nothing left until until.
func (e *Emulator) limitedLocked(now, until time.Time) (http.Header, *reply) {
	e.rateLimited++
	h := e.limitHeaders(0, until, now)
	rp := statusReply(http.StatusTooManyRequests)
	rp.header = h.Clone()
	rp.setHeader("Retry-After", strconv.Itoa(ceilSeconds(until.Sub(now))))
	return h, &rp
}

// limitHeaders are the rate-limit headers of an answer: remaining requests
// until reset. Ratelimit and Ratelimit-Policy use the IETF-draft syntax
// Cloudflare sends ("default";r=1199;t=300 and "default";q=1200;w=300),
// in whole seconds rounded up; x-ratelimit-reset is an RFC 1123 date.
func (e *Emulator) limitHeaders(remaining int, reset, now time.Time) http.Header {
	remaining = max(0, remaining)
	h := http.Header{}
	h.Set("Ratelimit", rateLimitName+";r="+strconv.Itoa(remaining)+";t="+strconv.Itoa(ceilSeconds(reset.Sub(now))))
	h.Set("Ratelimit-Policy", rateLimitName+";q="+strconv.Itoa(e.quota)+";w="+strconv.Itoa(ceilSeconds(e.window)))
	h.Set("X-Ratelimit-Limit", strconv.Itoa(e.quota))
	h.Set("X-Ratelimit-Remaining", strconv.Itoa(remaining))
	h.Set("X-Ratelimit-Reset", reset.UTC().Format(http.TimeFormat))
	return h
}

// sweepWindowsLocked forgets the windows that are over and not locked out,
// so a stream of distinct credentials cannot grow the map without bound.
func (e *Emulator) sweepWindowsLocked(now time.Time) {
	for k, w := range e.windows {
		if now.Sub(w.start) >= e.window && !now.Before(w.lockedUntil) {
			delete(e.windows, k)
		}
	}
}

// ceilSeconds is d in whole seconds, rounded up, and at least 1: the
// headers speak whole seconds, and "0" would invite an immediate retry.
func ceilSeconds(d time.Duration) int {
	return max(1, int((d+time.Second-1)/time.Second))
}

// RateLimited returns how many requests the rate limiter answered 429
// (over the quota or locked out) since New or the last ResetRequests.
// Injected 429 faults are not counted; the request log has every 429.
func (e *Emulator) RateLimited() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.rateLimited
}
