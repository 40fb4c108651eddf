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

	"github.com/riskctl/riskctl/internal/state"
)

// Compute returns the plan that makes live match desired. It does no I/O
// and does not modify its arguments. The error, when not nil, is a
// *MissingBehaviorsError, a *DuplicateReferenceError, a *ProtectedError, or
// several of them joined (errors.Join); a spec that Validate accepts causes
// no other error.
func Compute(desired, live state.Account) (Plan, error) {
	p := Plan{AccountID: desired.AccountID, LiveFingerprint: Fingerprint(live)}
	if p.AccountID == "" {
		p.AccountID = live.AccountID
	}
	var errs []error
	behaviors, unmanaged, err := behaviorChanges(desired.Behaviors, live.Behaviors)
	if err != nil {
		errs = append(errs, err)
	}
	p.Changes, p.UnmanagedBehaviors = behaviors, unmanaged

	integrations, unmanagedInts, ierrs := integrationChanges(desired, live)
	errs = append(errs, ierrs...)
	p.Changes = append(p.Changes, integrations...)
	p.UnmanagedIntegrations = unmanagedInts

	switch len(errs) {
	case 0:
		return p, nil
	case 1:
		return Plan{}, errs[0]
	}
	return Plan{}, errors.Join(errs...)
}

// behaviorChanges returns one update per managed behavior that differs, by
// key, and the live keys the spec does not manage, sorted.
func behaviorChanges(desired, live map[string]state.Behavior) ([]Change, []string, error) {
	var changes []Change
	var missing []string
	for _, key := range slices.Sorted(maps.Keys(desired)) {
		want := desired[key]
		have, ok := live[key]
		if !ok {
			missing = append(missing, key)
			continue
		}
		fields, err := diff(viewBehavior(have), viewBehavior(want))
		if err != nil {
			return nil, nil, err
		}
		if len(fields) == 0 {
			continue
		}
		changes = append(changes, Change{
			Action:   Update,
			Resource: ResourceBehavior,
			Key:      key,
			Behavior: &BehaviorChange{Before: have, After: want},
			Fields:   fields,
			Reason:   fieldNames(fields) + differ(fields) + " from the spec",
		})
	}
	if missing != nil {
		return nil, nil, &MissingBehaviorsError{Keys: missing, Available: slices.Sorted(maps.Keys(live))}
	}
	var unmanaged []string
	for _, key := range slices.Sorted(maps.Keys(live)) {
		if _, ok := desired[key]; !ok {
			unmanaged = append(unmanaged, key)
		}
	}
	return changes, unmanaged, nil
}

// integrationChanges returns the integration changes in apply order
// (updates, replaces, creates, deletes) and the unmanaged live
// integrations, sorted by reference_id then id.
func integrationChanges(desired, live state.Account) ([]Change, []state.Integration, []error) {
	var errs []error
	inSpec := make(map[string]bool, len(desired.Integrations))
	for _, d := range desired.Integrations {
		switch {
		case d.ReferenceID == "":
			errs = append(errs, fmt.Errorf("an integration in the spec has no reference_id (tenant_url %q): integrations are matched on it", d.TenantURL))
		case inSpec[d.ReferenceID]:
			errs = append(errs, fmt.Errorf("reference_id %q appears twice in the spec", d.ReferenceID))
		}
		inSpec[d.ReferenceID] = true
	}

	byRef := make(map[string][]state.Integration) // managed live integrations
	var unmanaged []state.Integration
	for _, l := range live.Integrations {
		if l.ReferenceID != "" && inSpec[l.ReferenceID] {
			byRef[l.ReferenceID] = append(byRef[l.ReferenceID], l)
		} else {
			unmanaged = append(unmanaged, l)
		}
	}
	for _, ref := range slices.Sorted(maps.Keys(byRef)) {
		if ls := byRef[ref]; len(ls) > 1 {
			ids := make([]string, len(ls))
			for i, l := range ls {
				ids[i] = l.ID
			}
			slices.Sort(ids)
			errs = append(errs, &DuplicateReferenceError{ReferenceID: ref, IDs: ids})
		}
	}

	var updates, replaces, creates, deletes []Change
	for _, d := range desired.Integrations {
		ls := byRef[d.ReferenceID]
		if d.ReferenceID == "" || len(ls) > 1 {
			continue // reported above
		}
		want := d
		if len(ls) == 0 {
			creates = append(creates, createChange(want))
			continue
		}
		have := ls[0]
		fields, err := diff(viewIntegration(have), viewIntegration(want))
		if err != nil {
			return nil, nil, append(errs, err)
		}
		if len(fields) == 0 {
			continue
		}
		c := Change{
			Action:      Update,
			Resource:    ResourceIntegration,
			Key:         want.ReferenceID,
			Integration: &IntegrationChange{Before: &have, After: &want},
			Fields:      fields,
			Reason:      fieldNames(fields) + differ(fields) + " from the spec",
		}
		if hasField(fields, fieldIntegrationType) {
			c.Action = Replace
			c.Reason = "integration_type cannot be changed in place" + inactiveNote(want)
			replaces = append(replaces, c)
		} else {
			updates = append(updates, c)
		}
	}

	var kept []state.Integration
	for _, l := range unmanaged {
		if !desired.Prune {
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
			Fields:      allFields(viewIntegration(l), false),
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

	changes := slices.Concat(updates, replaces, creates, deletes)
	for _, c := range changes {
		if err := checkProtect(c); err != nil {
			errs = append(errs, err)
		}
	}
	return changes, kept, errs
}

// createChange is the create of a desired integration: every field is new.
func createChange(want state.Integration) Change {
	return Change{
		Action:      Create,
		Resource:    ResourceIntegration,
		Key:         want.ReferenceID,
		Integration: &IntegrationChange{After: &want},
		Fields:      allFields(viewIntegration(want), true),
		Reason:      "not in the account" + inactiveNote(want),
	}
}

// inactiveNote explains, for an integration that apply must POST, the
// update that follows when it must start inactive.
func inactiveNote(want state.Integration) string {
	if want.Active {
		return ""
	}
	return "; POST takes no active, so apply creates it active, then updates it to active = false"
}

// checkProtect refuses a replace or delete of a protected integration,
// whichever side carries the flag.
func checkProtect(c Change) error {
	if c.Integration == nil || (c.Action != Replace && c.Action != Delete) {
		return nil
	}
	for _, in := range []*state.Integration{c.Integration.Before, c.Integration.After} {
		if in != nil && in.Protect {
			return &ProtectedError{ReferenceID: c.Key, Action: c.Action}
		}
	}
	return nil
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
