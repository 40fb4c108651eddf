package cli

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	ucli "github.com/urfave/cli/v2"

	"github.com/riskctl/riskctl/internal/emulator"
	"github.com/riskctl/riskctl/internal/safefile"
)

func emulatorCommand(g *globals) *ucli.Command {
	return &ucli.Command{
		Name:        "emulator",
		Usage:       "run the Risk Scoring API emulator",
		Subcommands: []*ucli.Command{emulatorServeCommand(g), emulatorCatalogueCommand(g)},
	}
}

func emulatorServeCommand(g *globals) *ucli.Command {
	return &ucli.Command{
		Name:      "serve",
		Usage:     "serve the emulator over HTTP until interrupted",
		UsageText: "riskctl emulator serve [--addr HOST:PORT] [--state FILE] [flags]",
		ArgsUsage: " ",
		Description: "Serves the 11 operations of the Zero Trust Risk Scoring API under\n" +
			"/client/v4/accounts/{account_id}/zt_risk_scoring, the read-only Access\n" +
			"lists (policies, apps, groups, identity_providers) under\n" +
			"/client/v4/accounts/{account_id}/access, and the account's audit log of\n" +
			"every write at /client/v4/accounts/{account_id}/logs/audit. Point riskctl\n" +
			"(or any Cloudflare client) at it with CLOUDFLARE_BASE_URL.\n\n" +
			"Examples:\n" +
			"  riskctl emulator serve --state emulator.json --seed-users 20 --access examples/emulator/access.yaml\n" +
			"  riskctl emulator serve --addr 127.0.0.1:0 --ready-file url.txt --actor bob-token=bob@example.com &\n" +
			"  RISKCTL_EMULATOR_TOKEN=secret riskctl emulator serve --fault-rate 0.1 --rate-limit 1200/5m --lock-out 5m",
		Flags: []ucli.Flag{
			&ucli.StringFlag{Name: "addr", Value: "127.0.0.1:8787", Usage: "listen address (port 0 picks a free port)"},
			&ucli.StringFlag{Name: "state", TakesFile: true, Usage: "JSON file the state is loaded from and saved to (default: memory only)"},
			&ucli.StringSliceFlag{Name: "account", Usage: "serve only this account id (repeatable; default: any account, created on first use)"},
			&ucli.IntFlag{Name: "max-accounts", Usage: "without --account: create at most this many accounts on first use, then answer new ones 403", DefaultText: strconv.Itoa(emulator.DefaultMaxAccounts)},
			&ucli.IntFlag{Name: "max-integrations", Usage: "answer a create past this many integrations in an account 400 code 1008", DefaultText: strconv.Itoa(emulator.DefaultMaxIntegrations)},
			&ucli.StringSliceFlag{Name: "unentitled-account", Usage: "this account lacks the risk-scoring entitlement: its integrations list and create answer 403 code 3314 (repeatable)"},
			&ucli.StringFlag{Name: "behaviors", Usage: "YAML or JSON behaviors catalogue that new accounts start with (default: imp_travel, high_dlp, sentinel_one; see 'emulator catalogue')"},
			&ucli.StringFlag{Name: "access", TakesFile: true, Usage: "YAML or JSON file of the Access objects every account serves, read-only: identity_providers, policies, apps, groups (default: none)"},
			&ucli.BoolFlag{Name: "no-access-read", Usage: "answer the Access routes 403 code 10000, as for a token without Access read permission"},
			&ucli.StringSliceFlag{Name: "actor", Usage: "TOKEN=EMAIL: the bearer token TOKEN belongs to EMAIL; its writes are recorded in the audit log as that person, and it is accepted as a credential (repeatable; other credentials are recorded as an unnamed token)"},
			&ucli.BoolFlag{Name: "no-audit-read", Usage: "answer the audit log 403 code 10000, as for a token without audit-log read permission"},
			&ucli.IntFlag{Name: "max-audit-entries", Usage: "audit entries kept per account, the oldest dropped", DefaultText: strconv.Itoa(emulator.DefaultMaxAuditEntries)},
			// Prefer the variables: flags show up in process lists.
			&ucli.StringFlag{Name: "token", EnvVars: []string{"RISKCTL_EMULATOR_TOKEN"}, Usage: "require this API token (Authorization: Bearer)"},
			&ucli.StringFlag{Name: "api-key", EnvVars: []string{"RISKCTL_EMULATOR_API_KEY"}, Usage: "accept this X-Auth-Key (with --api-email)"},
			&ucli.StringFlag{Name: "api-email", EnvVars: []string{"RISKCTL_EMULATOR_API_EMAIL"}, Usage: "accept this X-Auth-Email (with --api-key)"},
			&ucli.IntFlag{Name: "seed-users", Value: 0, Usage: "demo users with risk events seeded into each new account"},
			&ucli.Uint64Flag{Name: "seed", Value: 1, Usage: "seed of the demo-user generator and fault dice"},
			&ucli.IntFlag{Name: "page-size", Usage: "default per_page of /summary, user events and the Access lists", DefaultText: "20"},
			&ucli.IntFlag{Name: "integrations-page-size", Usage: "paginate GET /integrations with this page size", DefaultText: "0, one bare array as Cloudflare does"},
			&ucli.DurationFlag{Name: "latency", Usage: "delay added to every request, e.g. 50ms"},
			&ucli.DurationFlag{Name: "read-lag", Usage: "reads of integrations show a create, update or delete only this long after it, as an eventually consistent API, e.g. 2s"},
			&ucli.StringFlag{Name: "rate-limit", Usage: "answer 429 past N requests per window and credential: N or N/DURATION, e.g. 1200/5m (default window 1s)"},
			&ucli.DurationFlag{Name: "lock-out", Usage: "with --rate-limit: once over it, answer a credential 429 for this long, e.g. 5m", DefaultText: "only while over the window"},
			&ucli.Float64Flag{Name: "fault-rate", Usage: "probability (0-1) of a 5xx answer"},
			&ucli.Float64Flag{Name: "reset-rate", Usage: "probability (0-1) of a dropped connection"},
			&ucli.Float64Flag{Name: "commit-then-fail-rate", Usage: "probability (0-1) that a write is stored but answered 500"},
			&ucli.BoolFlag{Name: "log-requests", Usage: "log each request (method, path, status, duration) on stderr"},
			&ucli.StringFlag{Name: "ready-file", Usage: "once listening, write the base URL to this file (for scripts that start the emulator in the background)"},
		},
		Action: g.emulatorServe,
	}
}

