package planfile

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/riskctl/riskctl/internal/plan"
	"github.com/riskctl/riskctl/internal/state"
)

// StaleError refuses to apply a saved plan because the account or the
// spec files changed since the plan was made. It matches plan.ErrRefused.
type StaleError struct {
	AccountID string
	// SpecChanged: the spec files' digest differs; SpecFiles are the
	// files the plan names (the digest covers them together).
	SpecChanged bool
	SpecFiles   []string
	// LiveChanges are the differences between the live state the plan was
	// computed from and the live state now, as LiveChanges returns them.
	// Empty when the live state did not change.
	LiveChanges []string
}

// Error names every change, one per line, and ends with what to do.
func (e *StaleError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "plan for account %s is stale: ", e.AccountID)
	if len(e.LiveChanges) > 0 {
		b.WriteString("the account changed since the plan was made:\n")
		for _, c := range e.LiveChanges {
			b.WriteString("  " + c + "\n")
		}
	}
	if e.SpecChanged {
		fmt.Fprintf(&b, "the spec files changed since the plan was made: %s\n", strings.Join(e.SpecFiles, ", "))
	}
	b.WriteString("run riskctl plan again and review the new plan")
	return b.String()
}

// Is makes errors.Is(err, plan.ErrRefused) true: a stale plan is refused
// by a safety rule.
func (e *StaleError) Is(target error) bool { return target == plan.ErrRefused }

// CheckStale returns nil when saved can be applied: the fresh live state
// has the fingerprint the plan was computed from, and specDigest (the
// SpecDigest of saved.SpecFiles now) is the one saved. Otherwise it
// returns a *StaleError naming every change.
func CheckStale(saved Account, live state.Account, specDigest string) error {
	liveChanged := plan.Fingerprint(live) != saved.LiveFingerprint
	specChanged := specDigest != saved.SpecDigest
	if !liveChanged && !specChanged {
		return nil
	}
	e := &StaleError{AccountID: saved.AccountID, SpecChanged: specChanged, SpecFiles: slices.Clone(saved.SpecFiles)}
	if liveChanged {
		e.LiveChanges = LiveChanges(saved.Live, live)
		if len(e.LiveChanges) == 0 {
			// The snapshot agrees with the live state but the fingerprint
			// does not: it is computed another way than when the plan was
			// made (another riskctl), so nothing can be vouched for.
			e.LiveChanges = []string{"the live state's fingerprint differs from the plan's (was the plan made by another riskctl version?)"}
		}
	}
	return e
}

// LiveChanges lists the differences from before to after, in the fields a
// plan fingerprint covers (state.Field.Fingerprinted): behaviors by key
// (enabled, risk_level; added, removed), then integrations by id
// (reference_id, integration_type, tenant_url, active; created, deleted). Behaviors come in key order,
// integrations in reference_id then id order, fields in that fixed order.
// Values are compared as fetched.
func LiveChanges(before, after state.Account) []string {
	var out []string
	for _, key := range slices.Sorted(maps.Keys(unionKeys(before.Behaviors, after.Behaviors))) {
		b, inBefore := before.Behaviors[key]
		a, inAfter := after.Behaviors[key]
		label := fmt.Sprintf("behavior %q: ", key)
		switch {
		case !inBefore:
			out = append(out, label+"added by Cloudflare")
		case !inAfter:
			out = append(out, label+"removed from the account")
		default:
			for _, f := range behaviorSnapshot {
				if was, now := state.Text(f, &b), state.Text(f, &a); was != now {
					out = append(out, label+f.Name+" "+valueText(f, was)+" → "+valueText(f, now))
				}
			}
		}
	}
	return append(out, integrationChanges(before.Integrations, after.Integrations)...)
}

func unionKeys(a, b map[string]state.Behavior) map[string]bool {
	keys := make(map[string]bool, len(a)+len(b))
	for k := range a {
		keys[k] = true
	}
	for k := range b {
		keys[k] = true
	}
	return keys
}

// integrationKey identifies an integration by id; n numbers repeats of
// one id (which the API never returns) so that none is lost.
type integrationKey struct {
	id string
	n  int
}

func indexIntegrations(ins []state.Integration) map[integrationKey]state.Integration {
	index := make(map[integrationKey]state.Integration, len(ins))
	seen := map[string]int{}
	for _, in := range ins {
		index[integrationKey{in.ID, seen[in.ID]}] = in
		seen[in.ID]++
	}
	return index
}

func integrationChanges(before, after []state.Integration) []string {
	type entry struct {
		ref, id string
		lines   []string
	}
	var entries []entry
	was, now := indexIntegrations(before), indexIntegrations(after)
	for k, b := range was {
		label := integrationLabel(b)
		a, ok := now[k]
		if !ok {
			entries = append(entries, entry{b.ReferenceID, b.ID, []string{deletedOrCreated(b, "deleted")}})
			continue
		}
		var lines []string
		for _, f := range integrationSnapshot {
			if f.Role == state.Computed {
				continue // the id, which pairs them
			}
			if was, now := state.Text(f, &b), state.Text(f, &a); was != now {
				lines = append(lines, label+": "+f.Name+" "+valueText(f, was)+" → "+valueText(f, now))
			}
		}
		if len(lines) > 0 {
			entries = append(entries, entry{b.ReferenceID, b.ID, lines})
		}
	}
	for k, a := range now {
		if _, ok := was[k]; !ok {
			entries = append(entries, entry{a.ReferenceID, a.ID, []string{deletedOrCreated(a, "created")}})
		}
	}
	slices.SortFunc(entries, func(x, y entry) int {
		return cmp.Or(strings.Compare(x.ref, y.ref), strings.Compare(x.id, y.id), slices.Compare(x.lines, y.lines))
	})
	var out []string
	for _, e := range entries {
		out = append(out, e.lines...)
	}
	return out
}

// valueText writes a value in a message: a boolean as it is, a string
// quoted, a tenant URL with its host in ASCII (state.DisplayURL), so that
// a live change to a look-alike host never reads as no change.
func valueText(f state.Field, text string) string {
	if f.Type == state.Bool {
		return text
	}
	if f.Name == state.FieldTenantURL {
		text = state.DisplayURL(text)
	}
	return strconv.Quote(text)
}

// integrationLabel names an integration as plans do
// (state.IntegrationName): by reference_id, or by id when it has none,
// with its tenant URL.
func integrationLabel(in state.Integration) string {
	return state.IntegrationName(in.ReferenceID, in.ID, in.TenantURL, "")
}

func deletedOrCreated(in state.Integration, what string) string {
	if in.ReferenceID == "" {
		return integrationLabel(in) + ": " + what
	}
	return fmt.Sprintf("%s: %s (id %s)", integrationLabel(in), what, in.ID)
}
