package riskreport

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/riskctl/riskctl/internal/remote"
)

// now is the fixtures' report time.
var now = time.Date(2026, 12, 7, 9, 30, 0, 0, time.UTC)

// fakeAPI serves a summary and users' details from memory, counting the
// detail reads.
type fakeAPI struct {
	users   []remote.UserRiskInfo
	details map[string]remote.UserRisk // by user id; missing: 404
	failOn  string                     // a user id whose read fails

	mu    sync.Mutex
	reads []string
}

func (f *fakeAPI) GetSummary(context.Context) ([]remote.UserRiskInfo, error) {
	return slices.Clone(f.users), nil
}

func (f *fakeAPI) GetUserRisk(_ context.Context, id string) (remote.UserRisk, error) {
	f.mu.Lock()
	f.reads = append(f.reads, id)
	f.mu.Unlock()
	if id == f.failOn {
		return remote.UserRisk{}, fmt.Errorf("get user risk %q: HTTP 500", id)
	}
	d, ok := f.details[id]
	if !ok {
		return remote.UserRisk{}, fmt.Errorf("get user risk %q: %w", id, remote.ErrNotFound)
	}
	return d, nil
}

// user is one user of a fixture with events (behavior, level, age) and
// the summary row that goes with them.
type user struct {
	id, name, email string
	events          []remote.RiskEvent
}

func ev(behavior, level string, at time.Time) remote.RiskEvent {
	return remote.RiskEvent{ID: fmt.Sprintf("ev-%s-%d", behavior, at.Unix()), Name: behavior, RiskLevel: level, Timestamp: at}
}

// fixture builds the API of users, the summary rows derived as the API
// derives them (highest level, count, last event).
func fixture(users ...user) *fakeAPI {
	f := &fakeAPI{details: map[string]remote.UserRisk{}}
	for _, u := range users {
		row := remote.UserRiskInfo{UserID: u.id, Name: u.name, Email: u.email, MaxRiskLevel: "low", EventCount: len(u.events)}
		for _, e := range u.events {
			if levelRank(e.RiskLevel) > levelRank(row.MaxRiskLevel) {
				row.MaxRiskLevel = e.RiskLevel
			}
			if e.Timestamp.After(row.LastEvent) {
				row.LastEvent = e.Timestamp
			}
		}
		f.users = append(f.users, row)
		f.details[u.id] = remote.UserRisk{Name: u.name, Email: u.email, RiskLevel: row.MaxRiskLevel, Events: u.events}
	}
	return f
}

// demo is the golden files' account: every level, three behaviors, events
// inside and outside a 7-day window.
func demo() *fakeAPI {
	d := func(days int, hour int) time.Time {
		return time.Date(2026, 12, 7-days, hour, 15, 0, 0, time.UTC)
	}
	return fixture(
		user{"00000000-0000-4000-8000-000000000001", "Ada Lovelace", "ada@example.com", []remote.RiskEvent{
			ev("Impossible Travel", "high", d(0, 8)), ev("Impossible Travel", "medium", d(2, 11)), ev("SentinelOne Infection Detected", "low", d(9, 3)),
		}},
		user{"00000000-0000-4000-8000-000000000002", "Grace Hopper", "grace@example.com", []remote.RiskEvent{
			ev("High Number of DLP Policies Triggered", "high", d(1, 14)), ev("Impossible Travel", "low", d(6, 0)),
		}},
		user{"00000000-0000-4000-8000-000000000003", "Alan Turing", "alan@example.com", []remote.RiskEvent{
			ev("SentinelOne Infection Detected", "medium", d(3, 22)),
		}},
		user{"00000000-0000-4000-8000-000000000004", "Edsger Dijkstra", "edsger@example.com", []remote.RiskEvent{
			ev("High Number of DLP Policies Triggered", "low", d(4, 9)), ev("Impossible Travel", "low", d(40, 9)),
		}},
	)
}

// hostile is a name that tries to leave every context a report puts it
// in: HTML and SVG, a Mermaid string and list, a Mermaid directive and
// comment, a Markdown table, code span, link and mention, a line.
const hostile = "</svg><script>alert(1)</script>\"]-->x %%{init: {\"theme\":\"dark\"}}%% `| [l](http://x) @team #quot; <img src=x onerror=alert(2)>\nINJECTED"

// hostileAPI has users and behaviors named hostile.
func hostileAPI() *fakeAPI {
	f := fixture(
		user{"00000000-0000-4000-8000-00000000000a", hostile, hostile + "@example.com", []remote.RiskEvent{
			ev(hostile, "high", now.Add(-time.Hour)), ev(hostile, "high", now.Add(-50*time.Hour)),
		}},
		user{"00000000-0000-4000-8000-00000000000b", "Bob", "bob@example.com", []remote.RiskEvent{
			ev("Impossible Travel", "medium", now.Add(-3*time.Hour)),
		}},
		user{"00000000-0000-4000-8000-00000000000c", "Carol", "carol@example.com", []remote.RiskEvent{
			ev("Impossible Travel", hostile, now.Add(-4*time.Hour)),
		}},
	)
	f.users[2].MaxRiskLevel = hostile // a level the API does not document
	return f
}
