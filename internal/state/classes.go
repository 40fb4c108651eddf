package state

import (
	"fmt"
	"strconv"
	"strings"
)

// Change classes: the one place that decides whether a change weakens
// detection or the flow of risk scores, strengthens it, or neither, and
// says in words what it weakens or strengthens. Plans record the class of
// each change (package plan), reports show the weakening ones first
// (package report) and apply refuses them unless approved (package
// reconcile). See docs/plan-and-apply.md#change-classes.
//
// The rules, per field of the table:
//
//   - behavior enabled: true → false weakens (the detection stops raising
//     risk scores), false → true strengthens.
//   - behavior risk_level: lower (low < medium < high) weakens, higher
//     strengthens; a change to or from a level riskctl does not know
//     weakens, since nothing says it is not lower.
//   - integration active: true → false weakens (the tenant stops receiving
//     scores), false → true strengthens.
//   - integration tenant_url: any change weakens: the feed moves, and the
//     tenant that received the scores stops receiving them.
//   - integration_type has no rule of its own: changing it is a replace,
//     classed per object (below).
//
// ClassOf is that rule for one field alone. BehaviorEffects and
// IntegrationEffects apply it to a change, where what is switched off
// has no effect: a disabled behavior raises no score, so its level counts
// only while it is enabled before and after (enabling or disabling it is
// the effect, at whatever level); an inactive integration sends nothing,
// so its tenant_url counts only when it was active (activating it is the
// effect, naming the tenant it will feed).
//
// And per object, for integrations (an absent integration sends nothing,
// like an inactive one):
//
//   - delete of an active integration weakens; of an inactive one is
//     neutral (nothing flowed).
//   - create of an active integration strengthens; of an inactive one is
//     neutral.
//   - replace (integration_type changes: delete, then create) of an active
//     integration weakens: the feed stops between the two writes, and for
//     good when the create fails; apply is not atomic. A replace of an
//     inactive integration that comes back active strengthens.
//
// A change's class is Weakening when any of its effects weakens, else
// Strengthening when any strengthens, else Neutral.

// Class is what a change does to detection and to the flow of risk
// scores.
type Class string

const (
	Neutral       Class = "neutral"
	Strengthening Class = "strengthening"
	Weakening     Class = "weakening"
)

// Combine is the class of a change with effects of classes cs: Weakening
// when any is, else Strengthening when any is, else Neutral.
func Combine(cs ...Class) Class {
	out := Neutral
	for _, c := range cs {
		switch {
		case c == Weakening:
			return Weakening
		case c == Strengthening:
			out = Strengthening
		}
	}
	return out
}

// levels is the order of risk levels, lowest first.
var levels = map[string]int{"low": 1, "medium": 2, "high": 3}

// ClassOf is the class of one field of an object of kind changing from
// before to after (texts as Text writes them). Equal values (by the
// field's Equal) are Neutral, as is any field without a rule above.
func ClassOf(kind Kind, field, before, after string) Class {
	f, ok := Lookup(kind, field)
	if !ok || f.Equal(before, after) {
		return Neutral
	}
	switch {
	case kind == KindBehavior && field == FieldEnabled,
		kind == KindIntegration && field == FieldActive:
		return onOff(before, after)
	case kind == KindBehavior && field == FieldRiskLevel:
		b, a := levels[strings.ToLower(before)], levels[strings.ToLower(after)]
		switch {
		case b == 0 || a == 0 || a < b:
			return Weakening
		case a > b:
			return Strengthening
		}
	case kind == KindIntegration && field == FieldTenantURL:
		return Weakening
	}
	return Neutral
}

// onOff classes a boolean switch: off weakens, on strengthens.
func onOff(before, after string) Class {
	switch {
	case before == "true" && after != "true":
		return Weakening
	case before != "true" && after == "true":
		return Strengthening
	}
	return Neutral
}

// Diff is one changed field of a change, both values as text.
type Diff struct {
	Field, Before, After string
}

// Effect is one thing a change does that is not neutral: its class and,
// in words, what changes and what it weakens or strengthens, such as
// `disabled — "Impossible Travel" detections stop raising risk scores`.
// What holds live and spec values as they are: renderers make it safe.
type Effect struct {
	Class Class
	// Field is the field that decides ("" for the object as a whole: a
	// create, a delete, a replace).
	Field string
	What  string
}

// ClassOfEffects is the class of a change with these effects.
func ClassOfEffects(effects []Effect) Class {
	cs := make([]Class, len(effects))
	for i, e := range effects {
		cs[i] = e.Class
	}
	return Combine(cs...)
}

// BehaviorEffects are the effects of changing the fields diffs of a
// behavior that was before (its name, when known, says which detection).
// A disabled behavior raises no risk score, so its level counts only
// while it is enabled on both sides: enabling or disabling it is the
// effect, at whatever level.
func BehaviorEffects(before Behavior, diffs []Diff) []Effect {
	return behaviorEffects(before, diffs, true)
}

