package plan

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"

	"github.com/riskctl/riskctl/internal/state"
	"github.com/riskctl/riskctl/internal/textutil"
)

// The JSON form of a Plan (schema in doc.go). These types, not the domain
// types, carry the JSON tags: the schema is a contract of its own and must
// not change because a Go field was renamed.

type jsonPlan struct {
	FormatVersion   string        `json:"format_version"`
	AccountID       string        `json:"account_id"`
	HasChanges      bool          `json:"has_changes"`
	Summary         jsonSummary   `json:"summary"`
	Changes         []jsonChange  `json:"changes"`
	Unmanaged       jsonUnmanaged `json:"unmanaged"`
	Targets         []string      `json:"targets"`
	Dedupe          bool          `json:"dedupe,omitempty"`
	Ignored         []jsonIgnored `json:"ignored"`
	LiveFingerprint string        `json:"live_fingerprint"`
}

type jsonIgnored struct {
	Resource Resource `json:"resource"`
	Key      string   `json:"key"`
	Field    string   `json:"field"`
	Live     string   `json:"live"`
	Desired  string   `json:"desired"`
}

type jsonSummary struct {
	Add     int `json:"add"`
	Change  int `json:"change"`
	Replace int `json:"replace"`
	Destroy int `json:"destroy"`
	// Weakening counts the changes of class "weakening".
	Weakening int `json:"weakening"`
}

type jsonChange struct {
	Action   Action   `json:"action"`
	Resource Resource `json:"resource"`
	Key      string   `json:"key"`
	// Class is derived (Change.Class): written for readers, never read
	// back.
	Class         state.Class     `json:"class"`
	LiveID        string          `json:"live_id,omitempty"`
	TenantURL     string          `json:"tenant_url,omitempty"` // names it for people: Change.TenantURL, host in ASCII
	Label         string          `json:"label,omitempty"`      // Change.Label, the spec's; ReadJSON reads it back
	Before        json.RawMessage `json:"before,omitempty"`     // jsonBehavior or jsonIntegration
	After         json.RawMessage `json:"after,omitempty"`
	Kept          json.RawMessage `json:"kept,omitempty"` // IntegrationChange.Kept: the copy a duplicate's delete keeps
	ChangedFields []jsonField     `json:"changed_fields"`
	Reason        string          `json:"reason"`
}

// jsonField is a changed field with its values typed as in the before
// and after objects (a boolean field's as true or false), and left out on
// the side a create or a delete does not have, as the change's own before
// and after are. ReadJSON also reads the values
// as text ("true"), as riskctl wrote them before: a saved plan's changed
// fields are not covered by its digests, so both forms are the same plan.
type jsonField struct {
	Field  string          `json:"field"`
	Before json.RawMessage `json:"before,omitempty"`
	After  json.RawMessage `json:"after,omitempty"`
}

// stateKind is the field table's kind of a plan resource.
var stateKind = map[Resource]state.Kind{ResourceBehavior: state.KindBehavior, ResourceIntegration: state.KindIntegration}

// toJSONField types f's values by the field table: a boolean field's text
// becomes a JSON boolean, every other value a string. The side the
// change's action has no value on (a create's before, a delete's after) is
// left out.
func toJSONField(r Resource, a Action, f FieldDiff) (jsonField, error) {
	field, known := state.Lookup(stateKind[r], f.Field)
	value := func(text string, absent bool) (json.RawMessage, error) {
		switch {
		case absent:
			return nil, nil
		case known && field.Type == state.Bool:
			if text != "true" && text != "false" {
				return nil, fmt.Errorf("plan: %s %s: %q is not true or false", r, f.Field, text)
			}
			return json.RawMessage(text), nil
		}
		return textutil.CompactJSON(text)
	}
	before, err := value(f.Before, a == Create)
	if err != nil {
		return jsonField{}, err
	}
	after, err := value(f.After, a == Delete)
	if err != nil {
		return jsonField{}, err
	}
	return jsonField{Field: f.Field, Before: before, After: after}, nil
}

