package plan

// Ignore lists: a desired object's Ignore names fields whose differences
// are reported (Plan.Ignored) but never acted on.

import (
	"fmt"
	"slices"
	"strings"

	"github.com/riskctl/riskctl/internal/state"
)

// The fields an ignore list may name, per resource, in field order.
var (
	behaviorFields    = []string{FieldEnabled, FieldRiskLevel}
	integrationFields = []string{FieldIntegrationType, FieldTenantURL, FieldActive}
)

// splitIgnored splits one object's differences into those that are
// changes and those its ignore list keeps out, both in field order. An
// ignore entry that is not one of allowed is an error: the spec loader
// refuses it, so only a hand-made state can have one, and silently
// honouring a typo would plan a change the user meant to ignore.
func splitIgnored(r Resource, key string, fields []FieldDiff, ignore, allowed []string) ([]FieldDiff, []IgnoredDiff, error) {
	for _, name := range ignore {
		if !slices.Contains(allowed, name) {
			return nil, nil, fmt.Errorf("%s %q: cannot ignore %q: the fields that can be ignored are %s", r, key, name, strings.Join(allowed, ", "))
		}
	}
	var kept []FieldDiff
	var ignored []IgnoredDiff
	for _, f := range fields {
		if slices.Contains(ignore, f.Field) {
			ignored = append(ignored, IgnoredDiff{Resource: r, Key: key, Field: f.Field, Live: f.Before, Desired: f.After})
		} else {
			kept = append(kept, f)
		}
	}
	return kept, ignored, nil
}

// keepIgnoredBehavior is the behavior an update writes: the desired one,
// with the ignored fields at their live values (the PUT carries both
// fields of every key it names).
func keepIgnoredBehavior(want, have state.Behavior) state.Behavior {
	for _, name := range want.Ignore {
		switch name {
		case FieldEnabled:
			want.Enabled = have.Enabled
		case FieldRiskLevel:
			want.RiskLevel = have.RiskLevel
		}
	}
	want.Ignore = nil // read by Compute only; a plan carries values
	return want
}

// keepIgnoredIntegration is the integration an update or a replace
// writes: the desired one, with the ignored fields at their live values
// (the PUT carries tenant_url and active together; a replace recreates the
// object as it was, apart from the changed fields).
func keepIgnoredIntegration(want, have state.Integration) state.Integration {
	for _, name := range want.Ignore {
		switch name {
		case FieldIntegrationType:
			want.IntegrationType = have.IntegrationType
		case FieldTenantURL:
			want.TenantURL = have.TenantURL
		case FieldActive:
			want.Active = have.Active
		}
	}
	want.Ignore = nil
	return want
}
