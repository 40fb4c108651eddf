package apply

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/riskctl/riskctl/internal/remote"
)

// fakeAPI is a remote.API that records the order of calls and how many ran
// at once. Only the tests that are about scheduling use it; everything
// about the API's behavior is tested against the emulator.
type fakeAPI struct {
	delay time.Duration // each call takes this long
	// before, if set, runs at the start of every call (outside the lock).
	before func(call string)

	mu          sync.Mutex
	calls       []string
	inflight    int
	maxInflight int
}

var _ remote.API = (*fakeAPI)(nil)

func (f *fakeAPI) enter(ctx context.Context, call string) {
	if f.before != nil {
		f.before(call)
	}
	f.mu.Lock()
	f.calls = append(f.calls, call)
	f.inflight++
	f.maxInflight = max(f.maxInflight, f.inflight)
	f.mu.Unlock()
	select { // a call takes f.delay, or until its context ends
	case <-time.After(f.delay):
	case <-ctx.Done():
	}
}

func (f *fakeAPI) leave() {
	f.mu.Lock()
	f.inflight--
	f.mu.Unlock()
}

func (f *fakeAPI) Calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls...)
}

func (f *fakeAPI) MaxInflight() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.maxInflight
}

var errFakeUnused = errors.New("fake: not used by apply")

func (f *fakeAPI) UpdateBehaviors(ctx context.Context, changes map[string]remote.BehaviorUpdate) (map[string]remote.Behavior, error) {
	f.enter(ctx, "behaviors")
	defer f.leave()
	out := map[string]remote.Behavior{}
	for k, v := range changes {
		out[k] = remote.Behavior{Enabled: v.Enabled, RiskLevel: v.RiskLevel}
	}
	return out, ctx.Err()
}

func (f *fakeAPI) CreateIntegration(ctx context.Context, req remote.CreateIntegrationRequest) (remote.Integration, error) {
	f.enter(ctx, "create "+req.ReferenceID)
	defer f.leave()
	return remote.Integration{
		ID: "id-" + req.ReferenceID, ReferenceID: req.ReferenceID, IntegrationType: req.IntegrationType,
		TenantURL: req.TenantURL, Active: true,
	}, ctx.Err()
}

func (f *fakeAPI) UpdateIntegration(ctx context.Context, id string, req remote.UpdateIntegrationRequest) (remote.Integration, error) {
	f.enter(ctx, "update "+id)
	defer f.leave()
	return remote.Integration{ID: id, ReferenceID: req.ReferenceID, TenantURL: req.TenantURL, Active: req.Active}, ctx.Err()
}

func (f *fakeAPI) DeleteIntegration(ctx context.Context, id string) error {
	f.enter(ctx, "delete "+id)
	defer f.leave()
	return ctx.Err()
}

func (f *fakeAPI) GetIntegrationByReference(ctx context.Context, ref string) (remote.Integration, error) {
	f.enter(ctx, "lookup "+ref)
	defer f.leave()
	return remote.Integration{}, fmt.Errorf("fake lookup %q: %w", ref, remote.ErrNotFound)
}

func (f *fakeAPI) GetBehaviors(context.Context) (map[string]remote.Behavior, error) {
	return nil, errFakeUnused
}

// ListIntegrations shows none, so apply's duplicate check finds nothing.
func (f *fakeAPI) ListIntegrations(context.Context) ([]remote.Integration, error) {
	return nil, nil
}
func (f *fakeAPI) GetIntegration(context.Context, string) (remote.Integration, error) {
	return remote.Integration{}, errFakeUnused
}
func (f *fakeAPI) GetSummary(context.Context) ([]remote.UserRiskInfo, error) {
	return nil, errFakeUnused
}
func (f *fakeAPI) GetUserRisk(context.Context, string) (remote.UserRisk, error) {
	return remote.UserRisk{}, errFakeUnused
}
func (f *fakeAPI) ResetUserRisk(context.Context, string) error { return errFakeUnused }
