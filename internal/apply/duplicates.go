package apply

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/riskctl/riskctl/internal/plan"
	"github.com/riskctl/riskctl/internal/remote"
	"github.com/riskctl/riskctl/internal/state"
	"github.com/riskctl/riskctl/internal/textutil"
)

// The API has no lock and accepts a second integration with a reference_id
// that is already taken, so two applies of one spec at the same time (a PR
// apply and a manual run) both create it. After its creates, a run
// therefore lists the account once and, for every reference_id it created,
// keeps the integration state.Survivor picks (the earliest created_at,
// then the lowest id) and deletes the ones it created itself, never
// another's. Every run sees the same candidates and picks the same
// survivor, so of two racing runs the later creator deletes its copy and
// the earlier keeps its own.
//
// That holds when the later creator's list shows the earlier creation,
// which it does (the earlier one was answered before the later one was
// even made), and when the earlier creator, if it missed the later one,
// cannot be outranked by it. created_at has whole seconds, so a copy
// created later in the same second could win on its lower id; hence the
// list waits until DuplicateSettle after the run's last create was
// answered. The server stamped that create within a second before the
// answer, so by then its clock has left that second and every copy it
// stamped in it is listed.
//
// The copy kept may hold another spec's values (two specs racing for one
// reference_id): the change then fails, naming the difference, rather than
// overwrite the other run's write.
//
// A copy is this run's only when a POST of this run answered with its id,
// no other POST did, and the id was not live before the run (the plan's
// Before values and unmanaged integrations, and Options.Live). The check
// trusts the server's answers for nothing else: a server that answers a
// create with the id of an integration that already existed, protected or
// not, and lists it under the new reference_id, gets a failed change that
// names the id, never a DELETE of it.
//
// What remains: a crash between a create and the check, a create whose
// answer was lost (found again by reference_id, it is not known to be this
// run's, so it is never deleted), an API whose list lags behind its
// creates, and servers whose clocks disagree (a later copy stamped
// earlier). Each leaves a duplicate, never deletes the last copy: the copy
// first by (created_at, id) is never deleted by this rule. The next plan
// reports the duplicate, and `plan --dedupe` removes it by the same rule.

// DuplicateSettle is how long after its last create answer a run lists
// the account to look for duplicates: just over created_at's one-second
// resolution.
const DuplicateSettle = 1100 * time.Millisecond

// ownCreate is an integration this run's POST created and was told so.
type ownCreate struct {
	index int    // the plan change that created it
	ref   string // its reference_id
	id    string
}

// checkDuplicates looks for integrations that share a reference_id with
// one this run created, and resolves each by Survivor. It writes one
// progress line per duplicate it meets, and records what it did on the
// creating change (ActionResult.Note, or Err when deleting its own copy
// failed).
func (x *executor) checkDuplicates(ctx context.Context) {
	if len(x.own) == 0 {
		return
	}
	if wait := x.lastCreate.Add(x.dupSettle).Sub(x.now()); x.dupSettle > 0 && wait > 0 {
		select {
		case <-time.After(wait):
		case <-ctx.Done():
		}
	}
	live, err := x.api.ListIntegrations(ctx)
	if err != nil {
		x.note("could not check for integrations a concurrent run created with the same reference_id (%v); run riskctl plan to see", err)
		return
	}
	byRef := map[string][]state.Integration{}
	for _, in := range live {
		byRef[in.ReferenceID] = append(byRef[in.ReferenceID], state.Integration{
			ReferenceID: in.ReferenceID, IntegrationType: in.IntegrationType,
			TenantURL: in.TenantURL, Active: in.Active, ID: in.ID, CreatedAt: in.CreatedAt,
		})
	}
	answered := map[string]int{}
	for _, own := range x.own {
		answered[own.id]++
	}
	for _, own := range x.own {
		shared := byRef[own.ref]
		if len(shared) < 2 || !containsID(shared, own.id) {
			continue
		}
		if x.existed[own.id] || answered[own.id] > 1 {
			x.disown(own, x.existed[own.id])
			continue
		}
		keep, _ := state.Survivor(shared)
		x.resolve(ctx, own, keep, len(shared))
	}
}

// disown fails the change of own, a create answered with an id that is
// not provably this run's: one live before the run (existed), or one that
// two creates were answered with. Nothing is deleted.
func (x *executor) disown(own ownCreate, existed bool) {
	why := "an id another of its creates was also answered with"
	if existed {
		why = "the id of an integration that existed before this run"
	}
	err := fmt.Errorf("the server answered the create of reference_id %q with %s, and lists it with others under that reference_id: a copy appeared that this run did not create (id %s); left alone; plan with --dedupe to resolve",
		own.ref, why, textutil.Visible(own.id))
	x.note("%s: FAILED: %v", label(x.changes[own.index]), err)
	x.setNote(own.index, own.id, err, "")
}

