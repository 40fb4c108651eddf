package remote

import (
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Rate-limit headers (docs/api.md#rate-limits)
//
// Every Cloudflare answer carries the IETF-draft pair
//
//	Ratelimit:        "default";r=1199;t=1    (remaining r, seconds to reset t)
//	Ratelimit-Policy: "default";q=1200;w=300  (quota q per window w seconds)
//
// and older answers the x-ratelimit-limit / -remaining / -reset family, the
// reset an RFC 1123 date. parseLimits reads the new pair first and falls
// back to the old family field by field. The syntax is a structured-field
// list, read leniently: quoted or bare names, spaces anywhere, several
// members (the most restrictive, lowest r, is followed), decimals, unknown
// parameters ignored. Anything it cannot make sense of is ignored: a bad
// header never fails a request, it just teaches the budget nothing.

// limits is what one answer announced. Zero fields were not announced.
type limits struct {
	quota  int           // q: requests per window
	window time.Duration // w

	remaining    int // r: requests left
	hasRemaining bool
	reset        time.Duration // t: until the quota is whole again
	hasReset     bool
}

// Bounds past which a header value is treated as nonsense and ignored.
const (
	maxHeaderQuota   = 1_000_000_000
	maxHeaderSeconds = 24 * 60 * 60
	maxHeaderBytes   = 4096
	maxHeaderMembers = 32
)

// parseLimits reads the rate-limit headers of an answer received at now.
func parseLimits(h http.Header, now time.Time) limits {
	var l limits
	if it, ok := pickLimit(parseSFList(h.Values("Ratelimit"))); ok {
		if r, ok := sfCount(it.params["r"]); ok {
			l.remaining, l.hasRemaining = r, true
			if t, ok := sfSeconds(it.params["t"]); ok {
				l.reset, l.hasReset = t, true
			}
		}
		if p, ok := pickPolicy(parseSFList(h.Values("Ratelimit-Policy")), it.name); ok {
			l.quota, _ = sfCount(p.params["q"])
			l.window, _ = sfSeconds(p.params["w"])
		}
	} else if p, ok := pickPolicy(parseSFList(h.Values("Ratelimit-Policy")), "default"); ok {
		l.quota, _ = sfCount(p.params["q"])
		l.window, _ = sfSeconds(p.params["w"])
	}

	// The older family, for whatever the new pair did not say.
	if !l.hasRemaining {
		if r, ok := leadingCount(h.Get("X-Ratelimit-Remaining")); ok {
			l.remaining, l.hasRemaining = r, true
		}
	}
	if !l.hasReset && l.hasRemaining {
		if t, ok := parseReset(h.Get("X-Ratelimit-Reset"), serverNow(h, now)); ok {
			l.reset, l.hasReset = t, true
		}
	}
	if l.quota == 0 {
		// "1200", or "1200, 1200;w=300" as some drafts wrote it.
		members := parseSFList(h.Values("X-Ratelimit-Limit"))
		if len(members) > 0 {
			if q, ok := sfCount(members[0].name); ok && q > 0 {
				l.quota = q
				for _, m := range members {
					if w, ok := sfSeconds(m.params["w"]); ok && l.window == 0 && m.name == members[0].name {
						l.window = w
					}
				}
			}
		}
	}
	if l.quota < 0 || (l.quota == 0 && l.window != 0) {
		l.quota, l.window = 0, 0
	}
	return l
}

// sfItem is one member of a structured-field list: a name (a string or a
// token; a number for x-ratelimit-limit) and its parameters, keys lower-cased.
type sfItem struct {
	name   string
	params map[string]string
}

// parseSFList splits header lines into list members, commas and semicolons
// inside quoted strings left alone. Members without a usable shape are
// dropped.
func parseSFList(values []string) []sfItem {
	joined := strings.Join(values, ",")
	if len(joined) > maxHeaderBytes {
		return nil
	}
	var out []sfItem
	for _, member := range splitOutsideQuotes(joined, ',') {
		if len(out) == maxHeaderMembers {
			break
		}
		parts := splitOutsideQuotes(member, ';')
		name := unquote(strings.TrimSpace(parts[0]))
		it := sfItem{name: name, params: map[string]string{}}
		for _, p := range parts[1:] {
			k, v, _ := strings.Cut(p, "=")
			k = strings.ToLower(strings.TrimSpace(k))
			if k == "" {
				continue
			}
			if _, dup := it.params[k]; !dup { // the first wins
				it.params[k] = unquote(strings.TrimSpace(v))
			}
		}
		if name == "" && len(it.params) == 0 {
			continue
		}
		out = append(out, it)
	}
	return out
}

// splitOutsideQuotes splits s at sep, except inside "…" (with \-escapes).
func splitOutsideQuotes(s string, sep byte) []string {
	var parts []string
	start, quoted := 0, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case quoted && c == '\\':
			i++
		case c == '"':
			quoted = !quoted
		case !quoted && c == sep:
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	return append(parts, s[start:])
}

// unquote strips a structured-field string's quotes and escapes; anything
// else is returned as it is.
func unquote(s string) string {
	if len(s) < 2 || s[0] != '"' || s[len(s)-1] != '"' {
		return s
	}
	s = s[1 : len(s)-1]
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// pickLimit chooses, among the Ratelimit members, the most restrictive one
// (lowest usable r), preferring "default" on a tie.
func pickLimit(items []sfItem) (sfItem, bool) {
	best, found, bestR := sfItem{}, false, 0
	for _, it := range items {
		r, ok := sfCount(it.params["r"])
		if !ok {
			continue
		}
		if !found || r < bestR || (r == bestR && it.name == "default" && best.name != "default") {
			best, found, bestR = it, true, r
		}
	}
	return best, found
}

// pickPolicy chooses the Ratelimit-Policy member named name, else the one
// named "default", else the first with a usable q.
func pickPolicy(items []sfItem, name string) (sfItem, bool) {
	var first, dflt *sfItem
	for i := range items {
		it := &items[i]
		if _, ok := sfCount(it.params["q"]); !ok {
			continue
		}
		if it.name == name {
			return *it, true
		}
		if it.name == "default" && dflt == nil {
			dflt = it
		}
		if first == nil {
			first = it
		}
	}
	switch {
	case dflt != nil:
		return *dflt, true
	case first != nil:
		return *first, true
	}
	return sfItem{}, false
}

// sfNumber reads a structured-field integer or decimal: finite, >= 0, and
// no larger than limit.
func sfNumber(s string, limit float64) (float64, bool) {
	s = strings.TrimSpace(s)
	if s == "" || strings.ContainsAny(s, "_xXpPeEiInN") { // no hex, exponents, inf, nan
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || f < 0 || f > limit {
		return 0, false
	}
	return f, true
}

// sfCount reads a request count (rounded down).
func sfCount(s string) (int, bool) {
	f, ok := sfNumber(s, maxHeaderQuota)
	return int(f), ok
}

// sfSeconds reads a number of seconds as a duration.
func sfSeconds(s string) (time.Duration, bool) {
	f, ok := sfNumber(s, maxHeaderSeconds)
	return time.Duration(f * float64(time.Second)), ok
}

// leadingCount reads the leading integer of a header such as
// x-ratelimit-remaining ("17", or "17, 3;w=1" from drafts with a list).
func leadingCount(v string) (int, bool) {
	members := parseSFList([]string{v})
	if len(members) == 0 {
		return 0, false
	}
	return sfCount(members[0].name)
}

// parseReset reads x-ratelimit-reset: an HTTP date (what Cloudflare sent),
// else Unix seconds, else seconds from now. It returns the time left.
func parseReset(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if at, err := http.ParseTime(v); err == nil {
		return clampReset(at.Sub(now))
	}
	f, ok := sfNumber(v, math.MaxInt32)
	if !ok {
		return 0, false
	}
	if f >= 1e9 { // Unix seconds (2001 or later)
		return clampReset(time.Unix(int64(f), 0).Sub(now))
	}
	return clampReset(time.Duration(f * float64(time.Second)))
}

func clampReset(d time.Duration) (time.Duration, bool) {
	if d > maxHeaderSeconds*time.Second {
		return 0, false
	}
	return max(d, 0), true
}

// serverNow is the answer's Date, so that a reset date is read against the
// server's clock rather than ours; now when there is none.
func serverNow(h http.Header, now time.Time) time.Time {
	if t, err := http.ParseTime(h.Get("Date")); err == nil {
		return t
	}
	return now
}
