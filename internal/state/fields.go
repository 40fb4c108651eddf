package state

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// The field table: every field of a behavior and of an integration that
// riskctl knows, once, with what each part of riskctl does with it. The
// spec's keys, required keys and key order, the plan's comparison,
// fingerprint and JSON, the saved plan's live snapshot and stale check, and
// the Terraform import all iterate Fields instead of spelling field names,
// so adding a field is one row here (and its tests).
//
// Names are spelled as the API, the spec, plans and the Cloudflare
// Terraform provider spell them.

// Kind is the kind of object a field belongs to.
type Kind string

const (
	KindBehavior    Kind = "behavior"
	KindIntegration Kind = "integration"
)

// Type is how a field's value is written: a string, or a boolean whose text
// is "true" or "false".
type Type int

const (
	String Type = iota
	Bool
)

// Role says who sets a field.
type Role int

const (
	// Managed fields are set by the spec and compared by plans.
	Managed Role = iota
	// Identity is the field objects are matched on (an integration's
	// reference_id): set by the spec, never compared, since it never
	// differs between the two objects a plan pairs.
	Identity
	// Computed fields are set by Cloudflare: a spec may not set them, plans
	// never compare them. Those that State holds are live only.
	Computed
)

// Field is one row of the field table.
type Field struct {
	Name string // as the API, the spec and plans spell it
	Kind Kind
	Type Type
	Role Role
	// Required: a spec must set it. Default is the text an absent optional
	// field means ("" when there is none).
	Required bool
	Default  string
	// Compared: plans compare it, so a difference is a change. Ignorable:
	// a spec's ignore list may name it.
	Compared  bool
	Ignorable bool
	// ForcesReplacement: a change cannot be made in place; the object is
	// deleted and created again.
	ForcesReplacement bool
	// Fingerprinted: part of a plan's live fingerprint and of a saved
	// plan's live snapshot (what the saved plan's stale check compares).
	Fingerprinted bool
	// canonical maps a value to the form a plan compares, nil for the
	// text itself: two values are equal when their forms are.
	canonical func(string) string
	// behavior and integration locate the field in an object of its
	// kind; nil when State does not hold it (a computed field riskctl
	// never reads).
	behavior    func(*Behavior) slot
	integration func(*Integration) slot
}

// slot is where a field's value lives: exactly one of s and b is set.
type slot struct {
	s *string
	b *bool
}

// The names other code needs to single out: the identity field it matches
// on, and fields with a rule of their own (a create that must start
// inactive, tenant URLs in messages).
const (
	FieldEnabled         = "enabled"
	FieldRiskLevel       = "risk_level"
	FieldName            = "name"
	FieldReferenceID     = "reference_id"
	FieldIntegrationType = "integration_type"
	FieldTenantURL       = "tenant_url"
	FieldActive          = "active"
	FieldID              = "id"
	FieldCreatedAt       = "created_at"
)

// Fields is the table, behaviors then integrations, each in the order
// specs, plans and saved plans write them. Callers must not modify it.
var Fields = []Field{
	{Name: FieldEnabled, Kind: KindBehavior, Type: Bool, Role: Managed, Required: true,
		Compared: true, Ignorable: true, Fingerprinted: true,
		behavior: func(b *Behavior) slot { return slot{b: &b.Enabled} }},
	{Name: FieldRiskLevel, Kind: KindBehavior, Type: String, Role: Managed, Required: true,
		Compared: true, Ignorable: true, Fingerprinted: true, canonical: foldCase,
		behavior: func(b *Behavior) slot { return slot{s: &b.RiskLevel} }},
	{Name: FieldName, Kind: KindBehavior, Type: String, Role: Computed,
		behavior: func(b *Behavior) slot { return slot{s: &b.Name} }},
	{Name: "description", Kind: KindBehavior, Type: String, Role: Computed},

	// id first: the live snapshot and the fingerprint list it first.
	{Name: FieldID, Kind: KindIntegration, Type: String, Role: Computed, Fingerprinted: true,
		integration: func(in *Integration) slot { return slot{s: &in.ID} }},
	{Name: FieldReferenceID, Kind: KindIntegration, Type: String, Role: Identity, Required: true, Fingerprinted: true,
		integration: func(in *Integration) slot { return slot{s: &in.ReferenceID} }},
	{Name: FieldIntegrationType, Kind: KindIntegration, Type: String, Role: Managed, Required: true,
		Compared: true, Ignorable: true, ForcesReplacement: true, Fingerprinted: true, canonical: foldCase,
		integration: func(in *Integration) slot { return slot{s: &in.IntegrationType} }},
	{Name: FieldTenantURL, Kind: KindIntegration, Type: String, Role: Managed, Required: true,
		Compared: true, Ignorable: true, Fingerprinted: true, canonical: CanonicalTenantURL,
		integration: func(in *Integration) slot { return slot{s: &in.TenantURL} }},
	// A new integration is active unless the spec says otherwise: the
	// API's default.
	{Name: FieldActive, Kind: KindIntegration, Type: Bool, Role: Managed, Default: "true",
		Compared: true, Ignorable: true, Fingerprinted: true,
		integration: func(in *Integration) slot { return slot{b: &in.Active} }},
	{Name: "account_tag", Kind: KindIntegration, Type: String, Role: Computed},
	// created_at is held (Survivor reads it) but is not text: Text and
	// Set do not reach it.
	{Name: FieldCreatedAt, Kind: KindIntegration, Type: String, Role: Computed},
	{Name: "well_known_url", Kind: KindIntegration, Type: String, Role: Computed},
}