// fromJSONField reads a changed field back: a boolean or a string (the
// older form, "" for no value), absent or null for no value.
func fromJSONField(jf jsonField) (FieldDiff, error) {
	text := func(raw json.RawMessage) (string, error) {
		var v any
		if len(raw) == 0 {
			return "", nil
		}
		if err := json.Unmarshal(raw, &v); err != nil {
			return "", err
		}
		switch v := v.(type) {
		case nil:
			return "", nil
		case bool:
			return strconv.FormatBool(v), nil
		case string:
			return v, nil
		}
		return "", fmt.Errorf("changed field %q: %s is not a string, a boolean or null", jf.Field, raw)
	}
	before, err := text(jf.Before)
	if err != nil {
		return FieldDiff{}, err
	}
	after, err := text(jf.After)
	if err != nil {
		return FieldDiff{}, err
	}
	return FieldDiff{Field: jf.Field, Before: before, After: after}, nil
}

// jsonBehavior is a behavior object: the fields state holds (the field
// table's), in table order, a computed one only when set (live only).
type jsonBehavior state.Behavior

// jsonIntegration is an integration object: the fields state holds, in
// table order (a computed one only when set), then protect when the spec
// protects it, then created_at when the server gave one (live only: it is
// what --dedupe chooses the survivor by).
type jsonIntegration struct {
	in      state.Integration
	protect bool
}

// The policy and time members of an integration object, which are not
// text fields of the table.
const (
	jsonProtect   = "protect"
	jsonCreatedAt = state.FieldCreatedAt
)

var (
	behaviorHeld    = state.FieldsOf(state.KindBehavior, state.Field.Held)
	integrationHeld = state.FieldsOf(state.KindIntegration, state.Field.Held)
)

func (b jsonBehavior) MarshalJSON() ([]byte, error) {
	return append(state.AppendObject([]byte{'{'}, behaviorHeld, (*state.Behavior)(&b), true), '}'), nil
}

func (b *jsonBehavior) UnmarshalJSON(data []byte) error {
	_, err := state.ReadObject(data, behaviorHeld, (*state.Behavior)(b))
	return err
}

func (j jsonIntegration) MarshalJSON() ([]byte, error) {
	b := state.AppendObject([]byte{'{'}, integrationHeld, &j.in, true)
	if j.protect {
		b = append(b, `,"`+jsonProtect+`":true`...)
	}
	if !j.in.CreatedAt.IsZero() {
		t, err := j.in.CreatedAt.MarshalJSON()
		if err != nil {
			return nil, err
		}
		b = append(b, `,"`+jsonCreatedAt+`":`...)
		b = append(b, t...)
	}
	return append(b, '}'), nil
}

func (j *jsonIntegration) UnmarshalJSON(data []byte) error {
	members, err := state.ReadObject(data, integrationHeld, &j.in)
	if err != nil {
		return err
	}
	if raw, ok := members[jsonProtect]; ok && string(raw) != "null" {
		if err := json.Unmarshal(raw, &j.protect); err != nil {
			return fmt.Errorf("%s: %w", jsonProtect, err)
		}
	}
	if raw, ok := members[jsonCreatedAt]; ok && string(raw) != "null" {
		if err := j.in.CreatedAt.UnmarshalJSON(raw); err != nil {
			return fmt.Errorf("%s: %w", jsonCreatedAt, err)
		}
	}
	return nil
}

type jsonUnmanaged struct {
	Behaviors    []string          `json:"behaviors"`
	Integrations []jsonIntegration `json:"integrations"`
}

