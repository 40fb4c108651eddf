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
		next: next, budget: s.budget, limiter: s.limiter, attemptTimeout: s.attemptTimeout,
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
	path   string     // below /accounts/{account_id}/zt_risk_scoring, already escaped
	query  url.Values // nil on every first request
	body   any        // marshalled as JSON when non-nil
	// idempotent says the request may be repeated blindly. GET, PUT and
	// DELETE are; a POST is not unless it says so (reset is).
	idempotent bool
	// referenceID names the object a non-idempotent create can be looked
	// up by, for *AmbiguousError.
	referenceID string
}

// call is the state of one request across its attempts. go-retryablehttp's
// CheckRetry and Backoff hooks do not receive the request, so per-request
// decisions (is this a create? which attempt? what happened last?) need
// closures over a call (see retryClient) and the transport finds it in the
// request context. All access happens on the caller's goroutine.
type call struct {
	op, method, path string
	idempotent       bool
	attempts         int  // requests that passed the budget (set by transport)
	maybeApplied     bool // the last attempt may have reached the service
	lastOutcome      string
	// The wait before the next attempt and why, decided by CheckRetry.
	wait time.Duration
	why  string
	// ctx is the request's context, for its wait tally (WithWaitTally).
	ctx context.Context
}

type callKey struct{}

// do sends one request, with retries, and decodes the envelope. Errors are
// *APIError (the server said no), *AmbiguousError (a create that may have
// happened), or a wrapped network/context error.
func (c *Client) do(ctx context.Context, r request) (*envelope, error) {
	if r.method != http.MethodPost {
		r.idempotent = true
	}
	u := c.s.apiRoot + "/accounts/" + url.PathEscape(c.s.accountID) + "/zt_risk_scoring" + r.path
	if len(r.query) > 0 {
		u += "?" + r.query.Encode()
	}
	var body any // must stay a nil interface when there is no body
	if r.body != nil {
		b, err := json.Marshal(r.body)
		if err != nil {
			return nil, fmt.Errorf("%s: encode request: %w", r.op, err)
		}
		body = b
	}
	// A credential belongs in the auth header only. A body or URL holding
	// one (a spec that smuggled the token into a reference_id, say) would
	// hand it to whatever logs or echoes request data.
	if c.auth.secrets.Contains(u) || (r.body != nil && c.auth.secrets.Contains(string(body.([]byte)))) {
		return nil, fmt.Errorf("%s: refusing to send a request that carries a credential outside the auth header", c.auth.scrub(r.op))
	}

	cl := &call{op: r.op, method: r.method, idempotent: r.idempotent, ctx: ctx}
	req, err := retryablehttp.NewRequestWithContext(context.WithValue(ctx, callKey{}, cl), r.method, u, body)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", r.op, err)
	}
	cl.path = req.URL.EscapedPath()
	req.Header.Set("User-Agent", c.s.userAgent)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	c.auth.setHeaders(req.Header)
	req.SetResponseHandler(bufferBody)

	resp, err := c.retryClient(cl).Do(req)
	if err != nil {
		var werr *WaitError
		if errors.As(err, &werr) {
			// Not waiting rather than sleeping into the deadline. Nothing
			// more was sent; the last answer, if any, says why.
			if resp != nil {
				if _, derr := c.decode(cl, resp); derr != nil {
					var apiErr *APIError
					if errors.As(derr, &apiErr) {
						werr.Err = apiErr
					}
				}
				_ = resp.Body.Close()
			}
			werr.Op = r.op
			if !r.idempotent && cl.maybeApplied {
				return nil, &AmbiguousError{Op: r.op, ReferenceID: r.referenceID, Err: werr}
			}
			return nil, werr
		}
		if resp != nil { // PassthroughErrorHandler hands back the last response
			_ = resp.Body.Close()
		}
		var terr *attemptTimeoutError
		if errors.As(err, &terr) {
			err = terr // without url.Error's "Get \"https://…\": "
		}
		if cl.attempts > 1 {
			err = fmt.Errorf("%s: giving up after %d attempts: %w", r.op, cl.attempts, err)
		} else {
			err = fmt.Errorf("%s: %w", r.op, err)
		}
		if !r.idempotent && cl.maybeApplied {
			return nil, &AmbiguousError{Op: r.op, ReferenceID: r.referenceID, Err: err}
		}
		return nil, err
	}
	defer resp.Body.Close()

	env, err := c.decode(cl, resp)
	if err != nil && !r.idempotent {
		var apiErr *APIError
		switch {
		case errors.As(err, &apiErr) && apiErr.Status >= 500:
			// The service failed somewhere; maybe after committing.
			return nil, &AmbiguousError{Op: r.op, ReferenceID: r.referenceID, Err: err}
		case !errors.As(err, &apiErr):
			// 2xx but unreadable: it happened, we just cannot see the result.
			return nil, &AmbiguousError{Op: r.op, ReferenceID: r.referenceID, Err: err}
		}
	}
	return env, err
}

// retryClient configures go-retryablehttp for one call. The struct is cheap;
// the connection pool lives in c.http and is shared by all calls.
func (c *Client) retryClient(cl *call) *retryablehttp.Client {
	return &retryablehttp.Client{
		HTTPClient: c.http,
		// No library logger: its default prints every URL on stderr, and
		// its hooks can see headers. The transport logs instead.
		Logger:       nil,
		RetryWaitMin: c.s.waitMin,
		RetryWaitMax: c.s.waitMax,
		RetryMax:     c.s.retryMax,
		CheckRetry: func(ctx context.Context, resp *http.Response, err error) (bool, error) {
			cl.maybeApplied = !provablyUnprocessed(resp, err)
			cl.lastOutcome = outcome(resp, err)
			retry, rerr := shouldRetry(ctx, cl.idempotent, resp, err)
			limited := err == nil && resp != nil && resp.StatusCode == http.StatusTooManyRequests
			if !retry && !limited {
				return false, rerr
			}
			now := time.Now()
			wait, why := c.backoff.decide(max(cl.attempts-1, 0), resp)
			var tooLate *WaitError
			if dl, ok := ctx.Deadline(); ok && retry && now.Add(wait).After(dl) {
				tooLate = &WaitError{Op: cl.op, Wait: wait, Why: why, Left: max(dl.Sub(now), 0), RateLimited: limited}
			}
			if limited {
				// The credential is rate limited: everyone sharing the
				// budget waits, not only this request.
				c.s.budget.lockOut(now.Add(wait), why, retry && tooLate == nil)
			}
			if tooLate != nil {
				return false, tooLate
			}
			cl.wait, cl.why = wait, why
			return retry, rerr
		},
		Backoff: func(_, _ time.Duration, _ int, _ *http.Response) time.Duration {
			if c.s.logger != nil {
				c.s.logger.LogAttrs(context.Background(), slog.LevelDebug, "http retry",
					slog.String("op", cl.op),
					slog.String("method", cl.method),
					slog.String("path", cl.path),
					slog.Int("attempt", cl.attempts),
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
		},
		// Hand back the last response instead of "giving up after N
		// attempts" with the body drained: the API's error envelope is
		// what the user needs to see.
		ErrorHandler: retryablehttp.PassthroughErrorHandler,
	}
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
