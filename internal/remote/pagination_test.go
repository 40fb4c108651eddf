package remote

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/riskctl/riskctl/internal/testwait"
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
	if got := queries(f); len(got) != 3 || got[0] != "" || !sameSet(got[1:], []string{"page=2", "page=3"}) {
		t.Errorf("queries %q, want \"\" (first request without query), then page=2 and page=3 in any order", got)
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
	// Page 1 says 3 pages: 2 and 3 are asked for together.
	if n := len(f.requests()); n != 3 {
		t.Errorf("%d requests, want 3", n)
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
	// Claims 3 pages, but page 2 is empty (items vanished meanwhile): what
	// page 3 holds is not handed on.
	f.handle("GET /summary", paged(t, []string{`{"users":[` + summaryUser(1) + `]}`, `{"users":[]}`, `{"users":[` + summaryUser(3) + `]}`}, func(p int) string {
		return fmt.Sprintf(`{"page":%d,"per_page":1,"total_pages":3}`, p)
	}))
	users, err := f.client().GetSummary(context.Background())
	if err != nil || len(users) != 1 || users[0].Name != "User 1" || len(f.requests()) != 3 {
		t.Errorf("users %+v, err %v, requests %d", users, err, len(f.requests()))
	}
}

func TestPageCount(t *testing.T) {
	cases := []struct {
		name      string
		info      *resultInfo
		requested int
		total     int
		err       bool
	}{
		{"none", nil, 1, 1, false},
		{"last of total_pages", &resultInfo{Page: 3, TotalPages: 3}, 3, 3, false},
		{"more by total_pages", &resultInfo{Page: 1, TotalPages: 3}, 1, 3, false},
		{"more by count", &resultInfo{Page: 1, PerPage: 20, TotalCount: 21}, 1, 2, false},
		{"done by count", &resultInfo{Page: 2, PerPage: 20, TotalCount: 40}, 2, 2, false},
		{"page absent", &resultInfo{TotalPages: 2}, 1, 2, false},
		{"all zero", &resultInfo{}, 1, 1, false},
		{"fewer than asked", &resultInfo{Page: 4, TotalPages: 2}, 4, 4, false},
		{"fractional", &resultInfo{Page: 1, TotalPages: 2.5}, 1, 3, false},
		{"past the limit", &resultInfo{Page: 1, TotalPages: 1e300}, 1, 11, false},
		{"count past the limit", &resultInfo{Page: 1, PerPage: 1e-300, TotalCount: 5}, 1, 11, false},
		{"mismatch", &resultInfo{Page: 1, TotalPages: 3}, 2, 0, true},
	}
	for _, tc := range cases {
		total, err := pageCount(tc.info, tc.requested, 10)
		if (err != nil) != tc.err || (err == nil && total != tc.total) {
			t.Errorf("%s: total %d err %v, want %d", tc.name, total, err, tc.total)
		}
	}
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// inFlight serves paged summaries and tracks how many requests it is
// answering at once. Pages after the first wait until want of them are in
// flight together (or a generous timeout passes, which the test reports).
type inFlight struct {
	mu      sync.Mutex
	now     int
	most    int
	reached chan struct{}
	want    int
	timeout bool
}

func (f *inFlight) handler(t *testing.T, pages int, hold time.Duration) http.HandlerFunc {
	body := make([]string, pages)
	for i := range body {
		body[i] = `{"users":[` + summaryUser(2*i+1) + `,` + summaryUser(2*i+2) + `]}`
	}
	serve := paged(t, body, func(p int) string {
		return fmt.Sprintf(`{"page":%d,"per_page":2,"count":2,"total_count":%d,"total_pages":%d}`, p, 2*pages, pages)
	})
	return func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("page") != "" {
			f.mu.Lock()
			f.now++
			f.most = max(f.most, f.now)
			if f.now == f.want {
				close(f.reached)
			}
			f.mu.Unlock()
			if f.want > 0 {
				select {
				case <-f.reached:
				case <-testwait.After(t):
					f.mu.Lock()
					f.timeout = true
					f.mu.Unlock()
				}
			}
			time.Sleep(hold)
			f.mu.Lock()
			f.now--
			f.mu.Unlock()
		}
		serve(w, r)
	}
}

// result returns the most requests in flight at once, and whether the
// wait for want of them timed out.
func (f *inFlight) result() (int, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.most, f.timeout
}

func summaryNames(users []UserRiskInfo) []string {
	var names []string
	for _, u := range users {
		names = append(names, u.Name)
	}
	return names
}

func TestSummaryPagesFetchedConcurrentlyInOrder(t *testing.T) {
	f := newFake(t)
	// Pages 2-6 answer only once all five are asked for at the same time.
	fl := &inFlight{want: 5, reached: make(chan struct{})}
	f.handle("GET /summary", fl.handler(t, 6, 0))
	users, err := f.client().GetSummary(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for i := 1; i <= 12; i++ {
		want = append(want, fmt.Sprintf("User %d", i))
	}
	if got := summaryNames(users); !reflect.DeepEqual(got, want) {
		t.Errorf("users %v, want %v", got, want)
	}
	if most, timedOut := fl.result(); timedOut {
		t.Errorf("pages 2-6 were not fetched concurrently (at most %d at once)", most)
	}
	if q := queries(f); len(q) != 6 || q[0] != "" {
		t.Errorf("queries %q: page 1 first, without query", q)
	}
}

func TestSummaryPageConcurrencyIsBounded(t *testing.T) {
	f := newFake(t)
	fl := &inFlight{}
	f.handle("GET /summary", fl.handler(t, 30, 10*time.Millisecond))
	c := f.client()
	users, err := c.GetSummary(context.Background())
	if err != nil || len(users) != 60 || users[59].Name != "User 60" {
		t.Fatalf("%d users, err %v", len(users), err)
	}
	if most, _ := fl.result(); most > DefaultPageConcurrency || most < 2 {
		t.Errorf("at most %d pages at once, want 2..%d", most, DefaultPageConcurrency)
	}
	if n := len(f.requests()); n != 30 {
		t.Errorf("%d requests, want 30", n)
	}
}

func TestUserEventsPagesConcurrentlyInOrder(t *testing.T) {
	f := newFake(t)
	ev := func(id string) string {
		return `{"id":"` + id + `","name":"Impossible Travel","risk_level":"high","timestamp":"2026-07-01T10:00:00Z"}`
	}
	var pages []string
	var want []string
	for p := 1; p <= 5; p++ {
		id := fmt.Sprintf("e%d", p)
		want = append(want, id)
		pages = append(pages, `{"name":"Ada","email":"ada@example.com","risk_level":"high","events":[`+ev(id)+`]}`)
	}
	serve := paged(t, pages, func(p int) string { return fmt.Sprintf(`{"page":%d,"per_page":1,"total_count":5}`, p) })
	f.handle("GET /"+userID, func(w http.ResponseWriter, r *http.Request) {
		if p, _ := strconv.Atoi(r.URL.Query().Get("page")); p > 0 {
			time.Sleep(time.Duration(6-p) * 5 * time.Millisecond) // later pages answer first
		}
		serve(w, r)
	})
	got, err := f.client().GetUserRisk(context.Background(), userID)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, e := range got.Events {
		ids = append(ids, e.ID)
	}
	if !reflect.DeepEqual(ids, want) || got.Name != "Ada" {
		t.Errorf("events %v, want %v", ids, want)
	}
}

// A page that fails fails the listing, with its own error, and the pages
// still queued are not asked for.
func TestSummaryPageErrorStopsTheRest(t *testing.T) {
	f := newFake(t)
	var body []string
	for i := range 40 {
		body = append(body, `{"users":[`+summaryUser(i+1)+`]}`)
	}
	serve := paged(t, body, func(p int) string { return fmt.Sprintf(`{"page":%d,"per_page":1,"total_pages":40}`, p) })
	f.handle("GET /summary", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("page") == "2" {
			fail(404, 1404, "gone")(w, r)
			return
		}
		time.Sleep(20 * time.Millisecond)
		serve(w, r)
	})
	_, err := f.client().GetSummary(context.Background())
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("err = %v, want page 2's 404", err)
	}
	if n := len(f.requests()); n >= 40 {
		t.Errorf("%d requests: the pages after the failure were all asked for", n)
	}
}

func TestSummaryPagesClaimedPastMaxPagesAreRefused(t *testing.T) {
	f := newFake(t)
	f.handle("GET /summary", okPage(`{"users":[`+summaryUser(1)+`]}`, `{"page":1,"per_page":1,"total_pages":5000}`))
	_, err := f.client().GetSummary(context.Background())
	if err == nil || !strings.Contains(err.Error(), "more than 1000 pages") {
		t.Errorf("err = %v", err)
	}
	if n := len(f.requests()); n != 1 {
		t.Errorf("%d requests, want only the first page", n)
	}
}
