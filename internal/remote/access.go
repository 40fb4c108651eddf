package remote

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/riskctl/riskctl/internal/state"
)

// The read-only Access calls: the objects that use risk scores (reusable
// policies, applications with their embedded policies, groups) and the
// identity providers integrations should be wired to
// (docs/api.md#access-policies-and-identity-providers). They are separate
// from API, which is the risk-scoring surface, so that fakes of API need
// not grow; *Client implements both.
//
// Each answer is decoded into internal/state's Access types and nothing
// else is kept: a rule keeps its user_risk_score levels, its group id, or
// only the name of any other selector (an email rule keeps "email", not the
// address), so no personal data is held. Strings are kept as the server
// sent them; escaping is the renderers' job.
//
// A rule that riskctl must evaluate (user_risk_score, group) but cannot
// read is refused with an error naming the object, the list and the rule's
// place in it: keeping it as an unknown selector would make the assessment
// silently skip a rule that does use risk scores, and an honest "not
// checked" is worth more than a confident wrong answer. A selector riskctl
// does not evaluate is kept by name however its body looks.

// AccessReader is the read-only Access surface. Each method follows every
// page, through the client's budget and retry policy. A token without the
// permission gets an error for which NotPermitted is true.
type AccessReader interface {
	// ListAccessPolicies answers GET /accounts/{id}/access/policies.
	ListAccessPolicies(ctx context.Context) ([]state.AccessPolicy, error)
	// ListAccessApps answers GET /accounts/{id}/access/apps.
	ListAccessApps(ctx context.Context) ([]state.AccessApp, error)
	// ListAccessGroups answers GET /accounts/{id}/access/groups.
	ListAccessGroups(ctx context.Context) ([]state.AccessGroup, error)
	// ListIdentityProviders answers GET /accounts/{id}/access/identity_providers.
	ListIdentityProviders(ctx context.Context) ([]state.IdentityProvider, error)
}

var _ AccessReader = (*Client)(nil)

// NotPermitted reports whether err means the credential may not read
// what was asked (HTTP 403, or 401): the caller should say what it could
// not check and go on, rather than fail.
func NotPermitted(err error) bool {
	return errors.Is(err, ErrForbidden) || errors.Is(err, ErrUnauthorized)
}

// wireRules are the three rule lists of a policy or group as the API sends
// them; each rule is one member of the SDK's AccessRule union.
type wireRules struct {
	Include []json.RawMessage `json:"include"`
	Require []json.RawMessage `json:"require"`
	Exclude []json.RawMessage `json:"exclude"`
}

type wirePolicy struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Decision string `json:"decision"`
	Reusable bool   `json:"reusable"`
	wireRules
}

type wireApp struct {
	ID       string       `json:"id"`
	Name     string       `json:"name"`
	Domain   string       `json:"domain"`
	Policies []wirePolicy `json:"policies"`
}

type wireGroup struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	wireRules
}

type wireIdentityProvider struct {
	ID     string          `json:"id"`
	Name   string          `json:"name"`
	Type   string          `json:"type"`
	Config json.RawMessage `json:"config"`
}

// ListAccessPolicies returns the account's reusable policies.
func (c *Client) ListAccessPolicies(ctx context.Context) ([]state.AccessPolicy, error) {
	return listAccess(ctx, c, "list access policies", "/policies", func(w wirePolicy) (state.AccessPolicy, error) {
		p, err := decodePolicy(w)
		p.Reusable = true // this collection holds reusable policies only
		return p, err
	})
}

// ListAccessApps returns the account's applications, each with its
// policies. An embedded policy that is a reusable one may carry only its
// id; it is kept with its id and whatever rules it carries.
func (c *Client) ListAccessApps(ctx context.Context) ([]state.AccessApp, error) {
	return listAccess(ctx, c, "list access apps", "/apps", func(w wireApp) (state.AccessApp, error) {
		app := state.AccessApp{ID: w.ID, Name: w.Name, Domain: w.Domain}
		for _, wp := range w.Policies {
			p, err := decodePolicy(wp)
			if err != nil {
				return state.AccessApp{}, fmt.Errorf("app %q (%q): %w", w.ID, w.Name, err)
			}
			app.Policies = append(app.Policies, p)
		}
		return app, nil
	})
}

