package remote

import (
	"context"
	"net/http"
	"time"
)

type serverClockKey struct{}

// WithServerClock returns a context whose requests call observe for every
// answer that carries a parseable Date header (RFC 7231, whole seconds;
// Go's net/http server and Cloudflare send one), retries and error answers
// included: date is the header's time, received the local time (time.Now)
// the answer's head arrived. The server wrote date before it sent the
// head, so its clock read at least date by received: apply's duplicate
// check uses that to learn when the server's clock has passed a second
// (internal/apply/clock.go). An answer without a Date, or with one that
// does not parse, calls nothing. observe may be called from several
// goroutines at once.
func WithServerClock(ctx context.Context, observe func(date, received time.Time)) context.Context {
	return context.WithValue(ctx, serverClockKey{}, observe)
}

// observeServerClock reports the Date header of an answer received at
// received to ctx's WithServerClock hook, if it has one.
func observeServerClock(ctx context.Context, h http.Header, received time.Time) {
	observe, ok := ctx.Value(serverClockKey{}).(func(date, received time.Time))
	if !ok || observe == nil {
		return
	}
	v := h.Get("Date")
	if v == "" {
		return
	}
	date, err := http.ParseTime(v)
	if err != nil {
		return
	}
	observe(date, received)
}
