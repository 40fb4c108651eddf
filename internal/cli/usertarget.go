package cli

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"github.com/riskctl/riskctl/internal/remote"
	"github.com/riskctl/riskctl/internal/textutil"
)

// Users are named on the command line by id or by email. The API takes
// only ids, so an email is looked up in the account's risk summary, the
// one place the API lists users with their emails (users list prints it).

// userTarget is a user named on the command line, and the summary's row
// for them (nil: not in the summary, which lists only users with risk
// events).
type userTarget struct {
	ID   string
	Info *remote.UserRiskInfo
}

// isEmailArg reports whether s is meant as an email: something@something,
// one line of printable characters, no longer than an address can be
// (RFC 5321: 254). It is not an address check: the summary decides.
func isEmailArg(s string) bool {
	at := strings.IndexByte(s, '@')
	return at > 0 && at < len(s)-1 && len(s) <= 254 &&
		!strings.ContainsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || !unicode.IsPrint(r) })
}

// needsSummary reports whether any of args is an email.
func needsSummary(args []string) bool {
	for _, a := range args {
		if !isUserID(a) {
			return true
		}
	}
	return false
}

// resolveUsers turns each argument (checked by checkUserArgs: an id or an
// email) into a user, through the summary: an id is kept as given, an
// email must match exactly one user's, ignoring case. A user named twice
// is kept once. The error names every email that matches no user or
// several, and shows nothing of other users but the ids that share an
// email asked for.
func resolveUsers(summary []remote.UserRiskInfo, args []string) ([]userTarget, error) {
	byID := make(map[string]*remote.UserRiskInfo, len(summary))
	for i := range summary {
		byID[strings.ToLower(summary[i].UserID)] = &summary[i]
	}
	var out []userTarget
	var problems []string
	seen := make(map[string]bool)
	add := func(t userTarget) {
		if key := strings.ToLower(t.ID); !seen[key] {
			seen[key] = true
			out = append(out, t)
		}
	}
	for _, a := range args {
		if isUserID(a) {
			add(userTarget{ID: a, Info: byID[strings.ToLower(a)]})
			continue
		}
		var hits []*remote.UserRiskInfo
		for i := range summary {
			if strings.EqualFold(summary[i].Email, a) {
				hits = append(hits, &summary[i])
			}
		}
		switch len(hits) {
		case 0:
			problems = append(problems, fmt.Sprintf("no user with risk events has the email %s", strconv.Quote(a)))
		case 1:
			add(userTarget{ID: hits[0].UserID, Info: hits[0]})
		default:
			ids := make([]string, len(hits))
			for i, h := range hits {
				ids[i] = textutil.Visible(h.UserID)
			}
			problems = append(problems, fmt.Sprintf("the email %s is %d users' (%s): name one by id",
				strconv.Quote(a), len(hits), strings.Join(ids, ", ")))
		}
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("%s (the risk summary lists users with risk events, as 'riskctl users list' prints them)",
			strings.Join(problems, "; "))
	}
	return out, nil
}

// describe names a user for the reset prompt: name, email, level and
// events, then the id; every string from the server escaped.
func (t userTarget) describe() string {
	id := textutil.Visible(t.ID)
	if t.Info == nil {
		return id + " (not in the risk summary: no risk events)"
	}
	u := t.Info
	who := textutil.Visible(u.Name)
	if u.Email != "" {
		who = strings.TrimSpace(who + " <" + textutil.Visible(u.Email) + ">")
	}
	if who == "" {
		who = "(no name)"
	}
	return fmt.Sprintf("%s: %s, %s, id %s", who, orDash(textutil.Visible(u.MaxRiskLevel)), plural(u.EventCount, "event", "events"), id)
}
