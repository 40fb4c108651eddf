package plan

import (
	"fmt"
	"strconv"
)

// FormatValue shows a field's text value (a FieldDiff's Before or After)
// as every human-readable output does: booleans (enabled, active) bare,
// strings quoted. The renderers themselves are package report's.
func FormatValue(field, text string) string {
	if field == FieldEnabled || field == FieldActive {
		return text
	}
	return strconv.Quote(text)
}

// integrationTitle names an integration by reference_id, or by id when it
// has none (Change.Title).
func integrationTitle(ref, id string) string {
	if ref == "" {
		return fmt.Sprintf("integration (id %q, no reference_id)", id)
	}
	return fmt.Sprintf("integration %q", ref)
}
