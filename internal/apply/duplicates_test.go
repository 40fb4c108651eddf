package apply

import (
	"context"
	"errors"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/riskctl/riskctl/internal/emulator"
	"github.com/riskctl/riskctl/internal/plan"
	"github.com/riskctl/riskctl/internal/remote"
	"github.com/riskctl/riskctl/internal/state"
)

// The package's tests have no concurrent run to wait for: no settle wait,
// except where a test asks for one.
func TestMain(m *testing.M) {
	defaultDuplicateSettle = -1
	defaultReadLagWindow = -1
	os.Exit(m.Run())
}

// seedAt stores an integration as a concurrent run would have created it,
// at the given time.
func (e *env) seedAt(ref string, at time.Time) emulator.Integration {
	e.t.Helper()
	e.emu.PutIntegration(testAccount, emulator.Integration{
		ReferenceID: ref, IntegrationType: "Okta", TenantURL: "https://acme.okta.com", Active: true, CreatedAt: at,
	})
	got := e.byRef(ref)
	if len(got) != 1 {
		e.t.Fatalf("seeded %q: %d integrations", ref, len(got))
	}
	return got[0]
}

// Another run created the reference_id first: this run deletes its own
// copy, reports the survivor's id, and says so.
func TestCreateYieldsToEarlierCopy(t *testing.T) {
	e := newEnv(t)
	theirs := e.seedAt(refA, time.Now().Add(-time.Hour))
	var out strings.Builder
	r := Execute(context.Background(), e.api, mkPlan(createChange(refA, "https://acme.okta.com", true)), Options{Progress: &out})
	wantCounts(t, r, 1, 0, 0)

	got := e.byRef(refA)
	if len(got) != 1 || got[0].ID != theirs.ID {
		t.Fatalf("integrations with %s = %+v, want only the earlier one %s", refA, got, theirs.ID)
	}
	a := r.Actions[0]
	if a.ID != theirs.ID || !strings.Contains(a.Note, "kept a copy created first (id "+theirs.ID+"); deleted this run's copy") {
		t.Errorf("result id %q note %q; want the survivor's id and a note", a.ID, a.Note)
	}
	// Observed: "another run created reference_id … first", of a copy no
	// run of this test made. The line says what was seen, no more.
	if !strings.Contains(out.String(), "a copy appeared that this run did not create (id "+theirs.ID+"), created first; deleted this run's copy (id ") {
		t.Errorf("progress does not report the duplicate:\n%s", out.String())
	}
	if strings.Contains(out.String()+a.Note, "another run") {
		t.Errorf("progress or note blames another run it did not see:\n%s\nnote: %s", out.String(), a.Note)
	}
	writes := e.writes()
	if len(writes) != 2 || !strings.HasPrefix(writes[0], "POST /integrations 200") || !strings.HasPrefix(writes[1], "DELETE /integrations/") {
		t.Errorf("writes = %q, want the POST, then the DELETE of this run's copy", writes)
	}
}

// Another run created the reference_id first from another spec: this run
// deletes its own copy but does not overwrite the other's values; the
// change fails, naming the difference, so the next plan shows it.
func TestCreateYieldsToEarlierCopyWithOtherValues(t *testing.T) {
	e := newEnv(t)
	theirs := e.seedAt(refA, time.Now().Add(-time.Hour))
	r := Execute(context.Background(), e.api, mkPlan(createChange(refA, "https://other.okta.com", false)), Options{})
	wantCounts(t, r, 0, 1, 0)
	got := e.byRef(refA)
	if len(got) != 1 || got[0].ID != theirs.ID || got[0].TenantURL != "https://acme.okta.com" {
		t.Fatalf("integrations with %s = %+v, want only the other run's, unchanged", refA, got)
	}
	err := r.Actions[0].Err
	if err == nil || !strings.Contains(err.Error(), `tenant_url "https://acme.okta.com", not "https://other.okta.com", active true, not false`) ||
		!strings.Contains(err.Error(), "run riskctl plan") {
		t.Errorf("err = %v, want the differences and what to run", err)
	}
	if r.Actions[0].ID != theirs.ID {
		t.Errorf("result id %q, want the survivor's %s", r.Actions[0].ID, theirs.ID)
	}
}

