package reconcile

import (
	"context"
	"fmt"
	"maps"
	"strings"
	"sync"

	"github.com/riskctl/riskctl/internal/assess"
	"github.com/riskctl/riskctl/internal/plan"
	"github.com/riskctl/riskctl/internal/remote"
	"github.com/riskctl/riskctl/internal/state"
	"github.com/riskctl/riskctl/internal/textutil"
)

// What a plan means beyond its changes: the Access impact of its behavior
// changes and the wiring findings (package assess, which is pure). This
// file does the Access reads and hands them to assess. The reads go
// through the account's own client, so they share the run's request
// budget and retries, and they run while the risk-scoring reads run
// (planAccount), so a plan takes about one round trip more, not four.
//
// Nothing here fails a plan: a list that cannot be read is said
// (Account.AccessNotChecked) and the checks that need it are skipped
// (docs/api.md#access-policies-and-identity-providers).

// AccessOff is the AccessNotChecked reason when the run was asked not to
// read Access (--access-impact=off).
const AccessOff = "--access-impact=off"

// accessReads are the four Access lists, read in the background.
type accessReads struct {
	wg     sync.WaitGroup
	cancel context.CancelFunc

	policies []state.AccessPolicy
	apps     []state.AccessApp
	groups   []state.AccessGroup
	idps     []state.IdentityProvider
	// errs are the lists that could not be read, by what they hold.
	mu   sync.Mutex
	errs []listErr
	// skipped says why nothing was read ("" when the reads ran).
	skipped string
}

type listErr struct {
	what string
	err  error
}

// startAccessReads starts reading api's Access lists, unless off, and
// returns at once; wait returns them. A client that cannot read Access
// (a test's fake of remote.API) reads nothing and says so.
func startAccessReads(ctx context.Context, api remote.API, off bool) *accessReads {
	r := &accessReads{cancel: func() {}}
	if off {
		r.skipped = AccessOff
		return r
	}
	reader, ok := api.(remote.AccessReader)
	if !ok {
		r.skipped = "this client cannot read Access"
		return r
	}
	ctx, r.cancel = context.WithCancel(ctx)
	read := func(what string, f func(context.Context) error) {
		r.wg.Go(func() {
			if err := f(ctx); err != nil {
				r.mu.Lock()
				r.errs = append(r.errs, listErr{what, err})
				r.mu.Unlock()
			}
		})
	}
	read("policies", func(ctx context.Context) (err error) { r.policies, err = reader.ListAccessPolicies(ctx); return })
	read("applications", func(ctx context.Context) (err error) { r.apps, err = reader.ListAccessApps(ctx); return })
	read("groups", func(ctx context.Context) (err error) { r.groups, err = reader.ListAccessGroups(ctx); return })
	read("identity providers", func(ctx context.Context) (err error) { r.idps, err = reader.ListIdentityProviders(ctx); return })
	return r
}

// stop abandons the reads (the account failed) and waits for them.
func (r *accessReads) stop() {
	r.cancel()
	r.wg.Wait()
}

// failed reports whether the list named what could not be read.
func (r *accessReads) failed(what string) bool {
	for _, e := range r.errs {
		if e.what == what {
			return true
		}
	}
	return false
}

// assessAccount waits for the Access reads and fills a's Access impact and
// findings from them, a.Live and a.Plan.
func assessAccount(a *Account, r *accessReads) {
	r.wg.Wait()
	r.cancel()
	a.AccessImpact, a.Findings = []assess.Impact{}, []assess.Finding{}

	w := assess.Wiring{
		Integrations: integrationsAfter(a.Live.Integrations, a.Plan),
		Live:         notDeleted(a.Live.Integrations, a.Plan),
		Managed:      make(map[string]bool, len(a.File.Account.Integrations)),
	}
	for _, in := range a.File.Account.Integrations {
		w.Managed[in.ReferenceID] = true
	}
	readAll := r.skipped == "" && len(r.errs) == 0
	if r.skipped == "" && !r.failed("identity providers") {
		w.IdentityProviders = r.idps
	}
	for _, f := range assess.Findings(w) {
		if f.Kind == assess.KindUnmanagedActiveIntegration && a.File.Policy.AllowUnmanaged {
			continue // unmanaged_integrations: allow
		}
		a.Findings = append(a.Findings, f)
	}
	if r.skipped == "" && !r.failed("policies") && !r.failed("applications") && !r.failed("groups") {
		access := state.Access{Policies: r.policies, Apps: r.apps, Groups: r.groups, IdentityProviders: r.idps}
		a.AccessImpact = assess.AccessImpact(access, a.Live.Behaviors, behaviorsAfter(a.Live.Behaviors, a.Plan))
	}
	a.AccessChecked = readAll
	a.AccessNotChecked = notChecked(r)
	a.AccessOff = r.skipped == AccessOff
}

