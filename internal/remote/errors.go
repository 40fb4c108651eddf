package remote

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/riskctl/riskctl/internal/textutil"
)

// Sentinels for the HTTP statuses callers branch on. An *APIError matches
// them with errors.Is, e.g. errors.Is(err, remote.ErrNotFound). They key on
// the HTTP status, not on Cloudflare's error codes, which vary (docs/api.md#error-codes),
// with one exception: Cloudflare answers a missing or malformed credential
// header with 400, codes 9106 and 6003, and those are ErrUnauthorized too.
var (
	ErrNotFound     = errors.New("not found")    // HTTP 404
	ErrUnauthorized = errors.New("unauthorized") // HTTP 401, or 400 with code 9106 or 6003
	ErrForbidden    = errors.New("forbidden")    // HTTP 403
	ErrRateLimited  = errors.New("rate limited") // HTTP 429
	errNoResult     = errors.New("response has no result")
)

// ErrorItem is one entry of the envelope's "errors" (or "error_chain").
type ErrorItem struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	// Chain holds nested causes; Cloudflare uses it for header errors, e.g.
	// 6003 "Invalid request headers" ← 6103 "Invalid format for X-Auth-Key".
	Chain []ErrorItem `json:"error_chain,omitempty"`
}

func (e ErrorItem) String() string {
	var b strings.Builder
	if e.Code != 0 {
		fmt.Fprintf(&b, "%d ", e.Code)
	}
	b.WriteString(textutil.Visible(e.Message)) // the server's words (docs/security.md)
	if len(e.Chain) > 0 {
		b.WriteString(" (")
		b.WriteString(joinItems(e.Chain))
		b.WriteString(")")
	}
	return strings.TrimSpace(b.String())
}

func joinItems(items []ErrorItem) string {
	parts := make([]string, len(items))
	for i, it := range items {
		parts[i] = it.String()
	}
	return strings.Join(parts, "; ")
}

// APIError is a response the API answered with an error: any HTTP status
// outside 2xx, or a 2xx envelope with "success": false. It carries what the
// server said and what was asked, and nothing of the request's headers, so
// printing it can never show a credential.
type APIError struct {
	Op     string // what the client was doing, e.g. "list integrations"
	Method string // HTTP method
	Path   string // URL path of the request, without host or query
	Status int    // HTTP status code
	// Errors are the envelope's error items, when the body was an envelope.
	Errors []ErrorItem
	// Body is a short, single-line excerpt of a body that was not a
	// Cloudflare envelope (an HTML 502 page from a proxy, say).
	Body string
	// Attempts is how many times the request was sent (1 without retries).
	Attempts int
	// BaseURL is the API root the request went to (it holds no user
	// info: the config refuses it), for the hint after a 404 7000.
	BaseURL string
}

// Error reads like "list integrations: HTTP 404: 1404 integration not found".
func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: HTTP %d", e.Op, e.Status)
	switch {
	case len(e.Errors) > 0:
		b.WriteString(": ")
		b.WriteString(joinItems(e.Errors))
	case e.Body != "":
		fmt.Fprintf(&b, ": %s", textutil.Visible(e.Body))
	default:
		if t := http.StatusText(e.Status); t != "" {
			b.WriteString(" " + t)
		}
	}
	if e.Attempts > 1 {
		fmt.Fprintf(&b, " (after %d attempts)", e.Attempts)
	}
	if e.noRoute() {
		b.WriteString(": " + baseURLHint(e.BaseURL))
	}
	return b.String()
}

// noRoute reports a 404 with code 7000: the API has no such path at all,
// which for a path riskctl builds means the base URL is wrong, most often
// missing its /client/v4 (docs/api.md#error-codes).
func (e *APIError) noRoute() bool {
	return e.Status == http.StatusNotFound && e.HasCode(CodeNoRoute)
}

// baseURLHint is the next step after a 404 7000.
func baseURLHint(base string) string {
	if base == "" {
		return "does the base URL end in /client/v4?"
	}
	return fmt.Sprintf("does the base URL %s end in /client/v4?", strconv.Quote(base))
}

// Is maps the HTTP status onto the package sentinels.
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrNotFound:
		return e.Status == http.StatusNotFound
	case ErrUnauthorized:
		return e.Status == http.StatusUnauthorized ||
			(e.Status == http.StatusBadRequest && (e.HasCode(CodeMissingCredentials) || e.HasCode(CodeInvalidHeaders)))
	case ErrForbidden:
		return e.Status == http.StatusForbidden
	case ErrRateLimited:
		return e.Status == http.StatusTooManyRequests
	}
	return false
}

// Cloudflare error codes riskctl explains (docs/api.md#error-codes).
const (
	CodeMissingCredentials = 9106 // 400: no X-Auth-Key, X-Auth-Email or Authorization header
	CodeInvalidHeaders     = 6003 // 400: a credential header is malformed (error_chain says which)
	CodeNotEntitled        = 3314 // 403: the account lacks the risk-scoring entitlement
	CodeNoRoute            = 7000 // 404: no route for that URI (a base URL without /client/v4)
)

// HasCode reports whether the envelope's errors hold code.
func (e *APIError) HasCode(code int) bool {
	for _, it := range e.Errors {
		if it.Code == code {
			return true
		}
	}
	return false
}

// AmbiguousError means a non-idempotent write (creating an integration) may
// or may not have taken effect: the request was sent, and then the
// connection broke, timed out, or the server answered 5xx. Retrying blindly
// could create a duplicate, so the client does not; the caller must look the
// object up by its reference_id (GetIntegrationByReference) and carry on from
// what it finds.
type AmbiguousError struct {
	Op          string // e.g. "create integration"
	ReferenceID string // the natural key to look the object up by; may be empty
	Err         error  // what went wrong: an *APIError, a network error, a ctx error
}

func (e *AmbiguousError) Error() string {
	hint := fmt.Sprintf("look it up by reference_id %q before trying again", e.ReferenceID)
	if e.ReferenceID == "" {
		hint = "it has no reference_id, so list the integrations before trying again"
	}
	// The cause usually starts with the same op; say it once.
	cause := strings.TrimPrefix(fmt.Sprint(e.Err), e.Op+": ")
	return fmt.Sprintf("%s: outcome unknown, it may or may not have been applied (%s); %s", e.Op, cause, hint)
}

func (e *AmbiguousError) Unwrap() error { return e.Err }

// RefusedError is a call that gave up because nothing accepts connections
// at the base URL (see refusedRetries in retry.go). Its message names the
// URL and, on this machine, the emulator a user most likely meant to run.
type RefusedError struct {
	BaseURL  string // the API root, without user info (the config refuses it)
	Loopback bool   // the host is this machine
	Err      error  // the last attempt's error
}

func (e *RefusedError) Error() string {
	msg := "connection refused by " + strconv.Quote(e.BaseURL)
	if e.Loopback {
		return msg + ": start the emulator (riskctl emulator serve) or check --base-url"
	}
	return msg + ": check --base-url"
}

func (e *RefusedError) Unwrap() error { return e.Err }
