package remote

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"
)

// Every answer's Date reaches the WithServerClock hook, a retried error
// answer's too, with the local time it was received; an answer without a
// Date or with one that does not parse reports nothing, and a context
// without the hook is fine.
func TestServerClockObservesEveryDate(t *testing.T) {
	f := newFake(t)
	noDate := func(h http.HandlerFunc) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header()["Date"] = nil // net/http then sends none
			h(w, r)
		}
	}
	f.handle("GET /behaviors", sequence(
		withHeader("Date", "Mon, 07 Dec 2026 14:02:07 GMT", fail(503, 1000, "unavailable")),
		withHeader("Date", "Monday, 07-Dec-26 14:02:08 GMT", okRaw(behaviorsJSON)), // RFC 850, which RFC 7231 accepts
		withHeader("Date", "yesterday", okRaw(behaviorsJSON)),
		noDate(okRaw(behaviorsJSON)),
	))
	c := f.client(func(c *Config) { c.RetryWaitMin, c.RetryWaitMax = time.Millisecond, time.Millisecond })

	var mu sync.Mutex
	var dates []time.Time
	ctx := WithServerClock(context.Background(), func(date, received time.Time) {
		mu.Lock()
		defer mu.Unlock()
		if received.IsZero() {
			t.Error("observed without the time received")
		}
		dates = append(dates, date)
	})
	for range 3 { // 503 then 200; unparseable; none
		if _, err := c.GetBehaviors(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.GetBehaviors(context.Background()); err != nil { // no hook
		t.Fatal(err)
	}
	want := []time.Time{
		time.Date(2026, 12, 7, 14, 2, 7, 0, time.UTC),
		time.Date(2026, 12, 7, 14, 2, 8, 0, time.UTC),
	}
	mu.Lock()
	defer mu.Unlock()
	if len(dates) != len(want) {
		t.Fatalf("observed %v, want %v", dates, want)
	}
	for i := range want {
		if !dates[i].Equal(want[i]) {
			t.Errorf("observation %d = %v, want %v", i, dates[i], want[i])
		}
	}
}
