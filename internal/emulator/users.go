package emulator

import (
	"net/http"
	"slices"
	"strings"
	"time"
)

// userRiskInfo is one row of GET /summary (dlp_UserRiskInfo).
type userRiskInfo struct {
	UserID       string    `json:"user_id"`
	Name         string    `json:"name"`
	Email        string    `json:"email"`
	MaxRiskLevel string    `json:"max_risk_level"`
	EventCount   int       `json:"event_count"`
	LastEvent    time.Time `json:"last_event"`
}

// userRisk is the result of GET /{user_id} (dlp_RiskEvents).
type userRisk struct {
	Name          string      `json:"name"`
	Email         string      `json:"email"`
	RiskLevel     string      `json:"risk_level"`
	LastResetTime *time.Time  `json:"last_reset_time"` // null until the first reset
	Events        []RiskEvent `json:"events"`
}

// maxRisk is the user's score: the highest level among their events, and
// "low" for a user without events (the schema makes risk_level non-null).
func maxRisk(events []RiskEvent) string {
	level := riskLow
	for _, ev := range events {
		if riskRank(ev.RiskLevel) > riskRank(level) {
			level = ev.RiskLevel
		}
	}
	return level
}

// getSummary lists users with at least one event (reset users drop out, as
// the docs say), highest risk first, then by email and id.
func (e *Emulator) getSummary(c *call) reply {
	page, perPage, rp := pageParams(c.r, e.perPage)
	if rp != nil {
		return *rp
	}
	rows := []userRiskInfo{}
	for _, u := range c.acc.Users {
		if len(u.Events) == 0 {
			continue
		}
		row := userRiskInfo{UserID: u.ID, Name: u.Name, Email: u.Email, MaxRiskLevel: maxRisk(u.Events), EventCount: len(u.Events)}
		for _, ev := range u.Events {
			if ev.Timestamp.After(row.LastEvent) {
				row.LastEvent = ev.Timestamp
			}
		}
		rows = append(rows, row)
	}
	slices.SortFunc(rows, func(a, b userRiskInfo) int {
		if c := riskRank(b.MaxRiskLevel) - riskRank(a.MaxRiskLevel); c != 0 {
			return c
		}
		if c := strings.Compare(a.Email, b.Email); c != 0 {
			return c
		}
		return strings.Compare(a.UserID, b.UserID)
	})
	items, info := paginate(rows, page, perPage)
	return okPage(struct {
		Users []userRiskInfo `json:"users"`
	}{items}, info)
}

// getUser answers one user's risk, with a page of events (newest first);
// result_info describes the events.
func (e *Emulator) getUser(c *call) reply {
	i := c.acc.user(c.id)
	if i < 0 {
		return userNotFound(c.id)
	}
	page, perPage, rp := pageParams(c.r, e.perPage)
	if rp != nil {
		return *rp
	}
	u := copyUser(c.acc.Users[i])
	events, info := paginate(u.Events, page, perPage)
	return okPage(userRisk{Name: u.Name, Email: u.Email, RiskLevel: maxRisk(u.Events), LastResetTime: u.LastResetTime, Events: events}, info)
}

// resetUser clears the user's accumulated risk history and stamps the
// reset time. Resetting an already clean user is fine and moves the stamp.
func (e *Emulator) resetUser(c *call) reply {
	i := c.acc.user(c.id)
	if i < 0 {
		return userNotFound(c.id)
	}
	now := e.stamp()
	u := &c.acc.Users[i]
	u.Events = []RiskEvent{}
	u.LastResetTime = &now
	if rp := e.commitLocked(c, record{Op: opUser, User: u}); rp != nil {
		return *rp
	}
	return ok(empty)
}

func userNotFound(id string) reply {
	return failf(http.StatusNotFound, codeNoUser, "User %s not found", id)
}
