package reconcile

import (
	"context"
	"errors"
	"os"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/riskctl/riskctl/internal/plan"
	"github.com/riskctl/riskctl/internal/remote"
	"github.com/riskctl/riskctl/internal/spec"
)

// The rules that decide a run's Status, tested through the entries Plan,
// Apply and Drift over fake APIs.

// writableAPI is liveAPI that also accepts (or fails) apply's writes.
type writableAPI struct {
	*fakeAPI
	failWrites error
	writes     atomic.Int32
}

func (w *writableAPI) UpdateBehaviors(_ context.Context, changes map[string]remote.BehaviorUpdate) (map[string]remote.Behavior, error) {
	w.writes.Add(1)
	if w.failWrites != nil {
		return nil, w.failWrites
	}
	out := map[string]remote.Behavior{}
	for k, v := range changes {
		out[k] = remote.Behavior{Enabled: v.Enabled, RiskLevel: v.RiskLevel}
	}
	return out, nil
}

func (w *writableAPI) CreateIntegration(_ context.Context, req remote.CreateIntegrationRequest) (remote.Integration, error) {
	w.writes.Add(1)
	if w.failWrites != nil {
		return remote.Integration{}, w.failWrites
	}
	return remote.Integration{ID: "22222222-2222-4222-8222-222222222222", ReferenceID: req.ReferenceID,
		IntegrationType: req.IntegrationType, TenantURL: req.TenantURL, Active: true}, nil
}

// noSettle skips apply's wait for a concurrent create's duplicate: no
// other process writes to a fake.
var noSettle = ExecuteOptions{DuplicateSettle: -1}

func writable(fail error) *writableAPI { return &writableAPI{fakeAPI: liveAPI(), failWrites: fail} }

func connectWritable(apis map[string]*writableAPI) Connect {
	return func(id string) (remote.API, error) {
		if api, ok := apis[id]; ok {
			return api, nil
		}
		return nil, errors.New("no such account")
	}
}

// specPaths writes one spec per account (specFile) and returns the paths.
func specPaths(t *testing.T, prune bool, accounts ...string) []string {
	t.Helper()
	var paths []string
	for _, a := range accounts {
		specFile(t, a, prune)
		paths = append(paths, a[:4]+".yaml")
	}
	return paths
}

func TestWorstIsTheMoreSevere(t *testing.T) {
	for i, a := range Statuses {
		for j, b := range Statuses {
			want := Statuses[max(i, j)]
			if got := Worst(a, b); got != want {
				t.Errorf("Worst(%v, %v) = %v, want %v", a, b, got, want)
			}
		}
	}
	if Statuses[len(Statuses)-1] != StatusError {
		t.Errorf("the most severe status is %v, want error: an error leaves the outcome unknown", Statuses[len(Statuses)-1])
	}
}

// The partial rule, apply's and `users reset`'s: a failure after anything
// landed is partial, whatever failed; with nothing applied the failure's
// own status stands.
func TestStatusOfResults(t *testing.T) {
	for _, tc := range []struct {
		applied int
		failed  Status
		want    Status
	}{
		{0, StatusOK, StatusOK},
		{3, StatusOK, StatusOK},
		{1, StatusError, StatusPartial},
		{2, StatusPartial, StatusPartial},
		{0, StatusError, StatusError},
		{0, StatusPartial, StatusPartial},
	} {
		if got := StatusOfResults(tc.applied, tc.failed); got != tc.want {
			t.Errorf("StatusOfResults(%d, %v) = %v, want %v", tc.applied, tc.failed, got, tc.want)
		}
	}
}

// Apply is partial when anything was applied, in any account, and not
// everything: also when the failing account applied nothing (its own
// status is error).
func TestApplyPartialWhenAnythingApplied(t *testing.T) {
	t.Chdir(t.TempDir())
	apis := map[string]*writableAPI{acctA: writable(nil), acctB: writable(errors.New("HTTP 500"))}
	o := Apply(context.Background(), ApplyOptions{
		Inputs:     Inputs{Files: specPaths(t, false, acctA, acctB), Connect: connectWritable(apis)},
		MaxDeletes: DefaultMaxDeletes,
		Execute:    noSettle,
	})
	if o.Status != StatusPartial {
		t.Fatalf("status = %v (err %v), want partial", o.Status, o.Err)
	}
	if o.Accounts[0].Status != StatusOK || o.Accounts[1].Status != StatusError {
		t.Errorf("account statuses %v, %v; want ok, error", o.Accounts[0].Status, o.Accounts[1].Status)
	}
	if w := o.WorstAccount(); w != o.Accounts[1] {
		t.Errorf("WorstAccount = %v, want account B", w)
	}
}

