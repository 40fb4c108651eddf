package apply

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/riskctl/riskctl/internal/plan"
	"github.com/riskctl/riskctl/internal/remote"
	"github.com/riskctl/riskctl/internal/state"
	"github.com/riskctl/riskctl/internal/textutil"
)

// The API has no lock and accepts a second integration with a reference_id
// that is already taken, so two applies of one spec at the same time (a PR
// apply and a manual run) both create it. Once its creates have settled, a
// run therefore lists the account once and, for every reference_id it
// created, keeps the integration state.Survivor picks (the earliest
// created_at, then the lowest id) and deletes the ones it created itself,
// never another's. Every run sees the same candidates and picks the same
// survivor, so of two racing runs the later creator deletes its copy and
// the earlier keeps its own.
//
// That holds when the later creator's list shows the earlier creation,
// which it does (the earlier one was answered before the later one was
// even made), and when the earlier creator, if it missed the later one,
// cannot be outranked by it. created_at has whole seconds, so a copy
// created later in the same second could win on its lower id; hence the
// list waits until the server's clock has left the second of the run's
// last create (settleAt, clock.go: at most DuplicateSettle after that
// create's answer, often much less). The wait and the list run beside the
// rest of the run (the prune deletes), not after it.
//
// Whatever the clocks, the Date headers and the lists show (a server's
// Date that runs ahead only makes the list early), one copy always
// survives: a run deletes only ids its own list shows, never the first of
// them by (created_at, id), so the first copy ever created is deleted by
// no run that sees it, and a run that does not see it does not delete it.
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
// Creates whose answer was lost. A POST answered ambiguously (the answer
// lost, a 5xx) may have created a copy that this run was never told of,
// and that an API whose reads lag may show only later, after the create
// was sent again (settle). Where a reference_id had such a POST, the check
// polls the list for up to Options.ReadLagWindow after that answer until
// as many unknown copies as lost answers show, and also deletes a copy
// that (1) its list shows, (2) is not the survivor, (3) was not live
// before the run, (4) has the values this run's POST makes (the spec's,
// or the spec's but active: the API creates integrations active), and (5)
// whose reference_id the spec does not protect. Against a concurrent run
// this is as safe as deleting its own copy: the survivor stays (condition
// 2), and a copy a concurrent run was answered for and is not the survivor
// is one that run deletes itself (ours answers 404, which is fine). A
// survivor that is such a copy and differs from the spec only in active
// (the follow-up PUT of a lost create was never sent to it) gets that PUT.
//
// What remains: a crash between a create and the check, an API whose
// listing lags behind its creates longer than the window (or behind a
// concurrent run's creates, which the check does not wait for), and
// servers whose clocks disagree (a later copy stamped earlier). Each
// leaves a duplicate, never deletes the last copy. The next plan reports
// the duplicate, and `plan --dedupe` removes it by the same rule. It does
// not do so on its own: the API records no creator, so nothing proves that
// a copy found by a later run came from riskctl's own earlier attempt
// rather than from another tool or person (docs/plan-and-apply.md#two-applies-at-once).

// ownCreate is an integration this run's POST created and was told so.
type ownCreate struct {
	index int    // the plan change that created it
	ref   string // its reference_id
	id    string
}