// FieldsOf returns the rows of kind for which keep is true (every row of
// kind when keep is nil), in table order. The slice is new.
func FieldsOf(kind Kind, keep func(Field) bool) []Field {
	var out []Field
	for _, f := range Fields {
		if f.Kind == kind && (keep == nil || keep(f)) {
			out = append(out, f)
		}
	}
	return out
}

// Names lists the names of fields, in their order.
func Names(fields []Field) []string {
	out := make([]string, len(fields))
	for i, f := range fields {
		out[i] = f.Name
	}
	return out
}

// Lookup returns the row of kind named name.
func Lookup(kind Kind, name string) (Field, bool) {
	for _, f := range Fields {
		if f.Kind == kind && f.Name == name {
			return f, true
		}
	}
	return Field{}, false
}

// Object is a type that has fields in the table.
type Object interface{ Behavior | Integration }

// Held reports whether State holds f in an object of its kind, so that
// Text and Set reach it.
func (f Field) Held() bool { return f.behavior != nil || f.integration != nil }

// Equal reports whether a and b, two texts of f, are the same value for a
// plan: risk_level and integration_type ignore case (as strings.EqualFold
// does), tenant_url compares CanonicalTenantURL, the others their text.
func (f Field) Equal(a, b string) bool {
	if a == b {
		return true
	}
	return f.canonical != nil && f.canonical(a) == f.canonical(b)
}

// Canonical is the form of text in which a plan compares f's values:
// Equal(a, b) is Canonical(a) == Canonical(b).
func (f Field) Canonical(text string) string {
	if f.canonical == nil {
		return text
	}
	return f.canonical(text)
}

// foldCase maps s to one spelling of its case-insensitive class, each
// character to the least of its simple case folding orbit, so that
// foldCase(a) == foldCase(b) exactly when strings.EqualFold(a, b) (which
// compares by those orbits; invalid UTF-8 is U+FFFD to both).
func foldCase(s string) string {
	return strings.Map(func(r rune) rune {
		least := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			least = min(least, f)
		}
		return least
	}, s)
}

// Text returns f's value in obj as text (a boolean as "true" or "false").
// It panics when f is not held for obj's type: a programming error.
func Text[T Object](f Field, obj *T) string {
	s := f.slot(obj)
	if s.b != nil {
		return strconv.FormatBool(*s.b)
	}
	return *s.s
}

// Set sets f's value in obj from text (a boolean from "true" or "false").
func Set[T Object](f Field, obj *T, text string) error {
	s := f.slot(obj)
	if s.b != nil {
		if text != "true" && text != "false" {
			return fmt.Errorf("%s must be true or false, got %q", f.Name, text)
		}
		*s.b = text == "true"
		return nil
	}
	*s.s = text
	return nil
}

func (f Field) slot(obj any) slot {
	switch o := obj.(type) {
	case *Behavior:
		if f.behavior != nil {
			return f.behavior(o)
		}
	case *Integration:
		if f.integration != nil {
			return f.integration(o)
		}
	}
	panic(fmt.Sprintf("state: field %s %s is not held in a %T", f.Kind, f.Name, obj))
}

// CanonicalTenantURL is the form in which tenant URLs are compared: spaces
// trimmed, scheme and host lower-case, a non-ASCII host in punycode (see
// comparableHost), no trailing slash. The rest (port,
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
	return strings.ToLower(scheme) + "://" + comparableHost(strings.ToLower(host)) + strings.TrimRight(path, "/") + suffix
}
