package remote

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// A hostile or broken server echoes what it was sent. Whatever it echoes,
// in whatever case and wherever its message is cut, no error carries the
// credential or the first characters of it.
func TestEchoedCredentialNeverInErrors(t *testing.T) {
	pad := strings.Repeat("x", snippetRunes-len(" Bearer ")-10) // the cut falls 10 characters into the token
	for _, tc := range []struct {
		name string
		body func(token string) string
	}{
		{"plain body cut inside the token", func(tok string) string { return pad + " Bearer " + tok + " trailing" }},
		{"plain body, upper case", func(tok string) string { return "denied: " + strings.ToUpper(tok) }},
		{"plain body, lower case", func(tok string) string { return "denied: " + strings.ToLower(tok) }},
		{"html body", func(tok string) string { return "<html><p>" + pad + tok + "</p></html>" }},
		{"envelope message", func(tok string) string {
			return fmt.Sprintf(`{"success":false,"errors":[{"code":10000,"message":"bad token %s"}],"messages":[],"result":null}`, strings.ToUpper(tok))
		}},
		{"nested envelope message", func(tok string) string {
			return fmt.Sprintf(`{"success":false,"errors":[{"code":10000,"message":"x","error_chain":[{"code":1,"message":"got %s"}]}],"messages":[],"result":null}`, tok[:12])
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			f.handle("GET /behaviors", func(w http.ResponseWriter, _ *http.Request) {
				w.WriteHeader(http.StatusForbidden)
				_, _ = w.Write([]byte(tc.body(testToken)))
			})
			_, err := f.client().GetBehaviors(context.Background())
			if err == nil {
				t.Fatal("no error")
			}
			text := strings.ToLower(fmt.Sprintf("%v %+v", err, err))
			if strings.Contains(text, strings.ToLower(testToken[:8])) {
				t.Errorf("the credential leaked into the error: %v", err)
			}
		})
	}
}

// A 200 that is not an envelope is quoted in the error: scrubbed first.
func TestEchoedCredentialInNonEnvelope(t *testing.T) {
	f := newFake(t)
	f.handle("GET /behaviors", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte(strings.Repeat("y", snippetRunes-3) + testToken))
	})
	_, err := f.client().GetBehaviors(context.Background())
	if err == nil || strings.Contains(err.Error(), testToken[:8]) {
		t.Fatalf("err = %v", err)
	}
}

// A credential belongs in the auth header only: a request whose body or
// path would carry one is refused before anything is sent.
func TestRequestCarryingCredentialIsRefused(t *testing.T) {
	f := newFake(t)
	c := f.client()
	ctx := context.Background()
	_, err1 := c.CreateIntegration(ctx, CreateIntegrationRequest{
		IntegrationType: "Okta", TenantURL: "https://acme.okta.com/" + strings.ToUpper(testToken), ReferenceID: "ref",
	})
	_, err2 := c.GetIntegrationByReference(ctx, testToken)
	for _, err := range []error{err1, err2} {
		if err == nil || !strings.Contains(err.Error(), "refusing to send") || strings.Contains(err.Error(), testToken) {
			t.Errorf("err = %v, want a refusal that does not quote the credential", err)
		}
	}
	if n := len(f.requests()); n != 0 {
		t.Errorf("%d requests reached the server", n)
	}
}

func TestCleartextBaseURL(t *testing.T) {
	for base, ok := range map[string]bool{
		"https://api.cloudflare.com/client/v4": true,
		"http://127.0.0.1:8787/client/v4":      true,
		"http://127.8.9.10/client/v4":          true,
		"http://[::1]:8787/client/v4":          true,
		"http://localhost:8787/client/v4":      true,
		"http://api.cloudflare.com/client/v4":  false,
		"http://10.0.0.1/client/v4":            false,
		"http://localhost.evil.example/":       false,
		"http://[::ffff:8.8.8.8]/":             false,
	} {
		_, err := New(Config{AccountID: "a", Credentials: Credentials{Token: "t"}, BaseURL: base})
		if (err == nil) != ok {
			t.Errorf("BaseURL %s: err = %v, want accepted=%v", base, err, ok)
		}
		if err != nil && !errors.Is(err, ErrBaseURL) {
			t.Errorf("BaseURL %s: %v is not ErrBaseURL", base, err)
		}
		if _, err := New(Config{AccountID: "a", Credentials: Credentials{Token: "t"}, BaseURL: base, AllowInsecureHTTP: true}); err != nil {
			t.Errorf("BaseURL %s with AllowInsecureHTTP: %v", base, err)
		}
	}
}
