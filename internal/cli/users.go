package cli

import (
	"bufio"
	"fmt"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/riskctl/riskctl/internal/remote"
)

func usersCommand(g *globals) *ucli.Command {
	return &ucli.Command{
		Name:  "users",
		Usage: "inspect and reset user risk",
		Subcommands: []*ucli.Command{
			{
				Name:      "list",
				Usage:     "list users with risk events (every page of the account summary)",
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
				ArgsUsage: "USER_ID",
				Flags:     []ucli.Flag{formatFlag()},
				Action:    g.usersShow,
			},
			{
				Name:      "reset",
				Usage:     "reset users' risk scores, clearing their risk events",
				ArgsUsage: "USER_ID...",
				Flags: []ucli.Flag{
					&ucli.BoolFlag{Name: "yes", Aliases: []string{"y"}, Usage: "do not ask for confirmation"},
				},
				Action: g.usersReset,
			},
		},
	}
}

func (g *globals) usersList(c *ucli.Context) error {
	format, err := outputFormat(c)
	if err != nil {
		return err
	}
	level := strings.ToLower(c.String("risk-level"))
	if level != "" && !validRiskLevel(level) {
		return usageErrorf("--risk-level %q: expected low, medium or high", c.String("risk-level"))
	}
	if c.Args().Present() {
		return usageErrorf("users list takes no arguments, got %q", c.Args().First())
	}
	s, err := g.connect("")
	if err != nil {
		return err
	}
	users, err := s.api.GetSummary(c.Context)
	if err != nil {
		return g.explain(err, s.accountID)
	}
	if level != "" {
		kept := users[:0]
		for _, u := range users {
			if strings.EqualFold(u.MaxRiskLevel, level) {
				kept = append(kept, u)
			}
		}
		users = kept
	}
	out := g.streams.Out
	if format == "json" {
		if users == nil {
			users = []remote.UserRiskInfo{}
		}
		return writeJSON(out, users)
	}
	if len(users) == 0 {
		fmt.Fprintln(out, "No users with risk events.")
		return nil
	}
	tw := newTable(out)
	row(tw, "USER ID", "NAME", "EMAIL", "MAX RISK", "EVENTS", "LAST EVENT")
	for _, u := range users {
		row(tw, u.UserID, u.Name, u.Email, u.MaxRiskLevel, u.EventCount, formatTime(u.LastEvent))
	}
	return tw.Flush()
}

func (g *globals) usersShow(c *ucli.Context) error {
	format, err := outputFormat(c)
	if err != nil {
		return err
	}
	if c.NArg() != 1 {
		return usageErrorf("users show takes exactly one USER_ID, got %d arguments", c.NArg())
	}
	userID := c.Args().First()
	s, err := g.connect("")
	if err != nil {
		return err
	}
	u, err := s.api.GetUserRisk(c.Context, userID)
	if err != nil {
		return g.explain(err, s.accountID)
	}
	out := g.streams.Out
	if format == "json" {
		if u.Events == nil {
			u.Events = []remote.RiskEvent{}
		}
		return writeJSON(out, u)
	}
	tw := newTable(out)
	row(tw, "User:", userID)
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

func (g *globals) usersReset(c *ucli.Context) error {
	userIDs := c.Args().Slice()
	if len(userIDs) == 0 {
		return usageErrorf("users reset needs at least one USER_ID")
	}
	if !c.Bool("yes") {
		if err := g.confirm(fmt.Sprintf("Reset the risk score of %d user(s) (%s)? Their risk events are cleared.",
			len(userIDs), strings.Join(userIDs, ", ")), "--yes"); err != nil {
			return err
		}
	}
	s, err := g.connect("")
	if err != nil {
		return err
	}
	// Reset one by one and report each: a failure halfway leaves the
	// earlier resets done, and the user must know which.
	var failed int
	for _, id := range userIDs {
		if err := s.api.ResetUserRisk(c.Context, id); err != nil {
			failed++
			fmt.Fprintf(g.streams.Err, "reset %s: %v\n", id, g.explain(err, s.accountID))
			continue
		}
		fmt.Fprintf(g.streams.Out, "Reset risk of user %s.\n", id)
	}
	switch {
	case failed == 0:
		return nil
	case failed < len(userIDs):
		return &exitError{code: ExitPartial, err: fmt.Errorf("%d of %d resets failed", failed, len(userIDs))}
	default:
		return fmt.Errorf("all %d resets failed", failed)
	}
}

// confirm asks a yes/no question on the terminal. Without a terminal there
// is nobody to ask, so it refuses (exit 4) rather than guess, naming the
// flag that confirms up front.
func (g *globals) confirm(question, confirmFlag string) error {
	if g.streams.InteractiveInput == nil || !g.streams.InteractiveInput() {
		return refusedErrorf("refusing to continue without confirmation: stdin is not a terminal; pass %s to confirm", confirmFlag)
	}
	fmt.Fprintf(g.streams.Err, "%s\nOnly 'yes' will be accepted to confirm.\n\nEnter a value: ", question)
	if f, ok := g.streams.Err.(interface{ Flush() error }); ok {
		_ = f.Flush() // the prompt has no newline: show it before waiting
	}
	answer, _ := bufio.NewReader(g.streams.In).ReadString('\n')
	if strings.TrimSpace(answer) != "yes" {
		return refusedErrorf("cancelled: the answer was not 'yes'")
	}
	return nil
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
