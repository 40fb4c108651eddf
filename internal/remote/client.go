package remote

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/hashicorp/go-retryablehttp"

	"github.com/riskctl/riskctl/internal/redact"
)

// Client talks to the Zero Trust Risk Scoring API of one account. It is safe
// for concurrent use; apply shares one Client between its workers, and its
// Budget (shared with the clients of the credential's other accounts) paces
// them all.
type Client struct {
	s        settings
	auth     *auth // a pointer, so that printing a Client shows an address, not the key
	http     *http.Client
	backoff  backoff
	maxPages int
	// pageConcurrency bounds the pages of one listing fetched at once.
	pageConcurrency int
}

// New checks cfg, applies defaults and returns a Client. It makes no
// request: a bad token shows up on the first call as ErrUnauthorized or
// ErrForbidden.
func New(cfg Config) (*Client, error) {
	s, err := cfg.settings()
	if err != nil {
		return nil, err
	}
	return &Client{
		s:               s,
		auth:            newAuth(cfg.Credentials),
		http:            newHTTPClient(cfg.HTTPClient, s),
		backoff:         newBackoff(s),
		maxPages:        MaxPages,
		pageConcurrency: DefaultPageConcurrency,
	}, nil
}

// AccountID returns the account this client works on.
func (c *Client) AccountID() string { return c.s.accountID }

// String and GoString describe the client without its credentials. (fmt
// would otherwise walk the unexported fields with reflection, where a
// Secret's own String method is not consulted.)
func (c *Client) String() string {
	return fmt.Sprintf("remote.Client{account: %q, api: %q}", c.s.accountID, c.s.apiRoot)
}

func (c *Client) GoString() string { return c.String() }

// newHTTPClient copies the caller's http.Client (or builds one) and wraps
// its transport with the budget, the attempt deadline and the attempt log.
func newHTTPClient(base *http.Client, s settings) *http.Client {
	var hc http.Client
	if base != nil {
		hc = *base
	}
	next := hc.Transport
	if next == nil {
		if base != nil {
			next = http.DefaultTransport
		} else {
			next = http.DefaultTransport.(*http.Transport).Clone()
		}
	}
	hc.Transport = &transport{
		next: next, budget: s.budget, attemptTimeout: s.attemptTimeout,
		maxWait: s.retryAfterCap, log: s.logger, onWait: s.onWait,
	}
	// Never follow redirects: Go strips Authorization on a cross-host
	// redirect but not X-Auth-Key, and the API does not redirect anyway.
	// A 3xx becomes an *APIError.
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &hc
}

// auth holds the credentials and is the only code that reads them.
type auth struct {
	creds   Credentials
	secrets *redact.Set // the credential values, for scrubbing and refusing
}

func newAuth(creds Credentials) *auth {
	return &auth{creds: creds, secrets: redact.New(creds.Token.Reveal(), creds.APIKey.Reveal())}
}

func (a *auth) setHeaders(h http.Header) {
	if !a.creds.Token.IsZero() {
		h.Set("Authorization", "Bearer "+a.creds.Token.Reveal())
		return
	}
	h.Set("X-Auth-Key", a.creds.APIKey.Reveal())
	h.Set("X-Auth-Email", a.creds.Email)
}

// scrub removes the credentials (in any case, and partial echoes) from text
// that came back from the server (error messages, body snippets) before it
// goes into an error: a proxy that echoes request headers must not make us
// print the token. Callers scrub before they cut text short.
func (a *auth) scrub(s string) string { return a.secrets.String(s) }

// request describes one API operation.
type request struct {
	op     string     // for errors and logs, e.g. `get integration "…"`
	method string     // HTTP method
	path   string     // below /accounts/{account_id}/zt_risk_scoring (or api), already escaped
	query  url.Values // nil on every first request but the Access lists' (per_page)
	body   any        // marshalled as JSON when non-nil
	// idempotent says the request may be repeated blindly. GET, PUT and
	// DELETE are; a POST is not unless it says so (reset is).
	idempotent bool
	// referenceID names the object a non-idempotent create can be looked
	// up by, for *AmbiguousError.
	referenceID string
	// api is the product path under the account: "/access" for the
	// Access reads (access.go); empty means "/zt_risk_scoring".
	api string
	// decodeTyped, when set, decodes a success envelope together with its
	// result in one pass (see pagesOf); nil decodes the result later.
	decodeTyped func(body []byte) (*envelope, bool)
	// list, for a listing that plan or apply depends on, names it in
	// errors ("integrations list"); such a listing is read again from its
	// first page when it changed while it was read (see envelopes).
	list string
}

