package remote

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

// FuzzDecodeEnvelope feeds arbitrary bodies and statuses to decode: it must
// never panic, a success must come with an envelope, and no error may hold
// the client's credential, whatever the body echoes.
func FuzzDecodeEnvelope(f *testing.F) {
	for _, seed := range []struct {
		status int
		body   string
	}{
		{200, `{"success":true,"errors":[],"result":[]}`},
		{200, `{"success":false,"errors":[{"code":1,"message":"bad ` + testToken + `"}]}`},
		{200, `{"result":1}`},
		{200, `not json ` + testToken},
		{200, ``},
		{403, `{"success":false,"errors":[{"code":10000,"message":"Authentication error ` + testToken + `","error_chain":[{"code":2,"message":"` + testToken + `"}]}]}`},
		{500, `<html><body>` + testToken + `</body></html>`},
		{502, `{"success":false,"errors":[]} ` + testToken},
		{404, "Bearer " + testToken + "\n\t" + testToken},
		{429, `{"success":false,"errors":[{"code":1,"message":"s3cr3t\u002dtoken-value"}]}`},
		{204, `null`},
		{301, `{"success":true}`},
	} {
		f.Add(seed.status, []byte(seed.body))
	}
	c, err := New(Config{AccountID: "0123456789abcdef0123456789abcdef", Credentials: Credentials{Token: Secret(testToken)}})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		if status < 100 || status > 999 {
			status = 100 + (status%900+900)%900
		}
		resp := &http.Response{StatusCode: status, Body: io.NopCloser(bytes.NewReader(body))}
		cl := &call{op: "list behaviors", method: http.MethodGet, path: "/accounts/x/zt_risk_scoring/behaviors"}
		env, err := c.decode(cl, resp)
		if err == nil {
			if env == nil || env.Success == nil || !*env.Success {
				t.Fatalf("decode(%d, %q) = %+v without error", status, body, env)
			}
			if status < 200 || status > 299 {
				t.Fatalf("decode(%d, %q) succeeded on a non-2xx status", status, body)
			}
			return
		}
		if env != nil {
			t.Fatalf("decode(%d, %q) = %+v and %v", status, body, env, err)
		}
		texts := []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err)}
		var apiErr *APIError
		if errors.As(err, &apiErr) {
			texts = append(texts, apiErr.Body)
			var walk func(items []ErrorItem)
			walk = func(items []ErrorItem) {
				for _, it := range items {
					texts = append(texts, it.Message)
					walk(it.Chain)
				}
			}
			walk(apiErr.Errors)
		}
		for _, s := range texts {
			if strings.Contains(s, testToken) {
				t.Fatalf("decode(%d, %q): error leaks the token: %s", status, body, s)
			}
		}
	})
}

// FuzzDecodeTyped checks decodeTyped against the two-step decode it
// replaces for listings (decode, then json.Unmarshal of the raw result):
// for any body, when it accepts, the envelope and the page are what the
// two steps give; when it declines, decode's usual path runs unchanged.
func FuzzDecodeTyped(f *testing.F) {
	for _, seed := range []string{
		`{"success":true,"errors":[],"result":[{"id":"a","reference_id":"r","integration_type":"Okta","tenant_url":"https://x","active":true}]}`,
		`{"success":true,"result":[],"result_info":{"page":1,"total_pages":2}}`,
		`{"success":true,"result":null}`,
		`{"success":true}`,
		`{"success":true,"result":{}}`,
		`{"success":true,"result":[1]}`,
		`{"success":false,"errors":[{"code":1,"message":"no"}],"result":[]}`,
		`{"Success":true,"RESULT":[{"ID":"x"}],"result":[{"id":"y"}]}`,
		`{"success":true,"result":[{"id":"a"}],"result":null}`,
		`[]`, ``, `not json`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		typed, ok := decodeTyped[[]Integration](body)
		if !ok {
			return
		}
		var env envelope
		if err := json.Unmarshal(body, &env); err != nil {
			t.Fatalf("decodeTyped accepted %q, which is not an envelope: %v", body, err)
		}
		var page []Integration
		if err := json.Unmarshal(env.Result, &page); err != nil {
			t.Fatalf("decodeTyped accepted %q, whose result does not decode: %v", body, err)
		}
		got := *typed.typed.(*[]Integration)
		if !reflect.DeepEqual(got, page) || env.Success == nil || *typed.Success != *env.Success ||
			!reflect.DeepEqual(typed.Errors, env.Errors) || !reflect.DeepEqual(typed.ResultInfo, env.ResultInfo) {
			t.Fatalf("body %q:\ntyped %+v %+v\ntwo steps %+v %+v", body, typed, got, env, page)
		}
	})
}