// Nothing applied anywhere: the run's status is the worst account's.
func TestApplyErrorWhenNothingApplied(t *testing.T) {
	t.Chdir(t.TempDir())
	apis := map[string]*writableAPI{acctA: writable(errors.New("HTTP 500"))}
	o := Apply(context.Background(), ApplyOptions{
		Inputs:     Inputs{Files: specPaths(t, false, acctA), Connect: connectWritable(apis)},
		MaxDeletes: DefaultMaxDeletes,
	})
	if o.Status != StatusError || !o.Executed {
		t.Fatalf("status = %v, executed %t; want error after executing", o.Status, o.Executed)
	}
}

// Over several accounts the worst status wins: an error over an invalid
// spec over success.
func TestPlanWorstAccountWins(t *testing.T) {
	t.Chdir(t.TempDir())
	const acctC = "cccccccccccccccccccccccccccccccc"
	missing := liveAPI()
	missing.behaviors = map[string]remote.Behavior{"other": {}} // the spec's behavior is missing: invalid
	broken := liveAPI()
	broken.failList = errors.New("HTTP 500")
	apis := map[string]*fakeAPI{acctA: liveAPI(), acctB: missing, acctC: broken}
	var calls atomic.Int32
	run := func(accounts ...string) Outcome {
		return Plan(context.Background(), PlanOptions{
			Inputs:     Inputs{Files: specPaths(t, false, accounts...), Connect: connectTo(apis, &calls)},
			MaxDeletes: DefaultMaxDeletes,
		})
	}
	if o := run(acctA, acctB); o.Status != StatusInvalid {
		t.Errorf("ok + missing behavior: %v, want invalid", o.Status)
	}
	o := run(acctA, acctB, acctC)
	if o.Status != StatusError {
		t.Errorf("ok + invalid + error: %v, want error", o.Status)
	}
	if o.WorstAccount() != o.Accounts[2] {
		t.Errorf("WorstAccount is not the failing one")
	}
	if o := run(acctA); o.Status != StatusChanges {
		t.Errorf("one account with changes: %v, want changes", o.Status)
	}
}

// A plan over the delete limit is refused, and not saved.
func TestPlanRefusedOverDeleteLimit(t *testing.T) {
	t.Chdir(t.TempDir())
	var calls atomic.Int32
	o := Plan(context.Background(), PlanOptions{
		Inputs:     Inputs{Files: specPaths(t, true, acctA), Connect: connectTo(map[string]*fakeAPI{acctA: liveAPI()}, &calls)},
		MaxDeletes: 0,
		Out:        "plan.json",
	})
	var limit *DeleteLimitError
	if o.Status != StatusRefused || !errors.As(o.Refusal, &limit) {
		t.Fatalf("status %v, refusal %v; want refused by the delete limit", o.Status, o.Refusal)
	}
	if o.NotSaved == "" || o.Saved != "" {
		t.Errorf("NotSaved %q, Saved %q: want why it was not saved", o.NotSaved, o.Saved)
	}
	if _, err := os.Stat("plan.json"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("plan.json exists: %v", err)
	}
}

// A plan of a failed account is not saved, and says why.
func TestPlanNotSavedWhenAnAccountFailed(t *testing.T) {
	t.Chdir(t.TempDir())
	var calls atomic.Int32
	o := Plan(context.Background(), PlanOptions{
		Inputs:     Inputs{Files: specPaths(t, false, acctA, acctB), Connect: connectTo(map[string]*fakeAPI{acctA: liveAPI()}, &calls)},
		MaxDeletes: DefaultMaxDeletes,
		Out:        "plan.json",
	})
	if o.Status != StatusError || o.NotSaved != "not every account was planned" || o.Saved != "" {
		t.Fatalf("status %v, NotSaved %q, Saved %q", o.Status, o.NotSaved, o.Saved)
	}
}

// Apply refuses over the delete limit before asking.
func TestApplyRefusedOverDeleteLimit(t *testing.T) {
	t.Chdir(t.TempDir())
	api := writable(nil)
	asked := false
	o := Apply(context.Background(), ApplyOptions{
		Inputs:     Inputs{Files: specPaths(t, true, acctA), Connect: connectWritable(map[string]*writableAPI{acctA: api})},
		MaxDeletes: 0,
		Approve:    func(context.Context, *Outcome) (bool, error) { asked = true; return true, nil },
	})
	if o.Status != StatusRefused || !errors.Is(o.Refusal, plan.ErrRefused) || asked || api.writes.Load() != 0 {
		t.Fatalf("status %v, refusal %v, asked %t, %d writes", o.Status, o.Refusal, asked, api.writes.Load())
	}
}