// call is the state of one request across its attempts. go-retryablehttp
// hands its hooks neither the request nor (Backoff) its context, so the
// hooks are closures over a call (see retryClient), and the transport finds
// it in the request context. All access happens on the caller's goroutine:
// retryablehttp runs the hooks and the transport there, one attempt at a
// time.
type call struct {
	op, method, path string
	idempotent       bool
	referenceID      string
	ctx              context.Context // the request's, for its wait tally (WithWaitTally)
	decodeTyped      func(body []byte) (*envelope, bool)

	// attempt is the attempt under way or last made, from 1: the
	// library's count, as RequestLogHook reports it.
	attempt      int
	noAnswer     int    // attempts that timed out (*attemptTimeoutError)
	refused      int    // attempts whose connection was refused
	maybeApplied bool   // the last attempt may have reached the service
	lastOutcome  string // the last attempt's status or error, for the retry record
	// The wait before the next attempt and why: CheckRetry decides it
	// (a wait past the deadline is a reason not to retry), Backoff hands
	// it to the loop.
	wait time.Duration
	why  string
	// ended says ErrorHandler has shaped the call's failure.
	ended bool
}

type callKey struct{}

// do sends one request and decodes the envelope. go-retryablehttp runs the
// attempts (see retryClient). Errors are *APIError (the server said no),
// *AmbiguousError (a create that may have happened), *WaitError (a wait
// not started), or a wrapped network/context error.
func (c *Client) do(ctx context.Context, r request) (*envelope, error) {
	req, cl, err := c.newRequest(ctx, r)
	if err != nil {
		return nil, err
	}
	resp, err := c.retryClient(cl).Do(req)
	if err != nil {
		if !cl.ended {
			// The context ended the loop's wait between attempts:
			// retryablehttp then returns its error without calling
			// ErrorHandler.
			_, err = c.giveUp(cl, resp, err, cl.attempt)
		}
		return nil, err
	}
	defer resp.Body.Close()
	recordWrite(ctx, cl.method, cl.path, resp) // writerecord.go
	return c.answer(cl, resp)
}

// newRequest builds the request for r, and the call that follows it
// through its attempts.
func (c *Client) newRequest(ctx context.Context, r request) (*retryablehttp.Request, *call, error) {
	if r.method != http.MethodPost {
		r.idempotent = true
	}
	api := r.api
	if api == "" {
		api = "/zt_risk_scoring"
	}
	u := c.s.apiRoot + "/accounts/" + url.PathEscape(c.s.accountID) + api + r.path
	if len(r.query) > 0 {
		u += "?" + r.query.Encode()
	}
	var body any // must stay a nil interface when there is no body
	if r.body != nil {
		b, err := json.Marshal(r.body)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: encode request: %w", r.op, err)
		}
		body = b
	}
	// A credential belongs in the auth header only. A body or URL holding
	// one (a spec that smuggled the token into a reference_id, say) would
	// hand it to whatever logs or echoes request data.
	if c.auth.secrets.Contains(u) || (r.body != nil && c.auth.secrets.Contains(string(body.([]byte)))) {
		return nil, nil, fmt.Errorf("%s: refusing to send a request that carries a credential outside the auth header", c.auth.scrub(r.op))
	}

	cl := &call{op: r.op, method: r.method, idempotent: r.idempotent, referenceID: r.referenceID, ctx: ctx, decodeTyped: r.decodeTyped}
	req, err := retryablehttp.NewRequestWithContext(context.WithValue(ctx, callKey{}, cl), r.method, u, body)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", r.op, err)
	}
	cl.path = req.URL.EscapedPath()
	req.Header.Set("User-Agent", c.s.userAgent)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	c.auth.setHeaders(req.Header)
	req.SetResponseHandler(bufferBody)
	return req, cl, nil
}

