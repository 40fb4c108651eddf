package spec

import (
	_ "embed"
	"slices"
)

//go:embed riskctl.schema.json
var jsonSchema []byte

// JSONSchema returns the JSON Schema (draft 2020-12) of the spec, for
// editors: point the YAML language server at it with the modeline
//
//	# yaml-language-server: $schema=<path or URL of riskctl.schema.json>
//
// and it completes keys and shows every field's description. The schema
// accepts less than it might in one way and more in others, by design:
//
//   - Parse is the authority. The schema cannot see duplicate keys (YAML
//     tools drop one before validating), cannot check that reference_ids
//     are unique, and does not know which ${VAR} are set.
//   - ${VAR} references are allowed where Parse allows them: inside string
//     values, and for boolean fields as a lone reference (enabled:
//     ${ENABLED:-true}), since the schema sees the text before
//     substitution. It cannot tell a quoted reference from an unquoted one,
//     which Parse reads as a string.
//   - risk_level and integration_type are matched case-insensitively with
//     character classes rather than (?i), which ECMA-262 regular
//     expressions (what editors run) do not have.
//
// The returned slice is a copy; the file is committed as
// internal/spec/riskctl.schema.json.
func JSONSchema() []byte { return slices.Clone(jsonSchema) }
