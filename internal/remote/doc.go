// Package remote is riskctl's client for Cloudflare's Zero Trust Risk
// Scoring API: the only code that talks to the network. reconcile reads
// live state through it (Fetch), apply writes through it, and the CLI's
// users/behaviors/integrations/export commands use it directly. API is the narrow interface they
// depend on; *Client implements it, one method per operation, against the
// real API or the emulator (Config.BaseURL). It also reads, read-only, the
// Access objects that use risk scores and the identity providers
// integrations are wired to (AccessReader, access.go), and the account's
// audit log, kept to risk-scoring writes (AuditReader, audit.go). Every
// answered write's Cf-Auditlog-Id and cf-ray go to the context's write
// records (WithWriteRecord, writerecord.go), so riskctl's own entries in
// that log can be told apart.
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
//   - Pagination: collections are followed while result_info says there is
//     more; once page 1 has said how many pages there are, the rest are
//     fetched concurrently (DefaultPageConcurrency at a time) and merged in
//     page order.
//   - Pacing: a Budget per credential (shared by the clients of all its
//     accounts, Config.Budget) gates every attempt, retries included. It
//     lets bursts through while the 5-minute window has room, spreads the
//     last of it over the time left, keeps a reserve, and learns quota,
//     remaining and reset from every answer's Ratelimit headers, so that
//     processes sharing a token stay under Cloudflare's limit together.
//     After a 429 every request sharing the budget waits.
//   - Retries: go-retryablehttp runs the attempts; riskctl's policy is in
//     its hooks (client.go). Connection errors, attempt timeouts, 429
//     and 5xx are retried with capped exponential backoff and jitter; a 429
//     waits for Retry-After, else the announced reset, up to 5 minutes;
//     other 4xx are never retried; a done context stops at once, and a
//     wait that would pass the context's deadline fails at once with a
//     *WaitError. Config.OnWait sees every wait.
//   - Nothing hangs: each attempt, response body included, is bounded by
//     Config.AttemptTimeout, and an operation gives up after
//     Config.NoAnswerAttempts attempts that timed out ("get behaviors:
//     giving up after 3 attempts: no answer from api.cloudflare.com within
//     20s"). A request not yet sent never waits past the run's deadline,
//     nor once the run has stopped (deadline.go).
//
// The ambiguity rule. Creating an integration is the one non-idempotent
// call: sending it twice makes two integrations. So it is retried only when
// the failure proves the server did not act (a 429, or a connection that was
// never made). After a 5xx, a reset or a timeout the client cannot know, and
// says so with an *AmbiguousError carrying the reference_id; the caller
// (apply) then asks GetIntegrationByReference what actually happened. Every
// other write — PUT, DELETE, the reset POST — is idempotent and retried.
package remote
