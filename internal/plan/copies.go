package plan

import (
	"fmt"
	"slices"
	"strings"

	"github.com/riskctl/riskctl/internal/state"
)

// Copies of one reference_id that riskctl itself made (docs/plan-and-apply.md,
// "When a re-run removes duplicates on its own"). A create whose answer was
// lost, against an API whose reads lag its writes, can leave a second live
// integration with the spec's reference_id and values. Without --dedupe a
// plan resolves such a reference_id as --dedupe would only when the proof
// holds for every extra copy (every one but state.Survivor's):
//
//   - the account's audit log holds its create, a successful POST sent with
//     riskctl's User-Agent, and no write to it by another client
//     (CopyOrigins.Proven: reconcile reads the log, so Compute does no I/O);
//   - its values are the spec's, as the plan compares them, or the spec's
//     but active where the spec says inactive (a create lands active and
//     the deactivation is a second write), and so are the kept copy's;
//   - the spec does not protect the reference_id.
//
// Otherwise the plan is refused as it is without the proof, and the
// refusal says for each copy why it is not removed.

// CopyOrigins is what the account's audit log says of where the live
// integrations sharing a reference_id came from.
type CopyOrigins struct {
	// Proven maps the id of an integration riskctl created to the audit-log
	// entry that shows it, in a few words ("POST by riskctl/1.4.0 at
	// 2026-12-07T04:00:01Z").
	Proven map[string]string
	// Unproven maps an id to why its origin is not proven ("created by
	// another client (user agent …)"); an id in neither map has no create
	// in the log that was read.
	Unproven map[string]string
	// Unknown, when not "", is why no origin is known at all: the audit
	// log could not be read. No copy is proven then.
	Unknown string
}

// UnprovenCopy is one extra copy a plan did not remove, and why.
type UnprovenCopy struct {
	ID  string
	Why string
}

// resolveCopies decides, for a reference_id that the live integrations
// ls share and the spec wants as want, whether every extra copy is proven
// riskctl's (see above). When they are, proofs holds each extra's proof,
// by id. Otherwise proofs is nil and the refusal's clauses are all, for a
// reason that concerns every copy, or one per unproven copy, by id.
func resolveCopies(want *state.Integration, ls []state.Integration, protect bool, origins *CopyOrigins) (proofs map[string]string, all string, notProven []UnprovenCopy) {
	keep, extras := state.Survivor(ls)
	switch {
	case protect:
		return nil, "the spec protects this reference_id (protect: true)", nil
	case origins.Unknown != "":
		return nil, "the audit log could not be read, so the copies' origin is unknown (" + origins.Unknown + ")", nil
	case !twin(&keep, want):
		return nil, fmt.Sprintf("the kept copy (id %s) has values other than the spec's", keep.ID), nil
	}
	proofs = make(map[string]string, len(extras))
	for _, x := range extras {
		proof, ok := origins.Proven[x.ID]
		why := ""
		switch {
		case !ok:
			why = origins.Unproven[x.ID]
			if why == "" {
				why = "no create of it by riskctl in the audit log"
			}
		case !twin(&x, want):
			why = "its values differ from the spec's"
		}
		if why != "" {
			notProven = append(notProven, UnprovenCopy{ID: x.ID, Why: why})
			continue
		}
		proofs[x.ID] = proof
	}
	if len(notProven) > 0 {
		slices.SortFunc(notProven, func(a, b UnprovenCopy) int { return strings.Compare(a.ID, b.ID) })
		return nil, "", notProven
	}
	return proofs, "", nil
}

// twin reports whether live x is what riskctl's create of want leaves:
// every compared field as the plan compares it (canonical forms), except
// that x may be active where want is not, as a create lands active and
// its deactivation is a second write that a lost answer may have skipped
// (the plan updates the kept copy anyway). Ignore lists do not relax it.
func twin(x, want *state.Integration) bool {
	for _, f := range integrationCompared {
		if f.Name == FieldActive {
			if x.Active != want.Active && !x.Active {
				return false
			}
			continue
		}
		if !f.Equal(state.Text(f, x), state.Text(f, want)) {
			return false
		}
	}
	return true
}

// provenChange deletes extra, one of n live integrations sharing ref that
// riskctl created (proof, from the audit log), keep being kept: the delete
// --dedupe would make, saying why it needs no --dedupe.
func provenChange(ref string, extra, keep state.Integration, n int, proof string) Change {
	c := dedupeChange(ref, extra, keep, n)
	c.Reason = fmt.Sprintf("a copy riskctl created (audit log: %s) with the spec's values: %d live integrations share this reference_id, and the earliest created is kept (id %s%s)",
		proof, n, keep.ID, createdNote(keep))
	return c
}
