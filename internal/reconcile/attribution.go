package reconcile

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/riskctl/riskctl/internal/plan"
	"github.com/riskctl/riskctl/internal/remote"
	"github.com/riskctl/riskctl/internal/textutil"
)

// Who changed a drifted object (docs/attribution.md): drift and plan read
// the account's audit log over a bounded window and attach to each change
// whose live object differs from the spec the latest entries that touched
// it. The read goes through the account's own client (the run's budget
// and retries). It starts once the plan is known, and only when the plan
// has a change to attribute, while the Access reads (started beside the
// risk-scoring reads) finish: a run without drift, the daily drift job's
// usual case, then costs no request, where reading beside the
// risk-scoring reads would pay for a page of up to AuditPageLimit entries
// of every product on every run (the API filters only by exclusion, so
// knowing the ids first makes the read no smaller). The price is one round
// trip on a drifted run, less what it overlaps of the Access reads; and
// the requests a run makes do not depend on timing.
//
// Nothing here fails a run: an audit log that cannot be read leaves every
// change "unknown" with the reason, once per account (Account.AuditNote).

// DefaultAuditWindow is how far back drift and plan look (--audit-window).
const DefaultAuditWindow = 30 * 24 * time.Hour

// MaxChangedBy bounds the entries attached to one change, newest first.
const MaxChangedBy = 3

// OwnUserAgent is the prefix of the User-Agent riskctl sends
// (internal/cli/globals.go: "riskctl/" + version): entries made with it
// are riskctl's own writes, never blamed for drift.
const OwnUserAgent = "riskctl/"

// AuditOptions steer the audit-log read of drift and plan.
type AuditOptions struct {
	// Window is how far back to read; 0 reads nothing.
	Window time.Duration
	// Now is the end of the window; nil means time.Now.
	Now func() time.Time
}

// ChangedBy is one audit-log entry blamed for a change.
type ChangedBy struct {
	ActorEmail     string
	ActorTokenName string
	ActorType      string
	ActorContext   string
	Time           time.Time
	Action         string // the entry's action.type, else its HTTP method
	RayID          string
}

// Attribution is who changed one drifted object: the latest matching
// entries, or, when there are none, why it is unknown.
type Attribution struct {
	ChangedBy []ChangedBy
	// Unknown says why no entry is named ("" when ChangedBy is not
	// empty): never "nobody", as an entry may be outside the window or
	// the log may not record the change.
	Unknown string
}

// auditRead is the audit-log read of one account, in the background.
type auditRead struct {
	wg      sync.WaitGroup
	cancel  context.CancelFunc
	log     remote.AuditLog
	err     error
	skipped string // why nothing was read ("" when the read ran)
	window  time.Duration
	before  time.Time      // the end of the window read
	own     []remote.Write // this run's own writes (ctx's write record)
}

// skipOff is auditRead.skipped when nothing is to be read: the window
// is 0, or p has nothing to attribute. Nothing is said then.
const skipOff = "off"

// startAuditRead starts reading api's audit log over opts.Window, unless
// the window is 0 or p has no change to attribute, and returns at once.
func startAuditRead(ctx context.Context, api remote.API, opts AuditOptions, p plan.Plan) *auditRead {
	r := &auditRead{cancel: func() {}, window: opts.Window, own: remote.RecordedWrites(ctx)}
	if opts.Window <= 0 || !slices.ContainsFunc(p.Changes, attributable) {
		r.skipped = skipOff
		return r
	}
	reader, q, ok := r.query(api, opts)
	if !ok {
		return r
	}
	ctx, r.cancel = context.WithCancel(ctx)
	r.wg.Go(func() { r.log, r.err = reader.ListAuditLogs(ctx, q) })
	return r
}

// query is the read r makes of api's audit log: over r.window, up to the
// second after opts' now. ok is false, with r.skipped saying why, when api
// cannot read audit logs.
func (r *auditRead) query(api remote.API, opts AuditOptions) (reader remote.AuditReader, q remote.AuditQuery, ok bool) {
	reader, ok = api.(remote.AuditReader)
	if !ok {
		r.skipped = "this client cannot read the audit log"
		return nil, q, false
	}
	now := time.Now
	if opts.Now != nil {
		now = opts.Now
	}
	r.before = now().UTC().Truncate(time.Second).Add(time.Second)
	return reader, remote.AuditQuery{Since: r.before.Add(-r.window), Before: r.before}, true
}

func (r *auditRead) stop() {
	r.cancel()
	r.wg.Wait()
}

// attributable reports whether c's live object differs from the spec and
// can be looked up in the audit log: a behavior update, or an integration
// update, replace or delete (its live id). A create has no live object:
// whatever deleted it left no id to match.
func attributable(c plan.Change) bool {
	if c.Resource == plan.ResourceBehavior {
		return c.Action == plan.Update
	}
	return c.LiveID() != ""
}

