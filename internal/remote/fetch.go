package remote

import (
	"context"
	"sync"

	"github.com/riskctl/riskctl/internal/state"
)

// Fetch reads the live state of the account behind api: its behaviors and
// its integrations, fetched concurrently. It makes one request per page of
// each (two for a normal account), however many integrations there are.
func Fetch(ctx context.Context, api API, accountID string) (state.Account, error) {
	var (
		wg           sync.WaitGroup
		behaviors    map[string]Behavior
		integrations []Integration
		behErr       error
		intErr       error
	)
	wg.Go(func() { behaviors, behErr = api.GetBehaviors(ctx) })
	wg.Go(func() { integrations, intErr = api.ListIntegrations(ctx) })
	wg.Wait()
	if behErr != nil {
		return state.Account{}, behErr
	}
	if intErr != nil {
		return state.Account{}, intErr
	}

	live := state.Account{
		AccountID:    accountID,
		Behaviors:    make(map[string]state.Behavior, len(behaviors)),
		Integrations: make([]state.Integration, 0, len(integrations)),
	}
	for key, b := range behaviors {
		live.Behaviors[key] = state.Behavior{Enabled: b.Enabled, RiskLevel: b.RiskLevel, Name: b.Name}
	}
	for _, in := range integrations {
		live.Integrations = append(live.Integrations, state.Integration{
			ReferenceID:     in.ReferenceID,
			IntegrationType: in.IntegrationType,
			TenantURL:       in.TenantURL,
			Active:          in.Active,
			ID:              in.ID,
			CreatedAt:       in.CreatedAt,
		})
	}
	return live, nil
}