// emulatorServeOptions are the options of `emulator serve`: the emulator's
// own, and where and how to serve it.
type emulatorServeOptions struct {
	Addr        string
	ReadyFile   string // "": none
	LogRequests bool   // the action sets Emulator.Logf to log on stderr
	Emulator    emulator.Options
}

// emulatorServeOptionsFrom builds the options of `emulator serve` from
// its flags. It parses what only a flag has a syntax for (--rate-limit,
// the --behaviors and --access files); every other check is the emulator's own (Start),
// whose errors explainEmulatorOptions tells in terms of these flags.
func emulatorServeOptionsFrom(c *ucli.Context) (emulatorServeOptions, error) {
	limit, window, err := parseRateLimit(c.String("rate-limit"))
	if err != nil {
		return emulatorServeOptions{}, err
	}
	var behaviors map[string]emulator.Behavior
	if file := c.String("behaviors"); file != "" {
		if behaviors, err = emulator.LoadBehaviors(file); err != nil {
			return emulatorServeOptions{}, usageErrorf("--behaviors: %w", err)
		}
	}
	actors, err := parseActors(c.StringSlice("actor"))
	if err != nil {
		return emulatorServeOptions{}, err
	}
	var access *emulator.AccessData
	if file := c.String("access"); file != "" {
		if access, err = emulator.LoadAccess(file); err != nil {
			return emulatorServeOptions{}, usageErrorf("--access: %w", err)
		}
	}
	return emulatorServeOptions{
		Addr:        c.String("addr"),
		ReadyFile:   c.String("ready-file"),
		LogRequests: c.Bool("log-requests"),
		Emulator: emulator.Options{
			Accounts:             c.StringSlice("account"),
			MaxAccounts:          c.Int("max-accounts"),
			MaxIntegrations:      c.Int("max-integrations"),
			UnentitledAccounts:   c.StringSlice("unentitled-account"),
			Behaviors:            behaviors,
			Access:               access,
			NoAccessRead:         c.Bool("no-access-read"),
			NoAuditRead:          c.Bool("no-audit-read"),
			Actors:               actors,
			MaxAuditEntries:      c.Int("max-audit-entries"),
			Token:                c.String("token"),
			APIKey:               c.String("api-key"),
			Email:                c.String("api-email"),
			SeedUsers:            c.Int("seed-users"),
			Seed:                 c.Uint64("seed"),
			PageSize:             c.Int("page-size"),
			IntegrationsPageSize: c.Int("integrations-page-size"),
			StatePath:            c.String("state"),
			Latency:              c.Duration("latency"),
			ReadLag:              c.Duration("read-lag"),
			RateLimit:            limit,
			RateWindow:           window,
			LockOut:              c.Duration("lock-out"),
			ServerErrorRate:      c.Float64("fault-rate"),
			ResetRate:            c.Float64("reset-rate"),
			CommitThenFailRate:   c.Float64("commit-then-fail-rate"),
		},
	}, nil
}

