package cli

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

const (
	uid1 = "36541d16-28fa-4900-b73a-f813c94671ff"
	uid2 = "0f9c4e2a-7b1d-4c3e-9a8f-5d6e7f8a9b0c"
)

func TestUsersListOptions(t *testing.T) {
	for _, tc := range []struct {
		args string
		want usersListOptions
		err  string // a substring of the usage error, instead of want
	}{
		{args: "", want: usersListOptions{Format: "table"}},
		{args: "--format json", want: usersListOptions{Format: "json"}},
		{args: "--format=table --risk-level high", want: usersListOptions{RiskLevel: "high", Format: "table"}},
		{args: "--risk-level HIGH", want: usersListOptions{RiskLevel: "high", Format: "table"}},
		{args: "--risk-level Medium --format json", want: usersListOptions{RiskLevel: "medium", Format: "json"}},
		{args: "--risk-level low --debug --format json", want: usersListOptions{RiskLevel: "low", Format: "json"}},
		{args: "--risk-level severe", err: `--risk-level "severe": expected low, medium or high`},
		{args: "--format yaml", err: `--format "yaml": expected table or json`},
		{args: "--format yaml --risk-level severe", err: "--format"}, // format is checked first
		{args: "extra", err: `users list takes no arguments, got "extra"`},
		{args: "extra --format json", err: `users list takes no arguments, got "extra"`},
		{args: "--no-such-flag", err: "unknown flag --no-such-flag for"},
	} {
		t.Run(tc.args, func(t *testing.T) {
			checkBuilt(t, "users list", usersListOptionsFrom, tc.args, tc.want, tc.err)
		})
	}
}

func TestUsersShowOptions(t *testing.T) {
	for _, tc := range []struct {
		args string
		want usersShowOptions
		err  string
	}{
		{args: uid1, want: usersShowOptions{UserID: uid1, Format: "table"}},
		{args: "--format json " + uid1, want: usersShowOptions{UserID: uid1, Format: "json"}},
		{args: uid1 + " --format json", want: usersShowOptions{UserID: uid1, Format: "json"}},
		{args: uid1 + " --format=json --debug", want: usersShowOptions{UserID: uid1, Format: "json"}},
		{args: strings.ToUpper(uid1), want: usersShowOptions{UserID: strings.ToUpper(uid1), Format: "table"}}, // as typed
		{args: "", err: "users show takes exactly one USER_ID or EMAIL, got 0 arguments"},
		{args: uid1 + " " + uid2, err: "users show takes exactly one USER_ID or EMAIL, got 2 arguments"},
		{args: uid1 + " --format yaml", err: `--format "yaml": expected table or json`},
		{args: "bob", err: `users show: "bob" is neither a user id nor an email: expected a UUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx, hex digits)`},
		{args: "bob --format json", err: `"bob" is neither a user id nor an email`},
		{args: "-- -" + uid1[1:], err: `"-` + uid1[1:] + `" is neither a user id nor an email`},
		{args: "{" + uid1 + "}", err: "is neither a user id nor an email"},
		{args: "urn:uuid:" + uid1, err: "is neither a user id nor an email"},
		{args: strings.ReplaceAll(uid1, "-", ""), err: "is neither a user id nor an email"},
	} {
		t.Run(tc.args, func(t *testing.T) {
			checkBuilt(t, "users show", usersShowOptionsFrom, tc.args, tc.want, tc.err)
		})
	}
}

