package plan

import (
	"strconv"

	"github.com/riskctl/riskctl/internal/state"
)

// FormatValue shows a field's text value (a FieldDiff's Before or After)
// as every human-readable output does: booleans (enabled, active) bare,
// strings quoted, a tenant URL as DisplayValue shows it. The renderers
// themselves are package report's.
func FormatValue(field, text string) string {
	if field == FieldEnabled || field == FieldActive {
		return text
	}
	return strconv.Quote(DisplayValue(field, text))
}

// DisplayValue is a field's text value for people, unquoted: a tenant
// URL with its host in ASCII (state.DisplayURL), so that two URLs that
// differ never print alike; other fields as they are (renderers escape
// what their format needs).
func DisplayValue(field, text string) string {
	if field == FieldTenantURL {
		return state.DisplayURL(text)
	}
	return text
}
