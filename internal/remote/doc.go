// Package remote is riskctl's client for Cloudflare's Zero Trust Risk
// Scoring API: the only code that talks to the network. reconcile reads
// live state through it (Fetch), apply writes through it, and the CLI's
// users/behaviors/integrations/export commands use it directly. API is the narrow interface they
// depend on; *Client implements it, one method per operation, against the
// real API or the emulator (Config.BaseURL).
//
// What the client takes care of, so callers do not have to:
//
//   - Auth and identity: an API token (Authorization: Bearer) or an API key
//     and email (X-Auth-Key, X-Auth-Email), a User-Agent, JSON headers.
//     Credentials are Secret values that print as [REDACTED]; they never
//     appear in errors or in the debug log, which records only method,
//     path, status, attempt, duration and retry waits.
//   - The envelope: {success, errors, messages, result, result_info}. Any
//     non-2xx status, or success:false, is an *APIError, which errors.Is
//     matches against ErrNotFound, ErrUnauthorized, ErrForbidden and
//     ErrRateLimited.
//   - Pagination: collections are followed page by page while result_info
//     says there is more, and merged.
//   - Pacing: a token-bucket limiter (4 requests/s by default, Cloudflare's
//     1200 per 5 minutes) gates every attempt, retries included.
//   - Retries (go-retryablehttp): connection errors, 429 and 5xx are
//     retried with capped exponential backoff and jitter, honouring a capped
//     Retry-After; other 4xx never are; a done context stops at once.
//
// The ambiguity rule. Creating an integration is the one non-idempotent
// call: sending it twice makes two integrations. So it is retried only when
// the failure proves the server did not act (a 429, or a connection that was
// never made). After a 5xx, a reset or a timeout the client cannot know, and
// says so with an *AmbiguousError carrying the reference_id; the caller
// (apply) then asks GetIntegrationByReference what actually happened. Every
// other write — PUT, DELETE, the reset POST — is idempotent and retried.
package remote
