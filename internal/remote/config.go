package remote

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"
)

// Defaults applied by New to the zero fields of a Config.
const (
	// DefaultBaseURL is the Cloudflare Client API (servers[0] of the spec).
	DefaultBaseURL = "https://api.cloudflare.com/client/v4"

	// DefaultUserAgent is sent when Config.UserAgent is empty; the CLI
	// passes "riskctl/<version>".
	DefaultUserAgent = "riskctl/dev"

	// DefaultRetryMax is the number of retries after the first attempt,
	// so a request is sent at most DefaultRetryMax+1 times.
	DefaultRetryMax = 4

	// DefaultRetryWaitMin and DefaultRetryWaitMax bound the exponential
	// backoff between attempts when the server gives no Retry-After.
	DefaultRetryWaitMin = 1 * time.Second
	DefaultRetryWaitMax = 30 * time.Second

	// DefaultRetryAfterCap caps the wait after a 429 (the server's
	// Retry-After, else its announced reset, else the backoff) and a 5xx's
	// Retry-After. Cloudflare's lock-out lasts 5 minutes (docs/api.md#rate-limits), so a
	// shorter cap only earns another 429. A wait that would pass the
	// request context's deadline is never started: the request fails at
	// once with a *WaitError.
	DefaultRetryAfterCap = 5 * time.Minute

	// DefaultAttemptTimeout bounds one attempt, from sending the request
	// to the last byte of the answer's body: a hung or trickling server
	// becomes a retryable error instead of a hang. The API answers in well
	// under a second (docs/api.md); 20 s leaves room for a slow page.
	DefaultAttemptTimeout = 20 * time.Second

	// DefaultNoAnswerAttempts is how many attempts of one operation may
	// time out before it gives up, whatever RetryMax allows: a server that
	// accepts and never answers fails an operation after 3 × 20 s plus two
	// backoffs (1–2 s, 2–4 s), 62–66 s, not RetryMax+1 attempt timeouts.
	DefaultNoAnswerAttempts = 3

	// DefaultPageConcurrency is how many pages of one listing are fetched
	// at once, once the first page has said how many there are.
	DefaultPageConcurrency = 8

	// MaxPages bounds how many pages one listing follows, so a server
	// whose result_info never advances cannot loop the client forever.
	MaxPages = 1000
)

// Sentinel configuration errors returned by New.
var (
	// ErrNoAccount: Config.AccountID is empty.
	ErrNoAccount = errors.New("remote: no account id (set --account-id or CLOUDFLARE_ACCOUNT_ID)")
	// ErrNoCredentials: neither an API token nor an API key with its email
	// was given.
	ErrNoCredentials = errors.New("remote: no credentials (set an API token, or an API key and email)")
	// ErrBaseURL: Config.BaseURL is not a usable API root (bad syntax, or
	// cleartext http:// to a host that is not loopback).
	ErrBaseURL = errors.New("remote: invalid base URL")
)

// Credentials authenticate requests: either an API token (preferred,
// scoped), or a global API key together with the account email. If Token is
// set it is used and the key pair is ignored.
type Credentials struct {
	Token  Secret // sent as "Authorization: Bearer <token>"
	APIKey Secret // sent as X-Auth-Key, with Email as X-Auth-Email
	Email  string
}

// validate says whether the credentials are usable, and why not.
func (c Credentials) validate() error {
	switch {
	case !c.Token.IsZero():
		return nil
	case !c.APIKey.IsZero() && c.Email != "":
		return nil
	case !c.APIKey.IsZero():
		return fmt.Errorf("%w: an API key needs its email", ErrNoCredentials)
	case c.Email != "":
		return fmt.Errorf("%w: an email needs its API key", ErrNoCredentials)
	}
	return ErrNoCredentials
}

// Config configures a Client. Only AccountID and Credentials are required;
// every zero field gets the matching Default* value.
type Config struct {
	// AccountID is the Cloudflare account every request is made under.
	AccountID string
	// Credentials authenticate every request.
	Credentials Credentials
	// BaseURL is the API root, with or without a trailing slash, e.g. the
	// emulator's "http://127.0.0.1:8787/client/v4". It must be https://,
	// or http:// to a loopback address (localhost, 127.0.0.0/8, ::1).
	BaseURL string
	// AllowInsecureHTTP lets BaseURL be http:// to any host. The
	// credentials then cross the network in cleartext.
	AllowInsecureHTTP bool
	// UserAgent identifies riskctl, e.g. "riskctl/1.2.3".
	UserAgent string
	// Logger receives one debug record per HTTP attempt, one per retry
	// and one per wait for the budget (method, path, status, attempt,
	// duration, wait and why). Never headers, never the query, never a
	// credential. nil means silent.
	Logger *slog.Logger

	// Budget paces the requests of every Client sharing it, and learns
	// the API's announced limits from their answers (see Budget).
	// Cloudflare counts its limit per user or token, not per account, so
	// the clients of all the accounts a credential is used for in a run
	// should share one Budget. nil means a private one (NewBudget).
	Budget *Budget
	// OnWait, if set, is called before each wait of a request: for the
	// budget (a lock-out after a 429, the window nearly spent, the
	// per-second limit) and between attempts (Retry-After, backoff). op
	// names the operation ("get behaviors"), why the cause ("rate limited
	// (retry-after)"). Several requests waiting for the same thing are
	// reported once. It is called from the requests' goroutines, so it
	// must be safe for concurrent use, and quick. Most waits are
	// milliseconds; a CLI would show those of a few seconds or more.
	OnWait func(op string, d time.Duration, why string)

	// AttemptTimeout bounds each attempt, response body included (see
	// DefaultAttemptTimeout). 0 means the default; a negative value means
	// no bound besides the request's context.
	AttemptTimeout time.Duration
	// NoAnswerAttempts is how many attempts of one operation may time out
	// (no complete answer within AttemptTimeout) before the operation
	// gives up (see DefaultNoAnswerAttempts). 0 means the default; a
	// negative value means only RetryMax limits them.
	NoAnswerAttempts int

	// RetryMax is the number of retries after the first attempt. 0 means
	// DefaultRetryMax; a negative value disables retries.
	RetryMax int
	// RetryWaitMin and RetryWaitMax bound the exponential backoff used
	// when the server sends no Retry-After. 0 means the defaults. After a
	// 429 the backoff may grow up to RetryAfterCap instead.
	RetryWaitMin time.Duration
	RetryWaitMax time.Duration
	// RetryAfterCap caps the wait after a 429 and a server's Retry-After,
	// and is the longest the Budget makes a request wait (a longer wait,
	// e.g. an announced reset an hour away, fails at once with a
	// *WaitError). 0 means DefaultRetryAfterCap.
	RetryAfterCap time.Duration

	// HTTPClient, if set, supplies the transport (and its timeout, jar,
	// proxy settings). New copies it and wraps its transport; it never
	// follows redirects, whatever CheckRedirect says, because a redirect
	// would carry X-Auth-Key to another host.
	HTTPClient *http.Client
}

