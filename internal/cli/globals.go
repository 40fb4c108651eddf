package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	ucli "github.com/urfave/cli/v2"

	"github.com/riskctl/riskctl/internal/emulator"
	"github.com/riskctl/riskctl/internal/redact"
	"github.com/riskctl/riskctl/internal/remote"
	"github.com/riskctl/riskctl/internal/report"
	"github.com/riskctl/riskctl/internal/textutil"
)

// Environment variables, named as Terraform's Cloudflare provider and
// cloudflare-go name them so one CI secret serves every tool.
const (
	envAccountID = "CLOUDFLARE_ACCOUNT_ID"
	envAPIToken  = "CLOUDFLARE_API_TOKEN"
	envAPIKey    = "CLOUDFLARE_API_KEY"
	envAPIEmail  = "CLOUDFLARE_EMAIL"
	envBaseURL   = "CLOUDFLARE_BASE_URL"
)

// Demo users seeded into the embedded emulator's accounts, so `users list`
// has something to show in a fresh checkout.
const (
	emulateSeedUsers = 12
	emulateSeed      = 1
)

// globals holds the global flags and what they resolve to.
type globals struct {
	streams Streams

	accountID     string
	apiToken      string
	apiKey        string
	apiEmail      string
	baseURL       string
	emulate       bool
	emulationSaid bool // the run's output says it was emulated (newReport, init)
	emulatorState string
	debug         bool
	noColor       bool
	insecureHTTP  bool
	timeout       time.Duration // --timeout: the whole run's limit (0: none)

	// secrets are the run's credential values: every output channel
	// redacts them, and a spec may not hold them.
	secrets *redact.Set
	logger  *slog.Logger
	emu     embedded

	// budget paces every request of the run. A run holds one credential,
	// and Cloudflare counts its limit per credential across accounts, so
	// every account's client shares it.
	budgetOnce sync.Once
	budget     *remote.Budget
}

// sharedBudget is the run's one request budget.
func (g *globals) sharedBudget() *remote.Budget {
	g.budgetOnce.Do(func() { g.budget = remote.NewBudget() })
	return g.budget
}

// longWait is how long a request must wait before the wait is worth a
// line on stderr: every retry (its backoff starts at a second) and every
// rate-limit wait, but not the sub-second spacing of paced sends.
const longWait = time.Second

// onWait tells the user, on stderr, why a request waits when it waits
// long: a silent 12-second gap looks like a hang.
func (g *globals) onWait(op string, d time.Duration, why string) {
	if d >= longWait {
		fmt.Fprintf(g.streams.Err, "waiting %s before %s: %s\n", d.Round(time.Second), textutil.Visible(op), textutil.Visible(why))
	}
}

func (g *globals) flags() []ucli.Flag {
	return []ucli.Flag{
		&ucli.StringFlag{Name: "account-id", EnvVars: []string{envAccountID}, Destination: &g.accountID,
			Usage: "Cloudflare account id (fills a spec's empty account_id)"},
		&ucli.StringFlag{Name: "api-token", EnvVars: []string{envAPIToken}, Destination: &g.apiToken,
			Usage: "API token with Zero Trust permissions (prefer the env var: flags show up in process lists)"},
		&ucli.StringFlag{Name: "api-key", EnvVars: []string{envAPIKey}, Destination: &g.apiKey,
			Usage: "global API key, used with --api-email instead of a token"},
		&ucli.StringFlag{Name: "api-email", EnvVars: []string{envAPIEmail}, Destination: &g.apiEmail,
			Usage: "account email for --api-key"},
		&ucli.StringFlag{Name: "base-url", EnvVars: []string{envBaseURL}, Destination: &g.baseURL,
			Value: remote.DefaultBaseURL, Usage: "API base URL"},
		&ucli.BoolFlag{Name: "insecure-http", Destination: &g.insecureHTTP,
			Usage: "allow an http:// --base-url to a host that is not loopback (sends the credentials in cleartext)"},
		&ucli.BoolFlag{Name: "emulate", Destination: &g.emulate,
			Usage: "use the embedded emulator instead of Cloudflare (no account needed)"},
		&ucli.StringFlag{Name: "emulator-state", TakesFile: true, Destination: &g.emulatorState,
			Value: filepath.Join(".riskctl", "emulator.json"), Usage: "state file of the embedded emulator; an " + emulateAccessFile + " beside it, when present, holds the Access objects it serves (else the demo's, examples/emulator/access.yaml)"},
		&ucli.BoolFlag{Name: "debug", Destination: &g.debug,
			Usage: "log every API request on stderr (secrets redacted)"},
		// NO_COLOR is read by hand: its convention is "any non-empty value",
		// which urfave/cli's boolean parsing of env vars would reject.
		&ucli.BoolFlag{Name: "no-color", Destination: &g.noColor,
			Usage: "disable colour (also when NO_COLOR is set)"},
		&ucli.DurationFlag{Name: "timeout", Destination: &g.timeout, Value: defaultTimeout,
			Usage: "stop the run after this long, as an interrupt does: apply starts nothing new and reports what finished (0: no limit)"},
	}
}

