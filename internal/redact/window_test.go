package redact_test

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/riskctl/riskctl/internal/redact"
)

// asciiLower lower-cases ASCII letters only, as the matcher does.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// leak returns a piece of secret (PartialLen bytes of it, or the whole of
// a shorter one) that out still shows in any ASCII letter case, or "".
// Only the text between replacements is searched: a window formed with the
// characters of Replacement itself came from no secret.
func leak(secret, out string) string {
	secret = asciiLower(secret)
	n := min(len(secret), redact.PartialLen)
	for _, piece := range strings.Split(out, redact.Replacement) {
		piece = asciiLower(piece)
		for i := 0; i+n <= len(secret); i++ {
			if strings.Contains(piece, secret[i:i+n]) {
				return secret[i : i+n]
			}
		}
	}
	return ""
}

// randomCase changes the case of each ASCII letter of s by the bits of r.
func randomCase(s string, r *rand.Rand) string {
	b := []byte(s)
	for i, c := range b {
		if r.IntN(2) == 0 {
			continue
		}
		switch {
		case 'a' <= c && c <= 'z':
			b[i] = c - ('a' - 'A')
		case 'A' <= c && c <= 'Z':
			b[i] = c + ('a' - 'A')
		}
	}
	return string(b)
}

// The observed failure of issue 18: an echo split in three, whose first
// and last pieces are shorter than PartialLen, printed the whole token,
// since only prefixes and suffixes were matched.
func TestSplitEchoMiddlePiece(t *testing.T) {
	s := redact.New(token)
	for _, tc := range []struct{ name, in, want string }{
		{"split in three", token[:7] + " / " + token[7:25] + " / " + token[25:], token[:7] + " / [REDACTED] / " + token[25:]},
		{"middle only", "x " + token[10:18] + " y", "x [REDACTED] y"},
		{"middle, upper case", "x " + strings.ToUpper(token[5:20]) + " y", "x [REDACTED] y"},
		{"middle, mixed case", "x " + randomCase(token[3:29], rand.New(rand.NewPCG(1, 2))) + " y", "x [REDACTED] y"},
		{"middle, markdown-escaped", "x " + strings.ReplaceAll(token[4:16], "-", `\-`) + " y", "x [REDACTED] y"},
		{"seven in the middle", "x " + token[10:17] + " y", "x " + token[10:17] + " y"},
		{"every piece of 8", token[0:8] + "," + token[8:16] + "," + token[16:24] + "," + token[len(token)-8:], "[REDACTED],[REDACTED],[REDACTED],[REDACTED]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := s.String(tc.in); got != tc.want {
				t.Errorf("String(%q) = %q, want %q", tc.in, got, tc.want)
			}
			if got, want := s.Contains(tc.in), tc.in != tc.want; got != want {
				t.Errorf("Contains(%q) = %v, want %v", tc.in, got, want)
			}
		})
	}
}

// Every window of every secret, in any case, at any offset of the text,
// is gone from the output; and a short secret is gone whole.
func TestEveryWindowProperty(t *testing.T) {
	r := rand.New(rand.NewPCG(18, 6)) // fixed seed: reproducible
	const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:/"
	randString := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = alphabet[r.IntN(len(alphabet))]
		}
		return string(b)
	}
	for range 3000 {
		secrets := make([]string, 1+r.IntN(3))
		for i := range secrets {
			secrets[i] = randString(redact.MinLen + r.IntN(40))
		}
		s := redact.New(secrets...)
		// Random text with pieces of the secrets embedded at random case.
		var in strings.Builder
		for range 1 + r.IntN(5) {
			in.WriteString(randString(r.IntN(20)))
			secret := secrets[r.IntN(len(secrets))]
			n := min(len(secret), redact.PartialLen+r.IntN(len(secret)))
			at := r.IntN(len(secret) - n + 1)
			in.WriteString(randomCase(secret[at:at+n], r))
		}
		in.WriteString(randString(r.IntN(20)))
		out := s.String(in.String())
		for _, secret := range secrets {
			if piece := leak(secret, out); piece != "" {
				t.Fatalf("secrets %q: String(%q) = %q shows %q", secrets, in.String(), out, piece)
			}
		}
		if !s.Contains(in.String()) {
			t.Fatalf("secrets %q: Contains(%q) = false", secrets, in.String())
		}
	}
}

