package riskreport

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/riskctl/riskctl/internal/remote"
)

func collect(t *testing.T, api Reader, opts Options) Report {
	t.Helper()
	if opts.Now.IsZero() {
		opts.Now = now
	}
	r, err := Collect(context.Background(), api, opts)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestAggregateCounts(t *testing.T) {
	r := collect(t, demo(), Options{Days: 7, MaxUsers: 10})
	if want := []Count{{"high", 2}, {"medium", 1}, {"low", 1}}; !slices.Equal(r.ByLevel, want) {
		t.Errorf("ByLevel %v, want %v", r.ByLevel, want)
	}
	want := []Count{{"Impossible Travel", 4}, {"High Number of DLP Policies Triggered", 2}, {"SentinelOne Infection Detected", 2}}
	if !slices.Equal(r.ByBehavior, want) {
		t.Errorf("ByBehavior %v, want %v", r.ByBehavior, want)
	}
	if r.Users != 4 || r.Read != 4 || r.Gone != 0 || r.Unread != 0 || r.Events != 8 {
		t.Errorf("users %d read %d gone %d unread %d events %d", r.Users, r.Read, r.Gone, r.Unread, r.Events)
	}
	// The window is the 7 days ending on now's day: Dec 1 to Dec 7; the
	// events 9 and 40 days old are outside it, that of 6 days ago (Dec 1
	// 00:15) is its first day.
	var days []string
	for _, d := range r.PerDay {
		days = append(days, fmt.Sprintf("%s=%d", d.Day.Format("01-02"), d.N))
	}
	if got, want := strings.Join(days, " "), "12-01=1 12-02=0 12-03=1 12-04=1 12-05=1 12-06=1 12-07=1"; got != want {
		t.Errorf("PerDay %s, want %s", got, want)
	}
	if r.InWindow != 6 || !r.Newest.Equal(time.Date(2026, 12, 7, 8, 15, 0, 0, time.UTC)) {
		t.Errorf("in window %d, newest %v", r.InWindow, r.Newest)
	}
	// The top: the two high users, the most recent first, without names.
	if r.Top.Level != "high" || len(r.Top.Users) != 2 || r.Top.More != 0 {
		t.Fatalf("top %+v", r.Top)
	}
	first := r.Top.Users[0]
	if first.Events != 3 || !first.Read || len(first.Latest) != 3 || first.Latest[0].Behavior != "Impossible Travel" || first.Latest[0].Level != "high" {
		t.Errorf("first top user %+v", first)
	}
	for _, u := range r.Top.Users {
		if u.Name != "" || u.Email != "" || u.UserID != "" {
			t.Errorf("identity kept without ShowUsers: %+v", u)
		}
	}
	shown := collect(t, demo(), Options{Days: 7, MaxUsers: 10, ShowUsers: true})
	if u := shown.Top.Users[0]; u.Name != "Ada Lovelace" || u.Email != "ada@example.com" {
		t.Errorf("with ShowUsers: %+v", u)
	}
}

// An event on the day after now's (a server clock ahead) and one just
// before the window are not counted in it; one at the window's first
// instant and one at now's day's last are.
func TestWindowEdges(t *testing.T) {
	first := time.Date(2026, 12, 5, 0, 0, 0, 0, time.UTC) // Days 3 → Dec 5..7
	api := fixture(user{"u1", "", "", []remote.RiskEvent{
		ev("a", "low", first), ev("a", "low", first.Add(-time.Nanosecond)),
		ev("a", "low", time.Date(2026, 12, 7, 23, 59, 59, 0, time.UTC)), ev("a", "low", time.Date(2026, 12, 8, 0, 0, 0, 0, time.UTC)),
		ev("a", "low", time.Date(2026, 12, 6, 23, 30, 0, 0, time.FixedZone("x", -2*3600))), // Dec 7 01:30 UTC
	}})
	r := collect(t, api, Options{Days: 3, MaxUsers: 1})
	got := []int{r.PerDay[0].N, r.PerDay[1].N, r.PerDay[2].N}
	if !slices.Equal(got, []int{1, 0, 2}) || r.InWindow != 3 || r.Events != 5 {
		t.Errorf("per day %v, in window %d, events %d", got, r.InWindow, r.Events)
	}
}

// --max-users bounds the reads, highest level first then the most recent
// event, whatever order the summary came in; the report says how many
// were not read.
func TestMaxUsersBoundsReads(t *testing.T) {
	api := demo()
	slices.Reverse(api.users)
	var progress []string
	r := collect(t, api, Options{MaxUsers: 2, Progress: func(done, total int) { progress = append(progress, fmt.Sprintf("%d/%d", done, total)) }})
	slices.Sort(api.reads)
	if want := []string{"00000000-0000-4000-8000-000000000001", "00000000-0000-4000-8000-000000000002"}; !slices.Equal(api.reads, want) {
		t.Errorf("read %v, want the two high users %v", api.reads, want)
	}
	if r.Read != 2 || r.Unread != 2 || r.Users != 4 {
		t.Errorf("read %d unread %d users %d", r.Read, r.Unread, r.Users)
	}
	if !slices.Equal(progress, []string{"1/2", "2/2"}) {
		t.Errorf("progress %v", progress)
	}
	if r0 := collect(t, demo(), Options{MaxUsers: 0}); r0.Read != 0 || r0.Unread != 4 || r0.Events != 0 || r0.Top.Users[0].Read {
		t.Errorf("MaxUsers 0: %+v", r0)
	}
}

// A user reset between the summary and the read (404) is counted as gone;
// any other error ends the report.
func TestReadErrors(t *testing.T) {
	api := demo()
	delete(api.details, "00000000-0000-4000-8000-000000000003")
	r := collect(t, api, Options{MaxUsers: 10})
	if r.Gone != 1 || r.Read != 3 || r.Unread != 0 {
		t.Errorf("gone %d read %d unread %d", r.Gone, r.Read, r.Unread)
	}
	api = demo()
	api.failOn = "00000000-0000-4000-8000-000000000002"
	if _, err := Collect(context.Background(), api, Options{MaxUsers: 10, Now: now}); err == nil || !strings.Contains(err.Error(), "HTTP 500") {
		t.Errorf("error %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Collect(ctx, &cancelled{}, Options{MaxUsers: 10, Now: now}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

// cancelled answers the summary and then fails every read with the
// context's error, as the client does once a run is interrupted.
type cancelled struct{ fakeAPI }

func (c *cancelled) GetSummary(context.Context) ([]remote.UserRiskInfo, error) {
	return demo().users, nil
}

func (c *cancelled) GetUserRisk(ctx context.Context, _ string) (remote.UserRisk, error) {
	return remote.UserRisk{}, ctx.Err()
}

// Behaviors past MaxBehaviors fold into one count, and the top list stops
// at MaxTopUsers, counting the rest.
func TestFolding(t *testing.T) {
	var users []user
	for i := range MaxTopUsers + 5 {
		u := user{id: fmt.Sprintf("u%02d", i)}
		for j := range 3 {
			u.events = append(u.events, ev(fmt.Sprintf("b%02d", (i*3+j)%(MaxBehaviors+4)), "high", now.Add(-time.Duration(i*3+j)*time.Minute)))
		}
		users = append(users, u)
	}
	r := collect(t, fixture(users...), Options{MaxUsers: 100})
	if len(r.ByBehavior) != MaxBehaviors || r.Folded != 5 {
		t.Errorf("%d behaviors, %d folded", len(r.ByBehavior), r.Folded)
	}
	total := 0
	for _, c := range r.ByBehavior {
		total += c.N
	}
	if total != r.Events {
		t.Errorf("the behavior counts add up to %d, want %d", total, r.Events)
	}
	if len(r.Top.Users) != MaxTopUsers || r.Top.More != 5 {
		t.Errorf("top %d users, %d more", len(r.Top.Users), r.Top.More)
	}
}

// A level the API does not document is counted as "other", so a level
// name in a report is never the server's text.
func TestOtherLevel(t *testing.T) {
	r := collect(t, hostileAPI(), Options{MaxUsers: 10})
	if diff := cmp.Diff([]Count{{"high", 1}, {"medium", 1}, {OtherLevel, 1}}, r.ByLevel); diff != "" {
		t.Errorf("ByLevel (-want +got):\n%s", diff)
	}
	if r.Top.Level != "high" {
		t.Errorf("top level %q", r.Top.Level)
	}
}
