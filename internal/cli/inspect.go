package cli

import (
	"context"
	"sort"

	ucli "github.com/urfave/cli/v2"

	"github.com/riskctl/riskctl/internal/remote"
	"github.com/riskctl/riskctl/internal/state"
)

func behaviorsCommand(g *globals) *ucli.Command {
	return &ucli.Command{
		Name:  "behaviors",
		Usage: "inspect the account's risk behaviors",
		Subcommands: []*ucli.Command{{
			Name:      "list",
			Usage:     "list every risk behavior of the account",
			UsageText: "riskctl behaviors list [--format table|json]",
			Description: "Lists the account's risk behaviors, sorted by key: whether each is\n" +
				"enabled and the risk level it adds.\n\n" +
				"Examples:\n" +
				"  riskctl behaviors list\n" +
				"  riskctl behaviors list --format json\n" +
				"  riskctl --emulate behaviors list",
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
			UsageText: "riskctl integrations list [--format table|json]",
			Description: "Lists the account's risk score integrations (Okta): reference id,\n" +
				"tenant URL, whether each is active.\n\n" +
				"Examples:\n" +
				"  riskctl integrations list\n" +
				"  riskctl integrations list --format json\n" +
				"  riskctl integrations list --account-id 699d98642c564d2e855e9661899b7252",
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
	opts, err := listOptionsFrom(c)
	if err != nil {
		return err
	}
	return list(c.Context, g, opts.Format, listing[behaviorRow]{
		fetch:  fetchBehaviors,
		header: []any{"KEY", "ENABLED", "RISK", "NAME"},
		row:    func(r behaviorRow) []any { return []any{r.Key, r.Enabled, r.RiskLevel, r.Name} },
	})
}

// fetchBehaviors gets the account's behaviors as rows sorted by key.
func fetchBehaviors(ctx context.Context, api remote.API) ([]behaviorRow, error) {
	behaviors, err := api.GetBehaviors(ctx)
	if err != nil {
		return nil, err
	}
	rows := make([]behaviorRow, 0, len(behaviors))
	for key, b := range behaviors {
		rows = append(rows, behaviorRow{Key: key, Behavior: b})
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].Key < rows[j].Key })
	return rows, nil
}

func (g *globals) integrationsList(c *ucli.Context) error {
	opts, err := listOptionsFrom(c)
	if err != nil {
		return err
	}
	return list(c.Context, g, opts.Format, listing[remote.Integration]{
		fetch: func(ctx context.Context, api remote.API) ([]remote.Integration, error) {
			return api.ListIntegrations(ctx)
		},
		header: []any{"REFERENCE ID", "TYPE", "TENANT URL", "ACTIVE", "ID", "CREATED"},
		row: func(in remote.Integration) []any {
			// The host in ASCII, as every output prints a tenant URL.
			return []any{orDash(in.ReferenceID), in.IntegrationType, state.DisplayURL(in.TenantURL), in.Active, in.ID, formatTime(in.CreatedAt)}
		},
		empty: "No integrations.",
	})
}
