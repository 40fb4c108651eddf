package riskreport

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/riskctl/riskctl/internal/remote"
)

// Report is what a report shows, aggregated; the renderers only lay it
// out. Names and emails are in it only when ShowUsers is set.
type Report struct {
	Now       time.Time // when the report was made, UTC
	Days      int       // the events-per-day window
	ShowUsers bool
	MaxUsers  int

	Users   int     // users with risk events (the summary's rows)
	ByLevel []Count // users by highest level: high, medium, low, then "other" (a level the API does not document)

	Read   int // users whose events were read
	Gone   int // users reset between the summary and their read (404)
	Unread int // users whose events were not read: past MaxUsers

	Events     int     // events read
	ByBehavior []Count // events read by behavior, most first; past MaxBehaviors folded into one "other" count
	Folded     int     // behaviors folded into the last ByBehavior entry (0: none)

	PerDay   []DayCount // one per day of the window, oldest first
	InWindow int        // events read that fall in the window
	Newest   time.Time  // the newest event read (zero: none)

	Top Top
}

// Count is a count under a name (a level, a behavior).
type Count struct {
	Name string
	N    int
}

// DayCount is the events of one UTC day.
type DayCount struct {
	Day time.Time // midnight UTC
	N   int
}

// Top is the users at the highest level any user has.
type Top struct {
	Level string    // "" when no user has risk events
	Users []TopUser // the first MaxTopUsers of them, most recent event first
	More  int       // how many more users are at that level
}

// TopUser is one user at the highest level. Name, Email and UserID are
// empty unless Report.ShowUsers.
type TopUser struct {
	UserID    string
	Name      string
	Email     string
	Events    int       // the summary's event count
	LastEvent time.Time // the summary's last event
	Latest    []Event   // the newest MaxLatest events read (none when the user's events were not read)
	Read      bool      // the user's events were read
}

// Event is one risk event as the report shows it.
type Event struct {
	Time     time.Time
	Behavior string
	Level    string
}

// Limits of what a report lists.
const (
	MaxBehaviors = 12 // bars of the behavior chart; the rest are one "other" bar
	MaxTopUsers  = 20 // users listed at the highest level
	MaxLatest    = 3  // latest events shown per listed user
)

// levels are the API's risk levels (dlp_RiskLevel), highest first.
var levels = []string{remote.RiskHigh, remote.RiskMedium, remote.RiskLow}

// OtherLevel names the users whose level is none of the API's.
const OtherLevel = "other"

// levelRank orders levels: high 3, medium 2, low 1, anything else 0.
func levelRank(level string) int {
	if i := slices.Index(levels, strings.ToLower(level)); i >= 0 {
		return len(levels) - i
	}
	return 0
}

// levelName is level as the report names it: one of the API's levels, or
// OtherLevel, so a level name never carries a server's text.
func levelName(level string) string {
	if r := levelRank(level); r > 0 {
		return levels[len(levels)-r]
	}
	return OtherLevel
}

// aggregate builds the report from the summary's users, sorted as Collect
// reads them, and the details read for the first len(details) of them (a
// nil entry: the user was gone).
func aggregate(users []remote.UserRiskInfo, details []*remote.UserRisk, opts Options) Report {
	days := opts.Days
	if days <= 0 {
		days = DefaultDays
	}
	now := opts.Now.UTC()
	r := Report{Now: now, Days: days, ShowUsers: opts.ShowUsers, MaxUsers: opts.MaxUsers, Users: len(users)}

	byLevel := map[string]int{}
	for _, u := range users {
		byLevel[levelName(u.MaxRiskLevel)]++
	}
	for _, l := range append(slices.Clone(levels), OtherLevel) {
		if byLevel[l] > 0 {
			r.ByLevel = append(r.ByLevel, Count{l, byLevel[l]})
		}
	}

	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	first := today.AddDate(0, 0, -(days - 1))
	r.PerDay = make([]DayCount, days)
	for i := range r.PerDay {
		r.PerDay[i].Day = first.AddDate(0, 0, i)
	}
	byBehavior := map[string]int{}
	for _, d := range details {
		if d == nil {
			r.Gone++
			continue
		}
		r.Read++
		for _, e := range d.Events {
			r.Events++
			byBehavior[e.Name]++
			t := e.Timestamp.UTC()
			if t.After(r.Newest) {
				r.Newest = t
			}
			day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
			if !day.Before(first) && !day.After(today) {
				r.PerDay[int(day.Sub(first).Hours()/24)].N++
				r.InWindow++
			}
		}
	}
	r.Unread = len(users) - len(details)
	r.ByBehavior, r.Folded = behaviorCounts(byBehavior)
	r.Top = top(users, details, opts.ShowUsers)
	return r
}

// behaviorCounts sorts counts most first (ties by name) and folds those
// past MaxBehaviors into one last entry, returning how many it folded.
func behaviorCounts(m map[string]int) ([]Count, int) {
	counts := make([]Count, 0, len(m))
	for name, n := range m {
		counts = append(counts, Count{name, n})
	}
	slices.SortFunc(counts, func(a, b Count) int {
		if c := cmp.Compare(b.N, a.N); c != 0 {
			return c
		}
		return strings.Compare(a.Name, b.Name)
	})
	if len(counts) <= MaxBehaviors {
		return counts, 0
	}
	other := Count{Name: "other"}
	for _, c := range counts[MaxBehaviors-1:] {
		other.N += c.N
	}
	folded := len(counts) - (MaxBehaviors - 1)
	return append(counts[:MaxBehaviors-1], other), folded
}

// top lists the users at the highest level any user has, most recent
// event first (users keep Collect's order, which is that within a level).
func top(users []remote.UserRiskInfo, details []*remote.UserRisk, showUsers bool) Top {
	if len(users) == 0 {
		return Top{}
	}
	t := Top{Level: levelName(users[0].MaxRiskLevel)}
	for i, u := range users {
		if levelName(u.MaxRiskLevel) != t.Level {
			break
		}
		if len(t.Users) == MaxTopUsers {
			t.More++
			continue
		}
		tu := TopUser{Events: u.EventCount, LastEvent: u.LastEvent.UTC()}
		if showUsers {
			tu.UserID, tu.Name, tu.Email = u.UserID, u.Name, u.Email
		}
		if i < len(details) && details[i] != nil {
			tu.Read = true
			events := slices.Clone(details[i].Events)
			slices.SortStableFunc(events, func(a, b remote.RiskEvent) int { return b.Timestamp.Compare(a.Timestamp) })
			for _, e := range events[:min(len(events), MaxLatest)] {
				tu.Latest = append(tu.Latest, Event{Time: e.Timestamp.UTC(), Behavior: e.Name, Level: levelName(e.RiskLevel)})
			}
		}
		t.Users = append(t.Users, tu)
	}
	return t
}