// load runs before any command: it learns the credentials given as flags
// (so output redacts them from here on) and sets up logging.
func (g *globals) load(*ucli.Context) error {
	g.secrets.Add(g.apiToken, g.apiKey)
	if os.Getenv("NO_COLOR") != "" {
		g.noColor = true
	}
	if g.insecureHTTP && !g.emulate && strings.HasPrefix(strings.ToLower(g.baseURL), "http://") {
		fmt.Fprintln(g.streams.Err, "Warning: --insecure-http: an http:// base URL sends the credentials in cleartext.")
	}
	if g.debug {
		g.logger = slog.New(slog.NewTextHandler(g.streams.Err, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return nil
}

// session is a connected API client and the account it works on.
type session struct {
	api       remote.API
	accountID string
}

// connect builds the API client for a command. accountID overrides the
// global flag (a spec's account_id); "" means use the flag.
func (g *globals) connect(accountID string) (*session, error) {
	if accountID == "" {
		accountID = g.accountID
	}
	if g.emulate {
		return g.connectEmulator(accountID)
	}
	if accountID == "" {
		return nil, fmt.Errorf("no account id: pass --account-id or set %s (or use --emulate)", envAccountID)
	}
	creds, err := g.credentials()
	if err != nil {
		return nil, err
	}
	client, err := remote.New(remote.Config{
		AccountID:   accountID,
		Credentials: creds,
		BaseURL:     g.baseURL,
		// Refused before any connection: http:// to a host that is not
		// loopback, unless --insecure-http.
		AllowInsecureHTTP: g.insecureHTTP,
		UserAgent:         "riskctl/" + Version(),
		Logger:            g.logger,
		Budget:            g.sharedBudget(),
		OnWait:            g.onWait,
	})
	if err != nil {
		return nil, err
	}
	return &session{api: client, accountID: accountID}, nil
}

func (g *globals) credentials() (remote.Credentials, error) {
	switch {
	case g.apiToken != "":
		return remote.Credentials{Token: remote.Secret(g.apiToken)}, nil
	case g.apiKey != "" && g.apiEmail != "":
		return remote.Credentials{APIKey: remote.Secret(g.apiKey), Email: g.apiEmail}, nil
	case g.apiKey != "":
		return remote.Credentials{}, fmt.Errorf("%s is set but %s is not: an API key needs the account email", envAPIKey, envAPIEmail)
	default:
		return remote.Credentials{}, fmt.Errorf("no credentials: set %s (or %s and %s), or use --emulate", envAPIToken, envAPIKey, envAPIEmail)
	}
}

// embedded is the in-process emulator behind --emulate: one per run, shared
// by every account's session, so all writes land in one state that is
// loaded and saved once.
type embedded struct {
	once    sync.Once
	baseURL string
	err     error
	stop    func() // nil until started
}

// connectEmulator returns a client of the embedded emulator, starting it on
// a loopback port on first use, so commands exercise the same HTTP client
// code as against Cloudflare.
func (g *globals) connectEmulator(accountID string) (*session, error) {
	if accountID == "" {
		accountID = emulator.DemoAccountID
	}
	g.emu.once.Do(g.startEmulator)
	if g.emu.err != nil {
		return nil, fmt.Errorf("embedded emulator: %w", g.emu.err)
	}
	client, err := remote.New(remote.Config{
		AccountID:   accountID,
		Credentials: remote.Credentials{Token: "emulator"}, // the embedded emulator checks no credentials
		BaseURL:     g.emu.baseURL,
		UserAgent:   "riskctl/" + Version(),
		Logger:      g.logger,
		Budget:      g.sharedBudget(),
		OnWait:      g.onWait,
	})
	if err != nil {
		return nil, err
	}
	// The emulator outlives the session: stopEmulator ends it with the run.
	return &session{api: client, accountID: accountID}, nil
}

// emulateAccessFile is the file of Access objects (emulator.LoadAccess)
// that --emulate serves when it exists: beside the state file, so that
// --emulator-state DIR/state.json brings its own (.riskctl/access.yaml by
// default; docs/emulator.md#access-objects).
const emulateAccessFile = "access.yaml"

// emulateAccess loads the Access objects of the embedded emulator: the
// demo's (emulator.DemoAccess: the identity providers and policies of
// examples/emulator/access.yaml, which the example spec is written
// against) when there is no such file; any other problem (a link, a FIFO,
// a bad file) is an error naming it.
func (g *globals) emulateAccess() (*emulator.AccessData, error) {
	path := filepath.Join(filepath.Dir(g.emulatorState), emulateAccessFile)
	if _, err := os.Lstat(path); errors.Is(err, fs.ErrNotExist) {
		return emulator.DemoAccess(), nil
	}
	return emulator.LoadAccess(path)
}

func (g *globals) startEmulator() {
	access, err := g.emulateAccess()
	if err != nil {
		g.emu.err = err
		return
	}
	srv, err := emulator.Start("127.0.0.1:0", emulator.Options{
		StatePath: g.emulatorState,
		SeedUsers: emulateSeedUsers,
		Seed:      emulateSeed,
		Access:    access,
	})
	if err != nil {
		g.emu.err = err
		return
	}
	g.emu.baseURL = srv.URL
	g.emu.stop = func() {
		// The run is over: nothing of ours is in flight, so Close, not
		// Shutdown; it saves the state and releases the state file.
		if err := srv.Close(); err != nil {
			fmt.Fprintf(g.streams.Err, "warning: embedded emulator: %v\n", err)
		}
	}
}

// stopEmulator ends the embedded emulator, if this run started one, and
// says the run was emulated on stderr when its output did not (lists,
// export, the users commands: their stdout is data, JSON arrays among
// them, with no header to carry it).
func (g *globals) stopEmulator(*ucli.Context) error {
	if g.emu.stop != nil {
		g.emu.stop()
		g.emu.stop = nil
		if !g.emulationSaid {
			fmt.Fprintln(g.streams.Err, report.EmulatedNote)
		}
	}
	return nil
}

// explain rewrites authentication and permission failures into one line
// that says what to set; other errors pass through unchanged.
func (g *globals) explain(err error, accountID string) error {
	var apiErr *remote.APIError
	switch {
	case errors.Is(err, remote.ErrUnauthorized):
		return fmt.Errorf("the API rejected the credentials: check %s (or %s and %s): %w", envAPIToken, envAPIKey, envAPIEmail, err)
	case errors.As(err, &apiErr) && apiErr.HasCode(remote.CodeNotEntitled):
		return fmt.Errorf("account %s does not have Zero Trust risk scoring (it is not part of its plan): %w", accountID, err)
	case errors.Is(err, remote.ErrForbidden):
		return fmt.Errorf("access denied to account %s: check %s and that the token has Zero Trust permissions on it: %w", accountID, envAccountID, err)
	}
	return err
}
