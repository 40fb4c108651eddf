package emulator

import (
	"bytes"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
)

func TestSeededUsersAreDeterministic(t *testing.T) {
	summaryOf := func(seed uint64, account string) []byte {
		v := newTestEnv(t, Options{SeedUsers: 8, Seed: seed})
		return v.do("GET", "/client/v4/accounts/"+account+"/zt_risk_scoring/summary?per_page=100", nil).wantOK(t).raw
	}
	a, b := summaryOf(42, testAccount), summaryOf(42, testAccount)
	if !bytes.Equal(a, b) {
		t.Fatalf("same seed, different summaries:\n%s\n%s", a, b)
	}
	if c := summaryOf(43, testAccount); bytes.Equal(a, c) {
		t.Error("different seeds gave identical summaries")
	}
	if d := summaryOf(42, DemoAccountID); bytes.Equal(a, d) {
		t.Error("different accounts gave identical summaries")
	}
	// Seed 0 is a fixed default, not "random".
	if !bytes.Equal(summaryOf(0, testAccount), summaryOf(0, testAccount)) {
		t.Error("seed 0 is not reproducible")
	}
	// Every event detail too, not only the summary.
	e1, _ := New(Options{SeedUsers: 5, Seed: 7})
	e2, _ := New(Options{SeedUsers: 5, Seed: 7})
	u1, u2 := fmt.Sprintf("%+v", e1.Users(testAccount)), fmt.Sprintf("%+v", e2.Users(testAccount))
	if u1 != u2 {
		t.Error("same seed, different users")
	}
}

func TestSeededUsersLookRight(t *testing.T) {
	e, err := New(Options{SeedUsers: 40})
	if err != nil {
		t.Fatal(err)
	}
	users := e.Users(testAccount)
	if len(users) != 40 {
		t.Fatalf("%d users, want 40", len(users))
	}
	names := map[string]bool{}
	for _, p := range predefinedBehaviors {
		names[p.behavior.Name] = true
	}
	ids, emails := map[string]bool{}, map[string]bool{}
	for _, u := range users {
		id, err := uuid.Parse(u.ID)
		if err != nil || id.Version() != 4 || id.String() != u.ID {
			t.Errorf("user id %q is not a canonical UUIDv4", u.ID)
		}
		if !strings.HasSuffix(u.Email, "@example.com") || u.Name == "" {
			t.Errorf("user %q <%s>", u.Name, u.Email)
		}
		if ids[u.ID] || emails[u.Email] {
			t.Errorf("duplicate user %s <%s>", u.ID, u.Email)
		}
		ids[u.ID], emails[u.Email] = true, true
		if n := len(u.Events); n < 1 || n > 6 {
			t.Errorf("%s has %d events, want 1-6", u.Email, n)
		}
		if u.LastResetTime != nil {
			t.Errorf("%s has a reset time before any reset", u.Email)
		}
		for _, ev := range u.Events {
			if !names[ev.Name] || riskRank(ev.RiskLevel) < 0 || ev.ID == "" || len(ev.EventDetails) == 0 {
				t.Errorf("event %+v", ev)
			}
			if !ev.Timestamp.Before(seedReference) || ev.Timestamp.Before(seedReference.Add(-seedWindow)) {
				t.Errorf("event time %v outside the 30 days before %v", ev.Timestamp, seedReference)
			}
		}
		if !slices.IsSortedFunc(u.Events, func(a, b RiskEvent) int { return b.Timestamp.Compare(a.Timestamp) }) {
			t.Errorf("%s: events not newest first", u.Email)
		}
	}
}