// ListAccessGroups returns the account's Access groups.
func (c *Client) ListAccessGroups(ctx context.Context) ([]state.AccessGroup, error) {
	return listAccess(ctx, c, "list access groups", "/groups", func(w wireGroup) (state.AccessGroup, error) {
		rules, err := decodeRules(w.wireRules)
		if err != nil {
			return state.AccessGroup{}, fmt.Errorf("group %q (%q): %w", w.ID, w.Name, err)
		}
		return state.AccessGroup{ID: w.ID, Name: w.Name, Rules: rules}, nil
	})
}

// ListIdentityProviders returns the account's identity providers. Of the
// config only okta_account is kept, for type okta; the rest (client ids,
// certificates) is dropped.
func (c *Client) ListIdentityProviders(ctx context.Context) ([]state.IdentityProvider, error) {
	return listAccess(ctx, c, "list identity providers", "/identity_providers", func(w wireIdentityProvider) (state.IdentityProvider, error) {
		idp := state.IdentityProvider{ID: w.ID, Name: w.Name, Type: w.Type}
		if w.Type == "okta" && len(w.Config) > 0 && string(w.Config) != "null" {
			var cfg struct {
				OktaAccount string `json:"okta_account"`
			}
			if err := json.Unmarshal(w.Config, &cfg); err != nil {
				return state.IdentityProvider{}, fmt.Errorf("identity provider %q (%q): config: %w", w.ID, w.Name, err)
			}
			idp.OktaAccount = cfg.OktaAccount
		}
		return idp, nil
	})
}

// AccessPerPage is the page size asked of the Access lists (their
// per_page parameter, cloudflare-go's AccessPolicyListParams and the like;
// 100 is Cloudflare's usual cap): a plan's Access reads then stay within
// one round trip more than its risk-scoring reads for a few hundred
// objects, the pages after the first being fetched concurrently. A
// server that pages smaller is followed all the same.
const AccessPerPage = 100

// wireObject is an Access object as the API sends it: it has an id.
type wireObject interface{ objectID() string }

func (w wirePolicy) objectID() string           { return w.ID }
func (w wireApp) objectID() string              { return w.ID }
func (w wireGroup) objectID() string            { return w.ID }
func (w wireIdentityProvider) objectID() string { return w.ID }

// listAccess follows every page of an Access collection (each page's
// result an array), decoding each item with conv. An item that cannot be
// decoded fails the listing with its position and, when conv got that far,
// the object's id and name. A collection that changed while its pages
// were read is read again (envelope.go): plan reports the Access impact
// from it.
func listAccess[W wireObject, T any](ctx context.Context, c *Client, op, path string, conv func(W) (T, error)) ([]T, error) {
	r := request{op: op, method: http.MethodGet, path: path, api: "/access",
		query: url.Values{"per_page": {strconv.Itoa(AccessPerPage)}},
		list:  strings.TrimPrefix(op, "list ") + " list"}
	var (
		all []T
		ids *pageIDs
	)
	start := func() { all, ids = []T{}, newPageIDs("object") }
	err := c.pages(ctx, r, start, func(result json.RawMessage) (int, error) {
		var page []json.RawMessage
		if err := unmarshalResult(op, result, &page); err != nil {
			return 0, err
		}
		ids.nextPage()
		for _, raw := range page {
			var w W
			if !isObject(raw) {
				return 0, fmt.Errorf("%s: item %d: not a JSON object", op, len(all)+1)
			}
			if err := json.Unmarshal(raw, &w); err != nil {
				return 0, fmt.Errorf("%s: item %d: %w", op, len(all)+1, err)
			}
			if err := ids.add(w.objectID()); err != nil {
				return 0, err
			}
			v, err := conv(w)
			if err != nil {
				return 0, fmt.Errorf("%s: %w", op, err)
			}
			all = append(all, v)
		}
		return len(page), nil
	})
	if err != nil {
		return nil, err
	}
	return all, nil
}