// notChecked is the one line saying what was not checked and why; "" when
// everything was.
func notChecked(r *accessReads) string {
	if r.skipped != "" {
		return "Access impact and identity provider wiring not checked: " + r.skipped
	}
	if len(r.errs) == 0 {
		return ""
	}
	var unread, reasons []string
	denied := true
	for _, what := range []string{"policies", "applications", "groups", "identity providers"} {
		for _, e := range r.errs {
			if e.what != what {
				continue
			}
			unread = append(unread, "Access "+what)
			if !remote.NotPermitted(e.err) {
				denied = false
				reasons = append(reasons, what+": "+strings.TrimSpace(textutil.OneLine(e.err.Error())))
			}
		}
	}
	var skipped []string
	if r.failed("policies") || r.failed("applications") || r.failed("groups") {
		skipped = append(skipped, "Access impact")
	}
	if r.failed("identity providers") {
		skipped = append(skipped, "identity provider wiring")
	}
	why := "the token may not read " + strings.Join(unread, ", ") + " (reading them needs the permission \"Access: Apps and Policies Read\")"
	if !denied {
		why = "could not read " + strings.Join(unread, ", ") + ": " + strings.Join(reasons, "; ")
	}
	return fmt.Sprintf("%s not checked: %s", strings.Join(skipped, " and "), why)
}

// behaviorsAfter is live with the plan's behavior changes applied: each
// managed behavior takes the plan's After, which already keeps the live
// value of an ignored field.
func behaviorsAfter(live map[string]state.Behavior, p plan.Plan) map[string]state.Behavior {
	after := maps.Clone(live)
	if after == nil {
		after = map[string]state.Behavior{}
	}
	for _, c := range p.Changes {
		if c.Resource == plan.ResourceBehavior && c.Behavior != nil {
			after[c.Key] = c.Behavior.After
		}
	}
	return after
}

// integrationsAfter is live with the plan's integration changes applied:
// what the account's integrations will be once the plan is applied.
func integrationsAfter(live []state.Integration, p plan.Plan) []state.Integration {
	gone := map[string]bool{} // live ids the plan updates, replaces or deletes
	var added []state.Integration
	for _, c := range p.Changes {
		if c.Resource != plan.ResourceIntegration || c.Integration == nil {
			continue
		}
		if id := c.LiveID(); id != "" {
			gone[id] = true
		}
		if c.Integration.After != nil {
			added = append(added, *c.Integration.After)
		}
	}
	out := make([]state.Integration, 0, len(live)+len(added))
	for _, in := range live {
		if !gone[in.ID] {
			out = append(out, in)
		}
	}
	return append(out, added...)
}

// notDeleted is live without the integrations the plan deletes: one the
// spec prunes is its decision, shown as a delete, not news of its own.
func notDeleted(live []state.Integration, p plan.Plan) []state.Integration {
	deleted := map[string]bool{}
	for _, c := range p.Changes {
		if c.Action == plan.Delete {
			if id := c.LiveID(); id != "" {
				deleted[id] = true
			}
		}
	}
	out := make([]state.Integration, 0, len(live))
	for _, in := range live {
		if !deleted[in.ID] {
			out = append(out, in)
		}
	}
	return out
}

// HasUnmanagedActive reports whether a has an active integration no spec
// manages, and its spec does not allow them: drift reports it as drift.
func (a *Account) HasUnmanagedActive() bool {
	for _, f := range a.Findings {
		if f.Kind == assess.KindUnmanagedActiveIntegration {
			return true
		}
	}
	return false
}

// hasUnmanagedActive reports whether any account has an active
// integration no spec manages (Account.HasUnmanagedActive).
func (o *Outcome) hasUnmanagedActive() bool {
	for _, a := range o.Accounts {
		if a.Err == nil && a.HasUnmanagedActive() {
			return true
		}
	}
	return false
}
