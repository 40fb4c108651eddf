package plan

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/riskctl/riskctl/internal/spec"
	"github.com/riskctl/riskctl/internal/state"
)

// Options change what ComputeWith plans. The zero value plans everything,
// as Compute does.
type Options struct {
	// Targets, when not empty, restrict the plan to these objects: its
	// changes, unmanaged lists and ignored differences concern them only.
	// Each must name an object of the spec or of the account.
	Targets []Target
	// Dedupe resolves a reference_id that several live integrations share
	// instead of refusing the plan: the one state.Survivor picks is the
	// spec's, and each of the others is a Delete change.
	Dedupe bool
	// Copies, when not nil, is what the account's audit log says of the
	// origin of the live integrations that share a reference_id
	// (copies.go): without Dedupe, a reference_id whose every extra copy
	// riskctl provably created, with the spec's values and not protected,
	// is resolved as Dedupe would, and any other refusal says why per
	// copy. nil: every shared reference_id is refused, as no proof was
	// looked for.
	Copies *CopyOrigins
	// Policy is the spec's policy for the desired account: prune, protect
	// and the ignore lists (spec.File.Policy). The zero value prunes
	// nothing, protects nothing and ignores nothing.
	Policy spec.Policy
}

// Target names one object: a behavior by key or an integration by
// reference_id. It is written "behavior:KEY" or "integration:REFERENCE_ID".
type Target struct {
	Resource Resource
	Key      string
}

// String is the form ParseTarget reads: "behavior:imp_travel".
func (t Target) String() string { return string(t.Resource) + ":" + t.Key }

const targetForms = "expected behavior:KEY or integration:REFERENCE_ID"

// ParseTarget reads "behavior:KEY" or "integration:REFERENCE_ID". The key
// is everything after the first colon, so reference_ids may hold colons;
// it must not be empty (an integration without a reference_id cannot be
// targeted).
func ParseTarget(s string) (Target, error) {
	resource, key, ok := strings.Cut(s, ":")
	if !ok {
		return Target{}, fmt.Errorf("invalid target %q: %s", s, targetForms)
	}
	switch r := Resource(resource); r {
	case ResourceBehavior, ResourceIntegration:
		if key == "" {
			return Target{}, fmt.Errorf("invalid target %q: the %s after %q is empty (%s)", s, targetKeyName(r), resource+":", targetForms)
		}
		return Target{Resource: r, Key: key}, nil
	}
	return Target{}, fmt.Errorf("invalid target %q: unknown resource %q (%s)", s, resource, targetForms)
}

func targetKeyName(r Resource) string {
	if r == ResourceIntegration {
		return state.FieldReferenceID
	}
	return "key"
}

// selection is the set of targeted objects; nil selects everything.
type selection map[Target]bool

func (s selection) has(r Resource, key string) bool {
	return s == nil || s[Target{Resource: r, Key: key}]
}

// selectTargets checks targets against both accounts. It returns the
// selection (nil for no targets), the targets as sorted unique strings for
// Plan.Targets, and an *UnknownTargetError per target that names nothing.
func selectTargets(targets []Target, desired, live state.Account) (selection, []string, []error) {
	if len(targets) == 0 {
		return nil, nil, nil
	}
	sel := make(selection, len(targets))
	var errs []error
	for _, t := range targets {
		if sel[t] {
			continue
		}
		sel[t] = true
		if !exists(t, desired, live) {
			errs = append(errs, &UnknownTargetError{Target: t})
		}
	}
	names := make([]string, 0, len(sel))
	for t := range maps.Keys(sel) {
		names = append(names, t.String())
	}
	slices.Sort(names)
	slices.SortFunc(errs, func(a, b error) int { return strings.Compare(a.Error(), b.Error()) })
	return sel, names, errs
}

// exists reports whether t names an object of the spec or the account.
func exists(t Target, desired, live state.Account) bool {
	switch t.Resource {
	case ResourceBehavior:
		_, inSpec := desired.Behaviors[t.Key]
		_, inAccount := live.Behaviors[t.Key]
		return inSpec || inAccount
	case ResourceIntegration:
		named := func(in state.Integration) bool { return in.ReferenceID == t.Key }
		return slices.ContainsFunc(desired.Integrations, named) || slices.ContainsFunc(live.Integrations, named)
	}
	return false
}
