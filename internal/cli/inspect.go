package cli

import (
	"fmt"
	"sort"

	ucli "github.com/urfave/cli/v2"

	"github.com/riskctl/riskctl/internal/remote"
)

func behaviorsCommand(g *globals) *ucli.Command {
	return &ucli.Command{
		Name:  "behaviors",
		Usage: "inspect the account's risk behaviors",
		Subcommands: []*ucli.Command{{
			Name:      "list",
			Usage:     "list every risk behavior of the account",
			ArgsUsage: " ",
			Flags:     []ucli.Flag{formatFlag()},
			Action:    g.behaviorsList,
		}},
	}
}

func integrationsCommand(g *globals) *ucli.Command {
	return &ucli.Command{
		Name:  "integrations",
		Usage: "inspect the account's risk score integrations",
		Subcommands: []*ucli.Command{{
			Name:      "list",
			Usage:     "list every risk score integration of the account",
			ArgsUsage: " ",
			Flags:     []ucli.Flag{formatFlag()},
			Action:    g.integrationsList,
		}},
	}
}

// behaviorRow is the JSON shape of `behaviors list`: the API's map turned
// into a list sorted by key, so output is stable.
type behaviorRow struct {
	Key string `json:"key"`
	remote.Behavior
}

func (g *globals) behaviorsList(c *ucli.Context) error {
	format, err := outputFormat(c)
	if err != nil {
		return err
	}
	s, err := g.connect("")
	if err != nil {
		return err
	}
	behaviors, err := s.api.GetBehaviors(c.Context)
	if err != nil {
		return g.explain(err, s.accountID)
	}
	rows := make([]behaviorRow, 0, len(behaviors))
	for key, b := range behaviors {
		rows = append(rows, behaviorRow{Key: key, Behavior: b})
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].Key < rows[j].Key })
	if format == "json" {
		return writeJSON(g.streams.Out, rows)
	}
	tw := newTable(g.streams.Out)
	row(tw, "KEY", "ENABLED", "RISK", "NAME")
	for _, r := range rows {
		row(tw, r.Key, r.Enabled, r.RiskLevel, r.Name)
	}
	return tw.Flush()
}

func (g *globals) integrationsList(c *ucli.Context) error {
	format, err := outputFormat(c)
	if err != nil {
		return err
	}
	s, err := g.connect("")
	if err != nil {
		return err
	}
	integrations, err := s.api.ListIntegrations(c.Context)
	if err != nil {
		return g.explain(err, s.accountID)
	}
	if format == "json" {
		if integrations == nil {
			integrations = []remote.Integration{}
		}
		return writeJSON(g.streams.Out, integrations)
	}
	if len(integrations) == 0 {
		fmt.Fprintln(g.streams.Out, "No integrations.")
		return nil
	}
	tw := newTable(g.streams.Out)
	row(tw, "REFERENCE ID", "TYPE", "TENANT URL", "ACTIVE", "ID", "CREATED")
	for _, in := range integrations {
		row(tw, orDash(in.ReferenceID), in.IntegrationType, in.TenantURL, in.Active, in.ID, formatTime(in.CreatedAt))
	}
	return tw.Flush()
}
