// Package testwait is the one rule tests follow when they wait for
// something that must happen (a process to end, a line to be printed, a
// call to return): wait as long as the test binary may run, less a margin
// to say which wait it was. A busy machine makes everything slower but
// never fails such a wait; only a real hang does. Tests that mean "it
// stops early" count the work done instead of timing it.
//
// The binary's limit is go test's -timeout (ten minutes by default), which
// t.Deadline reports; past it the binary panics with every goroutine's
// stack, which says less than a failed wait.
package testwait

import (
	"context"
	"testing"
	"time"
)

// Unbounded is how long a wait lasts when the binary has no deadline
// (go test -timeout 0): as long as go test's default limit.
const Unbounded = 10 * time.Minute

// Timeout is how long t may wait for something that must happen: until
// the test binary's deadline, less a margin of a tenth of the time left
// (at most 30s) in which to fail with a message.
func Timeout(t *testing.T) time.Duration {
	deadline, ok := t.Deadline()
	if !ok {
		return Unbounded
	}
	left := time.Until(deadline)
	return left - min(left/10, 30*time.Second)
}

// After is time.After(Timeout(t)).
func After(t *testing.T) <-chan time.Time { return time.After(Timeout(t)) }

// Context is t.Context() ending after Timeout(t).
func Context(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), Timeout(t))
	t.Cleanup(cancel)
	return ctx
}