// retryClient configures go-retryablehttp for one call. The library runs
// the attempt loop: it sends, asks CheckRetry whether to go again, sleeps
// what Backoff says (stopping if the context ends), sends again, at most
// RetryMax times more, and hands a failure to ErrorHandler. riskctl's
// policy is in the hooks:
//
//   - RequestLogHook: notes which attempt is starting, for the transport's
//     record and the errors;
//   - CheckRetry: which outcomes are retried, and after how long (see
//     retry.go); a 429 also locks out the shared Budget;
//   - Backoff: tells the wait CheckRetry chose (debug log, Config.OnWait,
//     the wait tally) and returns it;
//   - ErrorHandler: the error a failed call returns.
//
// Pacing by the Budget, the attempt deadline and the attempt record happen
// in the transport, under the loop (see transport.go). The struct is cheap;
// the connection pool lives in c.http and is shared by all calls.
func (c *Client) retryClient(cl *call) *retryablehttp.Client {
	return &retryablehttp.Client{
		HTTPClient: c.http,
		// No library logger: its default prints every URL on stderr, and
		// its hooks can see headers. The transport logs instead.
		Logger:   nil,
		RetryMax: c.s.retryMax,
		// No RetryWaitMin/Max: they feed only the library's own Backoff;
		// the waits come from retry.go's backoff (checkRetry).
		RequestLogHook: func(_ retryablehttp.Logger, _ *http.Request, retry int) {
			cl.attempt = retry + 1
		},
		CheckRetry: func(ctx context.Context, resp *http.Response, err error) (bool, error) {
			return c.checkRetry(ctx, cl, resp, err)
		},
		Backoff: func(_, _ time.Duration, _ int, _ *http.Response) time.Duration {
			return c.announceWait(cl)
		},
		ErrorHandler: func(resp *http.Response, err error, tries int) (*http.Response, error) {
			return c.giveUp(cl, resp, err, tries)
		},
	}
}

// checkRetry is the CheckRetry hook: shouldRetry's policy, plus the wait
// before the retry, which it decides here because a wait that would pass
// the context's deadline or the run's, or any wait once the run has
// stopped (deadline.go), is not started (a *WaitError instead). After
// Config.NoAnswerAttempts attempts that timed out it retries no more. A 429 locks
// out the Budget whatever is decided, so that every request sharing the
// credential waits.
func (c *Client) checkRetry(ctx context.Context, cl *call, resp *http.Response, err error) (bool, error) {
	cl.maybeApplied = !provablyUnprocessed(resp, err)
	cl.lastOutcome = outcome(resp, err)
	retry, rerr := shouldRetry(ctx, cl.idempotent, resp, err)
	var terr *attemptTimeoutError
	if errors.As(err, &terr) {
		cl.noAnswer++
		if retry && c.s.noAnswerMax > 0 && cl.noAnswer >= c.s.noAnswerMax {
			// A server that accepts and never answers: more attempts
			// would only repeat the wait (see DefaultNoAnswerAttempts).
			return false, rerr
		}
	}
	if retry && connRefused(err) {
		cl.refused++
		if cl.refused > refusedRetries {
			return false, c.refusedError(err) // see refusedRetries
		}
	}
	limited := err == nil && resp != nil && resp.StatusCode == http.StatusTooManyRequests
	if !retry && !limited {
		return false, rerr
	}
	now := time.Now()
	var wait time.Duration
	var why string
	if err != nil {
		// The attempt got no whole answer: resp, if any, is the head of
		// an answer whose body never came, and its status says nothing
		// (a 200 whose body timed out is no success to report).
		wait, _ = c.backoff.decide(max(cl.attempt-1, 0), nil)
		if terr != nil {
			why = terr.Error() + " (backoff)" // "no answer from HOST within 20s"
		} else {
			why = transportErrorText(err) + " (backoff)"
		}
	} else {
		wait, why = c.backoff.decide(max(cl.attempt-1, 0), resp)
	}
	var late *WaitError
	if retry {
		if late = tooLate(ctx, now, wait, why, limited); late != nil {
			late.Op, late.Sent = cl.op, cl.attempt
		}
	}
	if limited {
		c.s.budget.lockOut(now.Add(wait), why, retry && late == nil)
	}
	if late != nil {
		return false, late
	}
	cl.wait, cl.why = wait, why
	return retry, rerr
}

// refusedError is the error of a call whose connections were refused.
func (c *Client) refusedError(err error) *RefusedError {
	host := ""
	if u, perr := url.Parse(c.s.apiRoot); perr == nil {
		host = u.Hostname()
	}
	return &RefusedError{BaseURL: c.s.apiRoot, Loopback: IsLoopback(host), Err: err}
}