func TestSummaryRowsAndOrder(t *testing.T) {
	v := newTestEnv(t, Options{SeedUsers: 12})
	rows, r := v.summary("?per_page=100")
	if got := r.info(t); got != [5]int{12, 1, 100, 12, 1} {
		t.Errorf("result_info %v", got)
	}
	users := map[string]User{}
	for _, u := range v.e.Users(testAccount) {
		users[u.ID] = u
	}
	for i, row := range rows {
		u := users[row.UserID]
		if row.Name != u.Name || row.Email != u.Email || row.EventCount != len(u.Events) ||
			row.MaxRiskLevel != maxRisk(u.Events) || row.LastEvent != u.Events[0].Timestamp.Format(time.RFC3339) {
			t.Errorf("row %+v does not match user %+v", row, u)
		}
		if i > 0 {
			prev := rows[i-1]
			if r, p := riskRank(row.MaxRiskLevel), riskRank(prev.MaxRiskLevel); r > p || r == p && row.Email < prev.Email {
				t.Errorf("rows %d and %d out of order: %+v, %+v", i-1, i, prev, row)
			}
		}
	}
}

func TestGetUserRisk(t *testing.T) {
	v := newTestEnv(t, Options{SeedUsers: 6})
	for _, u := range v.e.Users(testAccount) {
		r := v.do("GET", path("/"+u.ID), nil).wantOK(t)
		if !strings.Contains(string(r.fields["result"]), `"last_reset_time":null`) {
			t.Errorf("last_reset_time should be null before a reset: %s", r.fields["result"])
		}
		var got wireUser
		r.result(t, &got)
		if got.Name != u.Name || got.Email != u.Email || got.RiskLevel != maxRisk(u.Events) || len(got.Events) != len(u.Events) {
			t.Errorf("GET user = %+v, want %+v", got, u)
		}
		for i, ev := range got.Events {
			if ev.ID != u.Events[i].ID || ev.Name != u.Events[i].Name || ev.Timestamp != u.Events[i].Timestamp.Format(time.RFC3339) || ev.EventDetails == nil {
				t.Errorf("event %d = %+v", i, ev)
			}
		}
		n := len(u.Events)
		if info := r.info(t); info != [5]int{n, 1, 20, n, 1} {
			t.Errorf("result_info %v", info)
		}
	}
	// User ids are UUIDs: any case matches.
	u := v.e.Users(testAccount)[0]
	v.do("GET", path("/"+strings.ToUpper(u.ID)), nil).wantOK(t)
}

func TestResetUser(t *testing.T) {
	v := newTestEnv(t, Options{SeedUsers: 3})
	u := v.e.Users(testAccount)[1]
	r := v.do("POST", path("/"+u.ID+"/reset"), nil).wantOK(t)
	if string(r.fields["result"]) != "{}" {
		t.Errorf("reset result %s, want {}", r.fields["result"])
	}
	var got wireUser
	r = v.do("GET", path("/"+u.ID), nil).wantOK(t)
	r.result(t, &got)
	if len(got.Events) != 0 || got.Events == nil || got.RiskLevel != "low" || got.LastResetTime == nil || *got.LastResetTime != "2025-03-19T19:53:56Z" {
		t.Errorf("after reset: %s", r.fields["result"])
	}
	if info := r.info(t); info != [5]int{0, 1, 20, 0, 1} {
		t.Errorf("result_info after reset %v", info)
	}
	rows, _ := v.summary("")
	if len(rows) != 2 {
		t.Errorf("summary has %d users after a reset, want 2", len(rows))
	}
	for _, row := range rows {
		if row.UserID == u.ID {
			t.Error("reset user still in the summary")
		}
	}
	// Resetting again is fine.
	v.do("POST", path("/"+u.ID+"/reset"), nil).wantOK(t)
}

func TestUnknownUserIs404(t *testing.T) {
	v := newTestEnv(t, Options{SeedUsers: 2})
	const missing = "/0b3f1c4e-5d6a-4e7b-8c9d-0e1f2a3b4c5d"
	v.do("GET", path(missing), nil).wantError(t, http.StatusNotFound, codeNoUser)
	v.do("POST", path(missing+"/reset"), nil).wantError(t, http.StatusNotFound, codeNoUser)
}

