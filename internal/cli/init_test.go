package cli

import (
	"bytes"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/riskctl/riskctl/internal/kitinit"
	"github.com/riskctl/riskctl/internal/remote"
)

// Text from outside (the server's error message, an account id) reaches
// init's report escaped: no terminal control, no line break, no line
// beginning with "::" (docs/security.md).
func TestInitReportEscapes(t *testing.T) {
	var out bytes.Buffer
	g := &globals{streams: Streams{Out: &out}}
	hostile := "x\x1b[2J\n::error::pwned\u202e"
	res := &kitinit.Result{Accounts: []kitinit.AccountCheck{{
		ID: "acct\x1b[31m",
		Err: &kitinit.AccessError{
			AccountID: "acct",
			Reason:    "the token lacks the permission",
			Err:       errors.Join(&remote.APIError{Op: "get behaviors", Status: http.StatusForbidden, Errors: []remote.ErrorItem{{Code: 10000, Message: hostile}}}, errors.New("\n::warning::raw")),
		},
	}}}
	g.initReport(res, initOptions{}, false)
	got := out.String()
	if strings.ContainsAny(got, "\x1b\u202e") {
		t.Errorf("a control character reached the output:\n%q", got)
	}
	for _, line := range strings.Split(strings.TrimRight(got, "\n"), "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "::") {
			t.Errorf("a line begins with \"::\": %q", line)
		}
	}
	if !strings.Contains(got, `acct\u001B[31m`) {
		t.Errorf("the account id is not shown escaped:\n%s", got)
	}
}