func (g *globals) emulatorServe(c *ucli.Context) error {
	// Redacted from here on, whatever fails next.
	g.secrets.Add(c.String("token"), c.String("api-key"))
	for _, v := range c.StringSlice("actor") {
		if token, _, found := cutLast(v, "="); found {
			g.secrets.Add(token)
		} else {
			g.secrets.Add(v)
		}
	}
	opts, err := emulatorServeOptionsFrom(c)
	if err != nil {
		return err
	}
	if opts.LogRequests {
		errOut := g.streams.Err
		opts.Emulator.Logf = func(format string, args ...any) { fmt.Fprintf(errOut, format+"\n", args...) }
	}
	ctx, stop := signal.NotifyContext(c.Context, os.Interrupt, syscall.SIGTERM)
	defer stop()
	out := g.streams.Out
	var readyErr error
	err = emulator.Serve(ctx, opts.Addr, opts.Emulator, func(baseURL string) error {
		fmt.Fprintf(out, "riskctl emulator serving %s\n", baseURL)
		fmt.Fprintf(out, "use it with: export %s=%s\n", envBaseURL, baseURL)
		if opts.ReadyFile != "" {
			// Nobody could find the server: it stops, saying why.
			readyErr = safefile.Write(opts.ReadyFile, []byte(baseURL+"\n"), 0o644)
		}
		return readyErr
	})
	if readyErr != nil {
		return fmt.Errorf("--ready-file: %w", readyErr)
	}
	return explainEmulatorOptions(err)
}

func emulatorCatalogueCommand(g *globals) *ucli.Command {
	return &ucli.Command{
		Name:      "catalogue",
		Usage:     "write the live account's behaviors as a catalogue for 'emulator serve --behaviors'",
		UsageText: "riskctl emulator catalogue [--account-id ID] [--format yaml|json] [-o FILE]",
		Description: "Fetches the account's behaviors (GET /behaviors, with the usual credentials)\n" +
			"and writes them as a behaviors catalogue: the emulator then starts every\n" +
			"new account with the behaviors, names, descriptions, states and levels\n" +
			"that this account has, including keys Cloudflare has not published.\n\n" +
			"Examples:\n" +
			"  riskctl emulator catalogue -o behaviors.yaml\n" +
			"  riskctl emulator catalogue --account-id 699d98642c564d2e855e9661899b7252 --format json\n" +
			"  riskctl emulator serve --behaviors behaviors.yaml",
		ArgsUsage: " ",
		Flags: []ucli.Flag{
			&ucli.StringFlag{Name: "account-id", Usage: "account to read (default: the global --account-id / " + envAccountID + ")"},
			&ucli.StringFlag{Name: "format", Value: "yaml", Usage: "yaml or json"},
			&ucli.StringFlag{Name: "output", Aliases: []string{"o"}, TakesFile: true, Usage: "write to this file instead of stdout"},
		},
		Action: g.emulatorCatalogue,
	}
}

// emulatorCatalogueOptions are the options of `emulator catalogue`.
type emulatorCatalogueOptions struct {
	AccountID string // "" means the global --account-id
	Format    string // yaml or json
	Output    string // "" means stdout
}

func emulatorCatalogueOptionsFrom(c *ucli.Context) (emulatorCatalogueOptions, error) {
	if c.Args().Present() {
		return emulatorCatalogueOptions{}, usageErrorf("emulator catalogue takes no arguments")
	}
	format := strings.ToLower(c.String("format"))
	if format != "yaml" && format != "json" {
		return emulatorCatalogueOptions{}, usageErrorf("--format %q: expected yaml or json", c.String("format"))
	}
	return emulatorCatalogueOptions{AccountID: c.String("account-id"), Format: format, Output: c.String("output")}, nil
}

func (g *globals) emulatorCatalogue(c *ucli.Context) error {
	opts, err := emulatorCatalogueOptionsFrom(c)
	if err != nil {
		return err
	}
	s, err := g.connect(opts.AccountID)
	if err != nil {
		return err
	}
	live, err := s.api.GetBehaviors(c.Context)
	if err != nil {
		return g.explain(err, s.accountID)
	}
	if len(live) == 0 {
		return fmt.Errorf("account %s has no behaviors: nothing to write", s.accountID)
	}
	cat := make(map[string]emulator.Behavior, len(live))
	for key, b := range live {
		cat[key] = emulator.Behavior{Name: b.Name, Description: b.Description, Enabled: b.Enabled, RiskLevel: strings.ToLower(b.RiskLevel)}
	}
	var buf bytes.Buffer
	if err := emulator.WriteBehaviors(&buf, cat, opts.Format, "behaviors of account "+s.accountID); err != nil {
		return err
	}
	if opts.Output == "" {
		_, err = g.streams.Out.Write(buf.Bytes())
		return err
	}
	return safefile.Write(opts.Output, buf.Bytes(), 0o644)
}

