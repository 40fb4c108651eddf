package spec_test

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/riskctl/riskctl/internal/spec"
	"github.com/riskctl/riskctl/internal/state"
)

// write is Write's output, with the integrations made into a spec batch at
// a time; for a refusal, the objects it names. (Its reasons may differ:
// Parse adds a "duplicate reference_id" only when both copies are in one
// batch, and Write's own reason for them is there in any case.)
func write(live state.Account, batch int) string {
	defer spec.SetExportBatch(batch)()
	var out bytes.Buffer
	err := spec.Write(&out, live)
	if err == nil {
		return out.String()
	}
	var ue *spec.UnexpressibleError
	if !errors.As(err, &ue) || out.Len() != 0 {
		return fmt.Sprintf("wrote %q and failed: %v", out.String(), err)
	}
	named := "refused:"
	for _, p := range ue.Problems {
		if !strings.HasSuffix(named, "\n"+p.Object) {
			named += "\n" + p.Object
		}
	}
	return named
}

// TestWriteBatchesJoinAsWhole: Write makes the spec a few integrations at a
// time (bounded memory, BENCHMARKS.md); whatever the batch size, its output
// is the one of the spec made whole, and its refusal names the same
// objects.
func TestWriteBatchesJoinAsWhole(t *testing.T) {
	r := rand.New(rand.NewPCG(20261207, 9))
	n := 1500
	if testing.Short() {
		n = 150
	}
	o := &rtOracle{t: t, cache: map[string]bool{}}
	joined := 0 // specs written in more than three batches of one
	for i := range n {
		live := genState(r, o).live
		// Long enough lists that batches join, with one value that
		// wraps (the encoder folds plain text past 80 columns).
		for j := range r.IntN(6) {
			live.Integrations = append(live.Integrations, state.Integration{
				ReferenceID:     fmt.Sprintf("ref %02d of a reference id long enough to be folded by the encoder at column eighty", j),
				IntegrationType: "Okta", TenantURL: "https://c.okta.com/", Active: j%2 == 0, ID: fmt.Sprintf("extra-%d", j),
			})
		}
		whole := write(live, math.MaxInt)
		if !strings.HasPrefix(whole, "refused:") && strings.Count(whole, "\n  - ") > 3 {
			joined++
		}
		for _, batch := range []int{1, 2, 3} {
			if got := write(live, batch); got != whole {
				t.Fatalf("state %d, batches of %d:\n%s\nwhole:\n%s\n%#v", i, batch, got, whole, live)
			}
		}
	}
	if joined < n/10 {
		t.Errorf("only %d of %d specs were written in more than three batches: the test checks too little", joined, n)
	}
	t.Logf("%d of %d specs written in more than three batches", joined, n)
}
