package remote

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
)

// GetSummary returns the account's risk summary: one row per user with
// risk events, every page merged.
func (c *Client) GetSummary(ctx context.Context) ([]UserRiskInfo, error) {
	r := request{op: "get risk summary", method: http.MethodGet, path: "/summary"}
	users := []UserRiskInfo{}
	err := c.pages(ctx, r, nil, func(result json.RawMessage) (int, error) {
		var page struct {
			Users []UserRiskInfo `json:"users"`
		}
		if err := unmarshalResult(r.op, result, &page); err != nil {
			return 0, err
		}
		users = append(users, page.Users...)
		return len(page.Users), nil
	})
	if err != nil {
		return nil, err
	}
	return users, nil
}

// GetUserRisk returns one user's risk level and events, every page of
// events merged. A 404 is ErrNotFound.
func (c *Client) GetUserRisk(ctx context.Context, userID string) (UserRisk, error) {
	seg, err := userSegment(userID)
	if err != nil {
		return UserRisk{}, err
	}
	r := request{op: fmt.Sprintf("get user risk %q", userID), method: http.MethodGet, path: "/" + seg}
	var user UserRisk
	first := true
	err = c.pages(ctx, r, nil, func(result json.RawMessage) (int, error) {
		var page UserRisk
		if err := unmarshalResult(r.op, result, &page); err != nil {
			return 0, err
		}
		if first { // the user's own fields come from the first page
			user, first = page, false
			return len(page.Events), nil
		}
		user.Events = append(user.Events, page.Events...)
		return len(page.Events), nil
	})
	if err != nil {
		return UserRisk{}, err
	}
	if user.Events == nil {
		user.Events = []RiskEvent{}
	}
	return user, nil
}

// ResetUserRisk clears a user's risk history. Resetting twice is the same as
// resetting once, so although it is a POST it is retried like a PUT.
func (c *Client) ResetUserRisk(ctx context.Context, userID string) error {
	seg, err := userSegment(userID)
	if err != nil {
		return err
	}
	_, err = c.do(ctx, request{
		op: fmt.Sprintf("reset user risk %q", userID), method: http.MethodPost, path: "/" + seg + "/reset",
		idempotent: true,
	})
	return err
}