// Approve's answer: no cancels, an error refuses; either way nothing is
// written.
func TestApplyApproval(t *testing.T) {
	for name, tc := range map[string]struct {
		ok   bool
		err  error
		want Status
	}{
		"declined":   {false, nil, StatusCancelled},
		"no one ask": {false, errors.New("stdin is not a terminal"), StatusRefused},
		"approved":   {true, nil, StatusOK},
	} {
		t.Run(name, func(t *testing.T) {
			t.Chdir(t.TempDir())
			api := writable(nil)
			reviewed := 0
			o := Apply(context.Background(), ApplyOptions{
				Inputs:     Inputs{Files: specPaths(t, false, acctA), Connect: connectWritable(map[string]*writableAPI{acctA: api})},
				MaxDeletes: DefaultMaxDeletes,
				Review:     func(*Outcome) error { reviewed++; return nil },
				Approve:    func(context.Context, *Outcome) (bool, error) { return tc.ok, tc.err },
				Execute:    noSettle,
			})
			if o.Status != tc.want || reviewed != 1 {
				t.Fatalf("status %v after %d reviews, want %v after 1", o.Status, reviewed, tc.want)
			}
			if wrote := api.writes.Load() > 0; wrote != (tc.want == StatusOK) || o.Executed != wrote {
				t.Errorf("%d writes, executed %t", api.writes.Load(), o.Executed)
			}
		})
	}
}

// A saved plan is the approval: Approve is not asked.
func TestApplySavedPlanIsTheApproval(t *testing.T) {
	t.Chdir(t.TempDir())
	apis := map[string]*fakeAPI{acctA: liveAPI()}
	var calls atomic.Int32
	if o := Plan(context.Background(), PlanOptions{
		Inputs:         Inputs{Files: specPaths(t, false, acctA), Connect: connectTo(apis, &calls)},
		MaxDeletes:     DefaultMaxDeletes,
		Out:            "plan.json",
		RiskctlVersion: "test",
	}); o.Saved != "plan.json" {
		t.Fatalf("not saved: %v %v %q", o.Status, o.Err, o.NotSaved)
	}
	api := &writableAPI{fakeAPI: apis[acctA]}
	o := Apply(context.Background(), ApplyOptions{
		Inputs:         Inputs{Connect: connectWritable(map[string]*writableAPI{acctA: api})},
		PlanFile:       "plan.json",
		RiskctlVersion: "test",
		MaxDeletes:     DefaultMaxDeletes,
		Approve:        func(context.Context, *Outcome) (bool, error) { t.Error("asked"); return false, nil },
		Execute:        noSettle,
	})
	if o.Status != StatusOK || api.writes.Load() == 0 {
		t.Fatalf("status %v (err %v), %d writes", o.Status, o.Err, api.writes.Load())
	}
}

