package reconcile

import (
	"fmt"
	"strings"

	"github.com/riskctl/riskctl/internal/plan"
)

// DefaultMaxDeletes is how many integrations one apply may delete (prune
// deletes and replaces together) before it needs a higher limit.
const DefaultMaxDeletes = 3

// DeleteLimitError refuses plans that delete more integrations than
// allowed: a typo in a spec with prune on must not wipe an account. It
// matches plan.ErrRefused.
type DeleteLimitError struct {
	Max    int
	Doomed []string // each integration, e.g. `idp-a (replace, account …)`
}

func (e *DeleteLimitError) Error() string {
	return fmt.Sprintf("the plan deletes %d integrations, more than --max-deletes %d: %s; if that is intended, raise --max-deletes to %d",
		len(e.Doomed), e.Max, strings.Join(e.Doomed, ", "), len(e.Doomed))
}

func (e *DeleteLimitError) Is(target error) bool { return target == plan.ErrRefused }

// checkDeletes returns a *DeleteLimitError when the accounts' plans
// together delete (or replace) more than maxDeletes integrations. Plan and
// apply both call it, so a plan warns of what apply will refuse.
func checkDeletes(accounts []*Account, maxDeletes int) error {
	var doomed []string
	for _, a := range accounts {
		for _, ch := range a.Plan.Changes {
			if !ch.Action.DeletesLive() {
				continue
			}
			name := ch.Key
			if name == "" && ch.Integration != nil && ch.Integration.Before != nil {
				name = "id " + ch.Integration.Before.ID
			}
			doomed = append(doomed, fmt.Sprintf("%s (%s, account %s)", name, ch.Action, a.Plan.AccountID))
		}
	}
	if len(doomed) <= maxDeletes {
		return nil
	}
	return &DeleteLimitError{Max: maxDeletes, Doomed: doomed}
}
