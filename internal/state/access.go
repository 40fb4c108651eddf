package state

// The Access objects that use or wire risk scores, as riskctl reads them
// (read-only): reusable policies, applications with their embedded
// policies, groups, and identity providers. Only what the risk-scoring
// assessment needs is kept; everything else in the API's shapes is
// dropped on decode, so no personal data (emails, IP ranges) is held.
// docs/api.md#access-policies-and-identity-providers gives the facts.

// Risk levels an Access user_risk_score rule can list. A user's level is
// the highest level among the enabled behaviors they triggered; a user
// with no score is LevelUnscored.
const (
	LevelLow      = "low"
	LevelMedium   = "medium"
	LevelHigh     = "high"
	LevelUnscored = "unscored"
)

// Access policy decisions.
const (
	DecisionAllow       = "allow"
	DecisionDeny        = "deny"
	DecisionNonIdentity = "non_identity"
	DecisionBypass      = "bypass"
)

// AccessRule is one rule of a policy's or group's include, require or
// exclude list. At most one of its fields is set: RiskLevels for a
// user_risk_score rule (the levels it lists, lower-case; never nil for
// such a rule, even when it lists none; a level the API does not know is
// kept as sent), GroupID for a
// group rule (the group's rules are pulled in); Other for any other
// selector (email, everyone, ...), which riskctl does not evaluate.
type AccessRule struct {
	RiskLevels []string
	GroupID    string
	Other      string // the selector's name, e.g. "email", "everyone"
}

// AccessRules are the three lists of rules a policy or group has:
// include (any matches), require (all must match), exclude (none may).
type AccessRules struct {
	Include []AccessRule
	Require []AccessRule
	Exclude []AccessRule
}

// AccessPolicy is a reusable policy, or a policy embedded in an
// application (which may be a reusable one, referenced by ID).
type AccessPolicy struct {
	ID       string
	Name     string
	Decision string // allow, deny, non_identity, bypass
	Reusable bool
	Rules    AccessRules
}

// AccessApp is an Access application and the policies it enforces.
type AccessApp struct {
	ID       string
	Name     string
	Domain   string
	Policies []AccessPolicy
}

// AccessGroup is an Access group: rules that policies pull in by id.
type AccessGroup struct {
	ID    string
	Name  string
	Rules AccessRules
}

// IdentityProvider is an Access identity provider. OktaAccount is its
// config.okta_account (the Okta org URL) when Type is "okta".
type IdentityProvider struct {
	ID          string
	Name        string
	Type        string
	OktaAccount string
}

// Access is what an account's Access configuration says about risk
// scores: every object riskctl read. A nil slice means "not read".
type Access struct {
	Policies          []AccessPolicy
	Apps              []AccessApp
	Groups            []AccessGroup
	IdentityProviders []IdentityProvider
}