// A saved plan that cannot be read is invalid input; one that is not a
// plan's, too.
func TestApplyUnreadablePlanFile(t *testing.T) {
	t.Chdir(t.TempDir())
	if err := os.WriteFile("plan.json", []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	o := Apply(context.Background(), ApplyOptions{PlanFile: "plan.json"})
	var usage *UsageError
	if o.Status != StatusInvalid || !errors.As(o.Err, &usage) {
		t.Fatalf("status %v, err %v", o.Status, o.Err)
	}
}

// Specs that do not load: invalid, before any account is asked.
func TestSpecErrorsAreInvalid(t *testing.T) {
	t.Chdir(t.TempDir())
	if err := os.WriteFile("bad.yaml", []byte("version: 1\nnope: 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var calls atomic.Int32
	in := Inputs{Files: []string{"bad.yaml"}, Connect: connectTo(nil, &calls)}
	for name, o := range map[string]Outcome{
		"plan":  Plan(context.Background(), PlanOptions{Inputs: in}),
		"apply": Apply(context.Background(), ApplyOptions{Inputs: in}),
		"drift": Drift(context.Background(), DriftOptions{Inputs: in}),
	} {
		var errs spec.Errors
		if o.Status != StatusInvalid || !errors.As(o.Err, &errs) {
			t.Errorf("%s: status %v, err %v", name, o.Status, o.Err)
		}
	}
	if calls.Load() != 0 {
		t.Errorf("%d connections", calls.Load())
	}
}

func TestDriftStatus(t *testing.T) {
	t.Chdir(t.TempDir())
	var calls atomic.Int32
	o := Drift(context.Background(), DriftOptions{Inputs{Files: specPaths(t, false, acctA), Connect: connectTo(map[string]*fakeAPI{acctA: liveAPI()}, &calls)}})
	if o.Status != StatusChanges {
		t.Errorf("drift: %v, want changes", o.Status)
	}
}

// weakeningSpec writes a spec for acctA that disables imp_travel, which
// live has enabled: a weakening change.
func weakeningSpec(t *testing.T) (paths []string, api *writableAPI) {
	t.Helper()
	src := "version: 1\naccount_id: " + acctA + "\nbehaviors:\n  imp_travel: {enabled: false, risk_level: high}\n"
	if err := os.WriteFile("w.yaml", []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	api = writable(nil)
	api.behaviors = map[string]remote.Behavior{"imp_travel": {Enabled: true, RiskLevel: "high", Name: "Impossible Travel"}}
	return []string{"w.yaml"}, api
}

// Apply refuses a weakening plan before asking, unless ApproveWeakening;
// a "yes" to Approve is not enough. Plan only saves it: its status is
// changes, not refused (the approval belongs to apply).
func TestApplyRefusesWeakeningUnlessApproved(t *testing.T) {
	for _, approved := range []bool{false, true} {
		t.Run(map[bool]string{false: "not approved", true: "approved"}[approved], func(t *testing.T) {
			t.Chdir(t.TempDir())
			paths, api := weakeningSpec(t)
			asked := false
			o := Apply(context.Background(), ApplyOptions{
				Inputs:           Inputs{Files: paths, Connect: connectWritable(map[string]*writableAPI{acctA: api})},
				MaxDeletes:       DefaultMaxDeletes,
				ApproveWeakening: approved,
				Approve:          func(context.Context, *Outcome) (bool, error) { asked = true; return true, nil },
				Execute:          noSettle,
			})
			var weak *WeakeningError
			if approved {
				if o.Status != StatusOK || !asked || api.writes.Load() == 0 {
					t.Fatalf("status %v, refusal %v, asked %t, %d writes", o.Status, o.Refusal, asked, api.writes.Load())
				}
				return
			}
			if o.Status != StatusRefused || !errors.As(o.Refusal, &weak) || asked || api.writes.Load() != 0 {
				t.Fatalf("status %v, refusal %v, asked %t, %d writes", o.Status, o.Refusal, asked, api.writes.Load())
			}
			if !strings.Contains(o.Refusal.Error(), `behavior "imp_travel": disabled — "Impossible Travel" detections stop raising risk scores`) {
				t.Errorf("refusal does not name it: %v", o.Refusal)
			}
		})
	}
}

// A weakening plan is saved (plan's status stays "changes"), carrying
// its classes, and its apply is refused unless this run approves the
// weakening: saving is not approving, and editing the file's classes
// does not approve either.
func TestSavedWeakeningPlanNeedsApproval(t *testing.T) {
	t.Chdir(t.TempDir())
	paths, api := weakeningSpec(t)
	p := Plan(context.Background(), PlanOptions{
		Inputs:         Inputs{Files: paths, Connect: connectWritable(map[string]*writableAPI{acctA: api})},
		MaxDeletes:     DefaultMaxDeletes,
		Out:            "plan.json",
		RiskctlVersion: "test",
	})
	if p.Saved != "plan.json" || p.Status != StatusChanges || p.Refusal != nil {
		t.Fatalf("plan: saved %q, status %v, refusal %v", p.Saved, p.Status, p.Refusal)
	}
	// The file's classes are for readers: edited to "neutral", the apply
	// still derives "weakening" from the plan's values.
	data, err := os.ReadFile("plan.json")
	if err != nil || !strings.Contains(string(data), `"class": "weakening"`) {
		t.Fatalf("the saved plan does not carry the class (%v):\n%s", err, data)
	}
	edited := strings.ReplaceAll(string(data), `"class": "weakening"`, `"class": "neutral"`)
	edited = strings.ReplaceAll(edited, `"weakening": 1`, `"weakening": 0`)
	if err := os.WriteFile("plan.json", []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, approved := range []bool{false, true} {
		o := Apply(context.Background(), ApplyOptions{
			Inputs:           Inputs{Connect: connectWritable(map[string]*writableAPI{acctA: api})},
			PlanFile:         "plan.json",
			RiskctlVersion:   "test",
			MaxDeletes:       DefaultMaxDeletes,
			ApproveWeakening: approved,
			Execute:          noSettle,
		})
		if want := map[bool]Status{false: StatusRefused, true: StatusOK}[approved]; o.Status != want {
			t.Fatalf("approved %t: status %v (refusal %v, err %v), want %v", approved, o.Status, o.Refusal, o.Err, want)
		}
	}
}
