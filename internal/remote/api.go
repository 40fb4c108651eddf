package remote

import "context"

// API is the narrow surface that the CLI, plan fetching and apply use. One
// method per operation of the Zero Trust Risk Scoring API; *Client implements
// it against the real API (or the emulator), and tests may substitute fakes.
type API interface {
	// GetBehaviors answers GET /behaviors: every behavior the account has.
	GetBehaviors(ctx context.Context) (map[string]Behavior, error)
	// UpdateBehaviors answers PUT /behaviors with a partial map; the result
	// holds every behavior of the account after the update.
	UpdateBehaviors(ctx context.Context, changes map[string]BehaviorUpdate) (map[string]Behavior, error)

	// ListIntegrations answers GET /integrations, following every page.
	ListIntegrations(ctx context.Context) ([]Integration, error)
	// GetIntegration answers GET /integrations/{id}; a 404 is ErrNotFound.
	GetIntegration(ctx context.Context, id string) (Integration, error)
	// GetIntegrationByReference answers GET /integrations/reference_id/{ref}.
	GetIntegrationByReference(ctx context.Context, referenceID string) (Integration, error)
	// CreateIntegration answers POST /integrations. It is never retried
	// blindly: a failure whose outcome is unknown is an *AmbiguousError.
	CreateIntegration(ctx context.Context, req CreateIntegrationRequest) (Integration, error)
	// UpdateIntegration answers PUT /integrations/{id}, which overwrites
	// tenant_url, active and reference_id.
	UpdateIntegration(ctx context.Context, id string, req UpdateIntegrationRequest) (Integration, error)
	// DeleteIntegration answers DELETE /integrations/{id}.
	DeleteIntegration(ctx context.Context, id string) error

	// GetSummary answers GET /summary, following every page.
	GetSummary(ctx context.Context) ([]UserRiskInfo, error)
	// GetUserRisk answers GET /{user_id}, following every page of events.
	GetUserRisk(ctx context.Context, userID string) (UserRisk, error)
	// ResetUserRisk answers POST /{user_id}/reset.
	ResetUserRisk(ctx context.Context, userID string) error
}

var _ API = (*Client)(nil)
