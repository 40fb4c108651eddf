package emulator

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strconv"
	"strings"
)

// actorToken reports whether token is one of Options.Actors' tokens,
// compared in constant time like the others.
func (e *Emulator) actorToken(token string) bool {
	found := false
	for t := range e.opts.Actors {
		if equal(token, t) {
			found = true
		}
	}
	return found
}

// authEnforced reports whether credentials were configured at all; without
// any, the emulator accepts every request (handy for local dry runs).
func (e *Emulator) authEnforced() bool {
	return e.opts.Token != "" || e.opts.APIKey != "" || e.opts.Email != ""
}

// authenticate checks the two schemes clients use (docs/api.md#authentication): a bearer
// token, or X-Auth-Key with X-Auth-Email. It answers as Cloudflare does
// (docs/api.md#authentication): no credential header at all is 400 code 9106; a credential
// header that is present but malformed is 400 code 6003 with one
// error_chain item per bad header (6111 Authorization, 6103 X-Auth-Key,
// 6102 X-Auth-Email); well-formed credentials that do not match are 403
// code 10000.
func (e *Emulator) authenticate(r *http.Request) *reply {
	if !e.authEnforced() {
		return nil
	}
	authz, hasAuthz := headerValue(r, "Authorization")
	key, hasKey := headerValue(r, "X-Auth-Key")
	email, hasEmail := headerValue(r, "X-Auth-Email")
	if !hasAuthz && !hasKey && !hasEmail {
		rp := failf(http.StatusBadRequest, codeMissingAuth, "Missing X-Auth-Key, X-Auth-Email or Authorization headers")
		return &rp
	}
	token, chain := checkCredentialHeaders(authz, hasAuthz, key, email, hasKey || hasEmail)
	if len(chain) > 0 {
		rp := fail(http.StatusBadRequest, apiError{Code: codeBadHeaders, Message: "Invalid request headers", ErrorChain: chain})
		return &rp
	}
	if hasAuthz && e.opts.Token != "" && equal(token, e.opts.Token) {
		return nil
	}
	if hasAuthz && e.actorToken(token) {
		return nil
	}
	if hasKey && e.opts.APIKey != "" && equal(key, e.opts.APIKey) && equal(email, e.opts.Email) {
		return nil
	}
	rp := failf(http.StatusForbidden, codeAuth, "Authentication error")
	return &rp
}

// checkCredentialHeaders returns the bearer token and the format problems of
// the credential headers sent. X-Auth-Key and X-Auth-Email only work as a
// pair, so sending one of them makes the other's absence a problem too.
// Next to a well-formed bearer token they are not checked at all:
// cloudflare-go sends X-Auth-Email whenever CLOUDFLARE_EMAIL is set, token
// or not, and the token is what such a client authenticates with.
func checkCredentialHeaders(authz string, hasAuthz bool, key, email string, keyPair bool) (string, []apiError) {
	var chain []apiError
	token, okToken := bearerToken(authz)
	if hasAuthz && okToken {
		return token, nil
	}
	if hasAuthz {
		chain = append(chain, apiError{Code: codeBadAuthz, Message: "Invalid format for Authorization header"})
	}
	if keyPair && !validAPIKey(key) {
		chain = append(chain, apiError{Code: codeBadKey, Message: "Invalid format for X-Auth-Key header"})
	}
	if keyPair && !validEmail(email) {
		chain = append(chain, apiError{Code: codeBadEmail, Message: "Invalid format for X-Auth-Email header"})
	}
	return token, chain
}

// headerValue reports a header's first value and whether it was sent. A
// header that is empty (or only space) counts as not sent: clients send
// those for unset credentials (cloudflare-go sends X-Auth-Key: "" when
// CLOUDFLARE_API_KEY is set but empty, next to a good token), and what
// Cloudflare does with them is not known.
func headerValue(r *http.Request, name string) (string, bool) {
	vs := r.Header.Values(name)
	if len(vs) == 0 || strings.TrimSpace(vs[0]) == "" {
		return "", false
	}
	return vs[0], true
}

// bearerToken parses "Bearer <token>" (scheme in any case, surrounding
// space trimmed); the token must be non-empty and hold no space.
func bearerToken(authz string) (string, bool) {
	scheme, token, found := strings.Cut(strings.TrimSpace(authz), " ")
	token = strings.TrimSpace(token)
	if !found || !strings.EqualFold(scheme, "Bearer") || token == "" || strings.ContainsAny(token, " \t") {
		return "", false
	}
	return token, true
}

// apiKeyLen is the length of a Global API Key: 37 hex characters.
const apiKeyLen = 37

// validAPIKey reports whether s has the form of a Global API Key. The exact
// rule behind Cloudflare's 6103 is not published; this is the key's
// documented shape, and it is what tells a token sent as a key apart.
func validAPIKey(s string) bool {
	if len(s) != apiKeyLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isHex(s[i]) {
			return false
		}
	}
	return true
}

// validEmail is a plausibility check, not RFC 5322: one @ with something on
// either side and no space or control character.
func validEmail(s string) bool {
	local, domain, found := strings.Cut(s, "@")
	if !found || local == "" || domain == "" || strings.Contains(domain, "@") || len(s) > 254 {
		return false
	}
	for _, c := range s {
		if c <= ' ' || c == 0x7f {
			return false
		}
	}
	return true
}

func isHex(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }

// equal compares secrets in constant time.
func equal(got, want string) bool {
	return subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// credentialKey identifies the caller for rate limiting: the credential the
// request carries, else the client IP (Cloudflare limits per user/token and
// per IP). The account is not part of it: one token shares one budget
// across every account it reaches (docs/api.md#rate-limits). A bearer token is keyed as
// authenticate reads it (scheme in any case, token trimmed). The key is a
// SHA-256 of the credential, not the credential: the headers are counted
// before auth, and may be up to a megabyte of anything, so a window costs
// the same few bytes whatever was sent. It never leaves the process.
func credentialKey(r *http.Request) [sha256.Size]byte {
	var id string
	if v := r.Header.Get("Authorization"); v != "" {
		if scheme, token, found := strings.Cut(v, " "); found && strings.EqualFold(scheme, "Bearer") {
			id = "token:" + strings.TrimSpace(token)
		} else {
			id = "authz:" + v
		}
	} else if v := r.Header.Get("X-Auth-Key"); v != "" {
		// Length-prefixed, so that no key and email pair reads as another.
		id = "key:" + strconv.Itoa(len(v)) + ":" + v + ":" + r.Header.Get("X-Auth-Email")
	} else {
		host := r.RemoteAddr
		if i := strings.LastIndexByte(host, ':'); i >= 0 {
			host = host[:i]
		}
		id = "ip:" + host
	}
	return sha256.Sum256([]byte(id))
}
