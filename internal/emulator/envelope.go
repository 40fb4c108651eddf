package emulator

import (
	"encoding/json"
	"fmt"
	"net/http"
)

// Error codes. Cloudflare publishes no table for these endpoints; the ones
// seen in the wild (7000, 7003, 971, 10000, 9106, 6003 with 6102/6103/6111,
// 3314: docs/api.md#error-codes) are reused, the rest are the emulator's own choices (all >= 1000, as dlp_messages requires). doc.go
// lists them with their HTTP statuses.
const (
	codeMalformedBody  = 1001 // body is not one JSON object
	codeMissingField   = 1002 // a required field is absent or null
	codeWrongType      = 1003 // a field has the wrong JSON type
	codeInvalidValue   = 1004 // bad enum value or tenant_url not an absolute URL
	codeUnknownKey     = 1005 // PUT /behaviors names a key the account does not have
	codeBadQuery       = 1006 // page / per_page is not a positive integer
	codeBodyTooLarge   = 1007 // body over maxBodyBytes
	codeQuotaExceeded  = 1008 // a create past Options.MaxIntegrations
	codeNoIntegration  = 1101 // no integration with that id
	codeNoReference    = 1102 // no integration with that reference_id
	codeNoUser         = 1103 // no user with that id
	codeNoRoute        = 7000
	codeMethod         = 7001
	codeBadIdentifier  = 7003
	codeRateLimited    = 971
	codeAuth           = 10000
	codeMissingAuth    = 9106 // no credential header at all
	codeBadHeaders     = 6003 // some credential header is malformed; error_chain says which
	codeBadEmail       = 6102 // in error_chain: X-Auth-Email
	codeBadKey         = 6103 // in error_chain: X-Auth-Key
	codeBadAuthz       = 6111 // in error_chain: Authorization
	codeNotEntitled    = 3314 // the account lacks the risk-scoring entitlement
	codeServerErrorMin = 1000 // injected and internal 5xx answer with 1000+status (500 -> 1500)
)

// apiError is one item of an envelope's errors array (dlp_messages).
// Auth header errors carry the specific problems in error_chain, as
// Cloudflare's do (docs/api.md#envelope).
type apiError struct {
	Code       int        `json:"code"`
	Message    string     `json:"message"`
	ErrorChain []apiError `json:"error_chain,omitempty"`
}

// resultInfo is the pagination block of collection responses.
type resultInfo struct {
	Count      int `json:"count"`
	Page       int `json:"page"`
	PerPage    int `json:"per_page"`
	TotalCount int `json:"total_count"`
	TotalPages int `json:"total_pages"`
}

// envelope is the Cloudflare response body, for success and failure alike.
type envelope struct {
	Success    bool       `json:"success"`
	Errors     []apiError `json:"errors"`
	Messages   []apiError `json:"messages"`
	Result     any        `json:"result"`
	ResultInfo any        `json:"result_info,omitempty"` // *resultInfo, or the audit log's auditInfo
}

// reply is what an operation answers. Handlers return values instead of
// writing to the ResponseWriter so that the pipeline can still replace the
// answer (commit-then-fail) and log the status before anything is sent.
type reply struct {
	status int
	result any
	info   any // *resultInfo, or auditInfo (audit.go); nil: none
	errs   []apiError
	header http.Header
}

// empty is dlp_Empty: the result of delete and reset is the object {}.
var empty = struct{}{}

func ok(result any) reply { return reply{status: http.StatusOK, result: result} }

func okPage(result any, info resultInfo) reply {
	return reply{status: http.StatusOK, result: result, info: &info}
}

func fail(status int, errs ...apiError) reply { return reply{status: status, errs: errs} }

func failf(status, code int, format string, args ...any) reply {
	return fail(status, apiError{Code: code, Message: fmt.Sprintf(format, args...)})
}

// statusReply is the answer for a bare status (injected faults, internal
// errors): 429 carries the rate-limit error seen in the wild, anything else
// the code 1000+status with the standard status text.
func statusReply(status int) reply {
	if status == http.StatusTooManyRequests {
		return failf(status, codeRateLimited, "Please wait and consider throttling your request speed")
	}
	return failf(status, codeServerErrorMin+status, "%s", http.StatusText(status))
}

func (rp *reply) setHeader(key, value string) {
	if rp.header == nil {
		rp.header = http.Header{}
	}
	rp.header.Set(key, value)
}

// write sends the reply in the Cloudflare envelope.
func (rp reply) write(w http.ResponseWriter) {
	env := envelope{Success: rp.status < 400, Errors: rp.errs, Messages: []apiError{}}
	if env.Success {
		env.Errors = []apiError{}
		env.Result = rp.result
		env.ResultInfo = rp.info
	}
	body, err := json.Marshal(env)
	if err != nil { // only our own types are marshalled, so this is a bug
		rp = statusReply(http.StatusInternalServerError)
		body, _ = json.Marshal(envelope{Errors: rp.errs, Messages: []apiError{}})
	}
	for k, v := range rp.header {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(rp.status)
	_, _ = w.Write(body)
}
