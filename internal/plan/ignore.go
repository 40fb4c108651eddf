package plan

// Ignore lists: the spec's policy names, per object, fields whose
// differences are reported (Plan.Ignored) but never acted on.

import (
	"fmt"
	"slices"
	"strings"

	"github.com/riskctl/riskctl/internal/state"
)

// checkIgnore refuses an ignore entry that is not an ignorable field of
// r's kind (state.Field.Ignorable): the spec loader refuses it, so only a
// hand-made policy can have one, and silently honouring a typo would plan
// a change the user meant to ignore.
func checkIgnore(r Resource, key string, ignore []string) error {
	for _, name := range ignore {
		if f, ok := state.Lookup(state.Kind(r), name); !ok || !f.Ignorable {
			allowed := state.Names(state.FieldsOf(state.Kind(r), func(f state.Field) bool { return f.Ignorable }))
			return fmt.Errorf("%s %q: cannot ignore %q: the fields that can be ignored are %s", r, key, name, strings.Join(allowed, ", "))
		}
	}
	return nil
}

// splitIgnored splits one object's differences into those that are
// changes and those its ignore list keeps out, both in field order.
func splitIgnored(r Resource, key string, fields []FieldDiff, ignore []string) ([]FieldDiff, []IgnoredDiff) {
	var kept []FieldDiff
	var ignored []IgnoredDiff
	for _, f := range fields {
		if slices.Contains(ignore, f.Field) {
			ignored = append(ignored, IgnoredDiff{Resource: r, Key: key, Field: f.Field, Live: f.Before, Desired: f.After})
		} else {
			kept = append(kept, f)
		}
	}
	return kept, ignored
}

// keepIgnored is the object an update or a replace writes: want, with
// the ignored fields at their live values (have's). A behavior's PUT
// carries both fields of every key it names, an integration's PUT carries
// tenant_url and active together, and a replace recreates the object as it
// was apart from the changed fields, so the live values must be written.
func keepIgnored[T state.Object](r Resource, want T, have *T, ignore []string) T {
	for _, name := range ignore {
		f, _ := state.Lookup(state.Kind(r), name) // checked by checkIgnore
		if err := state.Set(f, &want, state.Text(f, have)); err != nil {
			panic("plan: " + err.Error()) // a value read from the same field always sets
		}
	}
	return want
}
