package plan

import (
	"maps"
	"slices"
	"testing"

	"github.com/riskctl/riskctl/internal/state"
)

// BenchmarkCompute10000 plans an account with 10,000 integrations, far
// beyond a real one. Target: ≤ 25 ms and ≤ 32 MiB allocated per plan
// (BENCHMARKS.md).
// "tenth-differ" is benchAccounts' mix (1,000 updates and a behavior);
// "in-sync" is the usual plan, with nothing to change.
func BenchmarkCompute10000(b *testing.B) {
	desired, live := benchAccounts(10000)
	inSyncDesired, inSyncLive := inSync(desired, live)
	for _, c := range []struct {
		name          string
		desired, live state.Account
	}{
		{"tenth-differ", desired, live},
		{"in-sync", inSyncDesired, inSyncLive},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Compute(c.desired, c.live); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// inSync returns a copy of benchAccounts' pair in which live matches
// desired: the same integrations (with live's ids) and only the behavior
// that already agrees.
func inSync(desired, live state.Account) (state.Account, state.Account) {
	d := desired
	d.Behaviors = map[string]state.Behavior{"high_dlp": desired.Behaviors["high_dlp"]}
	l := live
	l.Behaviors = maps.Clone(live.Behaviors)
	l.Integrations = slices.Clone(desired.Integrations)
	for i := range l.Integrations {
		l.Integrations[i].ID = live.Integrations[i].ID
	}
	return d, l
}

// TestInSyncBenchAccounts checks that the in-sync benchmark plans nothing.
func TestInSyncBenchAccounts(t *testing.T) {
	desired, live := inSync(benchAccounts(100))
	p, err := Compute(desired, live)
	if err != nil {
		t.Fatal(err)
	}
	if p.HasChanges() {
		t.Errorf("in-sync accounts plan %d changes: %+v", len(p.Changes), p.Changes)
	}
}
