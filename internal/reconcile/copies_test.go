package reconcile

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/riskctl/riskctl/internal/plan"
	"github.com/riskctl/riskctl/internal/planfile"
	"github.com/riskctl/riskctl/internal/remote"
	"github.com/riskctl/riskctl/internal/spec"
)

// The spec's idp-new (specFile) three times live: n1 kept, n2 and n3
// extras, each created by the entry copyCreate gives it.
const (
	copyN1 = "n1000000-0000-4000-8000-000000000001"
	copyN2 = "n2000000-0000-4000-8000-000000000002"
	copyN3 = "n3000000-0000-4000-8000-000000000003"
)

func copiesAPI(agents map[string]string) *auditAPI {
	live := liveAPI()
	live.behaviors["imp_travel"] = remote.Behavior{Enabled: true, RiskLevel: "high"}
	live.list = nil
	now := time.Now().UTC().Truncate(time.Second)
	api := &auditAPI{fakeAPI: live}
	for i, id := range []string{copyN1, copyN2, copyN3} {
		created := now.Add(time.Duration(i-10) * time.Minute)
		live.list = append(live.list, remote.Integration{ID: id, ReferenceID: "idp-new", IntegrationType: "Okta",
			TenantURL: "https://new.okta.com", Active: true, CreatedAt: created})
		api.entries = append(api.entries, copyCreate(id, agents[id], created))
	}
	return api
}

func copyCreate(id, agent string, at time.Time) remote.AuditEntry {
	return remote.AuditEntry{ID: "create-" + id, Time: at, Action: "create", Result: "success", Method: "POST",
		URI: "/client/v4/accounts/" + acctA + "/zt_risk_scoring/integrations", UserAgent: agent, StatusCode: 200, ResourceID: id}
}

func planCopies(t *testing.T, api remote.API, window time.Duration) *Account {
	t.Helper()
	in := Inputs{Connect: func(string) (remote.API, error) { return api, nil }, NoAccess: true, Audit: AuditOptions{Window: window}}
	return planAccountsWith(context.Background(), []*spec.File{specFile(t, acctA, false)}, in, plan.Options{})[0]
}

var allRiskctl = map[string]string{copyN1: "riskctl/1.4.0", copyN2: "riskctl/1.4.0", copyN3: "riskctl/1.4.1"}

func deletedIDs(p plan.Plan) []string {
	var ids []string
	for _, c := range p.Changes {
		if c.Action == plan.Delete {
			ids = append(ids, c.Integration.Before.ID)
		}
	}
	return ids
}

// Copies whose creates riskctl sent are deleted without --dedupe, the
// earliest kept; one read of the audit log serves the proof and
// attribution (imp_travel drifted here).
func TestProvenCopiesPlanDeletes(t *testing.T) {
	t.Chdir(t.TempDir())
	api := copiesAPI(allRiskctl)
	api.behaviors["imp_travel"] = remote.Behavior{Enabled: false, RiskLevel: "high"}
	a := planCopies(t, api, 7*24*time.Hour)
	if a.Err != nil {
		t.Fatal(a.Err)
	}
	if got := strings.Join(deletedIDs(a.Plan), ","); got != copyN2+","+copyN3 {
		t.Errorf("deletes %s, want n2 and n3", got)
	}
	for _, c := range a.Plan.Changes {
		if c.Action == plan.Delete && !strings.Contains(c.Reason, `a copy riskctl created (audit log: POST by "riskctl/1.4.`) {
			t.Errorf("reason %q", c.Reason)
		}
	}
	if n := api.calls.Load(); n != 1 {
		t.Errorf("%d audit-log reads, want 1", n)
	}
	if w := api.query.Before.Sub(api.query.Since); w != CopyProofWindow {
		t.Errorf("read window %v, want %v (the longer of the two)", w, CopyProofWindow)
	}
	if a.AuditNote != "" || a.Attribution[changeIndex(t, a, "imp_travel")].Unknown == "" {
		t.Errorf("attribution %+v, note %q; want imp_travel's looked up", a.Attribution, a.AuditNote)
	}
}

// A copy another client created (httpdo's browser, Terraform) is never
// deleted without --dedupe: the plan is refused and says which and why.
func TestUnprovenCopyRefuses(t *testing.T) {
	t.Chdir(t.TempDir())
	agents := map[string]string{copyN1: "riskctl/1.4.0", copyN2: "riskctl/1.4.0", copyN3: "Mozilla/5.0 \x1b[2J"}
	a := planCopies(t, copiesAPI(agents), 0)
	var dup *plan.DuplicateReferenceError
	if !errors.As(a.Err, &dup) || a.Status != StatusRefused {
		t.Fatalf("err %v, status %v; want the duplicate refusal", a.Err, a.Status)
	}
	want := fmt.Sprintf(`copy %s: created by another client (user agent "Mozilla/5.0 \u001B[2J")`, copyN3)
	if msg := a.Err.Error(); !strings.Contains(msg, want) || strings.Contains(msg, "copy "+copyN2) {
		t.Errorf("error:\n%s\nwant it to name n3 only: %s", msg, want)
	}
}

