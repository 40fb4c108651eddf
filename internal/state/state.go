// Package state is riskctl's domain vocabulary: one account's risk scoring
// configuration, the same types whether it is desired (loaded from a spec)
// or live (fetched through internal/remote), and the field table (Fields)
// that says what each field is and what riskctl does with it. plan.Compute
// diffs two accounts. Wire types stay in remote; positions in the YAML,
// and the spec's policy (prune, protect, ignore), which says how to
// reconcile rather than what an account holds, stay in spec.
package state

import (
	"cmp"
	"slices"
	"strings"
	"time"
)

// Account is one account's risk scoring configuration.
type Account struct {
	AccountID string
	// Behaviors maps behavior keys (imp_travel, high_dlp, ...) to their
	// settings. Desired: only the managed keys. Live: every key.
	Behaviors map[string]Behavior
	// Integrations, desired in spec order, live in API order.
	Integrations []Integration
}

// Behavior is the part of a risk behavior riskctl manages.
type Behavior struct {
	Enabled   bool
	RiskLevel string // low, medium or high, lower-case
	// Name is computed by Cloudflare (live only); shown, never compared.
	Name string
}

// Integration is an Okta risk-score integration, matched by ReferenceID.
type Integration struct {
	ReferenceID     string
	IntegrationType string // "Okta"
	TenantURL       string
	Active          bool
	// ID is the server's UUID (live only): what apply addresses.
	ID string
	// CreatedAt is when the server created it (live only). It decides
	// which of several integrations sharing a reference_id is kept (see
	// Survivor); it is never compared or written.
	CreatedAt time.Time
}

// Survivor is the one rule for integrations that share a reference_id
// (two runs created the same one at once, or someone did by hand): the
// earliest created is kept, and among those created in the same second
// (the API's created_at has whole seconds) the lowest id. Every run that
// sees the same integrations picks the same survivor, so concurrent runs
// agree on which to keep without talking to each other. extras are the
// others, oldest first. ins must not be empty; it is not modified.
func Survivor(ins []Integration) (keep Integration, extras []Integration) {
	sorted := slices.Clone(ins)
	slices.SortFunc(sorted, func(a, b Integration) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), strings.Compare(a.ID, b.ID))
	})
	return sorted[0], sorted[1:]
}