// This run's copy is the earliest: it is kept, and the other run's copy is
// not touched (its creator deletes it).
func TestCreateKeepsOwnEarlierCopy(t *testing.T) {
	e := newEnv(t)
	theirs := e.seedAt(refA, time.Now().Add(time.Hour))
	r := Execute(context.Background(), e.api, mkPlan(createChange(refA, "https://acme.okta.com", true)), Options{})
	wantCounts(t, r, 1, 0, 0)
	got := e.byRef(refA)
	if len(got) != 2 {
		t.Fatalf("integrations with %s = %+v, want both: another run's copy is not this run's to delete", refA, got)
	}
	if r.Actions[0].ID == theirs.ID {
		t.Errorf("result id is the other run's copy")
	}
	for _, w := range e.writes() {
		if strings.HasPrefix(w, "DELETE") {
			t.Errorf("deleted something: %q", e.writes())
		}
	}
}

// Deleting this run's copy fails: the change fails, naming the way out.
func TestCreateDuplicateDeleteFails(t *testing.T) {
	e := newEnv(t)
	e.seedAt(refA, time.Now().Add(-time.Hour))
	e.emu.InjectFault(emulator.Fault{Method: http.MethodDelete, PathSuffix: "", Status: http.StatusForbidden})
	r := Execute(context.Background(), e.api, mkPlan(createChange(refA, "https://acme.okta.com", true)), Options{})
	wantCounts(t, r, 0, 1, 0)
	if err := r.Actions[0].Err; err == nil || !strings.Contains(err.Error(), "plan with --dedupe") {
		t.Errorf("err = %v, want one naming plan --dedupe", err)
	}
}

// A create settled by finding the reference_id after an ambiguous answer
// may have found another run's copy, and the POST may have made one this
// run never learnt of. Whatever the check deletes, it never deletes the
// survivor (the copy first by created_at, then id): here the unknown copy,
// which the change then ends on.
func TestSurvivorIsNeverDeleted(t *testing.T) {
	now := time.Now()
	f := &ambiguousAPI{fakeAPI: &fakeAPI{}, live: []remote.Integration{
		{ID: "unknown-own", ReferenceID: refA, IntegrationType: "Okta", TenantURL: "https://acme.okta.com", Active: true, CreatedAt: now.Add(-time.Second)},
		{ID: "theirs", ReferenceID: refA, IntegrationType: "Okta", TenantURL: "https://acme.okta.com", Active: true, CreatedAt: now},
	}}
	r := Execute(context.Background(), f, mkPlan(createChange(refA, "https://acme.okta.com", true)), Options{})
	wantCounts(t, r, 1, 0, 0)
	for _, c := range f.Calls() {
		if c == "delete unknown-own" {
			t.Errorf("deleted the survivor: %q", f.Calls())
		}
	}
	if r.Actions[0].ID != "unknown-own" {
		t.Errorf("result id %q, want the survivor", r.Actions[0].ID)
	}
}

// ambiguousAPI answers every create ambiguously; the look-up by
// reference_id finds the last of live, the listing shows all of live.
type ambiguousAPI struct {
	*fakeAPI
	live []remote.Integration
}

func (f *ambiguousAPI) CreateIntegration(ctx context.Context, req remote.CreateIntegrationRequest) (remote.Integration, error) {
	f.enter(ctx, "create "+req.ReferenceID)
	defer f.leave()
	return remote.Integration{}, &remote.AmbiguousError{Op: "create", Err: errors.New("connection reset")}
}

func (f *ambiguousAPI) GetIntegrationByReference(ctx context.Context, ref string) (remote.Integration, error) {
	in := f.live[len(f.live)-1]
	in.IntegrationType, in.TenantURL, in.Active = "Okta", "https://acme.okta.com", true
	return in, nil
}

func (f *ambiguousAPI) ListIntegrations(context.Context) ([]remote.Integration, error) {
	return f.live, nil
}

// The check lists the account only DuplicateSettle after the last create
// was answered: created_at has whole seconds, and a copy created later in
// the same second must be seen.
func TestDuplicateCheckWaitsForTheSecondToPass(t *testing.T) {
	f := &timedAPI{fakeAPI: &fakeAPI{}}
	settle := 300 * time.Millisecond
	Execute(context.Background(), f, mkPlan(creates(3)...), Options{DuplicateSettle: settle})
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.listed.IsZero() {
		t.Fatal("the account was not listed after the creates")
	}
	if gap := f.listed.Sub(f.lastCreate); gap < settle {
		t.Errorf("listed %v after the last create answer, want at least %v", gap, settle)
	}
}

// A failed check does not fail the creates; it says what to run.
func TestDuplicateCheckListFails(t *testing.T) {
	f := &timedAPI{fakeAPI: &fakeAPI{}, listErr: remote.ErrNotFound}
	var out strings.Builder
	r := Execute(context.Background(), f, mkPlan(creates(2)...), Options{Progress: &out})
	wantCounts(t, r, 2, 0, 0)
	if !strings.Contains(out.String(), "could not check for copies (not found); run riskctl plan to see") {
		t.Errorf("progress does not say the check failed:\n%s", out.String())
	}
}

