package apply

import (
	"context"
	"errors"
	"testing"

	"github.com/riskctl/riskctl/internal/plan"
	"github.com/riskctl/riskctl/internal/state"
)

func TestResultErrAndPartial(t *testing.T) {
	putErr := errors.New("update behaviors: HTTP 400: 1001 bad")
	bad := behaviorChange("high_dlp", state.Behavior{}, state.Behavior{})
	bad.Action = plan.Create // invalid: reported on its own line, not merged with the PUT's error
	r := Result{
		Actions: []ActionResult{
			{Change: behaviorChange("imp_travel", state.Behavior{}, state.Behavior{}), Status: StatusFailed, Err: putErr},
			{Change: behaviorChange("sentinel_one", state.Behavior{}, state.Behavior{}), Status: StatusFailed, Err: putErr},
			{Change: bad, Status: StatusFailed, Err: errors.New("invalid plan change")},
			{Change: createChange("r1", "https://a.okta.com", true), Status: StatusApplied},
			{Change: deleteChange(state.Integration{ID: "abc"}), Status: StatusFailed, Err: errors.New("delete integration \"abc\": HTTP 403")},
			{Change: createChange("r2", "https://a.okta.com", true), Status: StatusSkipped, Err: errors.Join(ErrNotStarted, context.Canceled)},
		},
		Applied: 1, Failed: 4, Skipped: 1,
	}
	want := "apply: 4 of 6 actions failed, 1 skipped\n" +
		"  behaviors imp_travel, sentinel_one: update behaviors: HTTP 400: 1001 bad\n" +
		"  behaviors high_dlp: invalid plan change\n" +
		"  integration (id \"abc\", no reference_id): delete integration \"abc\": HTTP 403\n" +
		"  not started\n    context canceled"
	err := r.Err()
	if err == nil || err.Error() != want {
		t.Errorf("Err() =\n%v\nwant\n%s", err, want)
	}
	if !errors.Is(err, putErr) || !errors.Is(err, context.Canceled) {
		t.Errorf("Err() does not unwrap to its causes")
	}
	if !r.Partial() {
		t.Error("Partial() = false")
	}

	for _, tc := range []struct {
		applied, failed, skipped int
		partial, isErr           bool
	}{
		{0, 0, 0, false, false},
		{3, 0, 0, false, false},
		{2, 1, 0, true, true},
		{2, 0, 1, true, true},
		{0, 2, 0, false, true},
		{0, 0, 2, false, true},
	} {
		r := Result{Applied: tc.applied, Failed: tc.failed, Skipped: tc.skipped}
		if r.Partial() != tc.partial || (r.Err() != nil) != tc.isErr {
			t.Errorf("%d/%d/%d: Partial() = %t, Err() = %v", tc.applied, tc.failed, tc.skipped, r.Partial(), r.Err())
		}
	}
}
