package cli

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	ucli "github.com/urfave/cli/v2"

	"github.com/riskctl/riskctl/internal/reconcile"
	"github.com/riskctl/riskctl/internal/remote"
	"github.com/riskctl/riskctl/internal/report"
	"github.com/riskctl/riskctl/internal/riskreport"
	"github.com/riskctl/riskctl/internal/safefile"
	"github.com/riskctl/riskctl/internal/textutil"
)

func usersCommand(g *globals) *ucli.Command {
	return &ucli.Command{
		Name:  "users",
		Usage: "inspect, chart and reset user risk",
		Subcommands: []*ucli.Command{
			{
				Name:      "list",
				Usage:     "list users with risk events (every page of the account summary)",
				UsageText: "riskctl users list [--risk-level low|medium|high] [--format table|json]",
				Description: "Lists every user with risk events: their highest risk level, how many\n" +
					"events and the time of the last one.\n\n" +
					"Examples:\n" +
					"  riskctl users list\n" +
					"  riskctl users list --risk-level high\n" +
					"  riskctl users list --format json | jq -r '.[].user_id'",
				ArgsUsage: " ",
				Flags: []ucli.Flag{
					&ucli.StringFlag{Name: "risk-level", Usage: "only users whose highest risk is this level: low, medium or high"},
					formatFlag(),
				},
				Action: g.usersList,
			},
			{
				Name:      "show",
				Usage:     "show one user's risk level and risk events",
				UsageText: "riskctl users show [--format table|json] USER_ID|EMAIL",
				Description: "Shows a user's risk level, last reset and risk events. USER_ID is the\n" +
					"user's UUID, as 'riskctl users list' prints it; an EMAIL is looked up in\n" +
					"the risk summary (exact, ignoring case), which lists users with risk events.\n\n" +
					"Examples:\n" +
					"  riskctl users show 36541d16-28fa-4900-b73a-f813c94671ff\n" +
					"  riskctl users show ada@example.com --format json",
				ArgsUsage: "USER_ID|EMAIL",
				Flags:     []ucli.Flag{formatFlag()},
				Action:    g.usersShow,
			},
			{
				Name:      "report",
				Usage:     "a picture of user risk: Markdown with Mermaid charts, or an HTML page",
				UsageText: "riskctl users report [--format markdown|html] [-o FILE] [--days N] [--max-users N] [--show-users]",
				Description: "Writes a report of user risk across the account: users by highest risk\n" +
					"level, risk events by behavior, risk events per day over the last --days\n" +
					"days, and the users at the highest level with their latest events.\n" +
					"Markdown (the default) draws the charts in Mermaid, which GitHub renders in\n" +
					"issues, comments and step summaries; --format html writes one self-contained\n" +
					"page with the same charts as inline SVG, loading nothing.\n\n" +
					"Names and emails appear only with --show-users: a step summary is read\n" +
					"across the organization. Events are read per user, highest risk first, for\n" +
					"at most --max-users users; the report says when that cut it short.\n\n" +
					"Examples:\n" +
					"  riskctl users report >> \"$GITHUB_STEP_SUMMARY\"\n" +
					"  riskctl users report --format html -o risk.html --show-users\n" +
					"  riskctl users report --days 7 --max-users 50",
				ArgsUsage: " ",
				Flags: []ucli.Flag{
					&ucli.StringFlag{Name: "format", Value: "markdown", Usage: "output format: markdown or html"},
					&ucli.StringFlag{Name: "output", Aliases: []string{"o"}, TakesFile: true, Usage: "write to this file instead of stdout"},
					&ucli.IntFlag{Name: "days", Value: riskreport.DefaultDays, Usage: "days of the events-per-day chart, ending today (UTC)"},
					&ucli.IntFlag{Name: "max-users", Value: riskreport.DefaultMaxUsers, Usage: "read the events of at most this many users, highest risk first"},
					&ucli.BoolFlag{Name: "show-users", Usage: "show names and emails (otherwise counts only)"},
				},
				Action: g.usersReport,
			},
			withExitCodes("users reset", &ucli.Command{
				Name:      "reset",
				Usage:     "reset users' risk scores, clearing their risk events",
				UsageText: "riskctl users reset [--yes] USER_ID|EMAIL...",
				Description: "Resets each user's risk score, clearing their risk events, and reports\n" +
					"each reset. USER_ID is a user's UUID, as 'riskctl users list' prints it;\n" +
					"an EMAIL is looked up in the risk summary (exact, ignoring case). It asks\n" +
					"for confirmation on a terminal, naming each user (name, email, level,\n" +
					"events); without a terminal, pass --yes.\n\n" +
					"Examples:\n" +
					"  riskctl users reset ada@example.com\n" +
					"  riskctl users reset --yes 36541d16-28fa-4900-b73a-f813c94671ff 0f9c4e2a-7b1d-4c3e-9a8f-5d6e7f8a9b0c\n" +
					"  riskctl users list --risk-level high --format json | jq -r '.[].user_id' | xargs riskctl users reset --yes",
				ArgsUsage: "USER_ID|EMAIL...",
				Flags: []ucli.Flag{
					&ucli.BoolFlag{Name: "yes", Aliases: []string{"y"}, Usage: "do not ask for confirmation"},
				},
				Action: g.usersReset,
			}),
		},
	}
}

