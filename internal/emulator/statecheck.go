package emulator

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// checkState refuses state that breaks the API's contract, so that a
// hand-edited or corrupted file fails at load, naming the problem, instead
// of as odd answers later. Every problem is reported, not only the first.
//
//   - account ids are 32 lower-case hex characters (the API could not
//     reach any other);
//   - behaviors: a valid key and a risk_level of low, medium or high;
//   - integrations: a UUID id, unique within the account (compared as the
//     lookups do, case-insensitively), integration_type "Okta", a
//     tenant_url and a created_at; reference_id may repeat, as the API
//     allows;
//   - users: a UUID id, unique within the account; events with an id and a
//     valid risk_level.
//
// It runs before normalize, so an integration's index in an error is its
// position in the file. path, the state file, goes into the hints.
func checkState(st *state, path string) error {
	var errs []error
	for _, id := range slices.Sorted(maps.Keys(st.Accounts)) {
		a := st.Accounts[id]
		add := func(format string, args ...any) {
			errs = append(errs, fmt.Errorf("account %q: %s", id, fmt.Sprintf(format, args...)))
		}
		if !ValidAccountID(id) {
			// Refused, since the API could never reach it; but the file
			// is most likely not hand-made, so say how to get going.
			add("not a Cloudflare account id: expected 32 lower-case hex characters; "+
				"an older riskctl accepted any account id: delete that account from %s, or delete %s to start over", path, path)
		}
		checkStateBehaviors(a, path, add)
		checkStateIntegrations(a, add)
		checkStateUsers(a, add)
		checkStateAudit(a, add)
	}
	return errors.Join(errs...)
}

type addFunc func(format string, args ...any)

func checkStateBehaviors(a *account, path string, add addFunc) {
	for _, key := range slices.Sorted(maps.Keys(a.Behaviors)) {
		if err := checkBehaviorKey(key); err != nil {
			add("%v; an older riskctl accepted such keys from a behaviors catalogue: delete that behavior from %s, or delete %s to start over", err, path, path)
		}
		if level := a.Behaviors[key].RiskLevel; riskRank(level) < 0 {
			add("behavior %q: risk_level %q is not low, medium or high", key, level)
		}
	}
}

func checkStateIntegrations(a *account, add addFunc) {
	seen := map[string]bool{}
	for i, in := range a.Integrations {
		what := fmt.Sprintf("integration %d (id %q)", i, in.ID)
		id := strings.ToLower(in.ID)
		switch {
		case strings.TrimSpace(id) == "":
			add("integration %d has an empty id", i)
		case !isUUID(id):
			add("%s: id is not a UUID", what)
		case seen[id]:
			add("duplicate integration id %q", in.ID)
		}
		seen[id] = true
		switch in.IntegrationType {
		case integrationTypeOkta:
		case "":
			add("%s: integration_type is missing", what)
		default:
			add("%s: integration_type %q is not %q", what, in.IntegrationType, integrationTypeOkta)
		}
		if in.TenantURL == "" {
			add("%s: tenant_url is missing", what)
		}
		if in.CreatedAt.IsZero() {
			add("%s: created_at is missing", what)
		}
	}
}

func checkStateUsers(a *account, add addFunc) {
	seen := map[string]bool{}
	for i, u := range a.Users {
		id := strings.ToLower(u.ID)
		switch {
		case !isUUID(id):
			add("user %d: id %q is not a UUID", i, u.ID)
		case seen[id]:
			add("duplicate user id %q", u.ID)
		}
		seen[id] = true
		for j, ev := range u.Events {
			if ev.ID == "" {
				add("user %q: event %d has an empty id", u.ID, j)
			}
			if riskRank(ev.RiskLevel) < 0 {
				add("user %q: event %d: risk_level %q is not low, medium or high", u.ID, j, ev.RiskLevel)
			}
		}
	}
}
