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

// SetExportBatch makes Write work n integrations at a time, until restore.
func SetExportBatch(n int) (restore func()) {
	old := exportBatch
	exportBatch = n
	return func() { exportBatch = old }
}
