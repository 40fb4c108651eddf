package apply

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/riskctl/riskctl/internal/emulator"
	"github.com/riskctl/riskctl/internal/remote"
	"github.com/riskctl/riskctl/internal/state"
)

// Only a 404 makes a delete "already done": any other failure of a prune
// delete is a failure, reported as such.
func TestPruneDeleteFailureIsNotAlreadyGone(t *testing.T) {
	for _, status := range []int{http.StatusForbidden, http.StatusInternalServerError, http.StatusConflict} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			e := newEnv(t)
			live := e.seed(refA, "Okta", "https://acme.okta.com", true)
			e.emu.InjectFault(emulator.Fault{Method: http.MethodDelete, PathSuffix: "/integrations/" + live.ID, Status: status, RetryAfter: "0"})
			if status >= 500 { // retried: fail every attempt
				for range 5 {
					e.emu.InjectFault(emulator.Fault{Method: http.MethodDelete, PathSuffix: "/integrations/" + live.ID, Status: status, RetryAfter: "0"})
				}
			}
			var out strings.Builder
			r := Execute(context.Background(), e.api, mkPlan(deleteChange(live)), Options{Progress: &out})
			wantCounts(t, r, 0, 1, 0)
			if a := r.Actions[0]; a.Status != StatusFailed || a.Err == nil {
				t.Errorf("action = %+v, want failed", a)
			}
			if strings.Contains(out.String(), "already gone") {
				t.Errorf("a %d was reported as already gone: %s", status, out.String())
			}
			if len(e.emu.Integrations(testAccount)) != 1 {
				t.Errorf("the integration is gone although the delete failed")
			}
		})
	}
}

// wrongBehaviors answers the behaviors PUT with other values than were
// sent, as a server that ignored the write would.
type wrongBehaviors struct{ remote.API }

func (w wrongBehaviors) UpdateBehaviors(ctx context.Context, b map[string]remote.BehaviorUpdate) (map[string]remote.Behavior, error) {
	got, err := w.API.UpdateBehaviors(ctx, b)
	for k, v := range got {
		v.Enabled = !v.Enabled
		got[k] = v
	}
	return got, err
}

// The behaviors PUT answer is checked: a key it shows must show what was
// sent, else the update failed.
func TestBehaviorsPutAnswerIsChecked(t *testing.T) {
	e := newEnv(t)
	p := mkPlan(behaviorChange("imp_travel",
		state.Behavior{Enabled: false, RiskLevel: "high"},
		state.Behavior{Enabled: true, RiskLevel: "low"}))
	r := Execute(context.Background(), wrongBehaviors{e.api}, p, Options{})
	wantCounts(t, r, 0, 1, 0)
	if err := r.Err(); err == nil || !strings.Contains(err.Error(), "imp_travel") {
		t.Errorf("Err() = %v, want the wrong answer named", err)
	}
}
