package emulator

import "time"

// Options.ReadLag makes reads of integrations lag the API's writes, as an
// eventually consistent API's do: the list, GET by id and GET by
// reference_id show each integration as it was ReadLag ago. A create is
// invisible, an update shows the old values and a deleted integration is
// still there, until ReadLag has passed since the write. Writes themselves
// (PUT, DELETE) and the Go API (Integrations, PutIntegration) see and
// change the current state at once; so does the state file.
//
// The lag is measured on e.clock, the clock of the rate windows, so a test
// can move it by hand.

// lagChange is one API write to an integration: what it was before (nil
// = it did not exist), and when.
type lagChange struct {
	account, id string
	before      *Integration
	at          time.Time
}

// lagLocked records a write to integration id of account accountID, whose
// value before it was before (nil for a create), for the lagging reads.
func (e *Emulator) lagLocked(accountID, id string, before *Integration) {
	if e.opts.ReadLag <= 0 {
		return
	}
	now := e.clock()
	e.pruneLagLocked(now)
	if len(e.lag) >= maxLagChanges { // the oldest shows early rather than memory growing
		e.lag = append(e.lag[:0], e.lag[1:]...)
	}
	e.lag = append(e.lag, lagChange{account: accountID, id: id, before: before, at: now})
}

// maxLagChanges bounds the writes remembered for ReadLag: far more than a
// test makes within any lag, so that a long ReadLag under a write storm
// cannot grow memory without bound.
const maxLagChanges = 100_000

// pruneLagLocked forgets the writes every read already shows, so the list
// holds only the writes of the last ReadLag.
func (e *Emulator) pruneLagLocked(now time.Time) {
	n := 0
	for n < len(e.lag) && now.Sub(e.lag[n].at) >= e.opts.ReadLag {
		n++
	}
	if n > 0 {
		e.lag = append(e.lag[:0], e.lag[n:]...)
	}
}

// visibleLocked is the account's integrations as reads show them: the
// stored list, or with ReadLag the list as it was ReadLag ago. The result
// must not be changed (it may be the stored list).
func (e *Emulator) visibleLocked(c *call) []Integration {
	if e.opts.ReadLag <= 0 {
		return c.acc.Integrations
	}
	e.pruneLagLocked(e.clock())
	var view *account
	// Newest first, each write undone: what remains is the state before
	// the oldest write still lagging.
	for i := len(e.lag) - 1; i >= 0; i-- {
		ch := e.lag[i]
		if ch.account != c.account {
			continue
		}
		if view == nil {
			view = &account{Integrations: append([]Integration(nil), c.acc.Integrations...)}
		}
		j := view.integration(ch.id)
		switch {
		case ch.before == nil && j >= 0:
			view.Integrations = append(view.Integrations[:j], view.Integrations[j+1:]...)
		case ch.before != nil && j >= 0:
			view.Integrations[j] = *ch.before
		case ch.before != nil:
			view.insertIntegration(*ch.before)
		}
	}
	if view == nil {
		return c.acc.Integrations
	}
	return view.Integrations
}
