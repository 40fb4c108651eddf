package assess

import (
	"cmp"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"golang.org/x/net/idna"

	"github.com/riskctl/riskctl/internal/state"
)

// Finding kinds: the interface scripts and the CI kit rely on.
const (
	KindUnmanagedActiveIntegration = "unmanaged_active_integration"
	KindIdPMissing                 = "idp_missing"
	KindIdPNotOkta                 = "idp_not_okta"
	KindIdPTenantMismatch          = "idp_tenant_mismatch"
)

// IdPTypeOkta is an identity provider's type for Okta.
const IdPTypeOkta = "okta"

// Finding is one break in how risk scores are wired.
type Finding struct {
	Kind        string `json:"kind"`
	ReferenceID string `json:"reference_id"`
	Detail      string `json:"detail"`
}

// Wiring is what the wiring check reads.
type Wiring struct {
	// Integrations are checked against the identity providers: the
	// integrations as they will be after the plan (the spec's, and the
	// live ones no spec manages).
	Integrations []state.Integration
	// IdentityProviders are the account's. nil means they were not read:
	// the identity provider checks are skipped (the caller says so).
	IdentityProviders []state.IdentityProvider
	// Live are the account's integrations, and Managed the reference_ids
	// a spec manages: an active live integration outside Managed is a
	// finding.
	Live    []state.Integration
	Managed map[string]bool
}

// Findings returns the breaks in w, sorted by kind, reference_id and
// detail, without repeats.
func Findings(w Wiring) []Finding {
	out := []Finding{}
	for _, in := range w.Live {
		if in.Active && (in.ReferenceID == "" || !w.Managed[in.ReferenceID]) {
			out = append(out, Finding{
				Kind: KindUnmanagedActiveIntegration, ReferenceID: in.ReferenceID,
				Detail: fmt.Sprintf("integration %q is active and no spec manages it: it sends risk scores to %s",
					in.ID, showURL(in.TenantURL)),
			})
		}
	}
	if w.IdentityProviders != nil {
		idps := make(map[string]state.IdentityProvider, len(w.IdentityProviders))
		for _, p := range w.IdentityProviders {
			if _, dup := idps[p.ID]; !dup {
				idps[p.ID] = p
			}
		}
		for _, in := range w.Integrations {
			if f, ok := wiring(in, idps); ok {
				out = append(out, f)
			}
		}
	}
	slices.SortFunc(out, compareFindings)
	return slices.Compact(out)
}

func compareFindings(x, y Finding) int {
	return cmp.Or(cmp.Compare(x.Kind, y.Kind), cmp.Compare(x.ReferenceID, y.ReferenceID), cmp.Compare(x.Detail, y.Detail))
}

// wiring checks one integration against the identity providers.
func wiring(in state.Integration, idps map[string]state.IdentityProvider) (Finding, bool) {
	f := Finding{ReferenceID: in.ReferenceID}
	p, ok := idps[in.ReferenceID]
	switch {
	case in.ReferenceID == "":
		f.Kind = KindIdPMissing
		f.Detail = fmt.Sprintf("the integration for %s has no reference_id, so it names no identity provider", showURL(in.TenantURL))
	case !ok:
		f.Kind = KindIdPMissing
		f.Detail = fmt.Sprintf("no identity provider has id %q, which the integration for %s names as its reference_id", in.ReferenceID, showURL(in.TenantURL))
	case !strings.EqualFold(p.Type, IdPTypeOkta):
		f.Kind = KindIdPNotOkta
		f.Detail = fmt.Sprintf("identity provider %q (id %q) is of type %q, not okta; the integration for %s names it", p.Name, p.ID, p.Type, showURL(in.TenantURL))
	default:
		want, wok := Host(in.TenantURL)
		got, gok := Host(p.OktaAccount)
		if wok && gok && want == got {
			return Finding{}, false
		}
		f.Kind = KindIdPTenantMismatch
		f.Detail = fmt.Sprintf("identity provider %q (id %q) has okta_account host %s, the integration's tenant_url host is %s",
			p.Name, p.ID, showHost(p.OktaAccount), showHost(in.TenantURL))
	}
	return f, true
}

// Host returns the host a URL (or a bare host name, as okta_account may
// be written) names, in the ASCII form DNS uses: lower-case, international
// names in punycode (IDNA, the lookup profile). ok is false when raw names
// no host that profile accepts; two such hosts are never called the same.
func Host(raw string) (host string, ok bool) {
	s := strings.TrimSpace(raw)
	if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil || u.Hostname() == "" {
		return "", false
	}
	h, err := idna.Lookup.ToASCII(strings.TrimSuffix(u.Hostname(), "."))
	if err != nil || h == "" {
		return "", false
	}
	return strings.ToLower(h), true
}

// showURL prints a URL with its host in ASCII, so that a look-alike host
// never prints like the one it imitates.
func showURL(raw string) string {
	h, ok := Host(raw)
	u, err := url.Parse(strings.TrimSpace(raw))
	if !ok || err != nil || u.Host == "" {
		return fmt.Sprintf("%q (not a valid URL)", raw)
	}
	if port := u.Port(); port != "" {
		h += ":" + port
	}
	u.Host = h
	return u.Redacted()
}

// showHost prints a URL's host in ASCII, or says it has none.
func showHost(raw string) string {
	if h, ok := Host(raw); ok {
		return h
	}
	if strings.TrimSpace(raw) == "" {
		return "(none)"
	}
	return fmt.Sprintf("(not a valid host: %q)", raw)
}
