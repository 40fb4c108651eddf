package plan

import (
	"fmt"
	"strings"

	"github.com/riskctl/riskctl/internal/state"
)

// FormatVersion is the version of the JSON rendering of a Plan. It changes
// only when a field is removed or changes meaning.
const FormatVersion = "1"

// Action is what apply does to one object.
type Action string

const (
	Create  Action = "create"  // POST a new integration (plus an update when it must start inactive)
	Update  Action = "update"  // PUT changed fields (behaviors, integrations)
	Replace Action = "replace" // DELETE the live integration, then POST the desired one
	Delete  Action = "delete"  // DELETE a live integration (prune)
)

// DeletesLive reports whether the action deletes a live integration: a
// delete, or the first half of a replace. It is what the delete limit
// counts and what reports warn about.
func (a Action) DeletesLive() bool { return a == Delete || a == Replace }

// Resource is the kind of object a Change is about.
type Resource string

const (
	ResourceBehavior    Resource = "behavior"
	ResourceIntegration Resource = "integration"
)

// Plan is the pure result of Compute: what apply must do to make the live
// account match the desired one. It holds no closures and no credentials,
// so it can be rendered, saved and compared.
type Plan struct {
	AccountID string
	// Changes in apply order: behaviors (by key), then integrations by
	// action (update, replace, create, delete) and reference_id.
	Changes []Change
	// Unmanaged objects: live, not in the spec, left alone. With prune,
	// unmanaged integrations are Delete changes instead, so this lists none.
	UnmanagedBehaviors    []string            // behavior keys, sorted
	UnmanagedIntegrations []state.Integration // sorted by reference_id, then id
	// Targets, when not empty, restricted the plan to these objects
	// ("behavior:KEY", "integration:REFERENCE_ID"): it is a partial plan.
	Targets []string
	// Dedupe records that the plan was computed with Options.Dedupe: it
	// deletes the extra integrations of a shared reference_id.
	Dedupe bool
	// Ignored lists the differences kept out of Changes by the spec's
	// per-object ignore lists, so the plan can say how many were ignored.
	Ignored []IgnoredDiff
	// LiveFingerprint is a digest of the live state the plan was computed
	// from (hex SHA-256 of its canonical form); a saved plan is stale when
	// a fresh fetch gives another fingerprint.
	LiveFingerprint string
}

// Change is one action on one object.
type Change struct {
	Action   Action
	Resource Resource
	// Key is the behavior key or the integration's reference_id.
	Key string
	// Exactly one of Behavior and Integration is set, per Resource.
	Behavior    *BehaviorChange
	Integration *IntegrationChange
	// Fields lists the changed fields, in a fixed order, as go-cmp found them.
	Fields []FieldDiff
	// Reason explains the action to people; apply never reads it.
	Reason string
}

// BehaviorChange is an update of one managed behavior.
type BehaviorChange struct {
	Before state.Behavior
	After  state.Behavior
}

// IntegrationChange carries the live and desired integration. Before is nil
// for a create, After is nil for a delete. Protect records that the spec
// protects the desired integration (its policy, not a value of it).
type IntegrationChange struct {
	Before  *state.Integration
	After   *state.Integration
	Protect bool
	// Kept is, for the delete of a duplicate (--dedupe, or a copy the
	// audit log proves riskctl's), the copy of the same reference_id that
	// stays: while it feeds the same tenant, the delete stops no feed
	// (Change.Class).
	Kept *state.Integration
	// Label is the spec's label of the integration (spec.ObjectPolicy),
	// "" when it has none or is not in the spec: a name for people,
	// never sent to the API.
	Label string
}

// TenantURL is the tenant URL that names c's integration: the live one
// (Before), whose feed the change is about, else the desired one (After).
// "" for a behavior.
func (c Change) TenantURL() string {
	switch {
	case c.Resource != ResourceIntegration || c.Integration == nil:
		return ""
	case c.Integration.Before != nil:
		return c.Integration.Before.TenantURL
	case c.Integration.After != nil:
		return c.Integration.After.TenantURL
	}
	return ""
}

// Label is the spec's label of c's integration, "" when none.
func (c Change) Label() string {
	if c.Resource != ResourceIntegration || c.Integration == nil {
		return ""
	}
	return c.Integration.Label
}

// FieldDiff is one changed field, with both values rendered as text.
type FieldDiff struct {
	Field  string // e.g. "enabled", "risk_level", "tenant_url"
	Before string
	After  string
}

// IgnoredDiff is a difference the spec said to ignore.
type IgnoredDiff struct {
	Resource Resource
	Key      string
	Field    string
	Live     string
	Desired  string
}

// Summary counts the changes by action; String gives Terraform's line.
// Weakening counts the changes of class state.Weakening (of any action).
type Summary struct {
	Add, Change, Replace, Destroy int
	Weakening                     int
}

// Summary counts p's changes.
func (p Plan) Summary() Summary { return SummaryOf(p.Changes) }