// timedAPI records when the last create answered and when the account was
// listed.
type timedAPI struct {
	*fakeAPI
	listErr error

	mu                 sync.Mutex
	lastCreate, listed time.Time
}

func (f *timedAPI) CreateIntegration(ctx context.Context, req remote.CreateIntegrationRequest) (remote.Integration, error) {
	in, err := f.fakeAPI.CreateIntegration(ctx, req)
	f.mu.Lock()
	f.lastCreate = time.Now()
	f.mu.Unlock()
	return in, err
}

func (f *timedAPI) ListIntegrations(context.Context) ([]remote.Integration, error) {
	f.mu.Lock()
	f.listed = time.Now()
	f.mu.Unlock()
	return nil, f.listErr
}

// A lying server answers a create with the id of an integration that was
// live before the run, and lists it under the new reference_id after an
// older copy: the check must not delete it as "this run's copy", whether
// the plan protects it, names it only as unmanaged, or only Options.Live
// has it; the change fails and names the id.
func TestLyingCreateAnswerDeletesNothingPreexisting(t *testing.T) {
	victim := state.Integration{ID: "victim", ReferenceID: refB, IntegrationType: "Okta", TenantURL: "https://acme.okta.com", Active: true}
	protected := updateChange(victim, "https://acme.okta.com", false)
	protected.Integration.Protect = true
	for _, tc := range []struct {
		name string
		plan plan.Plan
		live []state.Integration
	}{
		{"protected in the plan", mkPlan(protected, createChange(refA, "https://acme.okta.com", true)), nil},
		{"unmanaged in the plan", func() plan.Plan {
			p := mkPlan(createChange(refA, "https://acme.okta.com", true))
			p.UnmanagedIntegrations = []state.Integration{victim}
			return p
		}(), nil},
		{"unchanged, in the live state only", mkPlan(createChange(refA, "https://acme.okta.com", true)), []state.Integration{victim}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &lyingAPI{fakeAPI: &fakeAPI{}, id: victim.ID}
			var out strings.Builder
			r := Execute(context.Background(), f, tc.plan, Options{Live: tc.live, Progress: &out})
			for _, c := range f.Calls() {
				if strings.HasPrefix(c, "delete") {
					t.Fatalf("sent %q: deleted an integration that existed before the run", c)
				}
			}
			a := r.Actions[len(r.Actions)-1]
			want := "a copy appeared that this run did not create (id victim); left alone; plan with --dedupe to resolve"
			if a.Status != StatusFailed || a.Err == nil || !strings.Contains(a.Err.Error(), want) {
				t.Errorf("create: status %v err %v; want failed with %q", a.Status, a.Err, want)
			}
			if !strings.Contains(out.String(), want) {
				t.Errorf("progress does not report it:\n%s", out.String())
			}
		})
	}
}

// Two creates answered with one id: neither may delete it as its own.
func TestOneIdForTwoCreatesIsNotDeleted(t *testing.T) {
	f := &lyingAPI{fakeAPI: &fakeAPI{}, id: "same"}
	r := Execute(context.Background(), f, mkPlan(createChange(refA, "https://acme.okta.com", true), createChange(refB, "https://acme.okta.com", true)), Options{})
	for _, c := range f.Calls() {
		if strings.HasPrefix(c, "delete") {
			t.Fatalf("sent %q", c)
		}
	}
	wantCounts(t, r, 0, 2, 0)
}

// lyingAPI answers every create with id, and lists id under every
// reference_id it was asked to create, after an older copy of each.
type lyingAPI struct {
	*fakeAPI
	id   string
	refs []string
}

func (f *lyingAPI) CreateIntegration(ctx context.Context, req remote.CreateIntegrationRequest) (remote.Integration, error) {
	in, err := f.fakeAPI.CreateIntegration(ctx, req)
	f.mu.Lock()
	f.refs = append(f.refs, req.ReferenceID)
	f.mu.Unlock()
	in.ID = f.id
	return in, err
}

func (f *lyingAPI) ListIntegrations(context.Context) ([]remote.Integration, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	now := time.Now()
	var out []remote.Integration
	for _, ref := range f.refs {
		out = append(out,
			remote.Integration{ID: "older-" + ref, ReferenceID: ref, IntegrationType: "Okta", TenantURL: "https://acme.okta.com", Active: true, CreatedAt: now.Add(-time.Hour)},
			remote.Integration{ID: f.id, ReferenceID: ref, IntegrationType: "Okta", TenantURL: "https://acme.okta.com", Active: true, CreatedAt: now})
	}
	return out, nil
}
