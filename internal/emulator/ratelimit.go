package emulator

import (
	"math"
	"net/http"
	"strconv"
	"time"
)

// rateWindow counts one caller's requests in a fixed window.
type rateWindow struct {
	start time.Time
	count int
}

// rateLimitLocked counts the request against its caller's fixed window. It
// returns the x-ratelimit-* headers for the answer and, once the caller is
// over Options.RateLimit, the 429 itself (code 971, Retry-After in whole
// seconds rounded up, as Cloudflare sends it).
func (e *Emulator) rateLimitLocked(r *http.Request) (http.Header, *reply) {
	now := e.clock()
	key := credentialKey(r)
	w := e.windows[key]
	if w == nil || now.Sub(w.start) >= e.opts.RateWindow {
		w = &rateWindow{start: now}
		e.windows[key] = w
	}
	w.count++
	reset := w.start.Add(e.opts.RateWindow)
	h := http.Header{}
	h.Set("X-Ratelimit-Limit", strconv.Itoa(e.opts.RateLimit))
	h.Set("X-Ratelimit-Remaining", strconv.Itoa(max(0, e.opts.RateLimit-w.count)))
	h.Set("X-Ratelimit-Reset", reset.UTC().Format(http.TimeFormat))
	if w.count <= e.opts.RateLimit {
		return h, nil
	}
	rp := statusReply(http.StatusTooManyRequests)
	rp.header = h
	retry := max(1, int(math.Ceil(reset.Sub(now).Seconds())))
	rp.setHeader("Retry-After", strconv.Itoa(retry))
	return h, &rp
}