// usersListOptions are the options of `users list`.
type usersListOptions struct {
	RiskLevel string // low, medium, high, or "" for every user
	Format    string // table or json
}

// usersListOptionsFrom builds and checks the options of `users list`.
func usersListOptionsFrom(c *ucli.Context) (usersListOptions, error) {
	format, err := outputFormat(c)
	if err != nil {
		return usersListOptions{}, err
	}
	level := strings.ToLower(c.String("risk-level"))
	if level != "" && !validRiskLevel(level) {
		return usersListOptions{}, usageErrorf("--risk-level %q: expected low, medium or high", c.String("risk-level"))
	}
	if c.Args().Present() {
		return usersListOptions{}, usageErrorf("users list takes no arguments, got %q", c.Args().First())
	}
	return usersListOptions{RiskLevel: level, Format: format}, nil
}

func (g *globals) usersList(c *ucli.Context) error {
	opts, err := usersListOptionsFrom(c)
	if err != nil {
		return err
	}
	return list(c.Context, g, opts.Format, listing[remote.UserRiskInfo]{
		fetch: func(ctx context.Context, api remote.API) ([]remote.UserRiskInfo, error) {
			users, err := api.GetSummary(ctx)
			return withRiskLevel(users, opts.RiskLevel), err
		},
		header: []any{"USER ID", "NAME", "EMAIL", "MAX RISK", "EVENTS", "LAST EVENT"},
		row: func(u remote.UserRiskInfo) []any {
			return []any{u.UserID, u.Name, u.Email, u.MaxRiskLevel, u.EventCount, formatTime(u.LastEvent)}
		},
		empty: "No users with risk events.",
	})
}

// withRiskLevel keeps the users whose highest risk is level ("": all).
func withRiskLevel(users []remote.UserRiskInfo, level string) []remote.UserRiskInfo {
	if level == "" {
		return users
	}
	kept := users[:0]
	for _, u := range users {
		if strings.EqualFold(u.MaxRiskLevel, level) {
			kept = append(kept, u)
		}
	}
	return kept
}

// usersShowOptions are the options of `users show`.
type usersShowOptions struct {
	UserID string // a user id or an email
	Format string // table or json
}

// usersShowOptionsFrom builds and checks the options of `users show`.
func usersShowOptionsFrom(c *ucli.Context) (usersShowOptions, error) {
	format, err := outputFormat(c)
	if err != nil {
		return usersShowOptions{}, err
	}
	if c.NArg() != 1 {
		return usersShowOptions{}, usageErrorf("users show takes exactly one USER_ID or EMAIL, got %d arguments", c.NArg())
	}
	userID := c.Args().First()
	if err := checkUserArgs("users show", userID); err != nil {
		return usersShowOptions{}, err
	}
	return usersShowOptions{UserID: userID, Format: format}, nil
}

func (g *globals) usersShow(c *ucli.Context) error {
	opts, err := usersShowOptionsFrom(c)
	if err != nil {
		return err
	}
	s, err := g.connect("")
	if err != nil {
		return err
	}
	if needsSummary([]string{opts.UserID}) {
		users, err := g.resolveUsers(c.Context, s, []string{opts.UserID})
		if err != nil {
			return err
		}
		opts.UserID = users[0].ID
	}
	u, err := s.api.GetUserRisk(c.Context, opts.UserID)
	if err != nil {
		return g.explain(err, s.accountID)
	}
	out := g.streams.Out
	if opts.Format == "json" {
		if u.Events == nil {
			u.Events = []remote.RiskEvent{}
		}
		return writeJSON(out, u)
	}
	tw := newTable(out)
	row(tw, "User:", opts.UserID)
	row(tw, "Name:", u.Name)
	row(tw, "Email:", u.Email)
	row(tw, "Risk level:", orDash(u.RiskLevel))
	lastReset := "never"
	if u.LastResetTime != nil {
		lastReset = formatTime(*u.LastResetTime)
	}
	row(tw, "Last reset:", lastReset)
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(out)
	if len(u.Events) == 0 {
		fmt.Fprintln(out, "No risk events.")
		return nil
	}
	tw = newTable(out)
	row(tw, "TIME", "RISK", "EVENT", "EVENT ID")
	for _, e := range u.Events {
		row(tw, formatTime(e.Timestamp), e.RiskLevel, e.Name, e.ID)
	}
	return tw.Flush()
}

