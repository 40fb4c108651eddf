package redact_test

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/riskctl/riskctl/internal/redact"
)

const token = "Tok3n-Secret-9f8e7d6c5b4a3210ZZ" // 31 characters, mixed case

func TestString(t *testing.T) {
	s := redact.New(token)
	for _, tc := range []struct{ name, in, want string }{
		{"no secret", "plain text", "plain text"},
		{"whole", "bearer " + token + " rejected", "bearer [REDACTED] rejected"},
		{"upper case", "x " + strings.ToUpper(token) + " y", "x [REDACTED] y"},
		{"lower case", "x " + strings.ToLower(token) + " y", "x [REDACTED] y"},
		{"twice", token + token, "[REDACTED]"},
		{"prefix cut by a server", "… Bearer " + token[:15] + "…", "… Bearer [REDACTED]…"},
		{"shortest prefix", "id " + token[:redact.PartialLen] + "!", "id [REDACTED]!"},
		{"prefix too short to matter", "id " + token[:redact.PartialLen-1] + "!", "id " + token[:redact.PartialLen-1] + "!"},
		{"suffix after a cut", "…" + token[10:] + " end", "…[REDACTED] end"},
		{"suffix, case changed", "…" + strings.ToUpper(token[20:]), "…[REDACTED]"},
		{"at both ends", token[:9] + " and " + token[len(token)-9:], "[REDACTED] and [REDACTED]"},
		{"non-ASCII around", "é" + token + "ü", "é[REDACTED]ü"},
		{"markdown-escaped punctuation", "| " + strings.ReplaceAll(token, "-", `\-`) + " |", "| [REDACTED] |"},
		{"escaped, cut", "x " + strings.ReplaceAll(token[:12], "-", `\-`) + "…", "x [REDACTED]…"},
		{"other backslashes kept", `C:\dir\` + token + `\n`, `C:\dir\[REDACTED]\n`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := s.String(tc.in); got != tc.want {
				t.Errorf("String(%q) = %q, want %q", tc.in, got, tc.want)
			}
			if got, want := s.Contains(tc.in), tc.in != tc.want; got != want {
				t.Errorf("Contains(%q) = %v, want %v", tc.in, got, want)
			}
			if got := string(s.Bytes([]byte(tc.in))); got != tc.want {
				t.Errorf("Bytes(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestShortSecrets(t *testing.T) {
	s := redact.New("true", "1", "abc123") // only abc123 is long enough
	if got, want := s.String("true 1 ABC123 abc12"), "true 1 [REDACTED] abc12"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	var empty redact.Set
	if got := empty.String(token); got != token {
		t.Errorf("an empty set changed %q to %q", token, got)
	}
}

func TestSeveralSecretsOverlap(t *testing.T) {
	key := "0123456789abcdef0123456789abcdef01234"
	s := redact.New(token, key)
	in := fmt.Sprintf("key=%s token=%s%s", key, token, key[:12])
	if got, want := s.String(in), "key=[REDACTED] token=[REDACTED]"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestAddLater(t *testing.T) {
	var s redact.Set
	var out bytes.Buffer
	w := redact.NewWriter(&out, &s)
	s.Add(token) // learnt after the writer exists, before anything is written
	fmt.Fprintf(w, "got %s\n", token)
	if strings.Contains(out.String(), token) {
		t.Fatalf("secret added later leaked: %q", out.String())
	}
}

// A secret split over two writes is still redacted: the writer holds an
// incomplete line back until its newline (or Flush).
func TestWriterSplitSecret(t *testing.T) {
	var out bytes.Buffer
	w := redact.NewWriter(&out, redact.New(token))
	for i := 1; i < len(token); i++ {
		out.Reset()
		fmt.Fprint(w, "a "+token[:i])
		fmt.Fprint(w, token[i:]+" b\nprompt: ")
		if got, want := out.String(), "a [REDACTED] b\n"; got != want {
			t.Fatalf("split at %d: wrote %q before Flush, want %q", i, got, want)
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		if got, want := out.String(), "a [REDACTED] b\nprompt: "; got != want {
			t.Fatalf("split at %d: %q after Flush, want %q", i, got, want)
		}
	}
}

func TestWriterConcurrent(t *testing.T) {
	var out bytes.Buffer
	w := redact.NewWriter(&out, redact.New(token))
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() { fmt.Fprintf(w, "worker %d %s\n", i, token) })
	}
	wg.Wait()
	if strings.Count(out.String(), "[REDACTED]\n") != 20 || strings.Contains(out.String(), token[:8]) {
		t.Fatalf("concurrent writes: %q", out.String())
	}
}

func TestIsSecretVar(t *testing.T) {
	for name, want := range map[string]bool{
		"CLOUDFLARE_API_TOKEN":            true,
		"CLOUDFLARE_API_KEY":              true,
		"CLOUDFLARE_API_USER_SERVICE_KEY": true,
		"RISKCTL_EMULATOR_TOKEN":          true,
		"GITHUB_TOKEN":                    true,
		"ACTIONS_RUNTIME_URL":             true,
		"ACTIONS_ID_TOKEN_REQUEST_TOKEN":  true,
		"CLOUDFLARE_ACCOUNT_ID":           false,
		"RISKCTL_VAR_TENANT":              false,
	} {
		if got := redact.IsSecretVar(name); got != want {
			t.Errorf("IsSecretVar(%s) = %v, want %v", name, got, want)
		}
	}
}

func TestEnvSecrets(t *testing.T) {
	env := map[string]string{
		"CLOUDFLARE_API_TOKEN": "cf-token-value",
		"GITHUB_TOKEN":         "ghs_value",
		"ACTIONS_RUNTIME_URL":  "https://pipelines.example/", // a URL, not a secret value
		"HOME":                 "/root",
	}
	got := redact.EnvSecrets(func(k string) string { return env[k] })
	if strings.Join(got, ",") != "cf-token-value,ghs_value" {
		t.Errorf("EnvSecrets = %q", got)
	}
}
