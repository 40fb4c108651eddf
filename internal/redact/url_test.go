package redact_test

import (
	"strings"
	"testing"

	"github.com/riskctl/riskctl/internal/redact"
)

// A webhook URL printed whole, or in pieces, keeps its scheme and host and
// loses everything else: user info, path, query.
func TestURLSecrets(t *testing.T) {
	for raw, want := range map[string]string{
		"https://hooks.slack.com/services/T0000/B0000/XXXXXXXXXXXXXXXXXXXXXXXX": "https://hooks.slack.com[REDACTED]",
		"https://relay.example/hook?token=abcdef0123456789":                     "https://relay.example[REDACTED]",
		"https://bot:pa55w0rd-xyz@relay.example/h":                              "https://[REDACTED]@relay.example/h",
		"https://relay.example/a%2Fb-s3cretp4th":                                "https://relay.example[REDACTED]",
	} {
		s := redact.New(redact.URLSecrets(raw)...)
		if got := s.String(raw); got != want {
			t.Errorf("%s redacts to %q, want %q", raw, got, want)
		}
	}
	// Go's URL printing unescapes the path: that form is redacted too.
	s := redact.New(redact.URLSecrets("https://relay.example/a%2Fb-s3cretp4th")...)
	if got := s.String(`Post "https://relay.example/a/b-s3cretp4th": EOF`); strings.Contains(got, "s3cret") {
		t.Errorf("unescaped path kept: %q", got)
	}
	if got := redact.URLSecrets("not a url at all"); len(got) != 1 || got[0] != "not a url at all" {
		t.Errorf("a value that is not a URL: %q", got)
	}
}

// RISKCTL_NOTIFY_URL is a secret variable, and each of its URLs' secret
// parts is a secret of the run from the start.
func TestNotifyURLVar(t *testing.T) {
	if !redact.IsSecretVar("RISKCTL_NOTIFY_URL") {
		t.Error("RISKCTL_NOTIFY_URL is not a secret variable")
	}
	env := map[string]string{"RISKCTL_NOTIFY_URL": "https://a.example/first-s3cret, https://b.example/second-s3cret"}
	s := redact.New(redact.EnvSecrets(func(k string) string { return env[k] })...)
	if got := s.String("a.example/first-s3cret b.example/second-s3cret"); got != "a.example[REDACTED] b.example[REDACTED]" {
		t.Errorf("redacted to %q", got)
	}
}
