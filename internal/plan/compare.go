package plan

// Comparison: how the plan decides that two objects differ, and in what.
//
// go-cmp is the judge, but only over small flat views built here: a view
// holds exactly the fields riskctl manages, so server-computed fields (id,
// name, created_at, ...) cannot cause a change because they are not in it.
// The views keep the values as they were written, and the rules that make
// two spellings equal live in cmp options (compareOptions): risk_level and
// integration_type compare case-insensitively, tenant_url compares after
// CanonicalTenantURL. So a FieldDiff shows the live value and the desired
// value as they really are, while "HIGH" vs "high" or a trailing slash is
// no change at all.
//
// Which fields changed comes from a cmp.Reporter (fieldReporter) that
// collects the leaf struct fields go-cmp found unequal; cmp.Diff text is
// never parsed or shown. go-cmp panics on values it cannot compare; diff
// recovers and returns an error, so a programming mistake here fails the
// plan instead of the process.

import (
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/google/go-cmp/cmp"

	"github.com/riskctl/riskctl/internal/state"
)

// Field names as the API and the spec spell them: the fields the plan
// compares, and so the names FieldDiff.Field and IgnoredDiff.Field hold.
// fieldOrder is the fixed order Change.Fields uses.
const (
	FieldEnabled         = "enabled"          // behavior, boolean
	FieldRiskLevel       = "risk_level"       // behavior
	FieldIntegrationType = "integration_type" // integration; a change forces a replace
	FieldTenantURL       = "tenant_url"       // integration
	FieldActive          = "active"           // integration, boolean
)

var fieldOrder = []string{FieldEnabled, FieldRiskLevel, FieldIntegrationType, FieldTenantURL, FieldActive}

// ForcesReplacement reports whether a change of field cannot be made in
// place: the integration must be deleted and created again (a Replace).
func ForcesReplacement(field string) bool { return field == FieldIntegrationType }

// apiFieldNames maps view fields (Go names) to API field names.
var apiFieldNames = map[string]string{
	"Enabled":         FieldEnabled,
	"RiskLevel":       FieldRiskLevel,
	"IntegrationType": FieldIntegrationType,
	"TenantURL":       FieldTenantURL,
	"Active":          FieldActive,
}

// Distinct string types let compareOptions give each field its own
// equality without matching on paths.
type (
	riskLevel       string
	integrationType string
	tenantURL       string
)

// behaviorView is the managed part of a behavior.
type behaviorView struct {
	Enabled   bool
	RiskLevel riskLevel
}

// integrationView is the managed part of an integration, reference_id
// aside: that is what integrations are matched on, so it never differs.
type integrationView struct {
	IntegrationType integrationType
	TenantURL       tenantURL
	Active          bool
}

func viewBehavior(b state.Behavior) behaviorView {
	return behaviorView{Enabled: b.Enabled, RiskLevel: riskLevel(b.RiskLevel)}
}

func viewIntegration(in state.Integration) integrationView {
	return integrationView{
		IntegrationType: integrationType(in.IntegrationType),
		TenantURL:       tenantURL(in.TenantURL),
		Active:          in.Active,
	}
}

// compareOptions are the equality rules of the plan.
var compareOptions = cmp.Options{
	cmp.Comparer(func(a, b riskLevel) bool { return strings.EqualFold(string(a), string(b)) }),
	cmp.Comparer(func(a, b integrationType) bool { return strings.EqualFold(string(a), string(b)) }),
	cmp.Comparer(func(a, b tenantURL) bool {
		return CanonicalTenantURL(string(a)) == CanonicalTenantURL(string(b))
	}),
}