// A secret with non-ASCII letters: its windows may start or end inside a
// UTF-8 sequence; the output stays valid UTF-8 and shows no window.
func TestNonASCIISecret(t *testing.T) {
	secret := "pässwörd-ünd-schlüssel-42"
	s := redact.New(secret)
	for i := 0; i+redact.PartialLen <= len(secret); i++ {
		for j := i + redact.PartialLen; j <= len(secret); j++ {
			in := "«" + secret[i:j] + "»"
			out := s.String(in)
			if !utf8.ValidString(out) {
				t.Fatalf("String(%q) = %q: not UTF-8", in, out)
			}
			if piece := leak(secret, out); piece != "" {
				t.Fatalf("String(%q) = %q shows %q", in, out, piece)
			}
		}
	}
}

// A secret holding a backslash before punctuation is found as written, as
// well as Markdown-escaped.
func TestSecretWithBackslash(t *testing.T) {
	secret := `abc\-defghij\_klmnop`
	s := redact.New(secret)
	for _, in := range []string{secret, secret[2:11], strings.NewReplacer(`\`, `\\`, "-", `\-`, "_", `\_`).Replace(secret)} {
		if out := s.String("x " + in + " y"); out != "x [REDACTED] y" {
			t.Errorf("String(%q) = %q", in, out)
		}
	}
}

func FuzzRedact(f *testing.F) {
	f.Add(token, "a "+token[:7]+" / "+token[7:25]+" / "+token[25:]+" b", 3, 20, uint64(0x5555))
	f.Add("0123456789abcdef0123456789abcdef01234", "key=0123456789ABCDEF", 10, 12, uint64(0))
	f.Add("abc123", "ABC123abc12", 0, 6, uint64(1))
	f.Add(`a\-b_c*d[e]f`, `x a\\\-b\_c\*d\[e\]f y`, 0, 12, uint64(7))
	f.Add("pässwörd-schlüssel", "«ssw\xc3\xb6rd-sch»", 2, 9, uint64(3))
	f.Fuzz(func(t *testing.T, secret, text string, at, n int, caseBits uint64) {
		if len(secret) < redact.MinLen || len(secret) > 256 || len(text) > 4096 {
			return
		}
		// Embed a piece of the secret (at least PartialLen of it, or all of
		// a short one) in text, letter case from caseBits.
		n = min(len(secret), max(redact.PartialLen, n%(len(secret)+1)))
		at = (at%(len(secret)-n+1) + len(secret) - n + 1) % (len(secret) - n + 1)
		piece := []byte(secret[at : at+n])
		for i, c := range piece {
			if caseBits>>(i%64)&1 == 1 && ('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
				piece[i] = c ^ ('a' - 'A')
			}
		}
		in := text[:len(text)/2] + string(piece) + text[len(text)/2:]

		s := redact.New(secret)
		out := s.String(in)
		if p := leak(secret, out); p != "" {
			t.Fatalf("String(%q) = %q shows %q", in, out, p)
		}
		if !s.Contains(in) {
			t.Fatalf("Contains(%q) = false", in)
		}
		if got := string(s.Bytes([]byte(in))); got != out {
			t.Fatalf("Bytes(%q) = %q, String = %q", in, got, out)
		}
		if utf8.ValidString(in) && !utf8.ValidString(out) {
			t.Fatalf("String(%q) = %q: not UTF-8", in, out)
		}
		// Whatever the secret, text without a window of it is kept as is.
		if leak(secret, text) == "" && !strings.Contains(text, `\`) && !strings.Contains(text, redact.Replacement) && s.String(text) != text {
			t.Fatalf("String(%q) = %q, changed text without the secret", text, s.String(text))
		}
	})
}

// BenchmarkRedact1MiB redacts 1 MiB of log-like text holding three
// secrets (a 40-character API token, a 37-character global key and a
// GitHub token), with an echo of each (whole, cut, or split) every 64 KiB.
func BenchmarkRedact1MiB(b *testing.B) {
	secrets := []string{
		"Y2hhbmdlLW1lLXRoaXMtaXMtbm90LWEtdG9rZW4",  // 40
		"0123456789abcdef0123456789abcdef01234",    // 37
		"ghs_16C7e42F292c6912E7710c838347Ae178B4a", // 40
	}
	s := redact.New(secrets...)
	r := rand.New(rand.NewPCG(1, 1))
	var text bytes.Buffer
	for text.Len() < 1<<20 {
		if text.Len()%(64<<10) < 100 {
			sec := secrets[r.IntN(len(secrets))]
			fmt.Fprintf(&text, "error: bearer %s rejected (%s…) %s / %s\n", sec, sec[:12], sec[:5], sec[5:20])
		}
		fmt.Fprintf(&text, "%04d GET /client/v4/accounts/%032x/zt_risk_scoring/integrations/%08x 200 %dms\n",
			r.IntN(10000), r.Uint64(), r.Uint32(), r.IntN(500))
	}
	in := text.Bytes()[:1<<20]
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		s.Bytes(in)
	}
}