// parseRateLimit reads "N" (per second) or "N/DURATION".
func parseRateLimit(s string) (int, time.Duration, error) {
	if s == "" {
		return 0, 0, nil
	}
	count, window, hasWindow := strings.Cut(s, "/")
	n, err := strconv.Atoi(count)
	if err != nil || n <= 0 {
		return 0, 0, usageErrorf("--rate-limit %q: expected N or N/DURATION with N > 0, e.g. 1200/5m", s)
	}
	d := time.Second
	if hasWindow {
		if d, err = time.ParseDuration(window); err != nil || d <= 0 {
			return 0, 0, usageErrorf("--rate-limit %q: expected N or N/DURATION, e.g. 1200/5m", s)
		}
	}
	return n, d, nil
}

// emulatorOptionFlags names the flag (and variable) of each emulator.Options
// field that `emulator serve` sets, for the errors of emulator.New.
var emulatorOptionFlags = map[string]string{
	"Accounts":             "--account",
	"UnentitledAccounts":   "--unentitled-account",
	"MaxAccounts":          "--max-accounts",
	"MaxIntegrations":      "--max-integrations",
	"Behaviors":            "--behaviors",
	"Access":               "--access",
	"Actors":               "--actor",
	"MaxAuditEntries":      "--max-audit-entries",
	"Token":                "--token / RISKCTL_EMULATOR_TOKEN",
	"APIKey":               "--api-key / RISKCTL_EMULATOR_API_KEY",
	"Email":                "--api-email / RISKCTL_EMULATOR_API_EMAIL",
	"SeedUsers":            "--seed-users",
	"PageSize":             "--page-size",
	"IntegrationsPageSize": "--integrations-page-size",
	"Latency":              "--latency",
	"ReadLag":              "--read-lag",
	"RateLimit":            "--rate-limit",
	"RateWindow":           "--rate-limit",
	"LockOut":              "--lock-out",
	"ServerErrorRate":      "--fault-rate",
	"ResetRate":            "--reset-rate",
	"CommitThenFailRate":   "--commit-then-fail-rate",
}

// explainEmulatorOptions rewrites the Options problems of emulator.New's
// error in terms of the flags that set them: a usage error saying
// "--api-key / RISKCTL_EMULATOR_API_KEY: must be ...", not
// "Options.APIKey". Other errors (the state file's) pass unchanged.
func explainEmulatorOptions(err error) error {
	parts := []error{err}
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		parts = joined.Unwrap()
	}
	mapped := false
	out := make([]error, 0, len(parts))
	for _, part := range parts {
		var oe *emulator.OptionError
		if errors.As(part, &oe) {
			if flag, ok := emulatorOptionFlags[oe.Field]; ok {
				out = append(out, fmt.Errorf("%s: %w", flag, oe.Err))
				mapped = true
				continue
			}
		}
		out = append(out, part)
	}
	if !mapped {
		return err
	}
	return usageErrorf("%w", errors.Join(out...))
}

// parseActors reads the values of --actor, each TOKEN=EMAIL (split at the
// last "=", since a token may end in "=" padding and an email holds none).
// An error names the value by its position, and echoes no part of it.
func parseActors(values []string) (map[string]string, error) {
	if len(values) == 0 {
		return nil, nil
	}
	out := make(map[string]string, len(values))
	for i, v := range values {
		token, email, found := cutLast(v, "=")
		switch {
		case !found:
			return nil, usageErrorf("--actor (value %d): want TOKEN=EMAIL, and the value has no \"=\"", i+1)
		case strings.TrimSpace(token) == "" || strings.ContainsAny(token, " \t"):
			return nil, usageErrorf("--actor (value %d): the token is empty or contains spaces", i+1)
		case !strings.Contains(email, "@") || strings.ContainsAny(email, " \t"):
			// Not echoed: a value given the wrong way round (EMAIL=TOKEN)
			// has the token there.
			return nil, usageErrorf("--actor (value %d): what follows the last \"=\" is not an email address", i+1)
		}
		if _, dup := out[token]; dup {
			return nil, usageErrorf("--actor (value %d): that token is already named by an earlier --actor", i+1)
		}
		out[token] = email
	}
	return out, nil
}

// cutLast is strings.Cut at the last sep.
func cutLast(s, sep string) (before, after string, found bool) {
	i := strings.LastIndex(s, sep)
	if i < 0 {
		return s, "", false
	}
	return s[:i], s[i+len(sep):], true
}