// CanonicalTenantURL is the form in which tenant URLs are compared: spaces
// trimmed, scheme and host lower-case, no trailing slash. The rest (port,
// path, and anything after it) is kept as written. It is for comparison
// only: plans and apply carry the spec's value as written.
func CanonicalTenantURL(s string) string {
	s = strings.TrimSpace(s)
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok {
		return strings.TrimRight(s, "/")
	}
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	host, tail := rest[:end], rest[end:]
	path, suffix := tail, ""
	if i := strings.IndexAny(tail, "?#"); i >= 0 {
		path, suffix = tail[:i], tail[i:]
	}
	return strings.ToLower(scheme) + "://" + strings.ToLower(host) + strings.TrimRight(path, "/") + suffix
}

// diff compares two views and returns the fields that differ, in field
// order, with before from x and after from y; none when they are equal.
func diff[T any](x, y T) (fields []FieldDiff, err error) {
	defer func() {
		if p := recover(); p != nil {
			fields, err = nil, fmt.Errorf("plan: comparing %T values: %v", x, p)
		}
	}()
	var r fieldReporter
	if cmp.Equal(x, y, compareOptions, cmp.Reporter(&r)) {
		return nil, nil
	}
	if r.err != nil {
		return nil, r.err
	}
	if len(r.fields) == 0 {
		return nil, fmt.Errorf("plan: %T values differ but no field was reported", x)
	}
	slices.SortStableFunc(r.fields, func(a, b FieldDiff) int {
		return slices.Index(fieldOrder, a.Field) - slices.Index(fieldOrder, b.Field)
	})
	return r.fields, nil
}

// fieldReporter is a cmp.Reporter collecting the top-level struct fields
// that differ, under their API names, with both values as text.
type fieldReporter struct {
	path   cmp.Path
	fields []FieldDiff
	err    error
}

func (r *fieldReporter) PushStep(ps cmp.PathStep) { r.path = append(r.path, ps) }

func (r *fieldReporter) PopStep() { r.path = r.path[:len(r.path)-1] }

func (r *fieldReporter) Report(rs cmp.Result) {
	if rs.Equal() || r.err != nil {
		return
	}
	sf, ok := r.path.Last().(cmp.StructField)
	if !ok || len(r.path) != 2 {
		r.err = fmt.Errorf("plan: unexpected difference at %#v: views must be flat structs", r.path)
		return
	}
	name, ok := apiFieldNames[sf.Name()]
	if !ok {
		r.err = fmt.Errorf("plan: field %s has no API name", sf.Name())
		return
	}
	vx, vy := sf.Values()
	before, err := text(vx)
	if err == nil {
		var after string
		after, err = text(vy)
		r.fields = append(r.fields, FieldDiff{Field: name, Before: before, After: after})
	}
	if err != nil {
		r.err = fmt.Errorf("plan: field %s: %w", name, err)
	}
}

// text renders a view field's value: bools as true/false, strings as is.
func text(v reflect.Value) (string, error) {
	switch v.Kind() {
	case reflect.Bool:
		return strconv.FormatBool(v.Bool()), nil
	case reflect.String:
		return v.String(), nil
	}
	return "", fmt.Errorf("cannot render a %s", v.Type())
}

// allFields lists every field of an integration view as a FieldDiff, with
// the values on the side given (before for a delete, after for a create)
// and "" on the other.
func allFields(v integrationView, after bool) []FieldDiff {
	values := []FieldDiff{
		{Field: FieldIntegrationType, After: string(v.IntegrationType)},
		{Field: FieldTenantURL, After: string(v.TenantURL)},
		{Field: FieldActive, After: strconv.FormatBool(v.Active)},
	}
	if !after {
		for i := range values {
			values[i].Before, values[i].After = values[i].After, ""
		}
	}
	return values
}

// replacing reports whether one of fields forces a replacement.
func replacing(fields []FieldDiff) bool {
	return slices.ContainsFunc(fields, func(f FieldDiff) bool { return ForcesReplacement(f.Field) })
}

// fieldNames lists the names in fields, for reasons: "a", "a and b", "a, b and c".
func fieldNames(fields []FieldDiff) string {
	names := make([]string, len(fields))
	for i, f := range fields {
		names[i] = f.Field
	}
	if len(names) <= 1 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}
