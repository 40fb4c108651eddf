package emulator

import (
	"slices"
	"strings"
	"time"
)

// stateVersion is written into the state file; a file with another version
// is refused rather than misread.
const stateVersion = 1

// state is everything the emulator remembers. It is also the persisted form.
type state struct {
	Version  int                 `json:"version"`
	Accounts map[string]*account `json:"accounts"`
}

// account is one Cloudflare account's risk scoring configuration and data.
type account struct {
	Behaviors    map[string]Behavior `json:"behaviors"`
	Integrations []Integration       `json:"integrations"`        // kept sorted by created_at, then id
	Users        []User              `json:"users"`               // in generation order
	Audit        []storedAudit       `json:"audit,omitempty"`     // the audit log, oldest first (audit.go)
	AuditSeq     uint64              `json:"audit_seq,omitempty"` // the seq of the last audit entry recorded
}

func newState() *state {
	return &state{Version: stateVersion, Accounts: map[string]*account{}}
}

// newAccount provisions an account the way Cloudflare does: every behavior
// of the catalogue present, no integrations, plus seeded demo users.
func newAccount(id string, seed uint64, users int, cat []catalogEntry) *account {
	return &account{
		Behaviors:    behaviorMap(cat),
		Integrations: []Integration{},
		Users:        seedUsers(seed, id, users, cat),
	}
}

// normalize fills what a hand-edited or older state file may lack, so the
// handlers never meet a nil map.
func (a *account) normalize() {
	if a.Behaviors == nil {
		a.Behaviors = map[string]Behavior{}
	}
	if a.Integrations == nil {
		a.Integrations = []Integration{}
	}
	for i := range a.Integrations {
		a.Integrations[i].CreatedAt = a.Integrations[i].CreatedAt.UTC().Truncate(time.Second)
	}
	a.sortIntegrations()
	slices.SortStableFunc(a.Audit, compareAudit)
	for i := range a.Audit {
		a.Audit[i].Action.Time = a.Audit[i].Action.Time.UTC()
		a.AuditSeq = max(a.AuditSeq, a.Audit[i].Seq)
	}
}

// sortIntegrations keeps the order the list endpoint promises: created_at,
// then id, so equal timestamps still give a stable order.
func (a *account) sortIntegrations() {
	slices.SortStableFunc(a.Integrations, compareIntegrations)
}

func compareIntegrations(x, y Integration) int {
	if c := x.CreatedAt.Compare(y.CreatedAt); c != 0 {
		return c
	}
	return strings.Compare(x.ID, y.ID)
}

// insertIntegration adds in where sortIntegrations would put it: a binary
// search and one move instead of a sort of the whole list (a create comes
// last, so usually nothing moves).
func (a *account) insertIntegration(in Integration) {
	i, _ := slices.BinarySearchFunc(a.Integrations, in, compareIntegrations)
	a.Integrations = slices.Insert(a.Integrations, i, in)
}

func (a *account) integration(id string) int { return indexIntegration(a.Integrations, id) }

// indexIntegration finds an integration by id, as the API's lookups do:
// case-insensitively.
func indexIntegration(list []Integration, id string) int {
	return slices.IndexFunc(list, func(in Integration) bool { return strings.EqualFold(in.ID, id) })
}

func (a *account) user(id string) int {
	return slices.IndexFunc(a.Users, func(u User) bool { return strings.EqualFold(u.ID, id) })
}

// copyUser returns a deep enough copy that callers cannot alter the state.
func copyUser(u User) User {
	if u.LastResetTime != nil {
		t := *u.LastResetTime
		u.LastResetTime = &t
	}
	events := make([]RiskEvent, len(u.Events))
	for i, ev := range u.Events {
		if ev.EventDetails != nil {
			d := make(map[string]any, len(ev.EventDetails))
			for k, v := range ev.EventDetails {
				d[k] = v
			}
			ev.EventDetails = d
		}
		events[i] = ev
	}
	u.Events = events
	return u
}
