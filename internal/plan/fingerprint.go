package plan

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"maps"
	"slices"
	"strings"

	"github.com/riskctl/riskctl/internal/state"
)

// fingerprintVersion is part of the hashed form, so that a change to that
// form makes every older saved plan stale rather than falsely fresh.
const fingerprintVersion = 1

type fingerprintState struct {
	Version      int                      `json:"version"`
	Behaviors    []fingerprintBehavior    `json:"behaviors"`
	Integrations []fingerprintIntegration `json:"integrations"`
}

type fingerprintBehavior struct {
	Key       string `json:"key"`
	Enabled   bool   `json:"enabled"`
	RiskLevel string `json:"risk_level"`
}

type fingerprintIntegration struct {
	ID              string `json:"id"`
	ReferenceID     string `json:"reference_id"`
	IntegrationType string `json:"integration_type"`
	TenantURL       string `json:"tenant_url"`
	Active          bool   `json:"active"`
}

// Fingerprint digests the live state a plan depends on: every behavior's
// key, enabled and risk_level (by key) and every integration's id,
// reference_id, integration_type, tenant_url and active (by id), as the
// hex SHA-256 of a canonical JSON form. Values are hashed as fetched, not
// canonicalised: any write to them makes a saved plan stale. Computed
// fields that no plan reads (names, created_at, ...) are left out, and so
// is the order the API listed things in.
func Fingerprint(live state.Account) string {
	fs := fingerprintState{
		Version:      fingerprintVersion,
		Behaviors:    []fingerprintBehavior{},
		Integrations: []fingerprintIntegration{},
	}
	for _, key := range slices.Sorted(maps.Keys(live.Behaviors)) {
		b := live.Behaviors[key]
		fs.Behaviors = append(fs.Behaviors, fingerprintBehavior{Key: key, Enabled: b.Enabled, RiskLevel: b.RiskLevel})
	}
	for _, in := range live.Integrations {
		fs.Integrations = append(fs.Integrations, fingerprintIntegration{
			ID:              in.ID,
			ReferenceID:     in.ReferenceID,
			IntegrationType: in.IntegrationType,
			TenantURL:       in.TenantURL,
			Active:          in.Active,
		})
	}
	// Sort on every field, so that even (impossible) equal ids give one order.
	slices.SortFunc(fs.Integrations, func(a, b fingerprintIntegration) int {
		for _, c := range []int{
			strings.Compare(a.ID, b.ID),
			strings.Compare(a.ReferenceID, b.ReferenceID),
			strings.Compare(a.IntegrationType, b.IntegrationType),
			strings.Compare(a.TenantURL, b.TenantURL),
		} {
			if c != 0 {
				return c
			}
		}
		switch {
		case a.Active == b.Active:
			return 0
		case !a.Active:
			return -1
		}
		return 1
	})
	data, err := json.Marshal(fs)
	if err != nil {
		panic("plan: fingerprint: " + err.Error()) // strings and bools always marshal
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}
