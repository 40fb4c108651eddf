package emulator

import (
	"maps"
	"slices"
	"strings"
)

// Risk levels, exactly as the dlp_RiskLevel enum spells them.
const (
	riskLow    = "low"
	riskMedium = "medium"
	riskHigh   = "high"
)

var riskLevels = []string{riskLow, riskMedium, riskHigh}

// riskRank orders risk levels so the highest can be picked.
func riskRank(level string) int { return slices.Index(riskLevels, level) }

// catalogEntry is a behavior every new account starts with.
type catalogEntry struct {
	key      string
	behavior Behavior
}

// predefinedBehaviors is the default catalogue. Only the keys seen in real
// API payloads are seeded (docs/api.md#behaviors); risk levels are the observed ones,
// since Cloudflare documents no defaults; all start disabled. Options.Behaviors
// replaces it (see LoadBehaviors), for accounts that have more.
var predefinedBehaviors = []catalogEntry{
	{"imp_travel", Behavior{
		Name:        "Impossible Travel",
		Description: "User has a successful login from two different locations that they could not have traveled between in that period of time.",
		RiskLevel:   riskHigh,
	}},
	{"high_dlp", Behavior{
		Name:        "High Number of DLP Policies Triggered",
		Description: "User has triggered an active DLP profile in a Gateway policy fifteen times or more within one minute.",
		RiskLevel:   riskMedium,
	}},
	{"sentinel_one", Behavior{
		Name:        "SentinelOne Infection Detected",
		Description: "User is signed in on a device where the SentinelOne EDR agent has detected an infection or threat.",
		RiskLevel:   riskMedium,
	}},
}

// catalogueOf turns Options.Behaviors into the seeding order: the default
// catalogue keeps its own order (so seeded users stay what they always
// were), a custom one is sorted by key.
func catalogueOf(m map[string]Behavior) []catalogEntry {
	if m == nil {
		return predefinedBehaviors
	}
	out := make([]catalogEntry, 0, len(m))
	for _, key := range slices.Sorted(maps.Keys(m)) {
		out = append(out, catalogEntry{key, m[key]})
	}
	return out
}

// behaviorMap is a fresh copy of a catalogue, for a new account.
func behaviorMap(cat []catalogEntry) map[string]Behavior {
	m := make(map[string]Behavior, len(cat))
	for _, c := range cat {
		m[c.key] = c.behavior
	}
	return m
}

// behaviorsResult is dlp_Behaviors, also the answer to PUT (docs/api.md#behaviors: the
// API answers with every behavior, name and description included).
type behaviorsResult struct {
	Behaviors map[string]Behavior `json:"behaviors"`
}

func (e *Emulator) getBehaviors(c *call) reply {
	return ok(behaviorsResult{Behaviors: maps.Clone(c.acc.Behaviors)})
}

// putBehaviors merges a partial map: only enabled and risk_level of the
// named keys change. The whole body is validated before anything changes.
func (e *Emulator) putBehaviors(c *call) reply {
	body, rp := parseObject(c.body)
	if rp != nil {
		return *rp
	}
	type update struct {
		enabled bool
		level   string
	}
	updates := map[string]update{}
	if entries, found := body.obj("behaviors", true); found {
		for _, key := range slices.Sorted(maps.Keys(entries.fields)) {
			if _, known := c.acc.Behaviors[key]; !known {
				entries.addf(codeUnknownKey, "Unknown behavior %q: this account has %s",
					key, strings.Join(slices.Sorted(maps.Keys(c.acc.Behaviors)), ", "))
				continue
			}
			entry, isObj := entries.objectValue(key, entries.fields[key])
			if !isObj {
				continue
			}
			enabled, okEnabled := entry.boolean("enabled", true)
			level, okLevel := entry.str("risk_level", true)
			if okLevel {
				okLevel = entry.enum("risk_level", level, riskLevels...)
			}
			if okEnabled && okLevel {
				updates[key] = update{enabled, level}
			}
		}
	}
	if rp := body.failed(); rp != nil {
		return *rp
	}
	c.auditKeys = slices.Sorted(maps.Keys(updates))
	for key, u := range updates {
		b := c.acc.Behaviors[key]
		b.Enabled, b.RiskLevel = u.enabled, u.level
		c.acc.Behaviors[key] = b
	}
	if rp := e.commitLocked(c, record{Op: opBehaviors, Behaviors: c.acc.Behaviors}); rp != nil {
		return *rp
	}
	return ok(behaviorsResult{Behaviors: maps.Clone(c.acc.Behaviors)})
}
