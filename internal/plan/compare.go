package plan

// Comparison: how the plan decides that two objects differ, and in what.
//
// The field table (state.Fields) says which fields are compared and how:
// risk_level and integration_type case-insensitively, tenant_url after
// CanonicalTenantURL, the others exactly. Server-computed fields (id,
// name, created_at, ...) are not compared, so they cannot cause a change.
//
// Two steps. The fast path (same) walks the compared fields through the
// table's accessors and decides which objects differ at all; in a large
// account nearly none do, and go-cmp's reflective walk over each of them
// was most of a plan's time. For the objects that differ, go-cmp is the
// judge, over small flat views built here: a view holds each compared
// field's value in the form the table compares it (state.Field.Canonical),
// so go-cmp needs no options and calls no function per field. A FieldDiff
// shows the live value and the desired value as they really are, while
// "HIGH" vs "high" or a trailing slash is no change at all.
//
// Which fields changed comes from a cmp.Reporter (fieldReporter) that
// collects the view entries go-cmp found unequal; cmp.Diff text is never
// parsed or shown. go-cmp panics on values it cannot compare; diff
// recovers and returns an error, so a programming mistake here fails the
// plan instead of the process.

import (
	"fmt"
	"slices"
	"strings"

	"github.com/google/go-cmp/cmp"

	"github.com/riskctl/riskctl/internal/state"
)

// Field names as the API and the spec spell them (from the field table,
// state.Fields): the fields the plan compares, and so the names
// FieldDiff.Field and IgnoredDiff.Field hold.
const (
	FieldEnabled         = state.FieldEnabled         // behavior, boolean
	FieldRiskLevel       = state.FieldRiskLevel       // behavior
	FieldIntegrationType = state.FieldIntegrationType // integration; a change forces a replace
	FieldTenantURL       = state.FieldTenantURL       // integration
	FieldActive          = state.FieldActive          // integration, boolean
)

// The compared fields of each kind, in table order; fieldOrder is the
// fixed order Change.Fields uses.
var (
	behaviorCompared    = state.FieldsOf(state.KindBehavior, isCompared)
	integrationCompared = state.FieldsOf(state.KindIntegration, isCompared)
	fieldOrder          = state.Names(append(slices.Clone(behaviorCompared), integrationCompared...))
)

func isCompared(f state.Field) bool { return f.Compared }

// ForcesReplacement reports whether a change of field cannot be made in
// place: the integration must be deleted and created again (a Replace).
func ForcesReplacement(field string) bool {
	f, ok := state.Lookup(state.KindIntegration, field)
	return ok && f.ForcesReplacement
}

// CanonicalTenantURL is the form in which tenant URLs are compared; see
// state.CanonicalTenantURL.
func CanonicalTenantURL(s string) string { return state.CanonicalTenantURL(s) }

// same is the fast path: whether have and want agree, as the plan
// compares them, on every compared field (fields) their ignore list does
// not name (changed is false then), and on every one it names (ignored is
// false then). It reads the field table's accessors, and values written
// alike are equal without more (nothing is allocated), so objects that did
// not change, nearly all of a large account, cost a few string
// comparisons; go-cmp runs only for the others.
func same[T state.Object](fields []state.Field, have, want *T, ignore []string) (changed, ignored bool) {
	for _, f := range fields {
		if f.Equal(state.Text(f, have), state.Text(f, want)) {
			continue
		}
		if slices.Contains(ignore, f.Name) {
			ignored = true
		} else {
			changed = true
		}
	}
	return changed, ignored
}

// view is the managed part of an object, for go-cmp: each compared
// field's value in the form the plan compares (state.Field.Canonical), by
// name. Server-computed fields and reference_id are not in it, so they
// cannot cause a change. The canonical forms are only compared: a
// FieldDiff carries the values as they were written.
type view map[string]string

func viewOf[T state.Object](fields []state.Field, obj *T) view {
	v := make(view, len(fields))
	for _, f := range fields {
		v[f.Name] = f.Canonical(state.Text(f, obj))
	}
	return v
}

// diff compares two objects' compared fields (fields) and returns those
// that differ, in field order, with before from x and after from y; none
// when they are equal.
func diff[T state.Object](fields []state.Field, x, y *T) (diffs []FieldDiff, err error) {
	defer func() {
		if p := recover(); p != nil {
			diffs, err = nil, fmt.Errorf("plan: comparing %T values: %v", x, p)
		}
	}()
	var r fieldReporter
	if cmp.Equal(viewOf(fields, x), viewOf(fields, y), cmp.Reporter(&r)) {
		return nil, nil
	}
	if r.err != nil {
		return nil, r.err
	}
	if len(r.names) == 0 {
		return nil, fmt.Errorf("plan: %T values differ but no field was reported", x)
	}
	for _, f := range fields { // in field order
		if slices.Contains(r.names, f.Name) {
			diffs = append(diffs, FieldDiff{Field: f.Name, Before: state.Text(f, x), After: state.Text(f, y)})
		}
	}
	return diffs, nil
}

// fieldReporter is a cmp.Reporter collecting the names of the fields of a
// view that differ.
type fieldReporter struct {
	path  cmp.Path
	names []string
	err   error
}

func (r *fieldReporter) PushStep(ps cmp.PathStep) { r.path = append(r.path, ps) }

func (r *fieldReporter) PopStep() { r.path = r.path[:len(r.path)-1] }

func (r *fieldReporter) Report(rs cmp.Result) {
	if rs.Equal() || r.err != nil {
		return
	}
	mi, ok := r.path.Last().(cmp.MapIndex)
	if !ok || len(r.path) != 2 {
		r.err = fmt.Errorf("plan: unexpected difference at %#v: views must be flat maps", r.path)
		return
	}
	if vx, vy := mi.Values(); !vx.IsValid() || !vy.IsValid() {
		r.err = fmt.Errorf("plan: field %s is missing from a view", mi.Key())
		return
	}
	r.names = append(r.names, mi.Key().String())
}

// allFields lists every compared field of an integration as a FieldDiff,
// with the values on the side given (before for a delete, after for a
// create) and "" on the other.
func allFields(in *state.Integration, after bool) []FieldDiff {
	values := make([]FieldDiff, 0, len(integrationCompared))
	for _, f := range integrationCompared {
		d := FieldDiff{Field: f.Name}
		if after {
			d.After = state.Text(f, in)
		} else {
			d.Before = state.Text(f, in)
		}
		values = append(values, d)
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
