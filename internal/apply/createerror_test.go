package apply

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/riskctl/riskctl/internal/emulator"
	"github.com/riskctl/riskctl/internal/remote"
)

// Every create apply could not settle says its verdict first, then what
// is known, then the next step where there is one, and still unwraps to
// the ambiguous answer and the last error.
func TestCreateErrorWording(t *testing.T) {
	e := newEnv(t)
	live := e.seed(refB, remote.IntegrationTypeOkta, "https://b.okta.com", true)
	fault := func(status int) {
		e.emu.InjectFault(emulator.Fault{Method: http.MethodPost, PathSuffix: "/integrations", Status: status})
	}

	// A replace: its old integration is gone, which the error says after
	// the verdict.
	fault(http.StatusBadGateway)
	fault(http.StatusBadGateway)
	var out strings.Builder
	r := Execute(context.Background(), e.api, mkPlan(replaceChange(live, "https://b2.okta.com", true)), Options{Progress: &out})
	wantCounts(t, r, 0, 1, 0)
	want := `replacement not created: integration ` + live.ID + ` was deleted, both creates got no clear answer (HTTP 502: 1502 Bad Gateway), and reference_id "` + refB + `" is not found; run riskctl apply again`
	if got := r.Actions[0].Err.Error(); got != want {
		t.Errorf("replace: error =\n%s\nwant\n%s", got, want)
	}
	if !strings.Contains(out.String(), ": FAILED after ") || !strings.Contains(out.String(), ": replacement not created (details at the end)\n") {
		t.Errorf("replace: progress =\n%s\nwant the verdict only", out.String())
	}

	// The second create fails plainly: not created, and why; the next
	// step depends on why, so none is given.
	fault(http.StatusBadGateway)
	fault(http.StatusForbidden)
	r = execute(t, e.api, mkPlan(createChange(refA, "https://acme.okta.com", true)))
	wantCounts(t, r, 0, 1, 0)
	err := r.Actions[0].Err
	msg := err.Error()
	if !strings.HasPrefix(msg, `not created: the create got no clear answer (HTTP 502: 1502 Bad Gateway), reference_id "`+refA+`" is not found, and sending it again failed: create integration: HTTP 403`) ||
		strings.Contains(msg, "run riskctl") {
		t.Errorf("second create refused: error = %s", msg)
	}
	var amb *remote.AmbiguousError
	if !errors.As(err, &amb) || !errors.Is(err, remote.ErrForbidden) {
		t.Errorf("error %v should wrap the ambiguous answer and the refusal", err)
	}
}

func TestUnclearSaysEachCauseOnce(t *testing.T) {
	amb := func(cause string) error {
		return &remote.AmbiguousError{Op: "create integration", ReferenceID: "r", Err: errors.New("create integration: " + cause)}
	}
	for _, tc := range []struct {
		answers []error
		want    string
	}{
		{[]error{amb("HTTP 502")}, "the create got no clear answer (HTTP 502)"},
		{[]error{amb("HTTP 502"), amb("HTTP 502")}, "both creates got no clear answer (HTTP 502)"},
		{[]error{amb("HTTP 502"), amb("connection reset")}, "both creates got no clear answer (HTTP 502; then connection reset)"},
	} {
		if got := unclear(tc.answers); got != tc.want {
			t.Errorf("unclear = %q, want %q", got, tc.want)
		}
	}
}
