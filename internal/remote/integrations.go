package remote

import (
	"context"
	"fmt"
	"net/http"
)

// ListIntegrations returns every integration of the account. The real API
// answers with a bare array and no result_info (one request); if a server
// does paginate, every page is fetched and merged, and a listing that
// changed while its pages were read (an integration on two pages, other
// totals) is read again, or fails with a *ListingChangedError: a plan that
// misses an integration would create a copy of it (envelope.go).
func (c *Client) ListIntegrations(ctx context.Context) ([]Integration, error) {
	r := request{op: "list integrations", method: http.MethodGet, path: "/integrations", list: "integrations list"}
	var (
		all []Integration
		ids *pageIDs
	)
	err := pagesOf(ctx, c, r, func() { all, ids = []Integration{}, newPageIDs("integration") }, func(page []Integration) error {
		ids.nextPage()
		for _, in := range page {
			if err := ids.add(in.ID); err != nil {
				return err
			}
		}
		if len(all) == 0 && page != nil {
			all = page // the first page, often the only one: no copy
			return nil
		}
		all = append(all, page...)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return all, nil
}

// GetIntegration returns one integration by its server id. A 404 is
// ErrNotFound.
func (c *Client) GetIntegration(ctx context.Context, id string) (Integration, error) {
	seg, err := pathSegment("integration id", id)
	if err != nil {
		return Integration{}, err
	}
	return c.integration(ctx, request{
		op: fmt.Sprintf("get integration %q", id), method: http.MethodGet, path: "/integrations/" + seg,
	})
}

// GetIntegrationByReference returns the integration with that reference_id.
// A 404 is ErrNotFound. apply uses it to resolve an *AmbiguousError from
// CreateIntegration.
func (c *Client) GetIntegrationByReference(ctx context.Context, referenceID string) (Integration, error) {
	seg, err := pathSegment("reference id", referenceID)
	if err != nil {
		return Integration{}, err
	}
	return c.integration(ctx, request{
		op:     fmt.Sprintf("get integration by reference %q", referenceID),
		method: http.MethodGet, path: "/integrations/reference_id/" + seg,
	})
}

// CreateIntegration creates an integration (it starts active). It is the
// one non-idempotent call: it is retried only after failures that prove the
// server did not process it (429, connection refused). After a 5xx, a reset
// or a timeout it returns an *AmbiguousError, and the caller should look the
// integration up with GetIntegrationByReference rather than create again.
func (c *Client) CreateIntegration(ctx context.Context, req CreateIntegrationRequest) (Integration, error) {
	r := request{
		op: "create integration", method: http.MethodPost, path: "/integrations",
		body: req, referenceID: req.ReferenceID,
	}
	env, err := c.do(ctx, r)
	if err != nil {
		return Integration{}, err
	}
	var out Integration
	if err := decodeResult(r.op, env, &out); err != nil {
		// It was created (2xx), but we cannot tell what: same recovery.
		return Integration{}, &AmbiguousError{Op: r.op, ReferenceID: req.ReferenceID, Err: err}
	}
	return out, nil
}

// UpdateIntegration overwrites tenant_url, active and reference_id.
func (c *Client) UpdateIntegration(ctx context.Context, id string, req UpdateIntegrationRequest) (Integration, error) {
	seg, err := pathSegment("integration id", id)
	if err != nil {
		return Integration{}, err
	}
	return c.integration(ctx, request{
		op: fmt.Sprintf("update integration %q", id), method: http.MethodPut, path: "/integrations/" + seg,
		body: req,
	})
}

// DeleteIntegration deletes an integration. A 404 is ErrNotFound; apply
// treats that as already done.
func (c *Client) DeleteIntegration(ctx context.Context, id string) error {
	seg, err := pathSegment("integration id", id)
	if err != nil {
		return err
	}
	_, err = c.do(ctx, request{
		op: fmt.Sprintf("delete integration %q", id), method: http.MethodDelete, path: "/integrations/" + seg,
	})
	return err
}

func (c *Client) integration(ctx context.Context, r request) (Integration, error) {
	env, err := c.do(ctx, r)
	if err != nil {
		return Integration{}, err
	}
	var out Integration
	if err := decodeResult(r.op, env, &out); err != nil {
		return Integration{}, err
	}
	return out, nil
}
