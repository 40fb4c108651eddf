package remote

import (
	"context"
	"fmt"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// paged serves pages[i-1] for ?page=i (no query = page 1), with result_info
// built by info(page).
func paged(t *testing.T, pages []string, info func(page int) string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		page := 1
		if p := r.URL.Query().Get("page"); p != "" {
			var err error
			if page, err = strconv.Atoi(p); err != nil || page < 1 || page > len(pages) {
				t.Errorf("bad page %q", p)
				fail(400, 1000, "bad page")(w, r)
				return
			}
		}
		okPage(pages[page-1], info(page))(w, r)
	}
}

func summaryUser(i int) string {
	return fmt.Sprintf(`{"user_id":"00000000-0000-4000-8000-%012d","name":"User %d","email":"u%d@example.com","max_risk_level":"low","event_count":%d,"last_event":"2026-07-01T10:00:00Z"}`, i, i, i, i)
}

func queries(f *fakeAPI) []string {
	var q []string
	for _, r := range f.requests() {
		q = append(q, r.Query)
	}
	return q
}

func TestSummaryFollowsThreePages(t *testing.T) {
	f := newFake(t)
	pages := []string{
		`{"users":[` + summaryUser(1) + `,` + summaryUser(2) + `]}`,
		`{"users":[` + summaryUser(3) + `,` + summaryUser(4) + `]}`,
		`{"users":[` + summaryUser(5) + `]}`,
	}
	f.handle("GET /summary", paged(t, pages, func(p int) string {
		return fmt.Sprintf(`{"count":%d,"page":%d,"per_page":2,"total_count":5,"total_pages":3}`, min(2, 5-2*(p-1)), p)
	}))
	users, err := f.client().GetSummary(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, u := range users {
		names = append(names, u.Name)
	}
	if want := []string{"User 1", "User 2", "User 3", "User 4", "User 5"}; !reflect.DeepEqual(names, want) {
		t.Errorf("users %v", names)
	}
	if got, want := queries(f), []string{"", "page=2", "page=3"}; !reflect.DeepEqual(got, want) {
		t.Errorf("queries %q, want %q (first request without query)", got, want)
	}
}

func TestUserRiskFollowsTwoPagesOfEvents(t *testing.T) {
	f := newFake(t)
	ev := func(id string) string {
		return `{"id":"` + id + `","name":"Impossible Travel","risk_level":"high","timestamp":"2026-07-01T10:00:00Z"}`
	}
	pages := []string{
		`{"name":"Ada","email":"ada@example.com","risk_level":"high","events":[` + ev("e1") + `,` + ev("e2") + `]}`,
		`{"name":"Ada","email":"ada@example.com","risk_level":"high","events":[` + ev("e3") + `]}`,
	}
	// No total_pages: the client falls back to page*per_page < total_count.
	f.handle("GET /"+userID, paged(t, pages, func(p int) string {
		return fmt.Sprintf(`{"page":%d,"per_page":2,"count":%d,"total_count":3}`, p, 3-p)
	}))
	got, err := f.client().GetUserRisk(context.Background(), userID)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, e := range got.Events {
		ids = append(ids, e.ID)
	}
	if got.Name != "Ada" || got.RiskLevel != RiskHigh || !reflect.DeepEqual(ids, []string{"e1", "e2", "e3"}) {
		t.Errorf("got %+v", got)
	}
	if q := queries(f); !reflect.DeepEqual(q, []string{"", "page=2"}) {
		t.Errorf("queries %q", q)
	}
}

func TestIntegrationsPaginatedWhenResultInfoPresent(t *testing.T) {
	f := newFake(t)
	one := strings.Replace(integrationJSON, integrationID, "11111111-1111-4111-8111-111111111111", 2)
	two := strings.Replace(integrationJSON, integrationID, "22222222-2222-4222-8222-222222222222", 2)
	f.handle("GET /integrations", paged(t, []string{`[` + one + `]`, `[` + two + `]`}, func(p int) string {
		return fmt.Sprintf(`{"page":%d,"per_page":1,"count":1,"total_count":2,"total_pages":2}`, p)
	}))
	got, err := f.client().ListIntegrations(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ID[0] != '1' || got[1].ID[0] != '2' {
		t.Errorf("got %+v", got)
	}
	if q := queries(f); !reflect.DeepEqual(q, []string{"", "page=2"}) {
		t.Errorf("queries %q", q)
	}
}

func TestBareArrayIsOneRequest(t *testing.T) {
	f := newFake(t)
	f.handle("GET /integrations", okRaw(`[`+integrationJSON+`,`+integrationJSON+`]`))
	got, err := f.client().ListIntegrations(context.Background())
	if err != nil || len(got) != 2 {
		t.Fatalf("got %d, %v", len(got), err)
	}
	if n := len(f.requests()); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
}

func TestServerThatIgnoresPageIsAnError(t *testing.T) {
	f := newFake(t)
	// Always page 1 of 3, whatever is asked.
	f.handle("GET /summary", okPage(`{"users":[`+summaryUser(1)+`]}`, `{"page":1,"per_page":1,"total_count":3,"total_pages":3}`))
	_, err := f.client().GetSummary(context.Background())
	if err == nil || !strings.Contains(err.Error(), "asked for page 2") {
		t.Errorf("err = %v", err)
	}
	if n := len(f.requests()); n != 2 {
		t.Errorf("%d requests, want 2", n)
	}
}

func TestServerThatNeverEndsHitsThePageCap(t *testing.T) {
	f := newFake(t)
	// Echoes the page asked for and always claims one more.
	f.handle("GET /summary", func(w http.ResponseWriter, r *http.Request) {
		p, _ := strconv.Atoi(r.URL.Query().Get("page"))
		p = max(p, 1)
		okPage(`{"users":[`+summaryUser(p)+`]}`, fmt.Sprintf(`{"page":%d,"per_page":1,"total_pages":%d}`, p, p+1))(w, r)
	})
	c := f.client()
	c.maxPages = 5
	_, err := c.GetSummary(context.Background())
	if err == nil || !strings.Contains(err.Error(), "more than 5 pages") {
		t.Errorf("err = %v", err)
	}
	if n := len(f.requests()); n != 5 {
		t.Errorf("%d requests, want 5", n)
	}
}

func TestEmptyPageEndsListing(t *testing.T) {
	f := newFake(t)
	// Claims 3 pages, but page 2 is empty (items vanished meanwhile).
	f.handle("GET /summary", paged(t, []string{`{"users":[` + summaryUser(1) + `]}`, `{"users":[]}`, `{"users":[]}`}, func(p int) string {
		return fmt.Sprintf(`{"page":%d,"per_page":1,"total_pages":3}`, p)
	}))
	users, err := f.client().GetSummary(context.Background())
	if err != nil || len(users) != 1 || len(f.requests()) != 2 {
		t.Errorf("users %d, err %v, requests %d", len(users), err, len(f.requests()))
	}
}

func TestNextPage(t *testing.T) {
	cases := []struct {
		name      string
		info      *resultInfo
		requested int
		more      bool
		err       bool
	}{
		{"none", nil, 1, false, false},
		{"last of total_pages", &resultInfo{Page: 3, TotalPages: 3}, 3, false, false},
		{"more by total_pages", &resultInfo{Page: 1, TotalPages: 3}, 1, true, false},
		{"more by count", &resultInfo{Page: 1, PerPage: 20, TotalCount: 21}, 1, true, false},
		{"done by count", &resultInfo{Page: 2, PerPage: 20, TotalCount: 40}, 2, false, false},
		{"page absent", &resultInfo{TotalPages: 2}, 1, true, false},
		{"all zero", &resultInfo{}, 1, false, false},
		{"mismatch", &resultInfo{Page: 1, TotalPages: 3}, 2, false, true},
	}
	for _, tc := range cases {
		next, more, err := nextPage(tc.info, tc.requested)
		if more != tc.more || (err != nil) != tc.err || (more && next != tc.requested+1) {
			t.Errorf("%s: next %d more %v err %v", tc.name, next, more, err)
		}
	}
}
