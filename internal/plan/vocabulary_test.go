package plan

import (
	"slices"
	"testing"

	"github.com/riskctl/riskctl/internal/state"
)

func TestSummaryOfAndCount(t *testing.T) {
	var changes []Change
	for i, a := range []Action{Create, Update, Update, Replace, Delete, Delete, Delete, "bogus"} {
		changes = append(changes, Change{Action: a, Key: string(rune('a' + i))})
	}
	s := SummaryOf(changes)
	if want := (Summary{Add: 1, Change: 2, Replace: 1, Destroy: 3}); s != want {
		t.Fatalf("SummaryOf = %+v, want %+v", s, want)
	}
	if got := (Plan{Changes: changes}).Summary(); got != s {
		t.Errorf("Plan.Summary = %+v, want SummaryOf's %+v", got, s)
	}
	if got, want := Actions(), []Action{Create, Update, Replace, Delete}; !slices.Equal(got, want) {
		t.Errorf("Actions() = %v, want %v", got, want)
	}
	var counted int
	for _, a := range Actions() {
		counted += s.Count(a)
	}
	if counted != 7 || s.Count("bogus") != 0 {
		t.Errorf("Count: %d over Actions(), %d for an unknown action; want 7, 0", counted, s.Count("bogus"))
	}
	if got := []int{s.Count(Create), s.Count(Update), s.Count(Replace), s.Count(Delete)}; !slices.Equal(got, []int{s.Add, s.Change, s.Replace, s.Destroy}) {
		t.Errorf("Count per action = %v", got)
	}
}

func TestLiveIDAndTitle(t *testing.T) {
	live := &state.Integration{ID: "id-1", ReferenceID: "ref"}
	anon := &state.Integration{ID: "id-2"}
	tests := []struct {
		c           Change
		live, title string
	}{
		{Change{Action: Update, Resource: ResourceBehavior, Key: "imp_travel", Behavior: &BehaviorChange{}}, "", `behavior "imp_travel"`},
		{Change{Action: Create, Resource: ResourceIntegration, Key: "ref", Integration: &IntegrationChange{After: live}}, "", `integration "ref"`},
		{Change{Action: Update, Resource: ResourceIntegration, Key: "ref", Integration: &IntegrationChange{Before: live, After: live}}, "id-1", `integration "ref"`},
		{Change{Action: Delete, Resource: ResourceIntegration, Integration: &IntegrationChange{Before: anon}}, "id-2", `integration (id "id-2", no reference_id)`},
		{Change{Action: Delete, Resource: ResourceIntegration}, "", `integration (id "", no reference_id)`},
	}
	for _, tt := range tests {
		if got := tt.c.LiveID(); got != tt.live {
			t.Errorf("%s %s %q: LiveID() = %q, want %q", tt.c.Action, tt.c.Resource, tt.c.Key, got, tt.live)
		}
		if got := tt.c.Title(); got != tt.title {
			t.Errorf("%s %s %q: Title() = %q, want %q", tt.c.Action, tt.c.Resource, tt.c.Key, got, tt.title)
		}
	}
}

func TestFieldRules(t *testing.T) {
	for _, f := range fieldOrder {
		if got, want := ForcesReplacement(f), f == FieldIntegrationType; got != want {
			t.Errorf("ForcesReplacement(%q) = %t, want %t", f, got, want)
		}
	}
	for field, want := range map[string]string{
		FieldEnabled:         "true",
		FieldActive:          "true",
		FieldRiskLevel:       `"true"`,
		FieldIntegrationType: `"true"`,
		FieldTenantURL:       `"true"`,
	} {
		if got := FormatValue(field, "true"); got != want {
			t.Errorf("FormatValue(%q, \"true\") = %s, want %s", field, got, want)
		}
	}
}
