package remote

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// Retry policy
//
// go-retryablehttp runs the attempt loop; this file decides, per attempt,
// whether to go again and how long to wait:
//
//   - Retry connection errors, attempt timeouts, 429 and 5xx except 501;
//     never any other 4xx (the request is wrong and will stay wrong); stop
//     at once when the context is done. This is
//     retryablehttp.DefaultRetryPolicy, reused.
//   - After a 429 wait for the server's Retry-After, else the reset its
//     Ratelimit header announces (t), else back off exponentially; at most
//     RetryAfterCap (5 minutes, Cloudflare's lock-out). Every request
//     sharing the Budget waits too. After a 5xx honour Retry-After the same
//     way, else back off exponentially with jitter between RetryWaitMin and
//     RetryWaitMax.
//   - Never wait past the request context's deadline, nor the run's
//     (deadline.go): when the wait would end after it, or the run has
//     stopped, stop now with a *WaitError naming the operation and the
//     wait, instead of sleeping into the deadline.
//   - A refused connection is retried once (refusedRetries), then the
//     call fails with a *RefusedError naming the base URL.
//   - After Config.NoAnswerAttempts attempts that timed out, stop: a
//     server that never answers fails an operation in about a minute. The
//     retry's reason is then the silence, never the status of an answer
//     whose body did not arrive.
//   - A non-idempotent request (POST /integrations) is retried only when the
//     failure proves the server never processed it: a 429 (rejected before
//     processing) or a connection that was never established. Anything else
//     after the bytes left — 5xx, reset, timeout — stops the loop and
//     becomes an *AmbiguousError (see client.go).
//
// The hooks that plug this policy into the library's loop are in client.go
// (retryClient); the waits for the Budget happen under the loop, in the
// transport.

// backoff computes the waits between attempts. It is a value, not a
// closure, so tests can call wait directly with a fixed clock and jitter.
type backoff struct {
	min, max time.Duration
	// retryAfterCap caps the server's Retry-After (or announced reset),
	// and the backoff after a 429.
	retryAfterCap time.Duration
	now           func() time.Time
	// jitter returns a uniform value in [0, n); rand.Int64N by default.
	jitter func(n int64) int64
}

func newBackoff(s settings) backoff {
	return backoff{min: s.waitMin, max: s.waitMax, retryAfterCap: s.retryAfterCap, now: time.Now, jitter: rand.Int64N}
}

// wait returns how long to sleep after attempt number attempt (0 for the
// first attempt, as retryablehttp counts) which ended with resp (nil on a
// connection error).
func (b backoff) wait(attempt int, resp *http.Response) time.Duration {
	d, _ := b.decide(attempt, resp)
	return d
}

// decide is wait, with why: "rate limited (retry-after)", "HTTP 503
// (backoff)", and so on.
func (b backoff) decide(attempt int, resp *http.Response) (time.Duration, string) {
	if resp != nil && resp.StatusCode == http.StatusTooManyRequests {
		if d, ok := b.retryAfter(resp); ok {
			return d, "rate limited (retry-after)"
		}
		// No Retry-After (Cloudflare does not always send one): the reset
		// the answer announces, the time until the quota is whole again.
		if l := parseLimits(resp.Header, b.now()); l.hasReset {
			return min(l.reset, b.retryAfterCap), "rate limited (announced reset)"
		}
		return b.exponentialUpTo(attempt, b.retryAfterCap), "rate limited (backoff)"
	}
	what := "connection error"
	if resp != nil {
		what = fmt.Sprintf("HTTP %d", resp.StatusCode)
	}
	if d, ok := b.retryAfter(resp); ok {
		return d, what + " (retry-after)"
	}
	return b.exponential(attempt), what + " (backoff)"
}

// retryAfter honours the server's Retry-After on 429 and 5xx: the server
// knows better than our guess when it will take requests again. It is
// capped at retryAfterCap.
func (b backoff) retryAfter(resp *http.Response) (time.Duration, bool) {
	if resp == nil || (resp.StatusCode != http.StatusTooManyRequests && resp.StatusCode < 500) {
		return 0, false
	}
	d, ok := parseRetryAfter(resp.Header.Get("Retry-After"), b.now())
	if !ok {
		return 0, false
	}
	return min(d, b.retryAfterCap), true
}