// isObject reports whether raw is a JSON object (not null, not an array).
func isObject(raw json.RawMessage) bool {
	t := strings.TrimLeft(string(raw), " \t\r\n")
	return strings.HasPrefix(t, "{")
}

func decodePolicy(w wirePolicy) (state.AccessPolicy, error) {
	rules, err := decodeRules(w.wireRules)
	if err != nil {
		return state.AccessPolicy{}, fmt.Errorf("policy %q (%q): %w", w.ID, w.Name, err)
	}
	return state.AccessPolicy{ID: w.ID, Name: w.Name, Decision: w.Decision, Reusable: w.Reusable, Rules: rules}, nil
}

func decodeRules(w wireRules) (state.AccessRules, error) {
	var out state.AccessRules
	for _, l := range []struct {
		name string
		raw  []json.RawMessage
		dst  *[]state.AccessRule
	}{{"include", w.Include, &out.Include}, {"require", w.Require, &out.Require}, {"exclude", w.Exclude, &out.Exclude}} {
		for i, raw := range l.raw {
			r, err := decodeRule(raw)
			if err != nil {
				return state.AccessRules{}, fmt.Errorf("%s rule %d: %w", l.name, i+1, err)
			}
			*l.dst = append(*l.dst, r)
		}
	}
	return out, nil
}

// Selectors riskctl evaluates (docs/api.md#access-policies-and-identity-providers).
const (
	selectorRiskScore = "user_risk_score"
	selectorGroup     = "group"
)

// decodeRule reads one rule: {"user_risk_score": {"user_risk_score":
// [levels]}}, {"group": {"id": "…"}}, or any other selector, kept by name.
func decodeRule(raw json.RawMessage) (state.AccessRule, error) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil || !isObject(raw) {
		return state.AccessRule{}, errors.New("not a JSON object")
	}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	_, risk := obj[selectorRiskScore]
	_, group := obj[selectorGroup]
	switch {
	case len(keys) == 0:
		return state.AccessRule{}, errors.New("names no selector")
	case (risk || group) && len(keys) > 1:
		// Which one applies is unknowable; guessing could hide a rule.
		return state.AccessRule{}, fmt.Errorf("has several selectors (%s)", strings.Join(keys, ", "))
	case risk:
		levels, err := decodeLevels(obj[selectorRiskScore])
		if err != nil {
			return state.AccessRule{}, fmt.Errorf("user_risk_score: %w", err)
		}
		return state.AccessRule{RiskLevels: levels}, nil
	case group:
		var g struct {
			ID *string `json:"id"`
		}
		if err := json.Unmarshal(obj[selectorGroup], &g); err != nil || g.ID == nil || *g.ID == "" {
			return state.AccessRule{}, errors.New(`group: want {"id": "<group id>"}`)
		}
		return state.AccessRule{GroupID: *g.ID}, nil
	}
	// A selector riskctl does not evaluate: its name is all that is kept
	// (its value may be an email address or an IP range).
	return state.AccessRule{Other: strings.Join(keys, ",")}, nil
}

// decodeLevels reads {"user_risk_score": [levels]}. Known levels are kept
// lower-case; anything else is kept exactly as sent, so that the
// assessment can flag it. The result is never nil: a non-nil RiskLevels is
// what marks a user_risk_score rule.
func decodeLevels(raw json.RawMessage) ([]string, error) {
	var body struct {
		Levels *[]string `json:"user_risk_score"`
	}
	if err := json.Unmarshal(raw, &body); err != nil || body.Levels == nil {
		return nil, errors.New(`want {"user_risk_score": ["low" | "medium" | "high" | "unscored", …]}`)
	}
	out := make([]string, 0, len(*body.Levels))
	for _, l := range *body.Levels {
		for _, known := range []string{state.LevelLow, state.LevelMedium, state.LevelHigh, state.LevelUnscored} {
			if strings.EqualFold(l, known) {
				l = known
				break
			}
		}
		out = append(out, l)
	}
	return out, nil
}