func TestSummaryAndEventPagination(t *testing.T) {
	v := newTestEnv(t, Options{SeedUsers: 7, PageSize: 3})
	all, _ := v.summary("?per_page=100")
	var paged []wireSummaryRow
	for page, want := range [][5]int{{3, 1, 3, 7, 3}, {3, 2, 3, 7, 3}, {1, 3, 3, 7, 3}, {0, 4, 3, 7, 3}} {
		rows, r := v.summary(fmt.Sprint("?page=", page+1))
		if got := r.info(t); got != want {
			t.Errorf("page %d: result_info %v, want %v", page+1, got, want)
		}
		paged = append(paged, rows...)
	}
	if fmt.Sprint(paged) != fmt.Sprint(all) {
		t.Error("the pages do not add up to the whole summary")
	}
	_, r := v.summary("?per_page=1000")
	if got := r.info(t); got[2] != 100 {
		t.Errorf("per_page is not capped at 100: %v", got)
	}
	_, r = v.summary("?order_by=event_count&direction=asc")
	if got := r.info(t); got[0] != 3 {
		t.Errorf("unknown params should be ignored: %v", got)
	}
	for _, q := range []string{"?page=0", "?page=-1", "?per_page=abc", "?per_page=0"} {
		v.do("GET", path("/summary"+q), nil).wantError(t, http.StatusBadRequest, codeBadQuery)
	}

	// Events of one user, one per page.
	var u User
	for _, c := range v.e.Users(testAccount) {
		if len(c.Events) >= 2 {
			u = c
			break
		}
	}
	if u.ID == "" {
		t.Fatal("no seeded user with two events")
	}
	n := len(u.Events)
	for page := 1; page <= n+1; page++ {
		r := v.do("GET", path(fmt.Sprintf("/%s?per_page=1&page=%d", u.ID, page)), nil).wantOK(t)
		var got wireUser
		r.result(t, &got)
		wantCount := 1
		if page > n {
			wantCount = 0
		}
		if info := r.info(t); info != [5]int{wantCount, page, 1, n, n} {
			t.Errorf("events page %d: result_info %v", page, info)
		}
		if len(got.Events) != wantCount || got.Events == nil {
			t.Errorf("events page %d: %d events", page, len(got.Events))
		} else if wantCount == 1 && got.Events[0].ID != u.Events[page-1].ID {
			t.Errorf("events page %d: wrong event", page)
		}
		if got.RiskLevel != maxRisk(u.Events) {
			t.Errorf("risk_level is computed from one page only")
		}
	}
}

func TestPaginateEdges(t *testing.T) {
	for _, tc := range []struct {
		n, page, per int
		want         resultInfo
	}{
		{0, 1, 20, resultInfo{Count: 0, Page: 1, PerPage: 20, TotalCount: 0, TotalPages: 1}},
		{20, 1, 20, resultInfo{Count: 20, Page: 1, PerPage: 20, TotalCount: 20, TotalPages: 1}},
		{21, 2, 20, resultInfo{Count: 1, Page: 2, PerPage: 20, TotalCount: 21, TotalPages: 2}},
		{5, 1 << 62, 100, resultInfo{Count: 0, Page: 1 << 62, PerPage: 100, TotalCount: 5, TotalPages: 1}},
	} {
		items, info := paginate(make([]int, tc.n), tc.page, tc.per)
		if info != tc.want || len(items) != tc.want.Count || items == nil {
			t.Errorf("paginate(%d, %d, %d) = %d items, %+v; want %+v", tc.n, tc.page, tc.per, len(items), info, tc.want)
		}
	}
}

func TestPageSizeOptionIsCapped(t *testing.T) {
	v := newTestEnv(t, Options{SeedUsers: 1, PageSize: 500})
	_, r := v.summary("")
	if got := r.info(t); got[2] != 100 {
		t.Errorf("default per_page %d, want the cap 100", got[2])
	}
}
