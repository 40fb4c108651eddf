package apply

import (
	"fmt"
	"time"
)

// DefaultInFlightNotice is what Options.InFlightNotice 0 means: how long a
// step may be in flight before a line says it is (`creating integration
// "idp-a" (https://a.okta.com)...`). Most writes answer well within it, so
// a run without slow answers prints no such line.
const DefaultInFlightNotice = 2 * time.Second

// DefaultHeartbeat is what Options.Heartbeat 0 means: how often a step
// still in flight says so again (`still creating integration "idp-a"
// (https://a.okta.com) [10s elapsed]`), so that a slow API never looks like a
// hung riskctl.
const DefaultHeartbeat = 10 * time.Second

// newTimer is the timer of in-flight lines: a channel that receives once
// after d, and a stop function. Tests replace it (Options.newTimer) to move
// time themselves.
type newTimer func(d time.Duration) (c <-chan time.Time, stop func() bool)

func realTimer(d time.Duration) (<-chan time.Time, func() bool) {
	t := time.NewTimer(d)
	return t.C, t.Stop
}

// inFlightTimes returns the times after a step's start at which it
// reports being in flight: notice, then every multiple of heartbeat after
// it. A negative duration turns its lines off; 0 means its default.
func inFlightTimes(notice, heartbeat time.Duration) (first time.Duration, next func(prev time.Duration) time.Duration) {
	if notice == 0 {
		notice = DefaultInFlightNotice
	}
	if heartbeat == 0 {
		heartbeat = DefaultHeartbeat
	}
	next = func(prev time.Duration) time.Duration {
		if heartbeat < 0 {
			return -1
		}
		return (prev/heartbeat + 1) * heartbeat
	}
	if notice < 0 {
		return next(0), next
	}
	return notice, next
}

// watch starts the in-flight lines of step s, which is starting, and
// returns the function that stops them: it returns once no further line
// can be written, so that none follows the step's settled line, and no
// goroutine outlives the step. A step without a verb (an invalid change,
// which calls no API) has no such lines.
func (x *executor) watch(s step) (stop func()) {
	at, next := inFlightTimes(x.notice, x.heartbeat)
	if s.verb == "" || x.progress == nil || at < 0 {
		return func() {}
	}
	// The first timer is made here, before the step's first request, so
	// that a test moving time once the request has arrived finds it.
	c, stopTimer := x.timer(at)
	first := x.notice >= 0 // without the notice, every line is a heartbeat
	done, exited := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(exited)
		for {
			select {
			case <-done:
				stopTimer()
				return
			case <-c:
			}
			line := fmt.Sprintf("still %s %s [%s elapsed]", s.verb, s.label, roundElapsed(at))
			if first {
				line, first = fmt.Sprintf("%s %s...", s.verb, s.label), false
			}
			// The next timer is made before the line is written: a test that
			// moves time on seeing the line finds it.
			prev := at
			if at = next(prev); at >= 0 {
				c, stopTimer = x.timer(at - prev)
			} else {
				c, stopTimer = nil, func() bool { return false }
			}
			x.mu.Lock()
			x.line(x.now(), "%s", line)
			x.mu.Unlock()
		}
	}()
	return func() {
		close(done)
		<-exited
	}
}

// reportStopped writes the one line about the steps skipped because ctx
// ended (see executor.run): how many of the plan's changes were not
// started, and why. x.mu must be held.
func (x *executor) reportStopped(n int, cause error) {
	if n == 0 {
		return
	}
	what := "actions"
	if n == 1 {
		what = "action"
	}
	x.line(x.now(), "Stopped: %d %s not started (%v).", n, what, cause)
}
