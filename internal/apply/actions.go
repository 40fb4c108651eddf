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

// behaviors sends the one PUT /behaviors for the behavior changes at idx:
// only those keys, each with both fields, so every other behavior (managed
// and unchanged, or unmanaged) is left as it is.
func (x *executor) behaviors(ctx context.Context, idx []int) outcome {
	body := make(map[string]remote.BehaviorUpdate, len(idx))
	keys := make([]string, 0, len(idx))
	for _, i := range idx {
		c := x.changes[i]
		after := c.Behavior.After
		body[c.Key] = remote.BehaviorUpdate{Enabled: after.Enabled, RiskLevel: after.RiskLevel}
		keys = append(keys, c.Key)
	}
	got, err := x.api.UpdateBehaviors(ctx, body)
	if err != nil {
		return outcome{err: err}
	}
	// The answer may hold every behavior or only the ones sent
	// (docs/api.md#behaviors); a key it does show must show what was sent.
	var wrong []string
	for _, k := range keys {
		b, shown := got[k]
		want := body[k]
		if shown && (b.Enabled != want.Enabled || !strings.EqualFold(b.RiskLevel, want.RiskLevel)) {
			wrong = append(wrong, fmt.Sprintf("%s is enabled=%t risk_level=%s, want enabled=%t risk_level=%s",
				k, b.Enabled, b.RiskLevel, want.Enabled, want.RiskLevel))
		}
	}
	if len(wrong) > 0 {
		return outcome{err: fmt.Errorf("update behaviors: the API accepted the update but answered: %s", strings.Join(wrong, "; "))}
	}
	return outcome{done: "updated " + strings.Join(keys, ", ")}
}

// update PUTs the desired tenant_url, active and reference_id onto the live
// integration. The PUT overwrites all three, so all three are sent even
// when only one changed.
func (x *executor) update(ctx context.Context, key string, ic *plan.IntegrationChange) outcome {
	id := ic.Before.ID
	want := *ic.After
	_, err := x.api.UpdateIntegration(ctx, id, remote.UpdateIntegrationRequest{
		TenantURL: want.TenantURL, Active: want.Active, ReferenceID: referenceID(key, want),
	})
	if err != nil {
		return outcome{id: id, err: err}
	}
	return outcome{id: id, done: fmt.Sprintf("updated (id %s)", id)}
}

// replace deletes the live integration, then creates the desired one. The
// create depends on the delete: if the delete fails, nothing is created
// (two integrations would then share the reference_id).
func (x *executor) replace(ctx context.Context, i int, key string, ic *plan.IntegrationChange) outcome {
	old := ic.Before.ID
	err := x.api.DeleteIntegration(ctx, old)
	gone := ""
	switch {
	case errors.Is(err, remote.ErrNotFound):
		gone = ", already gone"
	case err != nil:
		return outcome{id: old, err: fmt.Errorf("replacement not created, because deleting %s failed: %w", textutil.Visible(old), err)}
	}
	c, err := x.ensureCreated(ctx, i, key, *ic.After)
	if err != nil {
		if c.id == "" {
			return outcome{err: replacementError(textutil.Visible(old), err)}
		}
		return outcome{id: c.id, posted: c.posted, err: fmt.Errorf("deleted %s; %w", textutil.Visible(old), err)}
	}
	return outcome{id: c.id, posted: c.posted, done: fmt.Sprintf("replaced (deleted id %s%s; %s)", old, gone, c.describe())}
}

// create creates the desired integration.
func (x *executor) create(ctx context.Context, i int, key string, ic *plan.IntegrationChange) outcome {
	c, err := x.ensureCreated(ctx, i, key, *ic.After)
	if err != nil {
		return outcome{id: c.id, posted: c.posted, err: err}
	}
	return outcome{id: c.id, posted: c.posted, done: c.describe()}
}