// SummaryOf counts changes by action, as Plan.Summary does, for any list
// of changes: a subset of one plan's (a report section) or those of
// several plans. Actions Summary has no field for are not counted.
func SummaryOf(changes []Change) Summary {
	var s Summary
	for _, c := range changes {
		if n := s.counter(c.Action); n != nil {
			*n++
		}
		if c.Class() == state.Weakening {
			s.Weakening++
		}
	}
	return s
}

// Actions lists every action in Summary's order: Create, Update, Replace,
// Delete. The slice is new on every call.
func Actions() []Action { return []Action{Create, Update, Replace, Delete} }

// Count is the number of a's changes in s (0 for an unknown action).
func (s Summary) Count(a Action) int {
	if n := s.counter(a); n != nil {
		return *n
	}
	return 0
}

// counter is the field of s that counts a, nil when none does.
func (s *Summary) counter(a Action) *int {
	switch a {
	case Create:
		return &s.Add
	case Update:
		return &s.Change
	case Replace:
		return &s.Replace
	case Delete:
		return &s.Destroy
	}
	return nil
}

// LiveID is the id of the live integration c is about: its Before's id.
// It is "" for a behavior and for a create (nothing live yet).
func (c Change) LiveID() string {
	if c.Resource == ResourceIntegration && c.Integration != nil && c.Integration.Before != nil {
		return c.Integration.Before.ID
	}
	return ""
}

// Title names c's object for people: behavior "KEY", or for an
// integration state.IntegrationName: integration "REF" (TENANT_URL, label
// "LABEL"), or integration (id "…", no reference_id, TENANT_URL) for one
// without a reference_id, the id being LiveID and the tenant URL
// TenantURL, its host in ASCII. Every output that names an integration
// change uses it, so that a reviewer always sees which tenant it is.
func (c Change) Title() string {
	if c.Resource == ResourceIntegration {
		return state.IntegrationName(c.Key, c.LiveID(), c.TenantURL(), c.Label())
	}
	return fmt.Sprintf("%s %q", c.Resource, c.Key)
}

// Effects are what c does that is not neutral, each with its class and
// what it weakens or strengthens (state.BehaviorEffects,
// state.IntegrationEffects: the rules live beside the field table). They
// are derived from c's values and changed fields, never stored, so a
// saved plan cannot carry a class its values do not have.
func (c Change) Effects() []state.Effect {
	if c.deletesARedundantCopy() {
		return nil
	}
	switch b, in, diffs := c.classArgs(); {
	case b != nil:
		return state.BehaviorEffects(*b, diffs)
	case in != nil:
		return state.IntegrationEffects(in.Before, in.After, diffs)
	}
	return nil
}

// Class is c's class: weakening, strengthening or neutral (the class of
// its Effects).
func (c Change) Class() state.Class {
	if c.deletesARedundantCopy() {
		return state.Neutral
	}
	switch b, in, diffs := c.classArgs(); {
	case b != nil:
		return state.BehaviorClass(*b, diffs)
	case in != nil:
		return state.IntegrationClass(in.Before, in.After, diffs)
	}
	return state.Neutral
}

// deletesARedundantCopy reports whether c deletes a duplicate of an
// integration whose kept copy is active and feeds the same tenant: its
// tenant goes on receiving the same scores from the kept copy, so the
// delete weakens nothing, whatever the deleted copy was doing.
func (c Change) deletesARedundantCopy() bool {
	if c.Action != Delete || c.Integration == nil || c.Integration.Before == nil || c.Integration.Kept == nil {
		return false
	}
	gone, kept := c.Integration.Before, c.Integration.Kept
	return kept.Active && strings.EqualFold(gone.IntegrationType, kept.IntegrationType) &&
		CanonicalTenantURL(gone.TenantURL) == CanonicalTenantURL(kept.TenantURL)
}

// classArgs are what classes see of c: the behavior before (named, when
// either side has its name) or the integration change, and the changed
// fields.
func (c Change) classArgs() (*state.Behavior, *IntegrationChange, []state.Diff) {
	diffs := make([]state.Diff, len(c.Fields))
	for i, f := range c.Fields {
		diffs[i] = state.Diff(f)
	}
	switch {
	case c.Resource == ResourceBehavior && c.Behavior != nil:
		b := c.Behavior.Before
		if b.Name == "" {
			b.Name = c.Behavior.After.Name
		}
		return &b, nil, diffs
	case c.Resource == ResourceIntegration && c.Integration != nil:
		return nil, c.Integration, diffs
	}
	return nil, nil, nil
}

// Weakening lists p's changes of class state.Weakening, in plan order.
func (p Plan) Weakening() []Change {
	var out []Change
	for _, c := range p.Changes {
		if c.Class() == state.Weakening {
			out = append(out, c)
		}
	}
	return out
}

// HasChanges reports whether applying p would write anything.
func (p Plan) HasChanges() bool { return len(p.Changes) > 0 }
