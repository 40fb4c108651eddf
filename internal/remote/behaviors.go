package remote

import (
	"context"
	"net/http"
)

// behaviorsDoc is both the GET result (dlp_Behaviors) and, with
// BehaviorUpdate values, the PUT body (dlp_UpdateBehaviors).
type behaviorsDoc[T any] struct {
	Behaviors map[string]T `json:"behaviors"`
}

// GetBehaviors returns every behavior of the account, keyed by behavior id
// (imp_travel, high_dlp, …).
func (c *Client) GetBehaviors(ctx context.Context) (map[string]Behavior, error) {
	r := request{op: "get behaviors", method: http.MethodGet, path: "/behaviors"}
	return c.behaviors(ctx, r)
}

// UpdateBehaviors PUTs a partial map: keys not in changes are left as they
// are. The API answers with the behaviors after the update; per docs/api.md#behaviors
// that may be every behavior or only the ones sent, and name/description
// may be missing, so callers should compare only enabled and risk_level of
// the keys they manage.
func (c *Client) UpdateBehaviors(ctx context.Context, changes map[string]BehaviorUpdate) (map[string]Behavior, error) {
	if changes == nil {
		changes = map[string]BehaviorUpdate{} // "behaviors" is required: send {} rather than null
	}
	r := request{
		op: "update behaviors", method: http.MethodPut, path: "/behaviors",
		body: behaviorsDoc[BehaviorUpdate]{Behaviors: changes},
	}
	return c.behaviors(ctx, r)
}

func (c *Client) behaviors(ctx context.Context, r request) (map[string]Behavior, error) {
	env, err := c.do(ctx, r)
	if err != nil {
		return nil, err
	}
	var doc behaviorsDoc[Behavior]
	if err := decodeResult(r.op, env, &doc); err != nil {
		return nil, err
	}
	if doc.Behaviors == nil {
		doc.Behaviors = map[string]Behavior{}
	}
	return doc.Behaviors, nil
}