// usersReportOptions are the options of `users report`.
type usersReportOptions struct {
	Format    string // markdown or html
	Output    string // "" means stdout
	Days      int
	MaxUsers  int
	ShowUsers bool
}

// usersReportOptionsFrom builds and checks the options of `users report`.
func usersReportOptionsFrom(c *ucli.Context) (usersReportOptions, error) {
	opts := usersReportOptions{Format: c.String("format"), Output: c.String("output"),
		Days: c.Int("days"), MaxUsers: c.Int("max-users"), ShowUsers: c.Bool("show-users")}
	switch {
	case opts.Format != "markdown" && opts.Format != "html":
		return usersReportOptions{}, usageErrorf("--format %q: expected markdown or html", opts.Format)
	case opts.Days < 1 || opts.Days > riskreport.MaxDays:
		return usersReportOptions{}, usageErrorf("--days %d: expected 1 to %d", opts.Days, riskreport.MaxDays)
	case opts.MaxUsers < 0:
		return usersReportOptions{}, usageErrorf("--max-users %d: expected 0 or more (0 reads no user's events)", opts.MaxUsers)
	case c.Args().Present():
		return usersReportOptions{}, usageErrorf("users report takes no arguments, got %q", c.Args().First())
	}
	return opts, nil
}

func (g *globals) usersReport(c *ucli.Context) error {
	opts, err := usersReportOptionsFrom(c)
	if err != nil {
		return err
	}
	s, err := g.connect("")
	if err != nil {
		return err
	}
	bar := g.progressBar("Reading users' risk events")
	r, err := riskreport.Collect(c.Context, s.api, riskreport.Options{
		Days: opts.Days, MaxUsers: opts.MaxUsers, ShowUsers: opts.ShowUsers, Now: time.Now(), Progress: bar.update,
	})
	bar.done()
	if err != nil {
		return g.explain(err, s.accountID)
	}
	if r.Unread > 0 {
		fmt.Fprintf(g.streams.Err, "Note: read the events of %d of %d users (--max-users %d); the report says so.\n",
			r.Read+r.Gone, r.Users, opts.MaxUsers)
	}
	var buf bytes.Buffer
	if opts.Format == "html" {
		err = riskreport.WriteHTML(&buf, r)
	} else {
		err = riskreport.WriteMarkdown(&buf, r)
	}
	if err != nil {
		return err
	}
	if opts.Output == "" {
		_, err = g.streams.Out.Write(buf.Bytes())
		return err
	}
	// stdout is redacted by Main's writer; a file is not, so the report's
	// bytes are here: a server that echoes the credential into a name
	// must not get it into a report (docs/security.md).
	return safefile.Write(opts.Output, g.secrets.Bytes(buf.Bytes()), 0o644)
}

// usersResetOptions are the options of `users reset`.
type usersResetOptions struct {
	UserIDs []string // user ids and emails
	Yes     bool     // reset without asking
}

// usersResetOptionsFrom builds and checks the options of `users reset`.
func usersResetOptionsFrom(c *ucli.Context) (usersResetOptions, error) {
	userIDs := c.Args().Slice()
	if len(userIDs) == 0 {
		return usersResetOptions{}, usageErrorf("users reset needs at least one USER_ID or EMAIL")
	}
	if err := checkUserArgs("users reset", userIDs...); err != nil {
		return usersResetOptions{}, err
	}
	return usersResetOptions{UserIDs: userIDs, Yes: c.Bool("yes")}, nil
}

