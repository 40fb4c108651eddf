package emulator

import "time"

// DefaultMaxAccounts is how many accounts one emulator holds before it
// stops creating accounts on first use (Options.MaxAccounts): enough for
// any test, small enough that a client looping over random ids cannot grow
// the state file without bound.
const DefaultMaxAccounts = 100

// DefaultMaxIntegrations is how many integrations an account holds before
// a create is refused (Options.MaxIntegrations): far more than an account
// connects identity providers, few enough that a client looping over
// creates cannot grow the state without bound.
const DefaultMaxIntegrations = 1000

// DemoAccountID is the account that `riskctl --emulate` uses when no account id is given.
const DemoAccountID = "0e1d2c3b4a5968778695a4b3c2d1e0f0"

// Options configure an Emulator. The zero value is a permissive, fault-free
// emulator with no seeded users and no persistence.
type Options struct {
	Accounts             []string                         // only these accounts are served (others: 403 code 10000); empty = any well-formed account provisioned on first use; each must be 32 lower-case hex
	MaxAccounts          int                              // without Accounts: first-use provisioning stops once the state holds this many accounts (new ones: 403 code 10000); 0 = DefaultMaxAccounts
	UnentitledAccounts   []string                         // accounts without the risk-scoring entitlement: GET and POST /integrations answer 403 code 3314
	Behaviors            map[string]Behavior              // the behaviors every new account starts with (see LoadBehaviors); nil = the three public keys
	Access               *AccessData                      // the Access objects every account serves, read-only (see LoadAccess); nil = none, the Access lists are empty
	NoAccessRead         bool                             // the Access routes answer 403 code 10000, as for a token without "Access: Apps and Policies Read"
	NoAuditRead          bool                             // GET /logs/audit answers 403 code 10000, as for a token without audit-log read permission
	Actors               map[string]string                // bearer token -> the email of who it belongs to: writes with it are recorded in the audit log as that person (token_name "Token for EMAIL"); with auth enforced, each token is accepted too; other credentials are recorded as an unnamed token
	MaxAuditEntries      int                              // audit entries kept per account, the oldest dropped past it; 0 = DefaultMaxAuditEntries
	Token                string                           // if Token or APIKey+Email set, auth is enforced: no credential header -> 400 9106, malformed -> 400 6003, wrong -> 403 10000
	APIKey               string                           // with Email: the X-Auth-Key / X-Auth-Email pair that is accepted; 37 hex characters, as a Global API Key
	Email                string                           // see APIKey; an email address
	SeedUsers            int                              // demo users (with risk events) seeded into each newly provisioned account
	Seed                 uint64                           // seed for the deterministic user generator and fault dice (0 = a fixed default)
	PageSize             int                              // default per_page for /summary, /{user_id} events and the Access lists (0 = 20, capped at 100)
	IntegrationsPageSize int                              // 0 = GET /integrations answers a bare array with no result_info (as the real API); >0 paginates it with result_info
	MaxIntegrations      int                              // a create past this many integrations in the account is answered 400 code 1008; 0 = DefaultMaxIntegrations
	StatePath            string                           // if set: loaded on New (missing file = fresh state) with its journal replayed; every write is appended to the journal (STATE.journal) and fsync'd before it is answered; Save compacts the journal into the file
	ReadLag              time.Duration                    // reads of integrations (list, by id, by reference_id) do not yet show an API create, update or delete younger than this, as an eventually consistent API would; 0 = reads show every write at once
	Latency              time.Duration                    // added to every request
	RateLimit            int                              // requests per RateWindow per credential (or client IP), across accounts; over it -> 429 code 971 with Retry-After; 0 = not enforced, headers advertise 1200 per 300s
	RateWindow           time.Duration                    // length of the fixed rate-limit window; 0 = 1s (only with RateLimit)
	LockOut              time.Duration                    // with RateLimit: a credential over its quota gets 429 for this long (at least to the window's end), whatever the window; 0 = 429 only while over the window
	ServerErrorRate      float64                          // probability of a 500/502/503 answer (no state change)
	ResetRate            float64                          // probability of a connection reset (no state change)
	CommitThenFailRate   float64                          // probability that a write is stored, then answered 500
	Now                  func() time.Time                 // clock for created_at and last_reset_time; nil = time.Now
	Logf                 func(format string, args ...any) // if set, one line per request: method path status duration
}

// Behavior is one entry of an account's behavior map (dlp_Behavior).
type Behavior struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	Enabled     bool   `json:"enabled"`
	RiskLevel   string `json:"risk_level"`
}

// Integration is a risk score integration (dlp_RiskScoreIntegration). ID,
// AccountTag, WellKnownURL and CreatedAt are computed by the emulator.
// CreatedAt is always UTC with whole seconds, so it marshals as RFC 3339
// exactly like the real API ("2025-03-19T19:53:56Z").
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

// User is a user with risk events, as the emulator stores it. The API shows
// it in two shapes: a row of GET /summary and the result of GET /{user_id}.
type User struct {
	ID            string      `json:"id"`
	Name          string      `json:"name"`
	Email         string      `json:"email"`
	LastResetTime *time.Time  `json:"last_reset_time"`
	Events        []RiskEvent `json:"events"` // newest first
}

// RiskEvent is one detection of a behavior for a user (dlp_RiskEvent).
type RiskEvent struct {
	ID           string         `json:"id"`
	Name         string         `json:"name"`
	RiskLevel    string         `json:"risk_level"`
	Timestamp    time.Time      `json:"timestamp"`
	EventDetails map[string]any `json:"event_details,omitempty"`
}

// Request is one entry of the request log.
type Request struct {
	Method string
	Path   string // without the query string
	Status int    // 0 when the connection was dropped or the client went away
}

// Fault is a one-shot scripted fault, queued with InjectFault and consumed by
// the first later request that matches it.
type Fault struct {
	Method         string // "" = any
	PathSuffix     string // "" = any; matched against the URL path's suffix (e.g. "/integrations")
	Status         int    // e.g. 429, 500, 503; 0 with Reset=true means drop the connection (0 or any status below 400 otherwise = 500)
	RetryAfter     string // value for the Retry-After header, if any (seconds or HTTP date)
	Reset          bool   // drop the connection (hijack + close) instead of answering
	CommitThenFail bool   // apply the request first, then answer Status (default 500) if it succeeded
}