// BehaviorClass is ClassOfEffects(BehaviorEffects(before, diffs)),
// without the words: plans count classes often.
func BehaviorClass(before Behavior, diffs []Diff) Class {
	return ClassOfEffects(behaviorEffects(before, diffs, false))
}

// behaviorEffects is BehaviorEffects, What left empty unless words.
func behaviorEffects(before Behavior, diffs []Diff, words bool) []Effect {
	detections := "its detections"
	if before.Name != "" && words {
		detections = fmt.Sprintf("%q detections", before.Name)
	}
	enabledBefore := strconv.FormatBool(before.Enabled)
	enabledAfter := enabledBefore
	for _, d := range diffs {
		if d.Field == FieldEnabled {
			enabledBefore, enabledAfter = d.Before, d.After
		}
	}
	var out []Effect
	for _, d := range diffs {
		c := ClassOf(KindBehavior, d.Field, d.Before, d.After)
		var what string
		switch {
		case c == Neutral:
			continue
		case d.Field == FieldRiskLevel && (enabledBefore != "true" || enabledAfter != "true"):
			continue // the level of a disabled behavior: no effect
		case !words:
		case d.Field == FieldEnabled && c == Weakening:
			what = "disabled — " + detections + " stop raising risk scores"
		case d.Field == FieldEnabled:
			what = "enabled — " + detections + " start raising risk scores"
		default: // risk_level
			what = fmt.Sprintf("risk_level %s → %s — %s raise a user's risk to %s instead of %s", d.Before, d.After, detections, d.After, d.Before)
		}
		out = append(out, Effect{Class: c, Field: d.Field, What: what})
	}
	return out
}

// IntegrationEffects are the effects of a change of an integration from
// before to after (nil: absent; both set for an update or a replace) whose
// changed fields are diffs. A change of a field that forces replacement
// makes it a replace.
func IntegrationEffects(before, after *Integration, diffs []Diff) []Effect {
	return integrationEffects(before, after, diffs, true)
}

// IntegrationClass is ClassOfEffects(IntegrationEffects(before, after,
// diffs)), without the words.
func IntegrationClass(before, after *Integration, diffs []Diff) Class {
	return ClassOfEffects(integrationEffects(before, after, diffs, false))
}

// integrationEffects is IntegrationEffects, What left empty unless words.
func integrationEffects(before, after *Integration, diffs []Diff, words bool) []Effect {
	tenant := func(in *Integration) string {
		if !words {
			return ""
		}
		return tenantOf(in)
	}
	switch {
	case before == nil && after == nil:
		return nil
	case before == nil:
		if !after.Active {
			return nil
		}
		return []Effect{{Class: Strengthening, What: "created active — " + tenant(after) + " starts receiving risk scores"}}
	case after == nil:
		if !before.Active {
			return nil
		}
		return []Effect{{Class: Weakening, What: "deleted — " + tenant(before) + " stops receiving risk scores"}}
	}
	replace := false
	for _, d := range diffs {
		if f, ok := Lookup(KindIntegration, d.Field); ok && f.ForcesReplacement && !f.Equal(d.Before, d.After) {
			replace = true
		}
	}
	var out []Effect
	if replace {
		switch {
		case before.Active:
			out = append(out, Effect{Class: Weakening, What: "replaced (deleted, then created) — " + tenant(before) +
				" stops receiving risk scores until the create lands"})
		case after.Active:
			out = append(out, Effect{Class: Strengthening, What: "replaced, and active — " + tenant(after) + " starts receiving risk scores"})
		}
	}
	for _, d := range diffs {
		c := ClassOf(KindIntegration, d.Field, d.Before, d.After)
		switch {
		case c == Neutral:
		case d.Field == FieldTenantURL && !before.Active:
			// No feed to move: activating it, if it is, is the effect.
		case d.Field == FieldTenantURL:
			what := ""
			if words {
				from, to := showURL(d.Before), showURL(d.After)
				what = fmt.Sprintf("tenant_url %s → %s — risk scores go to %s instead of %s %s", from, to, to, typeName(before), from)
			}
			out = append(out, Effect{Class: c, Field: d.Field, What: what})
		case replace:
			// active in a replace: said by the replace's effect above.
		case c == Weakening:
			out = append(out, Effect{Class: c, Field: d.Field, What: "deactivated — " + tenant(before) + " stops receiving risk scores"})
		default:
			out = append(out, Effect{Class: c, Field: d.Field, What: "activated — " + tenant(after) + " starts receiving risk scores"})
		}
	}
	return out
}

// tenantOf names the tenant an integration feeds: "Okta tenant URL".
func tenantOf(in *Integration) string { return typeName(in) + " " + showURL(in.TenantURL) }

// showURL is a tenant URL as the effects' words show it: the one place
// to print hosts as every other output does.
func showURL(u string) string { return DisplayURL(u) }

func typeName(in *Integration) string {
	t := in.IntegrationType
	if t == "" {
		t = "Okta"
	}
	return t + " tenant"
}