// RenderJSON writes p in the stable JSON schema described in the package
// documentation: 2-space indentation, a trailing newline, arrays never null,
// and only ASCII (textutil.ASCIIJSON): a live tenant URL whose host holds a
// Cyrillic "а" is written "https://\u0430cme…", which never reads as
// "https://acme…" and decodes to the same text.
// Nothing is written when encoding fails.
func RenderJSON(w io.Writer, p Plan) error {
	s := p.Summary()
	out := jsonPlan{
		FormatVersion:   FormatVersion,
		AccountID:       p.AccountID,
		HasChanges:      p.HasChanges(),
		Summary:         jsonSummary{Add: s.Add, Change: s.Change, Replace: s.Replace, Destroy: s.Destroy, Weakening: s.Weakening},
		Changes:         make([]jsonChange, 0, len(p.Changes)),
		Unmanaged:       jsonUnmanaged{Behaviors: append([]string{}, p.UnmanagedBehaviors...), Integrations: []jsonIntegration{}},
		Targets:         append([]string{}, p.Targets...),
		Dedupe:          p.Dedupe,
		Ignored:         make([]jsonIgnored, 0, len(p.Ignored)),
		LiveFingerprint: p.LiveFingerprint,
	}
	for _, d := range p.Ignored {
		out.Ignored = append(out.Ignored, jsonIgnored(d))
	}
	for _, c := range p.Changes {
		jc, err := toJSONChange(c)
		if err != nil {
			return err
		}
		out.Changes = append(out.Changes, jc)
	}
	for _, in := range p.UnmanagedIntegrations {
		out.Unmanaged.Integrations = append(out.Unmanaged.Integrations, jsonIntegration{in: in})
	}
	data, err := textutil.JSON(out)
	if err != nil {
		return fmt.Errorf("plan: encoding JSON: %w", err)
	}
	_, err = w.Write(textutil.ASCIIJSON(data))
	return err
}

func toJSONChange(c Change) (jsonChange, error) {
	jc := jsonChange{
		Action:        c.Action,
		Resource:      c.Resource,
		Key:           c.Key,
		Class:         c.Class(),
		LiveID:        c.LiveID(),
		TenantURL:     state.DisplayURL(c.TenantURL()),
		Label:         c.Label(),
		ChangedFields: make([]jsonField, 0, len(c.Fields)),
		Reason:        c.Reason,
	}
	for _, f := range c.Fields {
		jf, err := toJSONField(c.Resource, c.Action, f)
		if err != nil {
			return jsonChange{}, err
		}
		jc.ChangedFields = append(jc.ChangedFields, jf)
	}
	var before, after any
	switch {
	case c.Resource == ResourceBehavior && c.Behavior != nil:
		before, after = jsonBehavior(c.Behavior.Before), jsonBehavior(c.Behavior.After)
	case c.Resource == ResourceIntegration && c.Integration != nil:
		if b := c.Integration.Before; b != nil {
			before = jsonIntegration{in: *b}
		}
		if a := c.Integration.After; a != nil {
			after = jsonIntegration{in: *a, protect: c.Integration.Protect}
		}
	default:
		return jsonChange{}, fmt.Errorf("plan: %s change of %q has no %s values", c.Resource, c.Key, c.Resource)
	}
	var err error
	if before != nil {
		if jc.Before, err = textutil.CompactJSON(before); err != nil {
			return jsonChange{}, err
		}
	}
	if after != nil {
		if jc.After, err = textutil.CompactJSON(after); err != nil {
			return jsonChange{}, err
		}
	}
	if c.Integration != nil && c.Integration.Kept != nil {
		if jc.Kept, err = textutil.CompactJSON(jsonIntegration{in: *c.Integration.Kept}); err != nil {
			return jsonChange{}, err
		}
	}
	return jc, nil
}