// exponential is exponentialUpTo(attempt, max).
func (b backoff) exponential(attempt int) time.Duration { return b.exponentialUpTo(attempt, b.max) }

// exponentialUpTo is "equal jitter": half of the window is a guaranteed
// floor that doubles with each attempt (so retries really back off), the
// other half is random (so concurrent workers that failed together do not
// retry together). Attempt 0 waits in [min, 2·min), attempt 1 in
// [2·min, 4·min), and so on, never more than ceiling.
func (b backoff) exponentialUpTo(attempt int, ceiling time.Duration) time.Duration {
	base := b.min
	for i := 0; i < attempt && base < ceiling; i++ {
		base *= 2
	}
	if base >= ceiling {
		return ceiling
	}
	d := base + time.Duration(b.jitter(int64(base)))
	return min(d, ceiling)
}

// parseRetryAfter reads a Retry-After value: delay-seconds or an HTTP date
// (RFC 9110 §10.2.3). A date in the past means "now".
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		if secs > int64(24*time.Hour/time.Second) { // avoid overflow; the cap applies anyway
			secs = int64(24 * time.Hour / time.Second)
		}
		return time.Duration(secs) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return max(t.Sub(now), 0), true
}

// shouldRetry is the CheckRetry decision for one attempt. idempotent says
// whether the request may be repeated blindly.
func shouldRetry(ctx context.Context, idempotent bool, resp *http.Response, err error) (bool, error) {
	// A definite answer stands even if the context ended meanwhile: the
	// response (maybe a created integration) is worth reading.
	if err == nil && resp != nil && !retryableStatus(resp.StatusCode) {
		return false, nil
	}
	var lerr *limiterError
	if errors.As(err, &lerr) {
		// The context ended before or while the request waited for the
		// Budget: nothing was sent and waiting longer will not help.
		return false, lerr
	}
	var werr *WaitError
	if errors.As(err, &werr) {
		return false, werr // the budget's wait would pass the deadline
	}
	retry, perr := retryablehttp.DefaultRetryPolicy(ctx, resp, err)
	if perr != nil || !retry {
		return false, perr
	}
	if !idempotent && !provablyUnprocessed(resp, err) {
		return false, nil
	}
	return true, nil
}

func retryableStatus(code int) bool {
	return code == http.StatusTooManyRequests || (code >= 500 && code != http.StatusNotImplemented) || code == 0
}

// provablyUnprocessed reports whether an attempt's failure shows that the
// server cannot have acted on the request. Only then may a non-idempotent
// request be repeated.
func provablyUnprocessed(resp *http.Response, err error) bool {
	if err == nil {
		// 429: Cloudflare rate-limits at the edge, before the request
		// reaches the service.
		return resp != nil && resp.StatusCode == http.StatusTooManyRequests
	}
	return notSent(err)
}

// notSent reports whether err proves the request never left the client:
// the budget gave up (a *WaitError, or the context ended while waiting for
// it), the name did not resolve, or the connection was never established
// (e.g. connection refused). Resets, EOFs and timeouts after connecting
// prove nothing.
func notSent(err error) bool {
	var lerr *limiterError
	var werr *WaitError
	if errors.As(err, &lerr) || errors.As(err, &werr) {
		return true
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return true
	}
	var opErr *net.OpError
	return errors.As(err, &opErr) && opErr.Op == "dial"
}

// refusedRetries is how many times a call retries a refused connection:
// once, whatever the host. A refusal is an answer — nothing listens at
// that address — not a slow server, so the backoff's eight attempts over
// half a minute only delay the message. One retry, a second or two later,
// covers the brief refusals that do heal: a load balancer restarting in
// front of a remote API, or `riskctl emulator serve` started in the
// background a moment before the command that uses it.
const refusedRetries = 1

// connRefused reports whether err is a refused connection (ECONNREFUSED:
// the host answered, nothing listens on the port).
func connRefused(err error) bool {
	return err != nil && errors.Is(err, syscall.ECONNREFUSED)
}