// checkDuplicates looks for integrations that share a reference_id with
// one this run created or may have created (an ambiguous POST), and
// resolves each by Survivor. It writes a progress line when it starts, one
// per duplicate it meets and one with its result, and records what it did
// on the creating change (ActionResult.Note, or Err when the account is
// left other than the spec wants).
func (x *executor) checkDuplicates(ctx context.Context) {
	x.mu.Lock()
	own := slices.Clone(x.own)
	obs := slices.Clone(x.obs)
	amb := maps.Clone(x.ambiguous)
	ambAt := x.ambiguousAt
	x.mu.Unlock()
	if len(own) == 0 && len(amb) == 0 {
		return
	}

	var at, pass, floor time.Time // list after at, when the server's clock passed pass
	switch {
	case x.dupSettle < 0:
	case x.dupSettle > 0:
		for _, o := range obs {
			at = later(at, o.recv.Add(x.dupSettle))
		}
	default:
		at, pass, floor = x.settleBound()
	}
	why := ""
	switch wait := at.Sub(x.wall()); {
	case x.dupSettle == 0 && x.canProbe(at, pass, floor) && x.clock.probesLeft():
		why = fmt.Sprintf(" (waiting until the server's clock passes %s, at most %s, probing it)", pass.UTC().Format(time.TimeOnly), roundDuration(wait))
	case !pass.IsZero() && wait > 0:
		why = fmt.Sprintf(" (waiting %s for the server's clock to pass %s)", roundDuration(wait), pass.UTC().Format(time.TimeOnly))
	case !pass.IsZero():
		why = fmt.Sprintf(" (the server's clock has passed %s)", pass.UTC().Format(time.TimeOnly))
	case wait > 0:
		why = fmt.Sprintf(" (waiting %s after the last create's answer)", roundDuration(wait))
	}
	x.note("checking for copies a concurrent run may have created%s", why)
	var err error
	probed := ""
	if x.dupSettle == 0 {
		var probes int
		probes, err = x.awaitServerClock(ctx)
		if probes > 0 {
			probed = fmt.Sprintf(" (after %d probe(s) of the server's clock)", probes)
		}
	} else {
		err = x.waitUntil(ctx, at)
	}
	if err != nil {
		x.note("not checked for copies: %v; run riskctl plan to see", err)
		return
	}
	live, err := x.api.ListIntegrations(ctx)
	if err != nil {
		x.note("could not check for copies (%v); run riskctl plan to see", err)
		return
	}
	if len(amb) > 0 && x.lagWindow > 0 {
		live = x.pollLate(ctx, live, own, amb, ambAt.Add(x.lagWindow))
	}

	byRef := map[string][]state.Integration{}
	for _, in := range live {
		byRef[in.ReferenceID] = append(byRef[in.ReferenceID], state.Integration{
			ReferenceID: in.ReferenceID, IntegrationType: in.IntegrationType,
			TenantURL: in.TenantURL, Active: in.Active, ID: in.ID, CreatedAt: in.CreatedAt,
		})
	}
	answered := map[string]int{}
	ownOf := map[int]ownCreate{}
	for _, o := range own {
		answered[o.id]++
		ownOf[o.index] = o
	}
	found := 0
	for _, i := range x.checked(own, amb) {
		if x.resolve(ctx, i, ownOf[i], amb[i], byRef, answered) {
			found++
		}
	}
	if found == 0 {
		x.note("checked for copies: none%s", probed)
		return
	}
	x.note("checked for copies: %d reference_id(s) settled (above)%s", found, probed)
}

