package state

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// TestFieldTable checks the rules that tie the table's columns together,
// for every row, so that a new row cannot contradict them.
func TestFieldTable(t *testing.T) {
	seen := map[string]bool{}
	for _, f := range Fields {
		id := string(f.Kind) + " " + f.Name
		if seen[id] {
			t.Errorf("%s: listed twice", id)
		}
		seen[id] = true
		if f.Kind != KindBehavior && f.Kind != KindIntegration {
			t.Errorf("%s: unknown kind", id)
		}
		if f.Ignorable && !f.Compared {
			t.Errorf("%s: ignorable but not compared: ignoring it would change nothing", id)
		}
		if f.Compared != (f.Role == Managed) {
			t.Errorf("%s: compared %t, but role %d (managed fields, and only they, are compared)", id, f.Compared, f.Role)
		}
		if f.ForcesReplacement && (!f.Compared || f.Kind != KindIntegration) {
			t.Errorf("%s: forces replacement but is not a compared integration field", id)
		}
		if f.Required && f.Role == Computed {
			t.Errorf("%s: required but computed", id)
		}
		if f.Required && f.Default != "" {
			t.Errorf("%s: required with a default", id)
		}
		if (f.Compared || f.Fingerprinted || f.Role != Computed) && !f.Held() {
			t.Errorf("%s: plans or specs read it, but State does not hold it", id)
		}
		if f.Held() != ((f.behavior != nil) != (f.integration != nil)) || (f.behavior != nil && f.Kind != KindBehavior) {
			t.Errorf("%s: the accessor does not match the kind", id)
		}
		if f.Default != "" {
			var b Behavior
			var in Integration
			var err error
			if f.Kind == KindBehavior {
				err = Set(f, &b, f.Default)
			} else {
				err = Set(f, &in, f.Default)
			}
			if err != nil {
				t.Errorf("%s: default %q: %v", id, f.Default, err)
			}
		}
	}
	for _, name := range []string{FieldEnabled, FieldRiskLevel, FieldName, FieldReferenceID, FieldIntegrationType, FieldTenantURL, FieldActive, FieldID, FieldCreatedAt} {
		if _, ok := Lookup(KindBehavior, name); !ok {
			if _, ok := Lookup(KindIntegration, name); !ok {
				t.Errorf("constant %q names no row", name)
			}
		}
	}
}

// Text and Set reach the field they name, and only it.
func TestTextAndSet(t *testing.T) {
	for _, f := range FieldsOf(KindIntegration, Field.Held) {
		var in Integration
		text := "x-" + f.Name
		if f.Type == Bool {
			text = "true"
		}
		if err := Set(f, &in, text); err != nil {
			t.Fatal(err)
		}
		if got := Text(f, &in); got != text {
			t.Errorf("%s: Text after Set(%q) = %q", f.Name, text, got)
		}
		for _, other := range FieldsOf(KindIntegration, Field.Held) {
			if other.Name != f.Name && Text(other, &in) != Text(other, &Integration{}) {
				t.Errorf("Set %s changed %s", f.Name, other.Name)
			}
		}
	}
	active, _ := Lookup(KindIntegration, FieldActive)
	if err := Set(active, &Integration{}, "yes"); err == nil {
		t.Errorf("Set(active, yes) succeeded")
	}
}

func TestEqual(t *testing.T) {
	level, _ := Lookup(KindBehavior, FieldRiskLevel)
	url, _ := Lookup(KindIntegration, FieldTenantURL)
	ref, _ := Lookup(KindIntegration, FieldReferenceID)
	for _, tt := range []struct {
		f    Field
		a, b string
		want bool
	}{
		{level, "HIGH", "high", true},
		{level, "high", "low", false},
		{url, "https://ACME.okta.com/", "https://acme.okta.com", true},
		{url, "https://acme.okta.com/a", "https://acme.okta.com/A", false},
		{ref, "A", "a", false},
	} {
		if got := tt.f.Equal(tt.a, tt.b); got != tt.want {
			t.Errorf("%s: Equal(%q, %q) = %t", tt.f.Name, tt.a, tt.b, got)
		}
	}
}

// AppendJSON writes what encoding/json writes, HTML escaping aside.
func TestAppendJSON(t *testing.T) {
	in := Integration{ID: "i<1>", ReferenceID: "r&\"\u2028", IntegrationType: "Okta", TenantURL: "https://a.okta.com/\x01", Active: true, CreatedAt: time.Unix(1, 0)}
	held := FieldsOf(KindIntegration, Field.Held)
	b := append(AppendObject([]byte{'{'}, held, &in, false), '}')
	var got Integration
	if _, err := ReadObject(b, held, &got); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
	in.CreatedAt = time.Time{}
	if got != in {
		t.Errorf("round trip: %+v, want %+v", got, in)
	}
	want := `{"id":"i<1>","reference_id":"r&\"\u2028","integration_type":"Okta","tenant_url":"https://a.okta.com/\u0001","active":true}`
	if string(b) != want {
		t.Errorf("AppendObject = %s\nwant            %s", b, want)
	}
	// A computed field that is empty is left out on request: live only.
	in.ID = ""
	if b := AppendObject([]byte{'{'}, held, &in, true); bytes.Contains(b, []byte(`"id"`)) {
		t.Errorf("AppendObject(omitEmptyComputed) = %s, want no id", b)
	}
}

// AppendJSONString's fast path must write what encoding/json writes.
func FuzzAppendJSONString(f *testing.F) {
	for _, s := range []string{"", "plain https://a.okta.com/x?y", "<a href>&", `"\`, "\x00\x1f\x7f", "\u2028\u2029", "é\xff", "\t\n\r\b\f"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, html := range []bool{false, true} {
			var buf bytes.Buffer
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(html)
			if err := enc.Encode(s); err != nil {
				t.Fatal(err)
			}
			want := strings.TrimSuffix(buf.String(), "\n")
			if got := string(AppendJSONString(nil, s, html)); got != want {
				t.Errorf("AppendJSONString(%q, html %t) = %s, want %s", s, html, got, want)
			}
		}
	})
}