// settings is a Config with defaults applied and inputs checked. It holds no
// credential: those live behind a pointer in the Client (see client.go).
type settings struct {
	accountID      string
	apiRoot        string // BaseURL without trailing slash
	userAgent      string
	logger         *slog.Logger
	budget         *Budget
	onWait         func(op string, d time.Duration, why string)
	attemptTimeout time.Duration // 0: none
	noAnswerMax    int           // 0: no limit of its own
	retryMax       int
	waitMin        time.Duration
	waitMax        time.Duration
	retryAfterCap  time.Duration
}

func (cfg Config) settings() (settings, error) {
	s := settings{
		accountID:      strings.TrimSpace(cfg.AccountID),
		userAgent:      cfg.UserAgent,
		logger:         cfg.Logger,
		budget:         cfg.Budget,
		onWait:         cfg.OnWait,
		attemptTimeout: cfg.AttemptTimeout,
		noAnswerMax:    cfg.NoAnswerAttempts,
		retryMax:       cfg.RetryMax,
		waitMin:        cfg.RetryWaitMin,
		waitMax:        cfg.RetryWaitMax,
		retryAfterCap:  cfg.RetryAfterCap,
	}
	if s.accountID == "" {
		return settings{}, ErrNoAccount
	}
	if err := cfg.Credentials.validate(); err != nil {
		return settings{}, err
	}
	root, err := apiRoot(cfg.BaseURL, cfg.AllowInsecureHTTP)
	if err != nil {
		return settings{}, err
	}
	s.apiRoot = root
	if s.userAgent == "" {
		s.userAgent = DefaultUserAgent
	}
	if s.budget == nil {
		s.budget = NewBudget()
	}
	switch {
	case s.attemptTimeout == 0:
		s.attemptTimeout = DefaultAttemptTimeout
	case s.attemptTimeout < 0:
		s.attemptTimeout = 0
	}
	switch {
	case s.noAnswerMax == 0:
		s.noAnswerMax = DefaultNoAnswerAttempts
	case s.noAnswerMax < 0:
		s.noAnswerMax = 0
	}
	switch {
	case s.retryMax == 0:
		s.retryMax = DefaultRetryMax
	case s.retryMax < 0:
		s.retryMax = 0
	}
	if s.waitMin <= 0 {
		s.waitMin = DefaultRetryWaitMin
	}
	if s.waitMax <= 0 {
		s.waitMax = DefaultRetryWaitMax
	}
	if s.waitMax < s.waitMin {
		s.waitMax = s.waitMin
	}
	if s.retryAfterCap <= 0 {
		s.retryAfterCap = DefaultRetryAfterCap
	}
	return s, nil
}

// apiRoot checks a base URL and returns it without a trailing slash, so that
// paths can be appended as "/accounts/…" whichever way the user wrote it.
// Every request carries the credentials, so cleartext http:// is refused
// unless the host is loopback (the emulator) or insecureHTTP says so.
func apiRoot(base string, insecureHTTP bool) (string, error) {
	if base == "" {
		base = DefaultBaseURL
	}
	u, err := url.Parse(base)
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrBaseURL, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("%w %q: want https://host[/path]", ErrBaseURL, u.Redacted())
	}
	if u.User != nil {
		// Credentials go in Config.Credentials, where they are redacted.
		return "", fmt.Errorf("%w %q: no user info allowed", ErrBaseURL, u.Redacted())
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("%w %q: no query or fragment allowed", ErrBaseURL, u.Redacted())
	}
	if u.Scheme == "http" && !insecureHTTP && !IsLoopback(u.Hostname()) {
		return "", fmt.Errorf("%w %q: http:// would send the credentials in cleartext to %s; use https://, "+
			"or pass --insecure-http if that is really intended", ErrBaseURL, u.Redacted(), u.Hostname())
	}
	return strings.TrimRight(u.String(), "/"), nil
}

// IsLoopback reports whether host (a URL's Hostname) names this machine:
// "localhost" or a loopback IP. Other names are not resolved: DNS could
// answer anything.
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}
