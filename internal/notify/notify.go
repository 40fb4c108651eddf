package notify

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/riskctl/riskctl/internal/textutil"
)

// Options steer Notify.
type Options struct {
	// URLs are the webhooks, each checked by CheckURL beforehand. None:
	// Notify does nothing.
	URLs []string
	// StatePath, when not empty, is the state file: a message goes out
	// only when the outcome changed since the last one sent (state.go).
	StatePath string
	// Version is riskctl's, named in the message and its User-Agent.
	Version string
	// Warn hears, one line each, what did not go as asked (a receiver
	// that failed, a state file that could not be read or written) and
	// what was sent or kept back. nil: io.Discard.
	Warn io.Writer
	// Filter, when set, is applied to the message's bytes before they are
	// sent: the run's redaction (redact.Set.Bytes), so no credential of
	// the run reaches a receiver inside an error text.
	Filter func([]byte) []byte
	// Client posts the messages; nil: one following no redirect.
	Client *http.Client
	// Attempts, AttemptTimeout, Backoff and Total bound delivery; 0 means
	// the Default of each.
	Attempts       int
	AttemptTimeout time.Duration
	Backoff        time.Duration
	Total          time.Duration
	// Now is the clock of the state file's times; nil: time.Now.
	Now func() time.Time
}

// Report is what Notify did, for tests and the caller's curiosity: it
// never changes how the run ends.
type Report struct {
	// Events are the message's ("" events: nothing worth a message).
	Events []Event
	// Sent reports that a message was posted to every URL.
	Sent bool
	// Unchanged reports that the state file kept back a message with the
	// same outcome as the last one.
	Unchanged bool
	// Failed counts the URLs that did not take the message.
	Failed int
}

// Notify posts one message about run to every URL when its outcome
// matters (Events), or, with a state file, when its outcome changed since
// the last message (including to say it cleared). Problems are written to
// opts.Warn and never returned: a receiver that fails does not change how
// the run ends.
//
// Delivery is bounded by opts.Total, and by ctx's deadline when it is
// still ahead (--timeout). When ctx has ended already (the run timed out
// or was interrupted, which is news on call must hear) the message still
// goes out, with one attempt.
func Notify(ctx context.Context, run Run, opts Options) Report {
	warn := opts.Warn
	if warn == nil {
		warn = io.Discard
	}
	now := time.Now
	if opts.Now != nil {
		now = opts.Now
	}
	var rep Report
	if len(opts.URLs) == 0 {
		return rep
	}
	events := Events(run)
	digest := Digest(run, events)
	command := string(run.Report.Kind)

	var st stateFile
	var cleared []Event
	if opts.StatePath != "" {
		var err error
		if st, err = readState(opts.StatePath); err != nil {
			fmt.Fprintf(warn, "notify: state file %s unreadable, taken as empty: %s\n", textutil.Visible(opts.StatePath), textutil.Visible(textutil.OneLine(err.Error())))
		}
		prev := st.Commands[command]
		switch cleared = gone(run, prev.Events, events); {
		case len(cleared) > 0:
			events = append(events, EventCleared)
		case len(events) > 0 && prev.Digest == digest:
			rep.Events, rep.Unchanged = events, true
			fmt.Fprintf(warn, "notify: same outcome as the message of %s (--notify-state %s): not sent again\n", textutil.Visible(prev.Sent), textutil.Visible(opts.StatePath))
			return rep
		}
	}
	rep.Events = events
	if len(events) == 0 {
		return rep
	}
	return deliverAndRecord(ctx, run, opts, warn, now, st, events, cleared, digest, rep)
}

// deliverAndRecord sends the message and, when every URL took it and
// there is a state file, records it.
func deliverAndRecord(ctx context.Context, run Run, opts Options, warn io.Writer, now func() time.Time, st stateFile, events, cleared []Event, digest string, rep Report) Report {
	msg := Build(run, events, cleared, digest, opts.Version)
	rep.Failed = deliver(ctx, msg, opts, warn)
	rep.Sent = rep.Failed == 0
	if rep.Sent && opts.StatePath != "" {
		st.FormatVersion = stateFormat
		if st.Commands == nil {
			st.Commands = map[string]stateRecord{}
		}
		st.Commands[string(run.Report.Kind)] = record(events, digest, now())
		if err := writeState(opts.StatePath, st); err != nil {
			fmt.Fprintf(warn, "notify: state file not saved (the next run may repeat this message): %s\n", textutil.Visible(textutil.OneLine(err.Error())))
		}
	}
	return rep
}

// deliver posts msg to every URL at once, within the bounds of opts and
// ctx (see Notify), and reports each outcome on warn, in the order of the
// URLs. It returns how many failed.
func deliver(ctx context.Context, msg Message, opts Options, warn io.Writer) int {
	body, err := textutil.CompactJSON(msg)
	if err != nil {
		fmt.Fprintf(warn, "notify: message not built: %s\n", textutil.Visible(err.Error()))
		return len(opts.URLs)
	}
	// Slack and others read the JSON; a person reading the bytes (a
	// relay's log) is driven by no character of the data in it.
	body = textutil.VisibleJSON(body)
	if opts.Filter != nil {
		body = opts.Filter(body)
	}

	s := sender{client: opts.Client, attempts: opts.Attempts, attemptTimeout: opts.AttemptTimeout, backoff: opts.Backoff, userAgent: "riskctl/" + opts.Version}
	if s.client == nil {
		s.client = newClient()
	}
	if s.attempts <= 0 {
		s.attempts = DefaultAttempts
	}
	if s.attemptTimeout <= 0 {
		s.attemptTimeout = DefaultAttemptTimeout
	}
	if s.backoff <= 0 {
		s.backoff = DefaultBackoff
	}
	total := opts.Total
	if total <= 0 {
		total = DefaultTotal
	}
	if ctx.Err() != nil {
		s.attempts = 1
	} else if deadline, ok := ctx.Deadline(); ok {
		total = min(total, time.Until(deadline))
	}
	dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), total)
	defer cancel()

	errs := make([]error, len(opts.URLs))
	var wg sync.WaitGroup
	for i, u := range opts.URLs {
		wg.Go(func() { errs[i] = s.send(dctx, u, body) })
	}
	wg.Wait()
	failed := 0
	for i, err := range errs {
		if err != nil {
			failed++
			fmt.Fprintf(warn, "notify: could not deliver to %s: %s\n", Display(opts.URLs[i]), err)
		}
	}
	if failed == 0 {
		fmt.Fprintf(warn, "notify: sent %q to %s\n", eventsPhrase(msg.Riskctl.Events), plural(len(opts.URLs), "receiver", "receivers"))
	}
	return failed
}
