package remote

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"time"

	"golang.org/x/time/rate"
)

// transport sits under go-retryablehttp, so it sees every attempt, retries
// included. It does the two things that must happen per attempt:
//
//  1. wait for the rate limiter, so retries are paced like first attempts
//     (a retry storm is exactly what gets an account locked out);
//  2. write one debug record: op, method, path, attempt, status or error,
//     duration. The record is built from chosen fields only — never
//     req.Header, never the query — so credentials cannot reach the log.
type transport struct {
	next    http.RoundTripper
	limiter *rate.Limiter
	log     *slog.Logger
}

// limiterError marks a request that the rate limiter refused to wait for
// (context done, or the deadline falls before the next token). Nothing was
// sent, which matters for the no-blind-retry rule on create.
type limiterError struct{ err error }

func (e *limiterError) Error() string { return "rate limiter: " + e.err.Error() }
func (e *limiterError) Unwrap() error { return e.err }

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	cl, _ := ctx.Value(callKey{}).(*call)

	queued := time.Now()
	if err := t.limiter.Wait(ctx); err != nil {
		if req.Body != nil {
			_ = req.Body.Close() // RoundTrip owns the body, even on error
		}
		// Wait says "would exceed context deadline" before the deadline
		// passes; report the context's own error when there is one.
		if ctxErr := ctx.Err(); ctxErr != nil {
			err = ctxErr
		}
		return nil, &limiterError{err: err}
	}
	queuedFor := time.Since(queued)

	attempt := 0
	if cl != nil {
		cl.attempts++ // RoundTrip runs on the caller's goroutine: no race
		attempt = cl.attempts
	}
	start := time.Now()
	resp, err := t.next.RoundTrip(req)
	if t.log != nil {
		t.logAttempt(ctx, cl, req, attempt, time.Since(start), queuedFor, resp, err)
	}
	return resp, err
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
	var nerr net.Error
	if errors.As(err, &nerr) && nerr.Timeout() {
		return "timeout: " + err.Error()
	}
	return err.Error()
}