// delete deletes a live integration; one that is already gone counts.
func (x *executor) delete(ctx context.Context, ic *plan.IntegrationChange) outcome {
	id := ic.Before.ID
	err := x.api.DeleteIntegration(ctx, id)
	switch {
	case errors.Is(err, remote.ErrNotFound):
		return outcome{id: id, done: fmt.Sprintf("deleted (id %s was already gone)", id)}
	case err != nil:
		return outcome{id: id, err: err}
	}
	return outcome{id: id, done: fmt.Sprintf("deleted (id %s)", id)}
}

// created describes an integration that ensureCreated brought about.
type created struct {
	id       string
	inactive bool   // the follow-up PUT made it inactive
	how      string // how an ambiguous create was settled, if it was
	// posted: a POST of this run answered with it, so it is this run's
	// own (one found by reference_id after an ambiguous answer may be
	// another run's).
	posted bool
}

func (c created) describe() string {
	s := fmt.Sprintf("created (id %s)", c.id)
	if c.inactive {
		s = fmt.Sprintf("created inactive (id %s)", c.id)
	}
	if c.how != "" {
		s += "; " + c.how
	}
	return s
}

// ensureCreated makes the desired integration exist: it POSTs it, settles
// an ambiguous answer (see settle), and where the result differs from what
// is wanted (always when the desired one is inactive, since the API creates
// integrations active) PUTs the desired tenant_url, active and
// reference_id onto it. It does not look for an existing integration
// first: the plan already found none.
//
// On error, the returned created has the id of the integration if one was
// created (and only the follow-up failed).
func (x *executor) ensureCreated(ctx context.Context, i int, key string, want state.Integration) (created, error) {
	ref := referenceID(key, want)
	req := remote.CreateIntegrationRequest{
		IntegrationType: want.IntegrationType, TenantURL: want.TenantURL, ReferenceID: ref,
	}
	var c created
	got, err := x.post(ctx, i, req)
	found := false
	if err != nil {
		got, found, c.how, err = x.settle(ctx, i, req, err)
		if err != nil {
			return c, err
		}
	}
	c.id, c.posted = got.ID, !found

	var followUp bool
	if found {
		// Found by reference_id: most likely the one the ambiguous POST
		// created, but check that it is what the POST asked for.
		if !strings.EqualFold(got.IntegrationType, want.IntegrationType) {
			return c, fmt.Errorf("reference_id %q belongs to integration %s of type %q, not %q; a new plan will replace it",
				ref, got.ID, got.IntegrationType, want.IntegrationType)
		}
		followUp = got.TenantURL != want.TenantURL || got.Active != want.Active || got.ReferenceID != ref
	} else {
		followUp = !want.Active || got.Active != want.Active
	}
	if !followUp {
		return c, nil
	}
	if _, err := x.api.UpdateIntegration(ctx, got.ID, remote.UpdateIntegrationRequest{
		TenantURL: want.TenantURL, Active: want.Active, ReferenceID: ref,
	}); err != nil {
		return c, fmt.Errorf("created integration %s, but the follow-up update to active=%t failed: %w", textutil.Visible(got.ID), want.Active, err)
	}
	c.inactive = !want.Active
	return c, nil
}

// post sends the create and records its answer: created_at and the time
// it was received, which bound the server's clock (settleAt), or, when the
// outcome is unknown, that a copy may have landed (for the duplicate
// check's late copies).
func (x *executor) post(ctx context.Context, i int, req remote.CreateIntegrationRequest) (remote.Integration, error) {
	got, err := x.api.CreateIntegration(ctx, req)
	x.mu.Lock()
	defer x.mu.Unlock()
	var amb *remote.AmbiguousError
	switch {
	case err == nil:
		x.obs = append(x.obs, clockObs{stamp: got.CreatedAt, recv: x.wall()})
	case errors.As(err, &amb):
		// Its created_at is unknown: an observation without one
		// (settleAt), in case it did create.
		x.ambiguous[i]++
		x.ambiguousAt = x.wall()
		x.obs = append(x.obs, clockObs{recv: x.ambiguousAt})
	}
	return got, err
}

