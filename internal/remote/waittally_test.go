package remote

import (
	"context"
	"testing"
	"time"
)

// A request's waits between retries add up in its context's tally, so a
// caller can tell the time it waited from the time it was answered in.
func TestWaitTallyCountsRetryWaits(t *testing.T) {
	f := newFake(t)
	f.handle("GET /behaviors", sequence(fail(503, 1000, "unavailable"), fail(503, 1000, "unavailable"), okRaw(behaviorsJSON)))
	c := f.client(func(c *Config) { c.RetryWaitMin, c.RetryWaitMax = 30*time.Millisecond, 30*time.Millisecond })
	ctx, waited := WithWaitTally(context.Background())
	if _, err := c.GetBehaviors(ctx); err != nil {
		t.Fatal(err)
	}
	if got := waited(); got < 40*time.Millisecond {
		t.Errorf("tally = %s after two retries of ~30ms each", got)
	}
	if _, err := c.GetBehaviors(context.Background()); err != nil { // no tally: nothing to add to
		t.Fatal(err)
	}
}