func TestUsersResetOptions(t *testing.T) {
	for _, tc := range []struct {
		args string
		want usersResetOptions
		err  string
	}{
		{args: uid1, want: usersResetOptions{UserIDs: []string{uid1}}},
		{args: "--yes " + uid1, want: usersResetOptions{UserIDs: []string{uid1}, Yes: true}},
		{args: uid1 + " --yes", want: usersResetOptions{UserIDs: []string{uid1}, Yes: true}},
		{args: uid1 + " -y " + uid2, want: usersResetOptions{UserIDs: []string{uid1, uid2}, Yes: true}},
		{args: uid1 + " " + uid2 + " --yes=false", want: usersResetOptions{UserIDs: []string{uid1, uid2}}},
		{args: "--debug " + uid2 + " " + uid1, want: usersResetOptions{UserIDs: []string{uid2, uid1}}}, // order kept
		{args: "", err: "users reset needs at least one USER_ID"},
		{args: "--yes", err: "users reset needs at least one USER_ID"},
		{args: "--yes " + uid1 + " bob", err: `users reset: "bob" is neither a user id nor an email: expected a UUID`},
		{args: "bob " + uid1 + " 42 --yes", err: `users reset: "bob", "42" are neither user ids nor emails: expected UUIDs (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx, hex digits)`},
		{args: uid1 + " --yes -- --generate-bash-completion", err: `"--generate-bash-completion" is neither a user id nor an email`},
		{args: uid1 + " --bogus", err: "unknown flag --bogus"},
	} {
		t.Run(tc.args, func(t *testing.T) {
			checkBuilt(t, "users reset", usersResetOptionsFrom, tc.args, tc.want, tc.err)
		})
	}
}

func TestIsUserID(t *testing.T) {
	for id, want := range map[string]bool{
		uid1:                                   true,
		strings.ToUpper(uid1):                  true,
		"00000000-0000-0000-0000-000000000000": true, // any version
		"":                                     false,
		"bob":                                  false,
		uid1[:35]:                              false,
		uid1 + "0":                             false,
		"36541d16-28fa-4900-b73a-f813c94671fg": false,
		"36541d16+28fa-4900-b73a-f813c94671ff": false,
		"{" + uid1 + "}":                       false,
		"urn:uuid:" + uid1:                     false,
		strings.ReplaceAll(uid1, "-", ""):      false,
		" " + uid1[1:]:                         false,
	} {
		if got := isUserID(id); got != want {
			t.Errorf("isUserID(%q) = %v, want %v", id, got, want)
		}
	}
}

// TestUsersBadIDSendsNothing: through Main, with a working account and API,
// a bad user id is refused (exit 3, the id named) before any request, and
// users reset refuses it before asking for confirmation.
func TestUsersBadIDSendsNothing(t *testing.T) {
	var requests atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		http.Error(w, "{}", http.StatusNotFound) // not retried: a mutant that sends fails fast
	}))
	defer srv.Close()
	for _, args := range []string{
		"users show bob",
		"users show --format json bob",
		"users reset bob",
		"users reset --yes " + uid1 + " bob",
		"users reset " + uid1 + " bob --yes",
	} {
		t.Run(args, func(t *testing.T) {
			clearEnv(t)
			t.Setenv(envAccountID, "699d98642c564d2e855e9661899b7252")
			t.Setenv(envAPIToken, "test-token")
			t.Setenv(envBaseURL, srv.URL+"/client/v4")
			var out, errOut bytes.Buffer
			code := Main(context.Background(), argv(args), Streams{
				In: strings.NewReader("yes\n"), Out: &out, Err: &errOut,
				InteractiveInput: func() bool { return true }, // a prompt would be answered "yes"
			})
			if code != ExitInvalid {
				t.Errorf("exit %d, want %d; stderr %q", code, ExitInvalid, errOut.String())
			}
			if got := errOut.String(); !strings.HasPrefix(got, `Error: users `) || !strings.Contains(got, `"bob" is neither a user id nor an email`) {
				t.Errorf("stderr %q", got)
			}
			if strings.Contains(errOut.String(), "Enter a value") {
				t.Errorf("asked for confirmation: %q", errOut.String())
			}
			if out.Len() > 0 {
				t.Errorf("stdout %q", out.String())
			}
			if n := requests.Load(); n != 0 {
				t.Errorf("%d API requests", n)
			}
		})
	}
}
