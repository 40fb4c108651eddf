package apply

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/riskctl/riskctl/internal/remote"
)

// createError is a create that got no clear answer (one or two
// *remote.AmbiguousError) and that apply could not settle as created (see
// executor.settle). Its message says the verdict first, then what is
// known, then the next step, each once:
//
//	not created: both creates got no clear answer (HTTP 502: 1502 Bad Gateway), and reference_id "idp-a" is not found after 3s of looking; run riskctl apply again
//
// It unwraps to the ambiguous answers and to the look-up's or the second
// create's error, so errors.As still finds a *remote.AmbiguousError.
type createError struct {
	// Verdict is what became of the integration: "not created", or
	// "outcome unknown" when it may have been created.
	Verdict string
	// Known lists what is known, in order.
	Known []string
	// Next is the next step, if there is one to give.
	Next string

	errs []error
}

func (e *createError) Error() string {
	s := e.Verdict + ": " + joinClauses(e.Known)
	if e.Next != "" {
		s += "; " + e.Next
	}
	return s
}

func (e *createError) Unwrap() []error { return e.errs }

// joinClauses joins independent clauses as a sentence does: "a", "a,
// and b", "a, b, and c".
func joinClauses(c []string) string {
	switch len(c) {
	case 0:
		return ""
	case 1:
		return c[0]
	case 2:
		return c[0] + ", and " + c[1]
	}
	return strings.Join(c[:len(c)-1], ", ") + ", and " + c[len(c)-1]
}

// The next steps. apply plans afresh from the live state, so running it
// again creates what is missing and leaves what exists; plan shows which,
// where whether it exists is unknown.
const (
	nextApply = "run riskctl apply again"
	nextPlan  = "run riskctl plan to see whether it was"
)

// unclear says what the ambiguous answers were: "the create got no clear
// answer (HTTP 502: …)", or for two, "both creates got no clear answer
// (…)", each cause once.
func unclear(answers []error) string {
	var causes []string
	for _, err := range answers {
		c := err.Error()
		var amb *remote.AmbiguousError
		if errors.As(err, &amb) {
			// What went wrong, without the hint to look it up: apply did.
			c = strings.TrimPrefix(fmt.Sprint(amb.Err), amb.Op+": ")
		}
		if len(causes) == 0 || causes[len(causes)-1] != c {
			causes = append(causes, c)
		}
	}
	who := "the create got"
	if len(answers) > 1 {
		who = "both creates got"
	}
	return fmt.Sprintf("%s no clear answer (%s)", who, strings.Join(causes, "; then "))
}

// notFound says that ref was looked up for window and not found.
func notFound(ref string, window time.Duration) string {
	if window <= 0 {
		return fmt.Sprintf("reference_id %q is not found", ref)
	}
	return fmt.Sprintf("reference_id %q is not found after %s of looking", ref, window)
}

// replacementError is err, from creating the replacement of integration
// old, which was deleted: a *createError keeps its verdict first.
func replacementError(old string, err error) error {
	if ce, ok := err.(*createError); ok {
		known := append([]string{fmt.Sprintf("integration %s was deleted", old)}, ce.Known...)
		return &createError{Verdict: "replacement " + ce.Verdict, Known: known, Next: ce.Next, errs: ce.errs}
	}
	return fmt.Errorf("deleted %s, but creating its replacement failed: %w", old, err)
}
