package cli

import (
	"strings"
	"testing"

	"github.com/riskctl/riskctl/internal/remote"
)

func TestResolveUsers(t *testing.T) {
	const (
		ada   = "36541d16-28fa-4900-b73a-f813c94671ff"
		bob   = "0f9c4e2a-7b1d-4c3e-9a8f-5d6e7f8a9b0c"
		twin  = "11111111-2222-4333-8444-555555555555"
		other = "99999999-2222-4333-8444-555555555555"
	)
	summary := []remote.UserRiskInfo{
		{UserID: ada, Name: "Ada", Email: "Ada@Example.com", MaxRiskLevel: "high", EventCount: 3},
		{UserID: bob, Name: "Bob", Email: "bob@example.com", MaxRiskLevel: "low", EventCount: 1},
		{UserID: twin, Name: "Bob Two", Email: "BOB@example.com", MaxRiskLevel: "low", EventCount: 1},
	}
	// An email matches exactly, ignoring case; an id is kept as given, with
	// its row when it has one; a user named twice is kept once.
	got, err := resolveUsers(summary, []string{"ada@example.COM", other, ada})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ID != ada || got[0].Info == nil || got[0].Info.Name != "Ada" || got[1].ID != other || got[1].Info != nil {
		t.Errorf("got %+v", got)
	}
	// Not a prefix or a substring.
	if _, err := resolveUsers(summary, []string{"da@example.com"}); err == nil ||
		!strings.Contains(err.Error(), `no user with risk events has the email "da@example.com"`) {
		t.Errorf("err = %v", err)
	}
	// Ambiguous: names the ids that share the email, and nothing else of
	// anyone; every problem is said at once.
	_, err = resolveUsers(summary, []string{"bob@example.com", "x@y.z"})
	msg := err.Error()
	for _, want := range []string{`the email "bob@example.com" is 2 users' (` + bob + ", " + twin + "): name one by id", `"x@y.z"`} {
		if !strings.Contains(msg, want) {
			t.Errorf("%q lacks %q", msg, want)
		}
	}
	for _, leak := range []string{"Bob Two", "BOB@", "Ada"} {
		if strings.Contains(msg, leak) {
			t.Errorf("%q shows %q", msg, leak)
		}
	}
}

// The prompt's line for a user: every string from the server escaped.
func TestUserTargetDescribe(t *testing.T) {
	u := userTarget{ID: "36541d16-28fa-4900-b73a-f813c94671ff", Info: &remote.UserRiskInfo{
		Name: "Eve\x1b[2J", Email: "eve@example.com\u202e", MaxRiskLevel: "high", EventCount: 1}}
	got := u.describe()
	if strings.ContainsAny(got, "\x1b\u202e") {
		t.Errorf("raw control character in %q", got)
	}
	if !strings.HasSuffix(got, ">: high, 1 event, id 36541d16-28fa-4900-b73a-f813c94671ff") {
		t.Errorf("got %q", got)
	}
	if got := (userTarget{ID: "36541d16-28fa-4900-b73a-f813c94671ff"}).describe(); got != "36541d16-28fa-4900-b73a-f813c94671ff (not in the risk summary: no risk events)" {
		t.Errorf("got %q", got)
	}
}

func TestIsEmailArg(t *testing.T) {
	for s, want := range map[string]bool{
		"ada@example.com": true, "a@b": true, "bob": false, "@example.com": false, "ada@": false,
		"a b@c.d": false, "a@b\n.c": false, strings.Repeat("a", 250) + "@b.cd": false, "42": false,
	} {
		if got := isEmailArg(s); got != want {
			t.Errorf("isEmailArg(%q) = %v", s, got)
		}
	}
}
