package remote

import "time"

// Risk levels, as the API spells them.
const (
	RiskLow    = "low"
	RiskMedium = "medium"
	RiskHigh   = "high"
)

// IntegrationTypeOkta is the only integration type the API knows.
const IntegrationTypeOkta = "Okta"

// Behavior is one entry of the account's behavior map (dlp_Behavior).
type Behavior struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	Enabled     bool   `json:"enabled"`
	RiskLevel   string `json:"risk_level"`
}

// BehaviorUpdate is one entry of a PUT /behaviors body (dlp_UpdateBehavior).
type BehaviorUpdate struct {
	Enabled   bool   `json:"enabled"`
	RiskLevel string `json:"risk_level"`
}

// Integration is a risk score integration as the API returns it
// (dlp_RiskScoreIntegration). ID, AccountTag, WellKnownURL and CreatedAt are
// computed by the server.
type Integration struct {
	ID              string    `json:"id"`
	AccountTag      string    `json:"account_tag"`
	IntegrationType string    `json:"integration_type"`
	ReferenceID     string    `json:"reference_id"`
	TenantURL       string    `json:"tenant_url"`
	WellKnownURL    string    `json:"well_known_url"`
	Active          bool      `json:"active"`
	CreatedAt       time.Time `json:"created_at"`
}

// CreateIntegrationRequest is the POST /integrations body
// (dlp_CreateIntegrationBody). The API has no "active" on create: a new
// integration is active.
type CreateIntegrationRequest struct {
	IntegrationType string `json:"integration_type"`
	TenantURL       string `json:"tenant_url"`
	ReferenceID     string `json:"reference_id,omitempty"`
}

// UpdateIntegrationRequest is the PUT /integrations/{id} body
// (dlp_UpdateIntegrationBody). The PUT overwrites all three fields, so
// callers always send all three.
type UpdateIntegrationRequest struct {
	TenantURL   string `json:"tenant_url"`
	Active      bool   `json:"active"`
	ReferenceID string `json:"reference_id"`
}

// UserRiskInfo is one row of the account risk summary (dlp_UserRiskInfo).
type UserRiskInfo struct {
	UserID       string    `json:"user_id"`
	Name         string    `json:"name"`
	Email        string    `json:"email"`
	MaxRiskLevel string    `json:"max_risk_level"`
	EventCount   int       `json:"event_count"`
	LastEvent    time.Time `json:"last_event"`
}

// UserRisk is one user's risk details (dlp_RiskEvents).
type UserRisk struct {
	Name          string      `json:"name"`
	Email         string      `json:"email"`
	RiskLevel     string      `json:"risk_level,omitempty"`
	LastResetTime *time.Time  `json:"last_reset_time,omitempty"`
	Events        []RiskEvent `json:"events"`
}

// RiskEvent is one risk event of a user (dlp_RiskEvent).
type RiskEvent struct {
	ID           string    `json:"id"`
	Name         string    `json:"name"`
	RiskLevel    string    `json:"risk_level"`
	Timestamp    time.Time `json:"timestamp"`
	EventDetails any       `json:"event_details,omitempty"`
}
