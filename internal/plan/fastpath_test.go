package plan

import (
	"slices"
	"strconv"
	"testing"

	"github.com/riskctl/riskctl/internal/state"
)

// The fast path (same) decides which objects go-cmp looks at, so a field
// it missed would silently drop a change from plans. It is checked row by
// row over the field table: a new row is covered without a new test.
func TestFastPathCoversEveryComparedField(t *testing.T) {
	testFastPath(t, state.KindBehavior, behaviorCompared, func() *state.Behavior { return &state.Behavior{} })
	testFastPath(t, state.KindIntegration, integrationCompared, func() *state.Integration { return &state.Integration{} })
}

func testFastPath[T state.Object](t *testing.T, kind state.Kind, compared []state.Field, zero func() *T) {
	t.Helper()
	// base holds a value in every field state keeps.
	base := zero()
	for _, f := range state.FieldsOf(kind, state.Field.Held) {
		set(t, f, base, sample(f, "https://a.okta.com"))
	}
	for _, f := range state.FieldsOf(kind, state.Field.Held) {
		other := *base
		set(t, f, &other, sample(f, "https://b.okta.com/x"))
		changed, ignored := same(compared, base, &other, nil)
		if changed != f.Compared || ignored {
			t.Errorf("%s %s changed: same = changed %t, ignored %t; want changed %t (compared), ignored false",
				kind, f.Name, changed, ignored, f.Compared)
		}
		fields, err := diff(compared, base, &other)
		if err != nil {
			t.Fatalf("%s %s: %v", kind, f.Name, err)
		}
		if got := len(fields) > 0; got != f.Compared || (got && fields[0].Field != f.Name) {
			t.Errorf("%s %s changed: go-cmp reports %+v", kind, f.Name, fields)
		}
		if !f.Ignorable {
			continue
		}
		// Ignored, the difference is not a change, but it is still seen
		// (for Plan.Ignored).
		changed, ignored = same(compared, base, &other, []string{f.Name})
		if changed || !ignored {
			t.Errorf("%s %s changed and ignored: same = changed %t, ignored %t; want false, true", kind, f.Name, changed, ignored)
		}
		// Ignoring another field does not hide this one.
		if rest := slices.DeleteFunc(state.Names(compared), func(n string) bool { return n == f.Name }); len(rest) > 0 {
			if changed, _ := same(compared, base, &other, rest); !changed {
				t.Errorf("%s %s changed, the other fields ignored: same says unchanged", kind, f.Name)
			}
		}
	}
	if changed, ignored := same(compared, base, base, nil); changed || ignored {
		t.Errorf("%s: an object differs from itself", kind)
	}
}

// sample is a value of f's type: a boolean true for the first URL and
// false for the other, a string the URL itself, which no field's equality
// makes equal to the other.
func sample(f state.Field, url string) string {
	if f.Type == state.Bool {
		return strconv.FormatBool(url == "https://a.okta.com")
	}
	return url
}

func set[T state.Object](t *testing.T, f state.Field, obj *T, text string) {
	t.Helper()
	if err := state.Set(f, obj, text); err != nil {
		t.Fatal(err)
	}
}
