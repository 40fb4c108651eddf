package state

import "testing"

func TestDisplayURL(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"https://acme.okta.com", "https://acme.okta.com"},
		{"https://\u0430cme.okta.com", "https://xn--cme-5cd.okta.com"},               // Cyrillic а
		{"https://\u0410CME.okta.com:8443/p", "https://xn--CME-i8c.okta.com:8443/p"}, // no case mapping: printed as held
		{"https://b\u00fccher.de/\u0430", `https://xn--bcher-kva.de/\u0430`},         // the path escaped
		{"https://u\u0430@acme.okta.com", `https://u\u0430@acme.okta.com`},
		{"https://acme.okta.com\r\n", `https://acme.okta.com\u000D\u000A`},
		{"https://a b.com", `https://a\u0020b.com`},
		{`https://acme.okta.com/\u0430`, `https://acme.okta.com/\u005Cu0430`}, // a backslash cannot forge an escape
		{"not a url", `not\u0020a\u0020url`},
		{"https://a\xffb.com", `https://a\xFFb.com`},
		{"https://\U0001F600.com", `https://xn--e28h.com`},
		{"", ""},
	} {
		if got := DisplayURL(tc.in); got != tc.want {
			t.Errorf("DisplayURL(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// Two tenant URLs that print alike are the same URL to a plan: the
// issue's look-alike pair prints differently, and a host and its punycode,
// which print alike, compare equal.
func TestDisplayedAlikeMeansEqual(t *testing.T) {
	urls := []string{
		"https://acme.okta.com", "https://\u0430cme.okta.com", "https://xn--cme-5cd.okta.com",
		"https://XN--CME-5CD.okta.com", "https://\u0410cme.okta.com", "https://acme.okta.com/",
		"https://acme.okta.com/\u0430", `https://acme.okta.com/\u0430`, "https://acme.okta.com ",
	}
	f, _ := Lookup(KindIntegration, FieldTenantURL)
	for _, a := range urls {
		for _, b := range urls {
			if DisplayURL(a) == DisplayURL(b) && !f.Equal(a, b) {
				t.Errorf("%q and %q both print %q but differ to a plan", a, b, DisplayURL(a))
			}
		}
	}
	if !f.Equal("https://\u0430cme.okta.com", "https://xn--cme-5cd.okta.com") {
		t.Error("a Unicode host and its punycode are not the same host to a plan")
	}
	if f.Equal("https://\u0430cme.okta.com", "https://acme.okta.com") {
		t.Error("the look-alike host compares equal to acme.okta.com")
	}
}

func TestASCIITenantURL(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"https://acme.okta.com/\u0430", "https://acme.okta.com/\u0430"}, // only the host
		{"https://\u0410cme.okta.com:8443/x", "https://xn--cme-5cd.okta.com:8443/x"},
		{"https://acme.okta.com", "https://acme.okta.com"},
	} {
		if got := ASCIITenantURL(tc.in); got != tc.want {
			t.Errorf("ASCIITenantURL(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestIntegrationName(t *testing.T) {
	for _, tc := range []struct{ ref, id, url, label, want string }{
		{"r", "", "", "", `integration "r"`},
		{"r", "id-1", "https://\u0430cme.okta.com", "", `integration "r" (https://xn--cme-5cd.okta.com)`},
		{"r", "", "https://acme.okta.com", "Acme \"prod\"", `integration "r" (https://acme.okta.com, label "Acme \"prod\"")`},
		{"", "id-1", "https://acme.okta.com", "", `integration (id "id-1", no reference_id, https://acme.okta.com)`},
	} {
		if got := IntegrationName(tc.ref, tc.id, tc.url, tc.label); got != tc.want {
			t.Errorf("IntegrationName(%q, %q, %q, %q) = %s, want %s", tc.ref, tc.id, tc.url, tc.label, got, tc.want)
		}
	}
}
