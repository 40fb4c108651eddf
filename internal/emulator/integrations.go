package emulator

import (
	"net/http"
	"slices"

	"github.com/google/uuid"
)

// integrationTypeOkta is the only value of dlp_RiskScoreIntegrationType.
const integrationTypeOkta = "Okta"

// wellKnownURL is the SSF configuration URL as real responses give it:
// absolute, no trailing slash (docs/api.md#integrations), unlike the spec's example.
func wellKnownURL(id string) string {
	return "https://ssf.risk-score.teams.cloudflare.com/.well-known/sse-configuration/" + id
}

// listIntegrations answers a bare array, as the real API does, unless
// Options.IntegrationsPageSize asks for pagination (to exercise clients
// that follow pages).
func (e *Emulator) listIntegrations(c *call) reply {
	all := slices.Clone(c.acc.Integrations)
	if e.opts.IntegrationsPageSize <= 0 {
		return ok(all)
	}
	page, perPage, rp := pageParams(c.r, e.opts.IntegrationsPageSize)
	if rp != nil {
		return *rp
	}
	items, info := paginate(all, page, perPage)
	return okPage(items, info)
}

func (e *Emulator) getIntegration(c *call) reply {
	i := c.acc.integration(c.id)
	if i < 0 {
		return integrationNotFound(c.id)
	}
	return ok(c.acc.Integrations[i])
}

// getIntegrationByReference answers the oldest integration with that
// reference_id; the API does not keep reference ids unique.
func (e *Emulator) getIntegrationByReference(c *call) reply {
	for _, in := range c.acc.Integrations { // sorted by created_at
		if in.ReferenceID == c.id {
			return ok(in)
		}
	}
	return failf(http.StatusNotFound, codeNoReference, "No integration with reference_id %q", c.id)
}

// createIntegration validates dlp_CreateIntegrationBody. Any "active" in the
// body is ignored: the schema has none and a new integration is active.
func (e *Emulator) createIntegration(c *call) reply {
	body, rp := parseObject(c.body)
	if rp != nil {
		return *rp
	}
	typ, okType := body.str("integration_type", true)
	if okType {
		body.enum("integration_type", typ, integrationTypeOkta)
	}
	tenant, okTenant := body.str("tenant_url", true)
	if okTenant {
		body.absoluteURL("tenant_url", tenant)
	}
	ref, given := body.str("reference_id", false)
	if !given {
		// Omitted or null: "a random UUIDv4 is used" (Terraform v4 docs, docs/api.md#integrations).
		ref = uuid.NewString()
	}
	if rp := body.failed(); rp != nil {
		return *rp
	}
	id := uuid.NewString() // crypto-random UUIDv4, as the real ids are
	in := Integration{
		ID:              id,
		AccountTag:      c.account,
		IntegrationType: typ,
		ReferenceID:     ref,
		TenantURL:       tenant,
		WellKnownURL:    wellKnownURL(id),
		Active:          true,
		CreatedAt:       e.stamp(),
	}
	c.acc.Integrations = append(c.acc.Integrations, in)
	c.acc.sortIntegrations()
	if rp := e.commitLocked(); rp != nil {
		return *rp
	}
	return ok(in)
}

// updateIntegration overwrites tenant_url, active and reference_id, as the
// spec says; an omitted or null reference_id clears it. integration_type in
// the body (Terraform sends it) is ignored: it cannot change.
func (e *Emulator) updateIntegration(c *call) reply {
	i := c.acc.integration(c.id)
	if i < 0 {
		return integrationNotFound(c.id)
	}
	body, rp := parseObject(c.body)
	if rp != nil {
		return *rp
	}
	tenant, okTenant := body.str("tenant_url", true)
	if okTenant {
		body.absoluteURL("tenant_url", tenant)
	}
	active, _ := body.boolean("active", true)
	ref, _ := body.str("reference_id", false)
	if rp := body.failed(); rp != nil {
		return *rp
	}
	in := &c.acc.Integrations[i]
	in.TenantURL, in.Active, in.ReferenceID = tenant, active, ref
	out := *in
	if rp := e.commitLocked(); rp != nil {
		return *rp
	}
	return ok(out)
}

func (e *Emulator) deleteIntegration(c *call) reply {
	i := c.acc.integration(c.id)
	if i < 0 {
		return integrationNotFound(c.id)
	}
	c.acc.Integrations = slices.Delete(c.acc.Integrations, i, i+1)
	if rp := e.commitLocked(); rp != nil {
		return *rp
	}
	return ok(empty)
}

func integrationNotFound(id string) reply {
	return failf(http.StatusNotFound, codeNoIntegration, "Integration %s not found", id)
}
