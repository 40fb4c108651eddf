package remote

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"time"
)

// transport sits under go-retryablehttp, so it sees every attempt the
// library's loop makes, retries included. It does what must happen around
// each one on the wire:
//
//  1. wait for the credential's Budget, so retries are paced like first
//     attempts (a retry storm is exactly what gets a credential locked
//     out);
//  2. bound the attempt, body included, by the attempt deadline;
//  3. teach the Budget the rate-limit headers of the answer;
//  4. write one debug record: op, method, path, attempt, status or error,
//     duration. The record is built from chosen fields only — never
//     req.Header, never the query — so credentials cannot reach the log.
//  5. report the answer's Date header to the context's WithServerClock
//     hook (serverclock.go), if it has one.
//
// It makes no decision about retrying and counts nothing: the attempt
// number is retryablehttp's (see call.attempt).
type transport struct {
	next           http.RoundTripper
	budget         *Budget
	attemptTimeout time.Duration // 0: none
	maxWait        time.Duration // the longest budget wait (RetryAfterCap)
	log            *slog.Logger
	onWait         func(op string, d time.Duration, why string)
}

// limiterError marks a request that was not sent because its context was
// done before or while it waited for the Budget, the client's rate
// limiter. Nothing was sent, which matters for the no-blind-retry rule on
// create.
type limiterError struct{ err error }

func (e *limiterError) Error() string { return "rate limiter: " + e.err.Error() }
func (e *limiterError) Unwrap() error { return e.err }

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	cl, _ := ctx.Value(callKey{}).(*call)
	op := ""
	if cl != nil {
		op = cl.op
	}
	refuse := func(err error) (*http.Response, error) {
		if req.Body != nil {
			_ = req.Body.Close() // RoundTrip owns the body, even on error
		}
		return nil, err
	}

	seq, queuedFor, err := t.budget.acquire(ctx, t.maxWait, func(d time.Duration, why string, dup bool) {
		t.reportWait(ctx, cl, "rate wait", d, why, !dup)
	})
	tallyWait(ctx, queuedFor)
	if err != nil {
		var we *WaitError
		if errors.As(err, &we) {
			we.Op = op
			if cl != nil {
				we.Sent = max(cl.attempt-1, 0)
			}
		}
		return refuse(err)
	}

	attempt := 0
	if cl != nil {
		attempt = cl.attempt
	}
	actx, cancel := ctx, context.CancelFunc(func() {})
	if t.attemptTimeout > 0 {
		actx, cancel = context.WithTimeoutCause(ctx, t.attemptTimeout, errAttemptTimeout)
	}
	start := time.Now()
	resp, err := t.next.RoundTrip(req.WithContext(actx))
	if err != nil {
		cancel()
		t.budget.settle(seq)
		err = attemptErr(ctx, actx, req.URL.Host, t.attemptTimeout, false, err)
	} else {
		received := time.Now()
		t.budget.observe(seq, resp.Header, received)
		observeServerClock(ctx, resp.Header, received)
		body := &attemptBody{rc: resp.Body, parent: ctx, attempt: actx, cancel: cancel, host: req.URL.Host, limit: t.attemptTimeout}
		if t.log != nil {
			// The attempt's record below says "200"; say when the body
			// then fails to arrive in time.
			body.onTimeout = func(err error) {
				t.logAttempt(ctx, cl, req, attempt, time.Since(start), 0, nil, err)
			}
		}
		resp.Body = body
	}
	if t.log != nil {
		t.logAttempt(ctx, cl, req, attempt, time.Since(start), queuedFor, resp, err)
	}
	return resp, err
}

// reportWait writes a wait to the debug log and, if tell, to the OnWait hook.
func (t *transport) reportWait(ctx context.Context, cl *call, msg string, d time.Duration, why string, tell bool) {
	op := ""
	if cl != nil {
		op = cl.op
	}
	if t.log != nil {
		attrs := []slog.Attr{slog.String("op", op)}
		if cl != nil {
			attrs = append(attrs, slog.String("method", cl.method), slog.String("path", cl.path), slog.Int("attempt", cl.attempt))
		}
		attrs = append(attrs, slog.Duration("wait", d), slog.String("why", why),
			slog.String("text", "waiting "+fmtWait(d)+": "+why))
		t.log.LogAttrs(ctx, slog.LevelDebug, msg, attrs...)
	}
	if tell && t.onWait != nil {
		t.onWait(op, d, why)
	}
}

func (t *transport) logAttempt(ctx context.Context, cl *call, req *http.Request, attempt int, took, queued time.Duration, resp *http.Response, err error) {
	attrs := make([]slog.Attr, 0, 8)
	if cl != nil {
		attrs = append(attrs, slog.String("op", cl.op))
	}
	attrs = append(attrs,
		slog.String("method", req.Method),
		slog.String("path", req.URL.EscapedPath()),
		slog.Int("attempt", attempt),
	)
	if err != nil {
		attrs = append(attrs, slog.String("error", transportErrorText(err)))
	} else {
		attrs = append(attrs, slog.Int("status", resp.StatusCode))
	}
	attrs = append(attrs, slog.Duration("duration", took))
	if queued >= time.Millisecond {
		attrs = append(attrs, slog.Duration("rate_wait", queued))
	}
	t.log.LogAttrs(ctx, slog.LevelDebug, "http attempt", attrs...)
}

// transportErrorText describes a network error without the URL (which
// url.Error would add, query included).
func transportErrorText(err error) string {
	var uerr *url.Error
	if errors.As(err, &uerr) {
		err = uerr.Err
	}
	var terr *attemptTimeoutError
	if errors.As(err, &terr) {
		return "timeout: " + terr.Error()
	}
	var nerr net.Error
	if errors.As(err, &nerr) && nerr.Timeout() {
		return "timeout: " + err.Error()
	}
	return err.Error()
}
