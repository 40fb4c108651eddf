package remote

import (
	"context"
	"errors"
	"io"
	"time"
)

// The attempt deadline
//
// Each attempt gets its own deadline, Config.AttemptTimeout, covering the
// whole answer: connecting, the headers and every byte of the body. It is a
// context on the attempt's request, ended when the body is closed, so a
// server that trickles its body, or never answers at all, costs one
// AttemptTimeout per attempt and then a retry (or, for a create, an
// *AmbiguousError), never a hang. The caller's own context still applies
// on top.
//
// A server that never answers is not retried for long: after
// Config.NoAnswerAttempts attempts that timed out (DefaultNoAnswerAttempts
// of DefaultAttemptTimeout, about 60 s with the backoff between them) the
// operation gives up, naming the server and "no answer" (see
// Client.checkRetry).

// errAttemptTimeout is the cause of an attempt context that ran out.
var errAttemptTimeout = errors.New("attempt timeout")

// attemptTimeoutError is an attempt that got no complete answer in time.
type attemptTimeoutError struct {
	host  string // the server's host[:port], as the request URL names it
	limit time.Duration
	// body says the headers arrived and the body did not finish: the
	// server answered, but not completely. Else it said nothing at all.
	body bool
}

// Error reads "no answer from api.cloudflare.com within 20s", or "no
// complete answer from …" when the headers came and the body did not:
// never the status of an answer that did not arrive whole.
func (e *attemptTimeoutError) Error() string {
	what := "no answer"
	if e.body {
		what = "no complete answer"
	}
	if e.host != "" {
		what += " from " + e.host
	}
	return what + " within " + fmtWait(e.limit)
}

// Timeout marks it as a timeout, as net.Error does.
func (e *attemptTimeoutError) Timeout() bool { return true }

// attemptErr replaces err by an *attemptTimeoutError when the attempt's own
// deadline (not the caller's context) is what ended it.
// body says the headers had arrived.
func attemptErr(parent, attempt context.Context, host string, limit time.Duration, body bool, err error) error {
	if err == nil || err == io.EOF || parent.Err() != nil || !errors.Is(context.Cause(attempt), errAttemptTimeout) {
		return err
	}
	return &attemptTimeoutError{host: host, limit: limit, body: body}
}

// attemptBody is a response body read under its attempt's deadline; Close
// releases the deadline.
type attemptBody struct {
	rc      io.ReadCloser
	parent  context.Context
	attempt context.Context
	cancel  context.CancelFunc
	host    string
	limit   time.Duration
	// onTimeout, if set, is called once when the deadline cuts the body.
	onTimeout func(error)
}

func (b *attemptBody) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	if err = attemptErr(b.parent, b.attempt, b.host, b.limit, true, err); b.onTimeout != nil {
		if _, ok := err.(*attemptTimeoutError); ok {
			b.onTimeout(err)
			b.onTimeout = nil
		}
	}
	return n, err
}

func (b *attemptBody) Close() error {
	err := b.rc.Close()
	b.cancel()
	return err
}
