package emulator

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
)

// seedReference is the fixed "now" of generated events. Using the wall
// clock would make every run differ; users see events from June 2026.
var seedReference = time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)

const seedWindow = 30 * 24 * time.Hour // events fall in the 30 days before seedReference

var (
	firstNames = []string{"Ada", "Alan", "Barbara", "Brian", "Claude", "Dennis", "Edsger", "Frances",
		"Grace", "Hedy", "Ivan", "Joan", "Ken", "Leslie", "Margaret", "Niklaus", "Radia", "Rob", "Sophie", "Tim"}
	lastNames = []string{"Allen", "Backus", "Cerf", "Dijkstra", "Engelbart", "Floyd", "Goldberg", "Hamilton",
		"Hopper", "Kahn", "Knuth", "Lamport", "Liskov", "Lovelace", "Perlman", "Ritchie", "Shannon", "Thompson", "Turing", "Wirth"}
	places      = []string{"Lisbon, PT", "Singapore, SG", "Sao Paulo, BR", "Toronto, CA", "Sydney, AU", "Nairobi, KE", "Oslo, NO", "Seoul, KR"}
	threats     = []string{"Trojan.GenericKD", "Ransom.LockBit", "PUA.CoinMiner", "Backdoor.Cobalt"}
	dlpProfiles = []string{"Financial Information", "Social Security, Insurance, Tax, and Identifier Numbers", "Credentials and Secrets"}
)

// seedUsers generates n demo users for one account. The PRNG is PCG seeded
// from the seed and a hash of the account id, and everything, ids included,
// is drawn from it in a fixed order: the same seed and account always give
// the same users.
func seedUsers(seed uint64, accountID string, n int, cat []catalogEntry) []User {
	h := fnv.New64a()
	h.Write([]byte(accountID))
	r := rand.New(rand.NewPCG(seed, h.Sum64()))
	users := make([]User, 0, n)
	emails := map[string]bool{}
	for range n {
		first, last := firstNames[r.IntN(len(firstNames))], lastNames[r.IntN(len(lastNames))]
		local := strings.ToLower(first + "." + last)
		email := local + "@example.com"
		for i := 2; emails[email]; i++ {
			email = fmt.Sprintf("%s%d@example.com", local, i)
		}
		emails[email] = true
		u := User{ID: seededUUID(r), Name: first + " " + last, Email: email, Events: []RiskEvent{}}
		for range 1 + r.IntN(6) {
			u.Events = append(u.Events, seedEvent(r, cat))
		}
		sortEvents(u.Events)
		users = append(users, u)
	}
	return users
}

// seedEvent draws one detection of a behavior of the catalogue (never empty:
// checkCatalogue refuses that).
func seedEvent(r *rand.Rand, cat []catalogEntry) RiskEvent {
	p := cat[r.IntN(len(cat))]
	ev := RiskEvent{
		ID:   seededUUID(r),
		Name: p.behavior.Name,
		// Random rather than the behavior's level: admins change levels over
		// time, and a demo needs users of every level.
		RiskLevel: riskLevels[r.IntN(len(riskLevels))],
		Timestamp: seedReference.Add(-time.Duration(1+r.Int64N(int64(seedWindow/time.Second))) * time.Second),
	}
	ip := fmt.Sprintf("203.0.113.%d", 1+r.IntN(254)) // TEST-NET-3, never a real address
	switch p.key {
	case "imp_travel":
		ev.EventDetails = map[string]any{"ip": ip, "location": places[r.IntN(len(places))],
			"previous_location": places[r.IntN(len(places))], "minutes_between_logins": 5 + r.IntN(120)}
	case "high_dlp":
		ev.EventDetails = map[string]any{"ip": ip, "dlp_profile": dlpProfiles[r.IntN(len(dlpProfiles))],
			"matches_per_minute": 15 + r.IntN(40)}
	default:
		ev.EventDetails = map[string]any{"ip": ip, "device_id": seededUUID(r), "threat": threats[r.IntN(len(threats))]}
	}
	return ev
}

// seededUUID draws a UUIDv4 from the PRNG (version and variant bits set), so
// seeded ids are valid v4 yet reproducible.
func seededUUID(r *rand.Rand) string {
	var b uuid.UUID
	binary.BigEndian.PutUint64(b[:8], r.Uint64())
	binary.BigEndian.PutUint64(b[8:], r.Uint64())
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return b.String()
}

// sortEvents orders events newest first, ties by id.
func sortEvents(events []RiskEvent) {
	slices.SortFunc(events, func(a, b RiskEvent) int {
		if c := b.Timestamp.Compare(a.Timestamp); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
}
