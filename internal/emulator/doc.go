// Package emulator is an in-memory, stateful implementation of Cloudflare's
// Zero Trust Risk Scoring API, as an http.Handler. It backs `riskctl
// --emulate`, `riskctl emulator serve` and the tests. It is an independent
// implementation of the contract in docs/api.md and deliberately shares no
// code (not even types) with internal/remote.
//
// # Routes
//
// All under /client/v4/accounts/{account_id}/zt_risk_scoring:
//
//	GET    /{user_id}                            one user's risk and events (paginated)
//	POST   /{user_id}/reset                      clear a user's events; result {}
//	GET    /behaviors                            every behavior of the account
//	PUT    /behaviors                            partial merge; answers every behavior
//	GET    /summary                              users with events (paginated)
//	GET    /integrations                         bare array (paginated only with IntegrationsPageSize)
//	POST   /integrations                         create; active is always true
//	GET    /integrations/{integration_id}
//	PUT    /integrations/{integration_id}        overwrites tenant_url, active, reference_id
//	DELETE /integrations/{integration_id}        result {}
//	GET    /integrations/reference_id/{ref}      oldest integration with that reference_id
//
// And, read-only, the Access lists riskctl's Access checks read (access.go;
// docs/emulator.md#access-objects), under /client/v4/accounts/{account_id}/access:
//
//	GET    /identity_providers                   Options.Access, paginated, the same for every account
//	GET    /policies                             (empty lists without Options.Access;
//	GET    /apps                                  403 code 10000 "Authentication error"
//	GET    /groups                                with Options.NoAccessRead)
//
// And the account's audit log (audit.go; docs/emulator.md#audit-log),
// under /client/v4/accounts/{account_id}:
//
//	GET    /logs/audit                           since and before required; cursor, limit, direction,
//	                                             filters; 403 code 10000 with Options.NoAuditRead
//
// Every write the emulator accepts is recorded there, one entry per
// resource changed, and answered with a Cf-Auditlog-Id header per entry.
// Every answer carries a cf-ray header ("<16 hex>-EMU").
//
// Literal segments win over {user_id}: /summary, /behaviors and
// /integrations are never read as user ids. Path ids are matched
// case-insensitively; user_id and integration_id must be canonical UUIDs.
// An account id must be 32 lower-case hex characters, as Cloudflare's are:
// anything else ("account_id", a space, upper-case hex, 31 or 33
// characters) is 400 code 7003 before auth, and is never provisioned
// (docs/api.md#account-ids).
//
// Paginated endpoints (the Access lists too) take page and per_page (default Options.PageSize or
// 20, capped at 100) and answer result_info {count, page, per_page,
// total_count, total_pages}; total_pages is at least 1 and a page past the
// end is empty. order_by, direction and other query params are ignored.
//
// # Responses
//
// Success: HTTP 200, Content-Type "application/json; charset=UTF-8",
// {"success":true,"errors":[],"messages":[],"result":...} plus result_info
// on collections. Failure: the real status with
// {"success":false,"errors":[{"code":N,"message":"..."}],"messages":[],"result":null};
// validation failures list every problem found in the body.
//
// Checks run in this order: latency, rate limit, faults, routing (account
// and object ids included), auth, account, entitlement, then the operation
// (body validation, lookup, change). Every answer carries the rate-limit
// headers (see Rate limits).
//
// # Error codes
//
//	HTTP  code   when
//	400   1001   body is not exactly one JSON object (malformed, empty, array, trailing data)
//	400   1002   required field missing or null (create: integration_type, tenant_url;
//	             update: tenant_url, active; PUT /behaviors: behaviors, and each
//	             entry's enabled and risk_level)
//	400   1003   field of the wrong JSON type
//	400   1004   bad value: risk_level not low|medium|high (exact case), integration_type
//	             not "Okta" (exact case), tenant_url not an absolute URL (scheme and host),
//	             tenant_url over 2048 bytes or reference_id over 512 bytes
//	400   1008   a create past Options.MaxIntegrations integrations in the account
//	             ("Integration quota exceeded: ..."), checked once the body is valid
//	400   1005   PUT /behaviors names a key the account does not have (the message names it)
//	400   1006   page or per_page is not a positive integer; on /logs/audit: since or
//	             before missing or not a date or RFC 3339 date-time, since after
//	             before, limit not a positive integer, direction not asc or desc,
//	             a cursor the emulator did not give
//	400   7003   account_id is not 32 lower-case hex, or user_id or integration_id is not a
//	             UUID ("Could not route to /client/v4/accounts/..., perhaps your object
//	             identifier is invalid?"), followed by 7000 "No route for that URI"
//	400   9106   auth enforced and no credential header at all ("Missing X-Auth-Key,
//	             X-Auth-Email or Authorization headers")
//	400   6003   auth enforced and a credential header is malformed ("Invalid request
//	             headers"), with an error_chain item per bad header:
//	               6111 "Invalid format for Authorization header": not "Bearer <token>",
//	                    empty token, or a token with a space in it
//	               6103 "Invalid format for X-Auth-Key header": not 37 hex characters (the
//	                    form of a Global API Key), or absent next to an X-Auth-Email
//	               6102 "Invalid format for X-Auth-Email header": not an address
//	                    (local@domain, no space), or absent next to an X-Auth-Key
//	             6103 and 6102 are not checked next to a well-formed bearer token
//	             (assumption: cloudflare-go v7 sends X-Auth-Email whenever
//	             CLOUDFLARE_EMAIL is set, token or not, and such a client works)
//	403   10000  well-formed credentials that do not match, or an account outside
//	             Options.Accounts ("Authentication error")
//	403   10000  a new account past Options.MaxAccounts ("Authentication error: the
//	             emulator holds N accounts and creates no more on first use ...")
//	403   10000  an Access list with Options.NoAccessRead ("Authentication error")
//	403   10000  the audit log with Options.NoAuditRead ("Authentication error")
//	403   3314   GET or POST /integrations of an account in Options.UnentitledAccounts
//	             ("Forbidden")
//	404   7000   no route for that URI
//	404   1101   no integration with that id
//	404   1102   no integration with that reference_id
//	404   1103   no user with that id
//	405   7001   known path, other method (an Allow header lists the methods)
//	413   1007   body larger than 1 MiB
//	429   971    rate limited or locked out, or with RateLimit a new credential while
//	             10000 windows are live ("Please wait and consider throttling your request speed")
//	5xx   1000+status  injected or dice faults (1500, 1502, 1503), or the state file could not be saved
//
// 971, 3314, 6003 (with 6102, 6103, 6111), 7000, 7003, 9106 and 10000 are
// codes seen from the real API (docs/api.md#error-codes); the others are the
// emulator's own. Clients should key on the HTTP status. Which header
// formats Cloudflare calls malformed is not published: the rules above are
// the emulator's reading. A header sent empty counts as not sent
// (cloudflare-go sends X-Auth-Key: "" when CLOUDFLARE_API_KEY is set but
// empty).
//
// Extra body fields that the schema does not list are accepted and ignored,
// as the real API does (Terraform sends active on POST and integration_type
// on PUT). On create, a null or absent reference_id becomes a random
// UUIDv4, stored and answered ("If omitted, a random UUIDv4 is used",
// docs/api.md#integrations); on update it clears the reference_id to "".
//
// # Data
//
// Every account starts with the behaviors seen in real payloads, all
// disabled: imp_travel (high), high_dlp (medium), sentinel_one (medium).
// Options.Behaviors (emulator serve --behaviors FILE) replaces them with a
// catalogue: a YAML or JSON file of the shape of GET /behaviors' result,
// key -> {name, description, enabled (default false), risk_level (default
// low)}, read strictly by LoadBehaviors (unknown or duplicate keys, wrong
// types, bad levels, anchors, an empty catalogue: errors naming
// file:line:col). Keys follow the behavior ids of riskctl specs, 1 to 64 of
// a-z 0-9 _, so that `riskctl export` can write every account; enabled is
// true or false in any case (yes/no/on/off are refused, as in specs). A
// file that is one valid JSON object is decoded as JSON (so "\/" and
// surrogate-pair escapes work), with the same checks. `riskctl emulator catalogue` writes one from a live
// account. Accounts loaded from a state file keep their behaviors.
// Integration ids are random UUIDv4; account_tag is the account id;
// created_at is Options.Now in UTC, whole seconds; well_known_url is
// https://ssf.risk-score.teams.cloudflare.com/.well-known/sse-configuration/{id}.
// List order is created_at, then id.
//
// With Options.SeedUsers, each newly provisioned account gets that many demo
// users from a PCG generator seeded by Options.Seed and the account id: the
// same seed and account always give the same users, ids, emails
// (@example.com) and 1–6 events each, dated in the 30 days before
// 2026-07-01T00:00:00Z. A user's risk_level is the highest of their events,
// or "low" when they have none; last_reset_time is null until a reset. The
// summary lists users with events, by max risk (high first), email, id.
//
// # Accounts and auth
//
// Without Options.Accounts any well-formed account id is provisioned on
// first use, until the state holds Options.MaxAccounts accounts (default
// DefaultMaxAccounts, 100; loaded accounts count): then a new account is
// 403 code 10000, which is also what Cloudflare answers for an account a
// token cannot reach, while known accounts keep working. The cap bounds
// memory and the state file against a client looping over ids. With
// Options.Accounts only those are served (the cap does not apply) and
// others get 403 code 10000. An account in Options.UnentitledAccounts
// lacks the risk-scoring entitlement: GET and POST /integrations answer
// 403 code 3314 "Forbidden" (docs/api.md#error-codes); its other routes work.
//
// When Token, or APIKey and Email, are set, a request must carry
// "Authorization: Bearer <token>" or matching X-Auth-Key and X-Auth-Email
// (see the error table for the 400s of missing and malformed headers);
// without any configured credentials no header is checked and every
// request is accepted. APIKey must itself be 37 hex characters and Email
// an address, so that the emulator accepts what it is configured with.
//
// # Knobs
//
//   - Latency: added before each request, cut short if the client goes away.
//   - RateLimit per RateWindow (default 1s): see Rate limits below.
//   - LockOut (needs RateLimit): see Rate limits below.
//   - ServerErrorRate: 500/502/503 before anything is applied.
//   - ResetRate: the connection is dropped (hijacked and closed with RST).
//   - CommitThenFailRate (writes only): the write is applied and saved, the
//     answer is a 500.
//   - ReadLag: reads of integrations (list, by id, by reference_id) show
//     them as they were ReadLag ago, so an API create, update or delete
//     shows only once ReadLag has passed (lag.go). Writes, the state file
//     and the Go API see the current state.
//   - InjectFault: one-shot faults, consumed FIFO by the first matching
//     request, checked before the dice. A CommitThenFail fault whose
//     request fails on its own (say a 400) keeps that answer.
//
// The dice come from a PCG seeded by Options.Seed (0 = a fixed default), on
// a stream separate from the user generator.
//
// Note for tests: Go's http.Transport silently retries a replayable request
// (a GET, or one with an Idempotency-Key header) when its reused
// keep-alive connection is dropped before any answer, so a reset fault on
// such a request can look like success; the request log then shows both
// attempts.
//
// # Rate limits
//
// Every request is counted, and every answer (success or failure, any
// route, 401/403/404/429 included; not a dropped connection) carries the
// rate-limit headers of its credential's window, as Cloudflare's do
// (docs/api.md#rate-limits):
//
//	Ratelimit: "default";r=1199;t=300         remaining requests; seconds until they are back
//	Ratelimit-Policy: "default";q=1200;w=300  quota; window in seconds
//	X-Ratelimit-Limit: 1200                   the older family, same numbers;
//	X-Ratelimit-Remaining: 1199               reset as an RFC 1123 date
//	X-Ratelimit-Reset: Fri, 02 Jan 2026 03:09:05 GMT
//
// Seconds are whole and rounded up, at least 1 (a 200ms window is w=1).
// Retry-After (seconds, rounded up) comes only on a 429.
//
// The counter is per credential, across all accounts: one token (however
// the Bearer scheme is spelled) or one X-Auth-Key and X-Auth-Email pair
// has one budget for every account it reaches; a request without
// credentials counts against its client IP. Windows are fixed, starting at
// a credential's first request. Rejected requests (401, 403, 404, ...)
// count too.
//
// Without Options.RateLimit nothing is refused, but the headers still
// advertise Cloudflare's documented limit, q=1200 per w=300, from the real
// counter (r stays 0 past the quota), so a client can pace. With RateLimit
// N per RateWindow, request N+1 of a window and every later one of that
// window is answered 429 code 971 with Retry-After until the window ends;
// the refused ones are not applied (writes included).
//
// With Options.LockOut (riskctl emulator serve --lock-out 5m), the first
// request over the quota locks its credential out for LockOut, and at
// least until its window would have ended: every request of that
// credential is answered 429 code 971, Retry-After the seconds left, with
// Ratelimit r=0 and t (and x-ratelimit-reset) at the lock-out's end, even
// after the window rolls over. Requests during a lock-out are not counted
// and do not extend it. When it ends, the credential starts a fresh window
// with its full quota. Other credentials are not affected.
//
// Every 429 is in the request log; RateLimited counts the ones the limiter
// gave (injected 429 faults are not counted), and ResetRequests zeroes it.
// Windows and lock-outs are in memory only, never in the state file.
//
// Credentials are counted before auth, so the memory they cost is bounded:
// a window is keyed on the SHA-256 of its credential (never the header
// itself, which may be up to a megabyte), and at most 10000 windows exist
// at a time (expired ones are swept first). A new credential past that gets
// no window: with RateLimit it is answered 429 code 971 (Retry-After one
// window), without RateLimit it is served, with the headers of a full
// quota. Credentials that already have a window are not affected.
//
// # Request log and persistence
//
// Every request, faulted and rejected ones included, is logged as
// {Method, Path, Status}; a dropped connection (or a client that left
// during Latency) has status 0. The log is bounded: it keeps the last
// MaxLoggedRequests requests, and a path longer than MaxLoggedPath bytes
// is cut there, followed by "...(cut: N bytes)". Options.Logf gets one
// line per request, "METHOD PATH STATUS DURATION", and never headers,
// bodies or tokens; the path, percent-decoded, is printed with control,
// bidi and zero-width characters escaped (\u001B for ESC), so a request
// cannot write to the terminal the log is shown on.
//
// With Options.StatePath the state is loaded by New (a missing file is a
// fresh state, an unreadable one an error naming the file) with its
// journal NAME.journal replayed over it. Every successful write appends
// one JSON line to the journal, written and fsync'd before the answer
// (writers waiting together share one fsync); the journal is compacted
// into the state file, written atomically (temp file ".NAME.tmp-DIGITS"
// in the same directory, fsync, rename) as JSON with "version": 1, by New
// when the journal is not empty, by Save (Start's Shutdown and Close) and
// when it passes 16 MiB (journal.go). A torn last line (a crash during the
// write of an unanswered record) is dropped; any other bad line is an
// error naming the journal and the line. Accounts loaded from the file are
// not re-seeded.
//
// One emulator at a time uses a state file: New takes an exclusive lock
// (flock; LockFileEx on Windows, on a byte far past the data so the PID
// stays readable) on NAME.lock, which records the holder's PID, and waits
// up to two seconds before failing with a StateInUseError. The lock file
// must be a regular file holding nothing or a PID: a symbolic link (not
// followed, on unix), a directory, a pipe or a file with other data there
// is refused, untouched. Where there is no flock (AIX, Plan 9, js, wasip1)
// a StatePath is refused: "state locking is not supported on GOOS".
//
// Loading is strict: an unknown version, an unknown field, trailing data,
// or state that breaks the contract (an account id that is not 32
// lower-case hex; a behavior with a bad key or risk_level; an integration
// with an empty, non-UUID or duplicate id, without integration_type or of
// another type than Okta, without tenant_url or created_at; a user with a
// non-UUID or duplicate id; an event without id or with a bad risk_level)
// is refused with one error naming the file and every problem. It is
// checked as written, before integrations are sorted: "integration 2" is
// the third in the file. An older emulator accepted any account id, and
// behavior keys of other forms from a catalogue; such an error says to
// delete that account (or behavior) from the file, or the file.
//
// Temp files of the state file (".NAME.tmp-" and digits only, as
// os.CreateTemp makes them; not those of a state file named NAME.tmp-x)
// are removed when New takes the lock (a save that crashed leaves one) and
// after every save, successful or not; holding the lock, no other writer
// can own them.
//
// # Caps
//
// A body over 1 MiB is 413 code 1007. A stored tenant_url is at most 2048
// bytes and a reference_id at most 512 (400 code 1004 otherwise), and an
// account holds at most Options.MaxIntegrations integrations (default
// DefaultMaxIntegrations, 1000; a create past it is 400 code 1008), so an
// account's integrations take at most a few MiB. PutIntegration is not
// capped.
package emulator
