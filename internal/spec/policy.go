package spec

// Policy is what a spec says about how to reconcile its account, beside the
// values it wants: prune, protect and ignore. An account never holds them,
// so they are not part of state.Account; plan.ComputeWith takes them
// (plan.Options.Policy).
type Policy struct {
	// Prune deletes live integrations the spec does not name.
	Prune bool
	// AllowUnmanaged (unmanaged_integrations: allow) lists the active live
	// integrations no spec manages without making each a finding, for a
	// team that shares the account with another tool. The default
	// (report) makes each a finding: it streams risk scores to a tenant
	// the spec does not declare.
	AllowUnmanaged bool
	// Behaviors (by key) and Integrations (by reference_id) hold each
	// object's own policy; an object with none may be absent.
	Behaviors    map[string]ObjectPolicy
	Integrations map[string]ObjectPolicy
}

// ObjectPolicy is one behavior's or integration's policy.
type ObjectPolicy struct {
	// Label (integrations only) is the spec's name for the integration,
	// for people: every output that names the integration shows it. It is
	// local: never sent to the API, never compared, never in live state.
	Label string
	// Protect (integrations only) refuses plans that replace or delete it.
	Protect bool
	// Ignore names fields (state.Field.Ignorable) whose differences plans
	// report but never act on.
	Ignore []string
}

// The spec's policy keys: they are the spec's, not fields of an object.
// label is with them: it says how to name an object, not what it holds.
const (
	keyPrune   = "prune"
	keyProtect = "protect"
	keyIgnore  = "ignore"
	keyLabel   = "label"

	keyUnmanagedIntegrations = "unmanaged_integrations"
)

// The values of unmanaged_integrations.
const (
	UnmanagedReport = "report"
	UnmanagedAllow  = "allow"
)

// MaxLabelRunes is the longest label a spec may give an integration: a
// name for a table cell or a progress line, not a description.
const MaxLabelRunes = 64