// checked lists the plan changes the check covers, in plan order: those
// that created an integration and those that sent an ambiguous POST.
func (x *executor) checked(own []ownCreate, amb map[int]int) []int {
	var out []int
	for _, o := range own {
		out = append(out, o.index)
	}
	for i := range amb {
		out = append(out, i)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// pollLate lists the account again, with backoff, until it shows every
// integration this run was answered for and, for every change with
// ambiguous POSTs, as many copies this run was not answered for as it
// sent such POSTs (each makes one at most), or until end (the lag window
// after the last of them), never past the run's deadline. It returns the
// last list; a list that fails ends the polling with the one before.
func (x *executor) pollLate(ctx context.Context, live []remote.Integration, own []ownCreate, amb map[int]int, end time.Time) []remote.Integration {
	ownIDs := map[string]bool{}
	for _, o := range own {
		ownIDs[o.id] = true
	}
	shown := func(live []remote.Integration) bool {
		unknown := map[string]int{}
		listed := map[string]bool{}
		for _, in := range live {
			listed[in.ID] = true
			if !ownIDs[in.ID] && !x.existed[in.ID] {
				unknown[in.ReferenceID]++
			}
		}
		for id := range ownIDs {
			if !listed[id] {
				return false
			}
		}
		for i, n := range amb {
			c := x.changes[i]
			if unknown[referenceID(c.Key, *c.Integration.After)] < n {
				return false
			}
		}
		return true
	}
	for delay := 250 * time.Millisecond; !shown(live); delay = min(2*delay, time.Second) {
		now := x.wall()
		if !now.Before(end) {
			break
		}
		next := now.Add(delay)
		if next.After(end) {
			next = end
		}
		if x.waitUntil(ctx, next) != nil {
			break
		}
		again, err := x.api.ListIntegrations(ctx)
		if err != nil {
			break
		}
		live = again
	}
	return live
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

// resolve settles the copies of change i's reference_id that byRef
// shows: own is the integration its POST created (id "" if none), amb the
// number of its ambiguous POSTs. It reports whether it had something to
// settle (and wrote a progress line).
func (x *executor) resolve(ctx context.Context, i int, own ownCreate, amb int, byRef map[string][]state.Integration, answered map[string]int) bool {
	c := x.changes[i]
	want := *c.Integration.After
	ref := referenceID(c.Key, want)
	label := label(c)
	shared := byRef[ref]
	ownListed := own.id != "" && containsID(shared, own.id)
	if ownListed && (x.existed[own.id] || answered[own.id] > 1) {
		if len(shared) > 1 {
			x.disown(own, x.existed[own.id])
			return true
		}
		return false
	}
	if own.id != "" && !ownListed {
		// Reads lag, or it is gone already: what the list shows is not
		// the whole story, so nothing is decided on it.
		if len(shared) > 0 {
			x.note("%s: this run's copy (id %s) is not listed beside %d other(s): the API's reads may lag, or it was deleted; left as it is; run riskctl plan to see", label, own.id, len(shared))
			return true
		}
		return false
	}
	if len(shared) == 1 {
		return x.foundLate(ctx, i, shared[0], want)
	}
	if len(shared) == 0 {
		return false
	}
	keep, _ := state.Survivor(shared)
	// What the survivor is, for messages: this run's own copy, or one
	// this run was not answered for.
	other := fmt.Sprintf("a copy appeared that this run did not create (id %s)", textutil.Visible(keep.ID))
	if amb > 0 {
		other = fmt.Sprintf("a copy appeared that this run was not answered for (id %s: its create whose answer was lost, or another's)", textutil.Visible(keep.ID))
	}

	if ownListed && keep.ID != own.id {
		err := x.api.DeleteIntegration(ctx, own.id)
		if err != nil && !errors.Is(err, remote.ErrNotFound) {
			err = fmt.Errorf("%s, created before this run's (id %s); deleting this run's copy failed: %w; plan with --dedupe to remove it", other, textutil.Visible(own.id), err)
			x.note("%s: FAILED: %v", label, err)
			x.setNote(i, own.id, err, "")
			return true
		}
	}
	var late []string // copies deleted by the rule for lost answers
	if amb > 0 && !c.Integration.Protect {
		for _, in := range shared {
			if in.ID == keep.ID || in.ID == own.id || x.existed[in.ID] || !madeBy(in, want) {
				continue
			}
			if err := x.api.DeleteIntegration(ctx, in.ID); err != nil && !errors.Is(err, remote.ErrNotFound) {
				x.note("%s: a copy appeared (id %s) after a create whose answer was lost; deleting it failed: %v; plan with --dedupe to remove it", label, in.ID, err)
				continue
			}
			late = append(late, textutil.Visible(in.ID))
		}
	}
	lateNote := ""
	if len(late) > 0 {
		lateNote = fmt.Sprintf("; deleted %d later copy(ies) with this spec's values, which appeared after a create whose answer was lost (id %s)", len(late), strings.Join(late, ", "))
	}

	if keep.ID == own.id {
		// The others are a concurrent run's, which deletes its own, or
		// were there before (by hand): the next plan names them.
		x.note("%s: %d integrations share this reference_id; this run's (id %s) was created first and is kept%s", label, len(shared), own.id, lateNote)
		x.setNote(i, own.id, nil, fmt.Sprintf("kept: created first of %d sharing its reference_id%s", len(shared), lateNote))
		return true
	}
	deletedOwn := ""
	if ownListed {
		deletedOwn = fmt.Sprintf("; deleted this run's copy (id %s)", textutil.Visible(own.id))
	}
	differs := differences(keep, want)
	if differs != "" && amb > 0 && !x.existed[keep.ID] && madeBy(keep, want) {
		// Most likely this run's own create whose answer was lost: it got
		// no follow-up PUT (the API creates integrations active). Send it.
		if _, err := x.api.UpdateIntegration(ctx, keep.ID, remote.UpdateIntegrationRequest{
			TenantURL: want.TenantURL, Active: want.Active, ReferenceID: ref,
		}); err != nil {
			err = fmt.Errorf("%s, created first, with %s%s; the update to active=%t failed: %w; run riskctl plan to see", other, differs, deletedOwn, want.Active, err)
			x.note("%s: FAILED: %v", label, err)
			x.setNote(i, keep.ID, err, "")
			return true
		}
		x.note("%s: %s, created first%s%s; set it to active=%t as this spec says", label, other, deletedOwn, lateNote, want.Active)
		x.setApplied(i, keep.ID, fmt.Sprintf("kept a copy created first (id %s) and set it to active=%t%s", textutil.Visible(keep.ID), want.Active, deletedOwn+lateNote))
		return true
	}
	if differs != "" {
		// The copy kept is another's, with its spec's values. Writing
		// ours onto it would fight that run; say the account is not as
		// this spec wants, so the next plan shows it.
		err := fmt.Errorf("%s, created first, with %s%s; run riskctl plan to see and apply the difference", other, differs, deletedOwn)
		x.note("%s: FAILED: %v", label, err)
		x.setNote(i, keep.ID, err, "")
		return true
	}
	x.note("%s: %s, created first%s%s", label, other, deletedOwn, lateNote)
	x.setApplied(i, keep.ID, fmt.Sprintf("kept a copy created first (id %s)%s", textutil.Visible(keep.ID), deletedOwn+lateNote))
	return true
}

// foundLate settles change i when the list shows one copy, in: nothing
// to do, unless the change failed with its create's outcome unknown and
// in is a copy its POST makes that was not live before the run: the
// create did land (its answer was lost, and reads lagged), so the change
// is applied, after the follow-up PUT it never got where the spec wants
// the integration inactive.
func (x *executor) foundLate(ctx context.Context, i int, in state.Integration, want state.Integration) bool {
	if x.existed[in.ID] || !x.failedAmbiguous(i) || !madeBy(in, want) {
		return false
	}
	label := label(x.changes[i])
	if in.Active != want.Active {
		if _, err := x.api.UpdateIntegration(ctx, in.ID, remote.UpdateIntegrationRequest{
			TenantURL: want.TenantURL, Active: want.Active, ReferenceID: referenceID(x.changes[i].Key, want),
		}); err != nil {
			x.note("%s: its create landed after all (id %s), but the follow-up update to active=%t failed: %v; run riskctl plan to see", label, in.ID, want.Active, err)
			return true
		}
	}
	x.note("%s: its create landed after all: the copy (id %s) showed after the answer was lost", label, in.ID)
	x.setApplied(i, in.ID, fmt.Sprintf("created (id %s); its answer was lost, and the duplicate check found it", textutil.Visible(in.ID)))
	return true
}

// failedAmbiguous reports whether change i failed with its create's
// outcome unknown: a copy the check finds may then be that create's.
func (x *executor) failedAmbiguous(i int) bool {
	x.mu.Lock()
	defer x.mu.Unlock()
	var amb *remote.AmbiguousError
	return x.actions[i].Status == StatusFailed && errors.As(x.actions[i].Err, &amb)
}

// madeBy reports whether in has the values a POST of want makes, before
// or after its follow-up PUT: want's integration_type and tenant_url, and
// want's active or true (the API creates integrations active).
func madeBy(in, want state.Integration) bool {
	return strings.EqualFold(in.IntegrationType, want.IntegrationType) &&
		plan.CanonicalTenantURL(in.TenantURL) == plan.CanonicalTenantURL(want.TenantURL) &&
		(in.Active == want.Active || in.Active)
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

// setApplied records the change at i as applied, ending on the
// integration id, with a note: the check found it done, after its step
// had failed or ended on another copy.
func (x *executor) setApplied(i int, id, note string) {
	x.mu.Lock()
	defer x.mu.Unlock()
	a := &x.actions[i]
	a.ID, a.Status, a.Err, a.Note = id, StatusApplied, nil, note
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