// No create in the log, a failed create, a later write by someone else:
// none proves the copy riskctl's.
func TestCopyOriginRules(t *testing.T) {
	t.Chdir(t.TempDir())
	tests := map[string]struct {
		edit func(api *auditAPI)
		want string
	}{
		"no entry":      {func(api *auditAPI) { api.entries = api.entries[:2] }, "no create of it by riskctl in the audit log of the last 30 days"},
		"failed create": {func(api *auditAPI) { api.entries[2].Result = "failure" }, "no create of it by riskctl"},
		"too old":       {func(api *auditAPI) { api.entries[2].Time = time.Now().Add(-CopyProofWindow - time.Hour) }, "no create of it by riskctl"},
		"changed since": {func(api *auditAPI) {
			api.entries = append(api.entries, remote.AuditEntry{Time: time.Now(), Action: "update", Result: "success", Method: "PUT",
				URI: "/client/v4/accounts/" + acctA + "/zt_risk_scoring/integrations/" + copyN3, UserAgent: "terraform/1.11", StatusCode: 200})
		}, `changed since by another client (user agent "terraform/1.11")`},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			api := copiesAPI(allRiskctl)
			tt.edit(api)
			a := planCopies(t, api, 0)
			if a.Err == nil || !strings.Contains(a.Err.Error(), "copy "+copyN3+": "+tt.want) {
				t.Errorf("err = %v; want copy n3: %s", a.Err, tt.want)
			}
		})
	}
}

// An audit log that cannot be read deletes nothing: the refusal says the
// copies' origin is unknown.
func TestCopiesUnknownWhenAuditUnreadable(t *testing.T) {
	t.Chdir(t.TempDir())
	for name, err := range map[string]error{
		"forbidden": fmt.Errorf("%w: %w", remote.ErrNoAuditRead, remote.ErrForbidden),
		"failed":    errors.New("read audit log: HTTP 500"),
	} {
		t.Run(name, func(t *testing.T) {
			api := copiesAPI(allRiskctl)
			api.err = err
			a := planCopies(t, api, 0)
			if a.Status != StatusRefused || a.Err == nil || !strings.Contains(a.Err.Error(), "the audit log could not be read, so the copies' origin is unknown") {
				t.Errorf("status %v, err %v", a.Status, a.Err)
			}
		})
	}
	// A client that cannot read the log at all.
	a := planCopies(t, copiesAPI(allRiskctl).fakeAPI, 0)
	if a.Err == nil || !strings.Contains(a.Err.Error(), "origin is unknown (this client cannot read the audit log)") {
		t.Errorf("err %v", a.Err)
	}
}

// A saved plan with proven deletes applies: the proof is made again from
// the audit log, never taken from the file, and only for the copies the
// reviewed plan deletes.
func TestSavedPlanProvenCopies(t *testing.T) {
	t.Chdir(t.TempDir())
	api := copiesAPI(allRiskctl)
	files := []*spec.File{specFile(t, acctA, false)}
	target, err := prepareSave("plan.json", files)
	if err != nil {
		t.Fatal(err)
	}
	connect := func(string) (remote.API, error) { return api, nil }
	accounts := planAccountsWith(context.Background(), files, Inputs{Connect: connect, NoAccess: true}, plan.Options{})
	if accounts[0].Err != nil {
		t.Fatal(accounts[0].Err)
	}
	if err := savePlan(target, accounts, saveOptions{RiskctlVersion: "test"}); err != nil {
		t.Fatal(err)
	}
	f, err := planfile.Read("plan.json")
	if err != nil {
		t.Fatal(err)
	}
	load := func(f planfile.File) error {
		_, err := loadSaved(context.Background(), f, loadOptions{Connect: connect, RiskctlVersion: "test"})
		return err
	}
	if err := load(f); err != nil {
		t.Fatalf("the saved plan: %v", err)
	}

	// The reviewed plan deleted only n2 (edited to drop n3's delete): n3
	// was in its live state and kept, so it is not removed now.
	edited := f
	edited.Accounts = []planfile.Account{f.Accounts[0]}
	var kept []plan.Change
	for _, c := range f.Accounts[0].Plan.Changes {
		if c.Action != plan.Delete || c.Integration.Before.ID != copyN3 {
			kept = append(kept, c)
		}
	}
	edited.Accounts[0].Plan.Changes = kept
	if err := load(edited); err == nil || !strings.Contains(err.Error(), "copy "+copyN3+": in the reviewed plan's live state, and the reviewed plan does not delete it") {
		t.Errorf("n3's delete dropped from the file: %v", err)
	}

	// The log no longer proves n3 (another client's create): refused.
	api.entries[2].UserAgent = "curl/8"
	if err := load(f); err == nil || !strings.Contains(err.Error(), "copy "+copyN3+": created by another client") {
		t.Errorf("n3 unproven at apply: %v", err)
	}
}
