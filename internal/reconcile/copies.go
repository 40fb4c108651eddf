package reconcile

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/riskctl/riskctl/internal/plan"
	"github.com/riskctl/riskctl/internal/remote"
	"github.com/riskctl/riskctl/internal/textutil"
)

// The audit-log half of the proof that the extra copies of a reference_id
// are riskctl's own (internal/plan/copies.go has the rest, and
// docs/plan-and-apply.md the whole): when a plan without --dedupe is
// refused for a shared reference_id, the account's audit log is read
// once, synchronously, over CopyProofWindow (or the attribution window
// when that is longer: one read serves both), each copy's create looked
// up, and the plan computed again with what was found
// (plan.Options.Copies). Nothing is deleted on a read that fails: the
// refusal stays, saying the origin is unknown.

// CopyProofWindow is how far back the proof looks for a copy's create,
// whatever --audit-window says (that is attribution's), so that plan,
// apply and a saved plan's apply agree on what is proven.
const CopyProofWindow = DefaultAuditWindow

// maxAgentText bounds the user agent a refusal quotes.
const maxAgentText = 80

// sharedRefs returns the refusals of err for a reference_id several live
// integrations share (joined errors included).
func sharedRefs(err error) []*plan.DuplicateReferenceError {
	var out []*plan.DuplicateReferenceError
	var walk func(error)
	walk = func(err error) {
		var d *plan.DuplicateReferenceError
		switch x := err.(type) {
		case nil:
		case interface{ Unwrap() []error }:
			for _, e := range x.Unwrap() {
				walk(e)
			}
		default:
			if errors.As(err, &d) {
				out = append(out, d)
			}
		}
	}
	walk(err)
	return out
}

// readForProof reads api's audit log over the longer of CopyProofWindow
// and the attribution window of opts, and waits for it. The result also
// serves attribution (forAttribution).
func readForProof(ctx context.Context, api remote.API, opts AuditOptions) *auditRead {
	r := &auditRead{cancel: func() {}, window: max(opts.Window, CopyProofWindow), own: remote.RecordedWrites(ctx)}
	if reader, q, ok := r.query(api, opts); ok {
		r.log, r.err = reader.ListAuditLogs(ctx, q)
	}
	return r
}

// forAttribution is r as attribution's read over opts.Window: its entries
// cut to that window, or nothing to read when the window is 0 or p has
// nothing to attribute (as startAuditRead decides).
func (r *auditRead) forAttribution(opts AuditOptions, p plan.Plan) *auditRead {
	out := &auditRead{cancel: func() {}, log: r.log, err: r.err, skipped: r.skipped, window: opts.Window, before: r.before, own: r.own}
	if opts.Window <= 0 || !hasAttributable(p) {
		out.skipped = skipOff
		return out
	}
	if r.skipped == "" && r.err == nil {
		since := r.before.Add(-opts.Window)
		out.log.Entries = nil
		for _, e := range r.log.Entries {
			if !e.Time.Before(since) {
				out.log.Entries = append(out.log.Entries, e)
			}
		}
	}
	return out
}

func hasAttributable(p plan.Plan) bool {
	for _, c := range p.Changes {
		if attributable(c) {
			return true
		}
	}
	return false
}

// copyOrigins says, for each id of the refused reference_ids, whether
// r's audit log proves riskctl created it: a successful POST whose
// resource.id is the id, sent with riskctl's User-Agent, within
// CopyProofWindow, and no successful write to it by another client since.
func copyOrigins(r *auditRead, dups []*plan.DuplicateReferenceError) *plan.CopyOrigins {
	o := &plan.CopyOrigins{Proven: map[string]string{}, Unproven: map[string]string{}}
	if note := auditNote(r); note != "" {
		o.Unknown = note
		return o
	}
	since := r.before.Add(-CopyProofWindow)
	for _, d := range dups {
		for _, id := range d.IDs {
			proof, why := originOf(id, r.log, since)
			if why != "" {
				o.Unproven[id] = why
			} else {
				o.Proven[id] = proof
			}
		}
	}
	return o
}

// originOf is the proof that riskctl created integration id, or why there
// is none, from the entries of log not older than since.
func originOf(id string, log remote.AuditLog, since time.Time) (proof, why string) {
	var create *remote.AuditEntry
	for i := range log.Entries {
		e := &log.Entries[i]
		if e.Time.Before(since) || failed(*e) || !touchesIntegration(id, *e) {
			continue
		}
		switch {
		case isCreate(*e) && e.ResourceID == id:
			if !ownAgent(*e) {
				return "", "created by another client (" + agentText(*e) + ")"
			}
			if create == nil || e.Time.Before(create.Time) {
				create = e
			}
		case !ownAgent(*e):
			return "", "changed since by another client (" + agentText(*e) + ")"
		}
	}
	if create == nil {
		return "", fmt.Sprintf("no create of it by riskctl in the audit log of the last %s", windowText(CopyProofWindow)) + truncatedText(log)
	}
	return fmt.Sprintf("POST by %s at %s", safeText(create.UserAgent), create.Time.UTC().Format(time.RFC3339)), ""
}

// isCreate reports a create: a POST, filed as a create when the entry
// says what it was.
func isCreate(e remote.AuditEntry) bool {
	return e.Method == "POST" && (e.Action == "" || strings.EqualFold(e.Action, "create"))
}

// ownAgent reports an entry sent with riskctl's User-Agent (OwnUserAgent).
func ownAgent(e remote.AuditEntry) bool { return strings.HasPrefix(e.UserAgent, OwnUserAgent) }

func agentText(e remote.AuditEntry) string {
	if e.UserAgent == "" {
		return "no user agent"
	}
	return "user agent " + safeText(e.UserAgent)
}

// safeText is a server's string as a message may quote it: one line,
// escaped (textutil.Visible), at most maxAgentText runes.
func safeText(s string) string {
	if r := []rune(s); len(r) > maxAgentText {
		s = string(r[:maxAgentText]) + "…"
	}
	return `"` + textutil.Visible(textutil.OneLine(s)) + `"`
}

// touchesIntegration reports whether e names integration id: its
// resource.id, or its URI's path /zt_risk_scoring/integrations/<id>
// (attribution's rule, touches).
func touchesIntegration(id string, e remote.AuditEntry) bool {
	if e.ResourceID == id {
		return true
	}
	path := e.URI
	if u, err := url.Parse(e.URI); err == nil && u.Path != "" {
		path = u.Path
	}
	_, rest, ok := strings.Cut(path, "/zt_risk_scoring/integrations/")
	if !ok {
		return false
	}
	seg, _, _ := strings.Cut(rest, "/")
	if unescaped, err := url.PathUnescape(seg); err == nil {
		seg = unescaped
	}
	return seg == id
}