// settle resolves a failed create. Only an *remote.AmbiguousError (the
// POST was sent; whether it took effect is unknown) is settled, by looking
// the reference_id up, for as long as the API's reads may lag its writes
// (Options.ReadLagWindow; see lookUp):
//
//   - found: it was created; found is true and ensureCreated carries on;
//   - not found: it was not; the POST is sent once more (a second
//     ambiguous answer is settled by looking up once more, never a third
//     POST);
//   - not found, but the run's deadline or stop cut the look-ups short:
//     whether it was created is unknown, and it is not sent again;
//   - the look-up fails: whether it was created is unknown.
//
// how says, for the progress line, how it was settled. A create that is
// not settled as created fails with a *createError, whose message gives
// the verdict first.
func (x *executor) settle(ctx context.Context, i int, req remote.CreateIntegrationRequest, createErr error) (got remote.Integration, found bool, how string, err error) {
	var amb *remote.AmbiguousError
	if !errors.As(createErr, &amb) || req.ReferenceID == "" {
		return remote.Integration{}, false, "", createErr
	}
	answers := []error{createErr} // the ambiguous answers so far
	fail := func(verdict, next string, known []string, errs ...error) error {
		known = append([]string{unclear(answers)}, known...)
		return &createError{Verdict: verdict, Known: known, Next: next, errs: append(answers, errs...)}
	}
	for retried := false; ; retried = true {
		got, lerr, cut := x.lookUp(ctx, req.ReferenceID)
		switch {
		case lerr == nil:
			how = "found by reference_id after an ambiguous answer"
			if retried {
				how = "found by reference_id after two ambiguous answers"
			}
			return got, true, how, nil
		case !errors.Is(lerr, remote.ErrNotFound):
			return remote.Integration{}, false, "", fail("outcome unknown", nextPlan,
				[]string{fmt.Sprintf("looking reference_id %q up failed: %v", req.ReferenceID, lerr)}, lerr)
		case cut != nil:
			return remote.Integration{}, false, "", fail("outcome unknown", nextPlan,
				[]string{fmt.Sprintf("reference_id %q is not found yet, but the API's reads may lag its writes by up to %s and %v, so it was not sent again", req.ReferenceID, x.lagWindow, cut)}, cut)
		case retried:
			return remote.Integration{}, false, "", fail("not created", nextApply,
				[]string{notFound(req.ReferenceID, x.lagWindow)})
		}
		// Not found, for as long as reads may lag: the POST did not take
		// effect, so it is safe to send once more.
		got, err := x.post(ctx, i, req)
		if err == nil {
			return got, false, "sent again after an ambiguous answer found nothing", nil
		}
		if !errors.As(err, &amb) {
			return remote.Integration{}, false, "", fail("not created", "",
				[]string{notFound(req.ReferenceID, x.lagWindow), fmt.Sprintf("sending it again failed: %v", err)}, err)
		}
		answers = append(answers, err)
	}
}

// lookUp looks ref up after an ambiguous create. The API's reads may lag
// its writes (a create answered a moment ago may not show yet), so a "not
// found" is believed only once Options.ReadLagWindow has passed since the
// ambiguous answer: until then the look-up is repeated, after 100 ms, then
// twice as long each time up to a second (a window of 3 s takes seven
// look-ups at most). cut is why the look-ups stopped before the window
// ended (the run's deadline comes first, or it stopped); err is the last
// look-up's error.
func (x *executor) lookUp(ctx context.Context, ref string) (got remote.Integration, err, cut error) {
	end := x.wall().Add(x.lagWindow)
	for delay := 100 * time.Millisecond; ; delay = min(2*delay, time.Second) {
		got, err = x.api.GetIntegrationByReference(ctx, ref)
		if err == nil || !errors.Is(err, remote.ErrNotFound) || x.lagWindow <= 0 {
			return got, err, nil
		}
		now := x.wall()
		if !now.Before(end) {
			return got, err, nil
		}
		next := now.Add(delay)
		if next.After(end) {
			next = end
		}
		if cut := x.waitUntil(ctx, next); cut != nil {
			return got, err, cut
		}
	}
}

// referenceID is the reference_id to send: the desired one, which the plan
// matched on and keyed the change by.
func referenceID(key string, want state.Integration) string {
	if want.ReferenceID != "" {
		return want.ReferenceID
	}
	return key
}
