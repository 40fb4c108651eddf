package emulator

import (
	"crypto/subtle"
	"net/http"
	"strings"
)

// authEnforced reports whether credentials were configured at all; without
// any, the emulator accepts every request (handy for local dry runs).
func (e *Emulator) authEnforced() bool {
	return e.opts.Token != "" || e.opts.APIKey != "" || e.opts.Email != ""
}

// authenticate checks the two schemes clients use (notes §2): a bearer
// token, or X-Auth-Key with X-Auth-Email. No credentials at all is 401;
// credentials that do not match are 403 code 10000, as Cloudflare answers.
func (e *Emulator) authenticate(r *http.Request) *reply {
	if !e.authEnforced() {
		return nil
	}
	authz := r.Header.Get("Authorization")
	key, email := r.Header.Get("X-Auth-Key"), r.Header.Get("X-Auth-Email")
	if authz == "" && key == "" && email == "" {
		rp := failf(http.StatusUnauthorized, codeAuth,
			"Authentication error: missing credentials (send Authorization: Bearer <token>, or X-Auth-Key and X-Auth-Email)")
		return &rp
	}
	if e.opts.Token != "" {
		if scheme, token, found := strings.Cut(authz, " "); found && strings.EqualFold(scheme, "Bearer") && equal(strings.TrimSpace(token), e.opts.Token) {
			return nil
		}
	}
	if e.opts.APIKey != "" && e.opts.Email != "" && equal(key, e.opts.APIKey) && equal(email, e.opts.Email) {
		return nil
	}
	rp := failf(http.StatusForbidden, codeAuth, "Authentication error")
	return &rp
}

// equal compares secrets in constant time.
func equal(got, want string) bool {
	return subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// credentialKey identifies the caller for rate limiting: the credential the
// request carries, else the client IP (Cloudflare limits per user/token and
// per IP). The account is not part of it: one token shares one budget
// across every account it reaches (notes §8). A bearer token is keyed as
// authenticate reads it (scheme in any case, token trimmed). The key never
// leaves the process.
func credentialKey(r *http.Request) string {
	if v := r.Header.Get("Authorization"); v != "" {
		if scheme, token, found := strings.Cut(v, " "); found && strings.EqualFold(scheme, "Bearer") {
			return "token:" + strings.TrimSpace(token)
		}
		return "authz:" + v
	}
	if v := r.Header.Get("X-Auth-Key"); v != "" {
		return "key:" + v + ":" + r.Header.Get("X-Auth-Email")
	}
	host := r.RemoteAddr
	if i := strings.LastIndexByte(host, ':'); i >= 0 {
		host = host[:i]
	}
	return "ip:" + host
}
