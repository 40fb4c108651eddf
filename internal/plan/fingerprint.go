package plan

import (
	"crypto/sha256"
	"encoding/hex"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/riskctl/riskctl/internal/state"
)

// fingerprintVersion is part of the hashed form, so that a change to that
// form makes every older saved plan stale rather than falsely fresh.
const fingerprintVersion = 1

// The fields a fingerprint covers (state.Field.Fingerprinted), in table
// order.
var (
	behaviorFingerprinted    = state.FieldsOf(state.KindBehavior, isFingerprinted)
	integrationFingerprinted = state.FieldsOf(state.KindIntegration, isFingerprinted)
)

func isFingerprinted(f state.Field) bool { return f.Fingerprinted }

// Fingerprint digests the live state a plan depends on: every behavior's
// key and fingerprinted fields (enabled, risk_level; by key) and every
// integration's fingerprinted fields (id, reference_id, integration_type,
// tenant_url, active; by id), as the hex SHA-256 of a canonical JSON form:
//
//	{"version":1,"behaviors":[{"key":…,"enabled":…,…}],"integrations":[{"id":…,…}]}
//
// with members in table order and strings as json.Marshal writes them
// (<, > and & escaped), as the form has always been hashed.
// Values are hashed as fetched, not canonicalised: any write to them makes
// a saved plan stale. Computed fields that no plan reads (names,
// created_at, ...) are left out, and so is the order the API listed things
// in.
func Fingerprint(live state.Account) string {
	b := make([]byte, 0, 64+160*(len(live.Behaviors)+len(live.Integrations)))
	b = append(b, `{"version":`...)
	b = strconv.AppendInt(b, fingerprintVersion, 10)
	b = append(b, `,"behaviors":[`...)
	for i, key := range slices.Sorted(maps.Keys(live.Behaviors)) {
		if i > 0 {
			b = append(b, ',')
		}
		behavior := live.Behaviors[key]
		b = append(b, `{"key":`...)
		b = state.AppendJSONString(b, key, true)
		for _, f := range behaviorFingerprinted {
			b = state.AppendJSONHTML(b, f, &behavior)
		}
		b = append(b, '}')
	}
	b = append(b, `],"integrations":[`...)
	// Sort on every field, in table order, so that even (impossible) equal
	// ids give one order; a boolean's text sorts false before true. The
	// first field's text is read once per integration.
	ins := live.Integrations
	type entry struct {
		first string
		i     int
	}
	order := make([]entry, len(ins))
	for i := range ins {
		order[i] = entry{state.Text(integrationFingerprinted[0], &ins[i]), i}
	}
	slices.SortFunc(order, func(x, y entry) int {
		if c := strings.Compare(x.first, y.first); c != 0 {
			return c
		}
		for _, f := range integrationFingerprinted[1:] {
			if c := strings.Compare(state.Text(f, &ins[x.i]), state.Text(f, &ins[y.i])); c != 0 {
				return c
			}
		}
		return 0
	})
	for n, e := range order {
		i := e.i
		if n > 0 {
			b = append(b, ',')
		}
		b = append(b, '{')
		for _, f := range integrationFingerprinted {
			b = state.AppendJSONHTML(b, f, &ins[i])
		}
		b = append(b, '}')
	}
	b = append(b, "]}"...)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