func (g *globals) usersReset(c *ucli.Context) error {
	opts, err := usersResetOptionsFrom(c)
	if err != nil {
		return err
	}
	if !opts.Yes && (g.streams.InteractiveInput == nil || !g.streams.InteractiveInput()) {
		// Nobody to ask: refused by confirm before any request.
		return g.confirm("", "--yes")
	}
	s, err := g.connect("")
	if err != nil {
		return err
	}
	// The prompt names each user, and an email needs its id: both come
	// from the summary. With --yes and ids only, nothing is looked up.
	users := make([]userTarget, len(opts.UserIDs))
	for i, id := range opts.UserIDs {
		users[i] = userTarget{ID: id}
	}
	if !opts.Yes || needsSummary(opts.UserIDs) {
		if users, err = g.resolveUsers(c.Context, s, opts.UserIDs); err != nil {
			return err
		}
	}
	if !opts.Yes {
		lines := make([]string, len(users))
		for i, u := range users {
			lines[i] = "  " + u.describe()
		}
		if err := g.confirm(fmt.Sprintf("Reset the risk score of %s? Their risk events are cleared.\n%s",
			plural(len(users), "user", "users"), strings.Join(lines, "\n")), "--yes"); err != nil {
			return err
		}
	}
	userIDs := make([]string, len(users))
	for i, u := range users {
		userIDs[i] = u.ID
	}
	// Reset one by one and report each: a failure halfway leaves the
	// earlier resets done, and the user must know which.
	var failed int
	for _, id := range userIDs {
		if err := s.api.ResetUserRisk(c.Context, id); err != nil {
			failed++
			// The error carries the server's text: printed as Main prints
			// errors (errorText, docs/security.md).
			fmt.Fprintf(g.streams.Err, "reset %s: %s\n", textutil.Visible(id), errorText(g.explain(err, s.accountID)))
			continue
		}
		fmt.Fprintf(g.streams.Out, "Reset risk of user %s.\n", textutil.Visible(id)) // an email's id is the server's
	}
	worst := reconcile.StatusOK
	if failed > 0 {
		worst = reconcile.StatusError
	}
	switch reconcile.StatusOfResults(len(userIDs)-failed, worst) {
	case reconcile.StatusOK:
		return nil
	case reconcile.StatusPartial:
		return statusError(reconcile.StatusPartial, fmt.Errorf("%d of %d resets failed", failed, len(userIDs)), false)
	default:
		return fmt.Errorf("all %d resets failed", failed)
	}
}

// checkUserArgs refuses, before any request, every argument that is
// neither in the API's form for user ids, a UUID written 8-4-4-4-12 (the
// API answers anything else with an opaque "could not route"), nor an
// email (isEmailArg). It names each bad one.
func checkUserArgs(cmd string, args ...string) error {
	var bad []string
	for _, a := range args {
		if !isUserID(a) && !isEmailArg(a) {
			bad = append(bad, strconv.Quote(a))
		}
	}
	switch len(bad) {
	case 0:
		return nil
	case 1:
		return usageErrorf("%s: %s is neither a user id nor an email: expected a UUID (%s) or an email, as 'riskctl users list' prints them",
			cmd, bad[0], userIDForm)
	default:
		return usageErrorf("%s: %s are neither user ids nor emails: expected UUIDs (%s) or emails, as 'riskctl users list' prints them",
			cmd, strings.Join(bad, ", "), userIDForm)
	}
}

// resolveUsers reads the risk summary and names each argument's user
// (resolveUsers, usertarget.go).
func (g *globals) resolveUsers(ctx context.Context, s *session, args []string) ([]userTarget, error) {
	summary, err := s.api.GetSummary(ctx)
	if err != nil {
		return nil, g.explain(err, s.accountID)
	}
	return resolveUsers(summary, args)
}

// userIDForm is the form of a user id, for messages.
const userIDForm = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx, hex digits"

// isUserID reports whether s is a UUID in the canonical 8-4-4-4-12 form, of
// any version and case; uuid.Validate alone also takes the {…}, urn:uuid:
// and 32-digit forms, which the API does not.
func isUserID(s string) bool {
	return len(s) == 36 && uuid.Validate(s) == nil
}

// confirm asks a yes/no question on the terminal. Without a terminal there
// is nobody to ask, so it refuses (exit 4) rather than guess, naming the
// flag that confirms up front. An answer other than "yes" cancels, as at
// apply's prompt: "Reset cancelled.", exit 1, no "Error:".
func (g *globals) confirm(question, confirmFlag string) error {
	ok, err := g.ask(question, confirmFlag)
	switch {
	case err != nil:
		return statusError(reconcile.StatusRefused, err, false)
	case !ok:
		if err := report.WriteResetCancelled(g.streams.Out); err != nil {
			return err
		}
		return statusError(reconcile.StatusCancelled, errors.New("reset cancelled"), true)
	}
	return nil
}

// ask asks question on the terminal and reports whether the answer was
// "yes". Without a terminal there is nobody to ask: an error names
// confirmFlag.
func (g *globals) ask(question, confirmFlag string) (bool, error) {
	if g.streams.InteractiveInput == nil || !g.streams.InteractiveInput() {
		return false, fmt.Errorf("refusing to continue without confirmation: stdin is not a terminal; pass %s to confirm", confirmFlag)
	}
	fmt.Fprintf(g.streams.Err, "%s\nOnly 'yes' will be accepted to confirm.\n\nEnter a value: ", question)
	if f, ok := g.streams.Err.(interface{ Flush() error }); ok {
		_ = f.Flush() // the prompt has no newline: show it before waiting
	}
	answer, _ := bufio.NewReader(g.streams.In).ReadString('\n')
	return strings.TrimSpace(answer) == "yes", nil
}

func validRiskLevel(s string) bool {
	switch s {
	case remote.RiskLow, remote.RiskMedium, remote.RiskHigh:
		return true
	}
	return false
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
