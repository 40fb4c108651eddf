package spec

// The parser's key lists, for the test that keeps the JSON Schema in step.
var (
	TopKeys              = topKeys
	BehaviorKeys         = behaviorKeys
	BehaviorRequired     = behaviorRequired
	BehaviorIgnorable    = behaviorIgnorable
	IntegrationKeys      = integrationKeys
	IntegrationRequired  = integrationRequired
	IntegrationIgnorable = integrationIgnorable
)
