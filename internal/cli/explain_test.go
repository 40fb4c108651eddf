package cli

import (
	"errors"
	"strings"
	"testing"

	"github.com/riskctl/riskctl/internal/remote"
)

// explain turns the API's refusals into what to check.
func TestExplain(t *testing.T) {
	g := &globals{}
	for _, tc := range []struct {
		err  *remote.APIError
		want string
	}{
		{&remote.APIError{Op: "x", Status: 401}, "the API rejected the credentials"},
		{&remote.APIError{Op: "x", Status: 400, Errors: []remote.ErrorItem{{Code: remote.CodeMissingCredentials}}}, "the API rejected the credentials"},
		{&remote.APIError{Op: "x", Status: 400, Errors: []remote.ErrorItem{{Code: remote.CodeInvalidHeaders}}}, "the API rejected the credentials"},
		{&remote.APIError{Op: "x", Status: 403, Errors: []remote.ErrorItem{{Code: 10000}}}, "access denied to account acc"},
		{&remote.APIError{Op: "x", Status: 403, Errors: []remote.ErrorItem{{Code: remote.CodeNotEntitled, Message: "Forbidden"}}}, "account acc does not have Zero Trust risk scoring"},
		{&remote.APIError{Op: "x", Status: 400, Errors: []remote.ErrorItem{{Code: 7003}}}, "x: HTTP 400: 7003"},
	} {
		got := g.explain(tc.err, "acc")
		if !strings.HasPrefix(got.Error(), tc.want) {
			t.Errorf("explain(%v) = %q, want it to start %q", tc.err, got, tc.want)
		}
		if !errors.Is(got, tc.err) {
			t.Errorf("explain(%v) does not wrap the API error", tc.err)
		}
	}
}
