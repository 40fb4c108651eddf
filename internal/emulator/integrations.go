package emulator

import (
	"net/http"
	"slices"

	"github.com/google/uuid"
)

// integrationTypeOkta is the only value of dlp_RiskScoreIntegrationType.
const integrationTypeOkta = "Okta"

// The longest tenant_url and reference_id the emulator stores. The schema
// sets no maxLength (docs/api.md#integrations); an Okta tenant URL is a
// few dozen bytes and 2 KiB is the usual limit of a URL. With the body cap
// (maxBodyBytes) alone, 150 creates of 900 KB grew the state by gigabytes;
// with these an integration stays under 3 KiB, and an account of
// DefaultMaxIntegrations under 3 MiB.
const (
	maxTenantURLBytes   = 2048
	maxReferenceIDBytes = 512
)

// wellKnownURL is the SSF configuration URL as real responses give it:
// absolute, no trailing slash (docs/api.md#integrations), unlike the spec's example.
func wellKnownURL(id string) string {
	return "https://ssf.risk-score.teams.cloudflare.com/.well-known/sse-configuration/" + id
}

// listIntegrations answers a bare array, as the real API does, unless
// Options.IntegrationsPageSize asks for pagination (to exercise clients
// that follow pages). With Options.ReadLag it answers the lagging view.
func (e *Emulator) listIntegrations(c *call) reply {
	all := slices.Clone(e.visibleLocked(c))
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
	view := e.visibleLocked(c)
	i := indexIntegration(view, c.id)
	if i < 0 {
		return integrationNotFound(c.id)
	}
	return ok(view[i])
}

// getIntegrationByReference answers the oldest integration with that
// reference_id; the API does not keep reference ids unique.
func (e *Emulator) getIntegrationByReference(c *call) reply {
	for _, in := range e.visibleLocked(c) { // sorted by created_at
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
	if okTenant && body.maxLen("tenant_url", tenant, maxTenantURLBytes) {
		body.absoluteURL("tenant_url", tenant)
	}
	ref, given := body.str("reference_id", false)
	if given {
		body.maxLen("reference_id", ref, maxReferenceIDBytes)
	} else {
		// Omitted or null: "a random UUIDv4 is used" (Terraform v4 docs, docs/api.md#integrations).
		ref = uuid.NewString()
	}
	if rp := body.failed(); rp != nil {
		return *rp
	}
	// After validation, as a quota is checked on a request that would
	// otherwise succeed. 400 is what Cloudflare answers when an account's
	// quota of objects is used up (docs/emulator.md#caps).
	if n := len(c.acc.Integrations); n >= e.maxInts {
		return failf(http.StatusBadRequest, codeQuotaExceeded,
			"Integration quota exceeded: the account holds %d integrations, the most it may have (emulator serve --max-integrations)", n)
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
	c.acc.insertIntegration(in)
	e.lagLocked(c.account, id, nil)
	if rp := e.commitLocked(c, record{Op: opIntegration, Integration: &in}); rp != nil {
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
	if okTenant && body.maxLen("tenant_url", tenant, maxTenantURLBytes) {
		body.absoluteURL("tenant_url", tenant)
	}
	active, _ := body.boolean("active", true)
	ref, given := body.str("reference_id", false)
	if given {
		body.maxLen("reference_id", ref, maxReferenceIDBytes)
	}
	if rp := body.failed(); rp != nil {
		return *rp
	}
	in := &c.acc.Integrations[i]
	before := *in
	in.TenantURL, in.Active, in.ReferenceID = tenant, active, ref
	out := *in
	e.lagLocked(c.account, out.ID, &before)
	if rp := e.commitLocked(c, record{Op: opIntegration, Integration: &out}); rp != nil {
		return *rp
	}
	return ok(out)
}

func (e *Emulator) deleteIntegration(c *call) reply {
	i := c.acc.integration(c.id)
	if i < 0 {
		return integrationNotFound(c.id)
	}
	before := c.acc.Integrations[i]
	c.acc.Integrations = slices.Delete(c.acc.Integrations, i, i+1)
	e.lagLocked(c.account, before.ID, &before)
	if rp := e.commitLocked(c, record{Op: opDeleteIntegration, ID: before.ID}); rp != nil {
		return *rp
	}
	return ok(empty)
}

func integrationNotFound(id string) reply {
	return failf(http.StatusNotFound, codeNoIntegration, "Integration %s not found", id)
}