// ReadJSON reads a plan that RenderJSON wrote, for apply of a saved plan.
// It refuses another format_version; fields it does not know are ignored
// (adding fields does not change the version). The summary and has_changes
// are derived, so they are not read back.
func ReadJSON(r io.Reader) (Plan, error) {
	var in jsonPlan
	if err := json.NewDecoder(r).Decode(&in); err != nil {
		return Plan{}, fmt.Errorf("plan: reading JSON: %w", err)
	}
	if in.FormatVersion != FormatVersion {
		return Plan{}, fmt.Errorf("plan: format_version %q is not supported (this riskctl reads %q)", in.FormatVersion, FormatVersion)
	}
	p := Plan{
		AccountID:          in.AccountID,
		UnmanagedBehaviors: in.Unmanaged.Behaviors,
		Dedupe:             in.Dedupe,
		LiveFingerprint:    in.LiveFingerprint,
	}
	for i, s := range in.Targets {
		t, err := ParseTarget(s)
		if err != nil {
			return Plan{}, fmt.Errorf("plan: reading JSON: targets[%d]: %w", i, err)
		}
		p.Targets = append(p.Targets, t.String())
	}
	for i, d := range in.Ignored {
		if d.Resource != ResourceBehavior && d.Resource != ResourceIntegration {
			return Plan{}, fmt.Errorf("plan: reading JSON: ignored[%d]: unknown resource %q", i, d.Resource)
		}
		p.Ignored = append(p.Ignored, IgnoredDiff(d))
	}
	for i, jc := range in.Changes {
		c, err := fromJSONChange(jc)
		if err != nil {
			return Plan{}, fmt.Errorf("plan: reading JSON: changes[%d]: %w", i, err)
		}
		p.Changes = append(p.Changes, c)
	}
	for _, ji := range in.Unmanaged.Integrations {
		p.UnmanagedIntegrations = append(p.UnmanagedIntegrations, ji.in)
	}
	return p, nil
}

func fromJSONChange(jc jsonChange) (Change, error) {
	c := Change{Action: jc.Action, Resource: jc.Resource, Key: jc.Key, Reason: jc.Reason}
	for _, raw := range []*json.RawMessage{&jc.Before, &jc.After} {
		if string(*raw) == "null" {
			*raw = nil // "before": null is no before
		}
	}
	if !slices.Contains(Actions(), c.Action) {
		return Change{}, fmt.Errorf("unknown action %q", c.Action)
	}
	for _, jf := range jc.ChangedFields {
		f, err := fromJSONField(jf)
		if err != nil {
			return Change{}, err
		}
		c.Fields = append(c.Fields, f)
	}
	switch c.Resource {
	case ResourceBehavior:
		var before, after jsonBehavior
		if c.Action != Update || jc.Before == nil || jc.After == nil {
			return Change{}, fmt.Errorf("behavior %q: a behavior change is an update with before and after", c.Key)
		}
		if err := json.Unmarshal(jc.Before, &before); err != nil {
			return Change{}, err
		}
		if err := json.Unmarshal(jc.After, &after); err != nil {
			return Change{}, err
		}
		c.Behavior = &BehaviorChange{Before: state.Behavior(before), After: state.Behavior(after)}
	case ResourceIntegration:
		c.Integration = &IntegrationChange{}
		for _, side := range []struct {
			raw  json.RawMessage
			dst  **state.Integration
			want bool
		}{
			{jc.Before, &c.Integration.Before, c.Action != Create},
			{jc.After, &c.Integration.After, c.Action != Delete},
		} {
			if (side.raw != nil) != side.want {
				return Change{}, fmt.Errorf("integration %q: wrong before/after for a %s", c.Key, c.Action)
			}
			if side.raw == nil {
				continue
			}
			var ji jsonIntegration
			if err := json.Unmarshal(side.raw, &ji); err != nil {
				return Change{}, err
			}
			*side.dst = &ji.in
			c.Integration.Protect = c.Integration.Protect || ji.protect
		}
		c.Integration.Label = jc.Label
		if jc.Kept != nil && string(jc.Kept) != "null" {
			if c.Action != Delete {
				return Change{}, fmt.Errorf("integration %q: only a delete keeps a copy", c.Key)
			}
			var ji jsonIntegration
			if err := json.Unmarshal(jc.Kept, &ji); err != nil {
				return Change{}, err
			}
			c.Integration.Kept = &ji.in
		}
	default:
		return Change{}, fmt.Errorf("unknown resource %q", c.Resource)
	}
	return c, nil
}