// existingIDs is the set of integration ids live before the run: those of
// live, the plan's Before values and its unmanaged integrations.
func existingIDs(p plan.Plan, live []state.Integration) map[string]bool {
	ids := map[string]bool{}
	for _, in := range live {
		ids[in.ID] = true
	}
	for _, in := range p.UnmanagedIntegrations {
		ids[in.ID] = true
	}
	for _, c := range p.Changes {
		if c.Integration != nil && c.Integration.Before != nil {
			ids[c.Integration.Before.ID] = true
		}
	}
	delete(ids, "")
	return ids
}

// resolve settles own, one of n integrations sharing a reference_id of
// which keep is the survivor.
func (x *executor) resolve(ctx context.Context, own ownCreate, keep state.Integration, n int) {
	label := label(x.changes[own.index])
	if keep.ID == own.id {
		// The others are a concurrent run's, which deletes its own, or
		// were there before (by hand, or an ambiguous create): the next
		// plan names them.
		x.note("%s: %d integrations share this reference_id; this run's (id %s) was created first and is kept", label, n, own.id)
		x.setNote(own.index, own.id, nil, fmt.Sprintf("kept: created first of %d sharing its reference_id", n))
		return
	}
	err := x.api.DeleteIntegration(ctx, own.id)
	if err != nil && !errors.Is(err, remote.ErrNotFound) {
		err = fmt.Errorf("another run created reference_id %q first (id %s); deleting this run's copy (id %s) failed: %w; plan with --dedupe to remove it", own.ref, textutil.Visible(keep.ID), textutil.Visible(own.id), err)
		x.note("%s: FAILED: %v", label, err)
		x.setNote(own.index, own.id, err, "")
		return
	}
	// The copy kept is the other run's, with its spec's values. Writing
	// ours onto it would fight that run; say the account is not as this
	// spec wants, so the next plan shows it.
	if differs := differences(keep, *x.changes[own.index].Integration.After); differs != "" {
		err := fmt.Errorf("another run created reference_id %q first (id %s), with %s; deleted this run's copy (id %s); run riskctl plan to see and apply the difference", own.ref, textutil.Visible(keep.ID), differs, textutil.Visible(own.id))
		x.note("%s: FAILED: %v", label, err)
		x.setNote(own.index, keep.ID, err, "")
		return
	}
	x.note("%s: another run created this reference_id first (id %s); deleted this run's copy (id %s)", label, keep.ID, own.id)
	x.setNote(own.index, keep.ID, nil, fmt.Sprintf("another run created it first; deleted this run's copy %s", textutil.Visible(own.id)))
}

// differences names the fields in which the live integration have differs
// from want, compared as plans compare them ("" when none).
func differences(have, want state.Integration) string {
	var out []string
	if !strings.EqualFold(have.IntegrationType, want.IntegrationType) {
		out = append(out, fmt.Sprintf("integration_type %q, not %q", have.IntegrationType, want.IntegrationType))
	}
	if plan.CanonicalTenantURL(have.TenantURL) != plan.CanonicalTenantURL(want.TenantURL) {
		// As every output shows a tenant URL: its host in ASCII.
		out = append(out, fmt.Sprintf("tenant_url %s, not %s",
			plan.FormatValue(plan.FieldTenantURL, have.TenantURL), plan.FormatValue(plan.FieldTenantURL, want.TenantURL)))
	}
	if have.Active != want.Active {
		out = append(out, fmt.Sprintf("active %t, not %t", have.Active, want.Active))
	}
	return strings.Join(out, ", ")
}

// setNote records on the change at i the integration it ended on, and
// either a failure or a note.
func (x *executor) setNote(i int, id string, err error, note string) {
	x.mu.Lock()
	defer x.mu.Unlock()
	a := &x.actions[i]
	a.ID = id
	if err != nil {
		a.Status, a.Err = StatusFailed, err
		return
	}
	a.Note = note
}

// note writes a progress line that settles no change.
func (x *executor) note(format string, args ...any) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.report(step{}, x.now(), format, args...)
}

func containsID(ins []state.Integration, id string) bool {
	for _, in := range ins {
		if in.ID == id {
			return true
		}
	}
	return false
}
