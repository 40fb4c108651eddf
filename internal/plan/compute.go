package plan

// Compute: desired + live → Plan. Ownership is decided before any diff.
//
// Behaviors are one account-wide object with a fixed set of keys: the spec's
// keys are managed and must exist; the others are listed as unmanaged and
// never touched. Integrations are matched on reference_id. A live
// integration is managed when exactly one live integration carries a
// reference_id the spec names; two carrying one the spec names is an
// ambiguous identity, refused. Every other live integration (its
// reference_id not in the spec, or none at all) is unmanaged: listed, or
// deleted when the spec says prune.

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/riskctl/riskctl/internal/spec"
	"github.com/riskctl/riskctl/internal/state"
)

// Compute returns the plan that makes live match desired. It does no I/O
// and does not modify its arguments. The error, when not nil, is a
// *MissingBehaviorsError, a *DuplicateReferenceError, a *ProtectedError, or
// several of them joined (errors.Join); a spec that Validate accepts causes
// no other error.
func Compute(desired, live state.Account) (Plan, error) {
	return ComputeWith(desired, live, Options{})
}

// ComputeWith is Compute with options.
//
// Targets restrict the plan to the objects they name: Changes, the
// unmanaged lists and Ignored concern those objects only, and Plan.Targets
// records the targets. The spec is still checked as a whole (a behavior the
// account lacks is an error whatever the targets), but the refusals that
// concern one object (an ambiguous reference_id, a protected integration)
// only refuse a plan that touches it. A target that names nothing in the
// spec or the account is an *UnknownTargetError.
//
// Options.Policy is the spec's policy: Prune deletes unmanaged live
// integrations, Protect refuses a replace or delete of an integration, and
// ignore lists keep the differences in the fields they name out of
// Changes; Plan.Ignored lists them. An ignored field never causes an
// update or a replace, and a change caused by another field carries the
// ignored field's live value, so apply never writes it. A create is not
// affected: there is no live value.
//
// LiveFingerprint always digests the whole live state.
func ComputeWith(desired, live state.Account, opts Options) (Plan, error) {
	p := Plan{AccountID: desired.AccountID, LiveFingerprint: Fingerprint(live), Dedupe: opts.Dedupe}
	if p.AccountID == "" {
		p.AccountID = live.AccountID
	}
	sel, targets, errs := selectTargets(opts.Targets, desired, live)
	p.Targets = targets

	behaviors, unmanaged, ignored, err := behaviorChanges(desired.Behaviors, live.Behaviors, sel, opts.Policy)
	if err != nil {
		errs = append(errs, err)
	}
	p.Changes, p.UnmanagedBehaviors, p.Ignored = behaviors, unmanaged, ignored

	integrations, unmanagedInts, ignoredInts, ierrs := integrationChanges(desired, live, sel, opts)
	errs = append(errs, ierrs...)
	p.Changes = append(p.Changes, integrations...)
	p.UnmanagedIntegrations = unmanagedInts
	p.Ignored = append(p.Ignored, ignoredInts...)

	switch len(errs) {
	case 0:
		return p, nil
	case 1:
		return Plan{}, errs[0]
	}
	return Plan{}, errors.Join(errs...)
}

// behaviorChanges returns one update per selected managed behavior that
// differs outside its ignored fields, by key; the selected live keys the
// spec does not manage, sorted; and the ignored differences, by key.
func behaviorChanges(desired, live map[string]state.Behavior, sel selection, policy spec.Policy) ([]Change, []string, []IgnoredDiff, error) {
	var changes []Change
	var ignored []IgnoredDiff
	var missing []string
	for _, key := range slices.Sorted(maps.Keys(desired)) {
		want := desired[key]
		have, ok := live[key]
		if !ok {
			missing = append(missing, key) // whatever the targets: the spec is wrong
			continue
		}
		if !sel.has(ResourceBehavior, key) {
			continue
		}
		ignore := policy.Behaviors[key].Ignore
		if err := checkIgnore(ResourceBehavior, key, ignore); err != nil {
			return nil, nil, nil, err
		}
		if changed, ignoredOnly := same(behaviorCompared, &have, &want, ignore); !changed && !ignoredOnly {
			continue
		}
		fields, err := diff(behaviorCompared, &have, &want)
		if err != nil {
			return nil, nil, nil, err
		}
		fields, skipped := splitIgnored(ResourceBehavior, key, fields, ignore)
		ignored = append(ignored, skipped...)
		if len(fields) == 0 {
			continue
		}
		changes = append(changes, Change{
			Action:   Update,
			Resource: ResourceBehavior,
			Key:      key,
			Behavior: &BehaviorChange{Before: have, After: keepIgnored(ResourceBehavior, want, &have, ignore)},
			Fields:   fields,
			Reason:   fieldNames(fields) + differ(fields) + " from the spec",
		})
	}
	if missing != nil {
		return nil, nil, nil, &MissingBehaviorsError{Keys: missing, Available: slices.Sorted(maps.Keys(live))}
	}
	var unmanaged []string
	for _, key := range slices.Sorted(maps.Keys(live)) {
		if _, ok := desired[key]; !ok && sel.has(ResourceBehavior, key) {
			unmanaged = append(unmanaged, key)
		}
	}
	return changes, unmanaged, ignored, nil
}

