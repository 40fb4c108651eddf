package state

import (
	"slices"
	"testing"
	"time"
)

// Survivor is the one rule every concurrent run must agree on: the
// earliest created, then the lowest id, whatever the order it is given.
func TestSurvivor(t *testing.T) {
	t0 := time.Date(2026, 3, 19, 19, 53, 56, 0, time.UTC)
	ins := []Integration{
		{ID: "c", CreatedAt: t0.Add(time.Second)},
		{ID: "b", CreatedAt: t0},
		{ID: "a", CreatedAt: t0.Add(time.Second)},
		{ID: "d", CreatedAt: t0}, // same second as b: the lower id wins
	}
	for range 4 {
		given := slices.Clone(ins)
		keep, extras := Survivor(given)
		if keep.ID != "b" {
			t.Errorf("Survivor(%v) keeps %s, want b", ids(ins), keep.ID)
		}
		if got := ids(extras); !slices.Equal(got, []string{"d", "a", "c"}) {
			t.Errorf("extras %v, want d a c (oldest first)", got)
		}
		if !slices.Equal(ids(given), ids(ins)) {
			t.Errorf("Survivor reordered its argument: %v", ids(given))
		}
		ins = append(ins[1:], ins[0]) // another order, the same answer
	}
}

func ids(ins []Integration) []string {
	out := make([]string, len(ins))
	for i, in := range ins {
		out[i] = in.ID
	}
	return out
}
