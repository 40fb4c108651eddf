package remote

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
)

// A listing whose result is null or absent, or not an array, is answered
// as before decodeTyped existed: decodeTyped declines those, and the
// result is decoded on its own.
func TestListIntegrationsOddResults(t *testing.T) {
	for _, tc := range []struct {
		name, body, wantErr string
	}{
		{"null", `{"success":true,"errors":[],"result":null}`, ""},
		{"absent", `{"success":true,"errors":[]}`, "list integrations: decode result: unexpected end of JSON input"},
		{"object", `{"success":true,"errors":[],"result":{}}`, "list integrations: decode result: json: cannot unmarshal object into Go value of type []remote.Integration"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			f.handle("GET /integrations", func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, tc.body) })
			got, err := f.client().ListIntegrations(context.Background())
			switch {
			case tc.wantErr == "" && (err != nil || got == nil || len(got) != 0):
				t.Fatalf("got %#v, %v; want an empty non-nil slice", got, err)
			case tc.wantErr != "" && (err == nil || err.Error() != tc.wantErr):
				t.Fatalf("got %#v, %v; want the error %q", got, err, tc.wantErr)
			}
		})
	}
}

// BenchmarkDecodeListing1000 decodes one answer listing 1000 integrations,
// as a plan does: "one-pass" is decode with decodeTyped (ListIntegrations
// now), "two-step" the envelope with a raw result, then the result.
func BenchmarkDecodeListing1000(b *testing.B) {
	var items []string
	for i := range 1000 {
		items = append(items, fmt.Sprintf(`{"id":"%032x","account_tag":"0123456789abcdef0123456789abcdef","integration_type":"Okta","reference_id":"idp-%05d","tenant_url":"https://t%05d.okta.com","well_known_url":"https://ssf.risk-score.teams.cloudflare.com/.well-known/sse-configuration/%032x","active":true,"created_at":"2025-03-19T19:53:56Z"}`, i, i, i, i))
	}
	body := []byte(`{"success":true,"errors":[],"messages":[],"result":[` + strings.Join(items, ",") + `]}`)
	c, err := New(Config{AccountID: "0123456789abcdef0123456789abcdef", Credentials: Credentials{Token: Secret(testToken)}})
	if err != nil {
		b.Fatal(err)
	}
	run := func(b *testing.B, typed bool) {
		b.ReportAllocs()
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			cl := &call{op: "list integrations", method: http.MethodGet}
			if typed {
				cl.decodeTyped = decodeTyped[[]Integration]
			}
			env, err := c.decode(cl, &http.Response{StatusCode: 200, Body: io.NopCloser(bytes.NewReader(body))})
			if err != nil {
				b.Fatal(err)
			}
			page, ok := env.typed.(*[]Integration)
			if !ok {
				page = new([]Integration)
				if err := unmarshalResult(cl.op, env.Result, page); err != nil {
					b.Fatal(err)
				}
			}
			if len(*page) != 1000 {
				b.Fatalf("decoded %d integrations", len(*page))
			}
		}
	}
	b.Run("one-pass", func(b *testing.B) { run(b, true) })
	b.Run("two-step", func(b *testing.B) { run(b, false) })
}