// integrationChanges returns the selected integration changes in apply
// order (updates, replaces, creates, deletes), the selected unmanaged live
// integrations, sorted by reference_id then id, and the ignored
// differences, by reference_id.
func integrationChanges(desired, live state.Account, sel selection, opts Options) ([]Change, []state.Integration, []IgnoredDiff, []error) {
	var errs []error
	policy := opts.Policy
	inSpec := make(map[string]bool, len(desired.Integrations))
	specOf := make(map[string]*state.Integration, len(desired.Integrations))
	for i, d := range desired.Integrations {
		if _, dup := specOf[d.ReferenceID]; !dup {
			specOf[d.ReferenceID] = &desired.Integrations[i] // read only
		}
		switch {
		case d.ReferenceID == "":
			errs = append(errs, fmt.Errorf("an integration in the spec has no reference_id (tenant_url %q): integrations are matched on it", d.TenantURL))
		case inSpec[d.ReferenceID]:
			errs = append(errs, fmt.Errorf("reference_id %q appears twice in the spec", d.ReferenceID))
		}
		inSpec[d.ReferenceID] = true
	}

	// Managed live integrations by reference_id. The one of a reference_id
	// is a one-element window on live's array (cap 1, so that an append
	// copies rather than writes into live): no copy per integration.
	byRef := make(map[string][]state.Integration, len(live.Integrations))
	var shared []string // the reference_ids several live integrations carry
	var unmanaged []state.Integration
	for i, l := range live.Integrations {
		if l.ReferenceID == "" || !inSpec[l.ReferenceID] {
			unmanaged = append(unmanaged, l)
			continue
		}
		ls, seen := byRef[l.ReferenceID]
		if !seen {
			byRef[l.ReferenceID] = live.Integrations[i : i+1 : i+1]
			continue
		}
		if len(ls) == 1 {
			shared = append(shared, l.ReferenceID)
		}
		byRef[l.ReferenceID] = append(ls, l)
	}
	slices.Sort(shared)
	var updates, replaces, creates, deletes []Change
	for _, ref := range shared {
		ls := byRef[ref]
		if !sel.has(ResourceIntegration, ref) {
			continue
		}
		var proofs map[string]string
		if !opts.Dedupe {
			if opts.Copies == nil {
				errs = append(errs, duplicateError(ref, ls))
				continue
			}
			var all string
			var notProven []UnprovenCopy
			proofs, all, notProven = resolveCopies(specOf[ref], ls, policy.Integrations[ref].Protect, opts.Copies)
			if proofs == nil {
				e := duplicateError(ref, ls)
				e.NotProvenAll, e.NotProven = all, notProven
				errs = append(errs, e)
				continue
			}
		}
		keep, extras := state.Survivor(ls)
		byRef[ref] = []state.Integration{keep}
		for _, extra := range extras {
			d := dedupeChange(ref, extra, keep, len(ls))
			if proofs != nil {
				d = provenChange(ref, extra, keep, len(ls), proofs[extra.ID])
			}
			d.Integration.Label = policy.Integrations[ref].Label
			deletes = append(deletes, d)
		}
	}

	var ignored []IgnoredDiff
	for i := range desired.Integrations {
		d := &desired.Integrations[i] // read only: Compute modifies none of its arguments
		ls := byRef[d.ReferenceID]
		if d.ReferenceID == "" || len(ls) > 1 || !sel.has(ResourceIntegration, d.ReferenceID) {
			continue // reported above, or not targeted
		}
		own := policy.Integrations[d.ReferenceID]
		if len(ls) == 0 {
			c := createChange(*d, own.Protect)
			c.Integration.Label = own.Label
			creates = append(creates, c)
			continue
		}
		if err := checkIgnore(ResourceIntegration, d.ReferenceID, own.Ignore); err != nil {
			return nil, nil, nil, append(errs, err)
		}
		have := &ls[0]
		if changed, ignoredOnly := same(integrationCompared, have, d, own.Ignore); !changed && !ignoredOnly {
			continue
		}
		fields, err := diff(integrationCompared, have, d)
		if err != nil {
			return nil, nil, nil, append(errs, err)
		}
		fields, skipped := splitIgnored(ResourceIntegration, d.ReferenceID, fields, own.Ignore)
		ignored = append(ignored, skipped...)
		if len(fields) == 0 {
			continue
		}
		before := *have
		want := keepIgnored(ResourceIntegration, *d, have, own.Ignore)
		c := Change{
			Action:      Update,
			Resource:    ResourceIntegration,
			Key:         want.ReferenceID,
			Integration: &IntegrationChange{Before: &before, After: &want, Protect: own.Protect, Label: own.Label},
			Fields:      fields,
			Reason:      fieldNames(fields) + differ(fields) + " from the spec",
		}
		if replacing(fields) {
			c.Action = Replace
			c.Reason = replacedBy(fields) + " cannot be changed in place" + inactiveNote(want)
			replaces = append(replaces, c)
		} else {
			updates = append(updates, c)
		}
	}

	var kept []state.Integration
	for _, l := range unmanaged {
		if !sel.has(ResourceIntegration, l.ReferenceID) {
			continue
		}
		if !policy.Prune {
			kept = append(kept, l)
			continue
		}
		before := l
		reason := "not in the spec and prune is on"
		if l.ReferenceID == "" {
			reason = "has no reference_id, so it is not in the spec, and prune is on"
		}
		deletes = append(deletes, Change{
			Action:      Delete,
			Resource:    ResourceIntegration,
			Key:         l.ReferenceID,
			Integration: &IntegrationChange{Before: &before},
			Fields:      allFields(&before, false),
			Reason:      reason,
		})
	}

	byKey := func(a, b Change) int { return strings.Compare(a.Key, b.Key) }
	slices.SortStableFunc(updates, byKey)
	slices.SortStableFunc(replaces, byKey)
	slices.SortStableFunc(creates, byKey)
	slices.SortStableFunc(deletes, func(a, b Change) int {
		if c := byKey(a, b); c != 0 {
			return c
		}
		return strings.Compare(a.Integration.Before.ID, b.Integration.Before.ID)
	})
	sortIntegrations(kept)
	slices.SortStableFunc(ignored, func(a, b IgnoredDiff) int { return strings.Compare(a.Key, b.Key) })

	changes := slices.Concat(updates, replaces, creates, deletes)
	for _, c := range changes {
		if err := checkProtect(c); err != nil {
			errs = append(errs, err)
		}
	}
	return changes, kept, ignored, errs
}

