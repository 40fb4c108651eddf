package plan

import (
	"errors"
	"fmt"
	"strings"
)

// ErrRefused is matched (errors.Is) by the errors that refuse a plan on a
// safety rule rather than on a mistake in the spec: *ProtectedError and
// *DuplicateReferenceError. The CLI maps it to its "refused" exit code.
var ErrRefused = errors.New("plan refused by a safety rule")

// MissingBehaviorsError is returned when the spec manages behavior keys the
// account does not have. Behaviors cannot be created, so the spec is wrong
// (a typo, or the wrong account). The CLI adds file:line:col per key.
type MissingBehaviorsError struct {
	Keys      []string // the spec's keys the account lacks, sorted
	Available []string // every key the account has, sorted
}

func (e *MissingBehaviorsError) Error() string {
	noun := "behavior"
	if len(e.Keys) > 1 {
		noun = "behaviors"
	}
	has := "none"
	if len(e.Available) > 0 {
		has = strings.Join(e.Available, ", ")
	}
	return fmt.Sprintf("account has no %s %s (behaviors cannot be created; the account has: %s)",
		noun, quoteList(e.Keys), has)
}

// DuplicateReferenceError refuses a plan when the spec names a
// reference_id that two or more live integrations share: riskctl cannot
// tell which one is the spec's.
type DuplicateReferenceError struct {
	ReferenceID string
	IDs         []string // the live integrations' ids, sorted
	Survivor    string   // the id state.Survivor keeps, which --dedupe keeps
	// Why the extra copies are not removed without --dedupe, when the plan
	// looked for proof that riskctl made them (Options.Copies): a reason
	// for them all (NotProvenAll), or one per copy not proven, by id.
	NotProvenAll string
	NotProven    []UnprovenCopy
}

func (e *DuplicateReferenceError) Error() string {
	why := ""
	switch {
	case e.NotProvenAll != "":
		why = "; not removed without --dedupe: " + e.NotProvenAll
	case len(e.NotProven) > 0:
		clauses := make([]string, len(e.NotProven))
		for i, c := range e.NotProven {
			clauses[i] = "copy " + c.ID + ": " + c.Why
		}
		why = "; not removed without --dedupe, as riskctl cannot prove it made every extra copy: " + strings.Join(clauses, "; ")
	}
	return fmt.Sprintf("reference_id %q is shared by %d live integrations (ids %s): refusing to plan with an ambiguous identity%s; plan with --dedupe to delete all but the earliest created (id %s)",
		e.ReferenceID, len(e.IDs), strings.Join(e.IDs, ", "), why, e.Survivor)
}

// Is makes errors.Is(err, ErrRefused) true.
func (e *DuplicateReferenceError) Is(target error) bool { return target == ErrRefused }

// ProtectedError refuses a plan that would replace or delete an
// integration the spec marks protect: true.
type ProtectedError struct {
	ReferenceID string
	Action      Action // Replace or Delete
}

func (e *ProtectedError) Error() string {
	return fmt.Sprintf("integration %q is protected (protect: true): refusing to %s it", e.ReferenceID, e.Action)
}

// Is makes errors.Is(err, ErrRefused) true.
func (e *ProtectedError) Is(target error) bool { return target == ErrRefused }

// quoteList renders keys as "a", "b" and "c".
func quoteList(keys []string) string {
	q := make([]string, len(keys))
	for i, k := range keys {
		q[i] = fmt.Sprintf("%q", k)
	}
	if len(q) <= 1 {
		return strings.Join(q, "")
	}
	return strings.Join(q[:len(q)-1], ", ") + " and " + q[len(q)-1]
}

// UnknownTargetError is returned when a target names no object of the spec
// or the account: most likely a typo, and a plan that silently targets
// nothing would look like "no changes".
type UnknownTargetError struct {
	Target Target
}

func (e *UnknownTargetError) Error() string {
	return fmt.Sprintf("target %s matches nothing in the spec or the account", e.Target)
}