// attribute waits for the read and fills a's attributions from it.
func attribute(a *Account, r *auditRead) {
	var idx []int
	for i, c := range a.Plan.Changes {
		if attributable(c) {
			idx = append(idx, i)
		}
	}
	if len(idx) == 0 || r.skipped == skipOff {
		r.stop()
		return
	}
	r.wg.Wait()
	r.cancel()
	a.Attribution = make(map[int]Attribution, len(idx))
	a.AuditNote = auditNote(r)
	for _, i := range idx {
		if a.AuditNote != "" {
			a.Attribution[i] = Attribution{Unknown: a.AuditNote}
			continue
		}
		by := matchEntries(a.Plan.Changes[i], r.log.Entries, r.own)
		if len(by) == 0 {
			a.Attribution[i] = Attribution{Unknown: fmt.Sprintf("no audit-log entry in the last %s", windowText(r.window)) + truncatedText(r.log)}
			continue
		}
		a.Attribution[i] = Attribution{ChangedBy: by}
	}
}

// auditNote is the one line saying why nothing could be attributed; ""
// when the log was read.
func auditNote(r *auditRead) string {
	switch {
	case r.skipped != "":
		return r.skipped
	case errors.Is(r.err, remote.ErrNoAuditRead):
		return "the token cannot read audit logs (Account Settings: Audit Logs Read)"
	case r.err != nil:
		return "could not read the audit log: " + strings.TrimSpace(textutil.OneLine(r.err.Error()))
	}
	return ""
}

func truncatedText(l remote.AuditLog) string {
	if l.Truncated {
		return fmt.Sprintf(" (read stopped after %d pages)", l.Pages)
	}
	return ""
}

// windowText says a window in days when it is whole days ("30 days").
func windowText(d time.Duration) string {
	if day := 24 * time.Hour; d%day == 0 {
		if n := int(d / day); n == 1 {
			return "day"
		} else {
			return fmt.Sprintf("%d days", n)
		}
	}
	return d.String()
}

// matchEntries returns the latest entries (at most MaxChangedBy) that
// touched c's object and are not riskctl's own.
//
// An integration matches on its live id: the entry's resource.id, or its
// URI's path naming /zt_risk_scoring/integrations/<id>. A behavior
// matches on its key: the entry's resource.id, or a PUT to
// /zt_risk_scoring/behaviors whose request body names the key (or
// carries no body to check).
func matchEntries(c plan.Change, entries []remote.AuditEntry, own []remote.Write) []ChangedBy {
	var out []ChangedBy
	for _, e := range entries {
		if failed(e) || isOwn(e, own) || !touches(c, e) {
			continue
		}
		action := e.Action
		if action == "" {
			action = strings.ToLower(e.Method)
		}
		out = append(out, ChangedBy{ActorEmail: e.ActorEmail, ActorTokenName: e.ActorTokenName, ActorType: e.ActorType,
			ActorContext: e.ActorContext, Time: e.Time, Action: action, RayID: e.RayID})
	}
	slices.SortStableFunc(out, func(x, y ChangedBy) int { return y.Time.Compare(x.Time) })
	if len(out) > MaxChangedBy {
		out = out[:MaxChangedBy]
	}
	return out
}

// failed reports an entry whose write did not take effect.
func failed(e remote.AuditEntry) bool {
	return strings.EqualFold(e.Result, "failure") || e.StatusCode >= 400
}

// isOwn reports whether e is one of riskctl's writes: recorded by this
// run (its Cf-Auditlog-Id or cf-ray), or sent with riskctl's User-Agent,
// since the writes of earlier runs are not recorded where a later run can
// read them.
func isOwn(e remote.AuditEntry, own []remote.Write) bool {
	if strings.HasPrefix(e.UserAgent, OwnUserAgent) {
		return true
	}
	for _, w := range own {
		if (w.AuditLogID != "" && w.AuditLogID == e.ID) || (w.RayID != "" && e.RayID != "" && rayID(w.RayID) == rayID(e.RayID)) {
			return true
		}
	}
	return false
}

// rayID is a ray id without its data-centre suffix: the cf-ray header
// reads "8b1c2d3e4f5a6b7c-SJC", an audit entry may carry the id alone.
func rayID(s string) string {
	id, _, _ := strings.Cut(s, "-")
	return strings.ToLower(id)
}

func touches(c plan.Change, e remote.AuditEntry) bool {
	path := e.URI
	if u, err := url.Parse(e.URI); err == nil && u.Path != "" {
		path = u.Path
	}
	if c.Resource == plan.ResourceBehavior {
		if e.ResourceID == c.Key {
			return true
		}
		return strings.HasSuffix(strings.TrimSuffix(path, "/"), "/zt_risk_scoring/behaviors") &&
			(e.BehaviorKeys == nil || slices.Contains(e.BehaviorKeys, c.Key))
	}
	id := c.LiveID()
	return id != "" && touchesIntegration(id, e)
}