// duplicateError refuses a reference_id shared by the live integrations
// ls, naming the one --dedupe would keep.
func duplicateError(ref string, ls []state.Integration) *DuplicateReferenceError {
	ids := make([]string, len(ls))
	for i, l := range ls {
		ids[i] = l.ID
	}
	slices.Sort(ids)
	keep, _ := state.Survivor(ls)
	return &DuplicateReferenceError{ReferenceID: ref, IDs: ids, Survivor: keep.ID}
}

// dedupeChange deletes extra, one of n live integrations sharing ref, all
// but keep (the survivor) being deleted.
func dedupeChange(ref string, extra, keep state.Integration, n int) Change {
	return Change{
		Action:      Delete,
		Resource:    ResourceIntegration,
		Key:         ref,
		Integration: &IntegrationChange{Before: &extra, Kept: &keep},
		Fields:      allFields(&extra, false),
		Reason: fmt.Sprintf("a duplicate: %d live integrations share this reference_id, and --dedupe keeps the earliest created (id %s%s)",
			n, keep.ID, createdNote(keep)),
	}
}

// createdNote is ", created 2026-…Z" when the server said when.
func createdNote(in state.Integration) string {
	if in.CreatedAt.IsZero() {
		return ""
	}
	return ", created " + in.CreatedAt.UTC().Format(time.RFC3339)
}

// createChange is the create of a desired integration: every field is new,
// ignored or not. protect is the spec's protect of it.
func createChange(want state.Integration, protect bool) Change {
	return Change{
		Action:      Create,
		Resource:    ResourceIntegration,
		Key:         want.ReferenceID,
		Integration: &IntegrationChange{After: &want, Protect: protect},
		Fields:      allFields(&want, true),
		Reason:      "not in the account" + inactiveNote(want),
	}
}

// inactiveNote says, for an integration that apply must create, what
// creating it inactive means: the create takes no active (docs/api.md), so
// it is created active and deactivated by an update, and in between it
// exports risk scores to its tenant. Plain words, short enough for a PR
// comment.
func inactiveNote(want state.Integration) string {
	if want.Active {
		return ""
	}
	return "; created active, then deactivated, as the API cannot create it inactive: for a moment it exports risk scores to " + state.DisplayURL(want.TenantURL)
}

// checkProtect refuses a replace or delete of an integration the spec
// protects (IntegrationChange.Protect).
func checkProtect(c Change) error {
	if c.Integration == nil || (c.Action != Replace && c.Action != Delete) || !c.Integration.Protect {
		return nil
	}
	return &ProtectedError{ReferenceID: c.Key, Action: c.Action}
}

// replacedBy names the fields among fields that force a replacement.
func replacedBy(fields []FieldDiff) string {
	var forcing []FieldDiff
	for _, f := range fields {
		if ForcesReplacement(f.Field) {
			forcing = append(forcing, f)
		}
	}
	return fieldNames(forcing)
}

// sortIntegrations sorts by reference_id, then id.
func sortIntegrations(ins []state.Integration) {
	slices.SortStableFunc(ins, func(a, b state.Integration) int {
		if c := strings.Compare(a.ReferenceID, b.ReferenceID); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
}

// differ agrees with fieldNames: "enabled differs", "a and b differ".
func differ(fields []FieldDiff) string {
	if len(fields) == 1 {
		return " differs"
	}
	return " differ"
}