// announceWait is the Backoff hook: the loop is about to sleep cl.wait
// before the next attempt; say so, once, before the sleep.
func (c *Client) announceWait(cl *call) time.Duration {
	if c.s.logger != nil {
		c.s.logger.LogAttrs(context.Background(), slog.LevelDebug, "http retry",
			slog.String("op", cl.op),
			slog.String("method", cl.method),
			slog.String("path", cl.path),
			slog.Int("attempt", cl.attempt),
			slog.String("after", cl.lastOutcome),
			slog.Duration("wait", cl.wait),
			slog.String("why", cl.why),
			slog.String("text", "waiting "+fmtWait(cl.wait)+": "+cl.why),
		)
	}
	if c.s.onWait != nil && cl.wait > 0 {
		c.s.onWait(cl.op, cl.wait, cl.why)
	}
	tallyWait(cl.ctx, cl.wait)
	return cl.wait
}

// giveUp is the ErrorHandler hook: the error of a call the loop gave up
// on. err is what stopped the loop, or nil when retries ran out on an
// answer worth retrying (a 429 or 5xx): that answer's envelope is then the
// error, as the API's own words are what the user needs to see (the
// library's default handler would drop the body). tries counts the
// attempts the loop began.
func (c *Client) giveUp(cl *call, resp *http.Response, err error, tries int) (*http.Response, error) {
	cl.ended = true
	if resp != nil {
		defer resp.Body.Close()
	}
	if err == nil {
		if _, err = c.answer(cl, resp); err == nil {
			// Not reached: the policy retries no success.
			err = fmt.Errorf("%s: giving up after %d attempts", cl.op, tries)
		}
		return nil, err
	}
	var werr *WaitError
	if errors.As(err, &werr) {
		// Not waiting rather than sleeping into the deadline. Nothing
		// more was sent; the last answer, if any, says why.
		if resp != nil {
			var apiErr *APIError
			if _, derr := c.decode(cl, resp); errors.As(derr, &apiErr) {
				werr.Err = apiErr
			}
		}
		werr.Op = cl.op
		err = werr
	} else {
		var terr *attemptTimeoutError
		if errors.As(err, &terr) {
			err = terr // without url.Error's "Get \"https://…\": "
		}
		sent := tries
		var lerr *limiterError
		if errors.As(err, &lerr) {
			sent-- // the last attempt never left: it was waiting for the Budget
		}
		if sent > 1 {
			err = fmt.Errorf("%s: giving up after %d attempts: %w", cl.op, sent, err)
		} else {
			err = fmt.Errorf("%s: %w", cl.op, err)
		}
	}
	if !cl.idempotent && cl.maybeApplied {
		return nil, &AmbiguousError{Op: cl.op, ReferenceID: cl.referenceID, Err: err}
	}
	return nil, err
}

// answer decodes the answer the loop ended with. For a request that is not
// idempotent, an answer that does not show whether it took effect is an
// *AmbiguousError.
func (c *Client) answer(cl *call, resp *http.Response) (*envelope, error) {
	env, err := c.decode(cl, resp)
	if err != nil && !cl.idempotent {
		var apiErr *APIError
		switch {
		case errors.As(err, &apiErr) && apiErr.Status >= 500:
			// The service failed somewhere; maybe after committing.
			return nil, &AmbiguousError{Op: cl.op, ReferenceID: cl.referenceID, Err: err}
		case !errors.As(err, &apiErr):
			// 2xx but unreadable: it happened, we just cannot see the result.
			return nil, &AmbiguousError{Op: cl.op, ReferenceID: cl.referenceID, Err: err}
		}
	}
	return env, err
}

// bufferBody reads a final response's body inside the retry loop, so that a
// connection dropped mid-body is handled like any other connection error:
// retried for idempotent requests, ambiguous for a create.
func bufferBody(resp *http.Response) error {
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxBodyBytes+1))
	_ = resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(b))
	if err != nil {
		return fmt.Errorf("reading response body: %w", err)
	}
	return nil
}

// outcome summarises an attempt for the retry log.
func outcome(resp *http.Response, err error) string {
	if err != nil {
		return transportErrorText(err)
	}
	return fmt.Sprintf("HTTP %d", resp.StatusCode)
}

// pathSegment escapes a path parameter. Ids are free strings (reference ids
// especially), so "/", "?" and "%" must not change the route; "", "." and
// ".." would, even escaped, so they are refused before any request.
func pathSegment(kind, v string) (string, error) {
	if v == "" || v == "." || v == ".." {
		return "", fmt.Errorf("remote: invalid %s %q", kind, v)
	}
	return url.PathEscape(v), nil
}
