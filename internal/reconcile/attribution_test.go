package reconcile

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/riskctl/riskctl/internal/plan"
	"github.com/riskctl/riskctl/internal/remote"
	"github.com/riskctl/riskctl/internal/spec"
)

// auditAPI is a fakeAPI that also reads the audit log: fixed entries or
// an error, and the query it was asked.
type auditAPI struct {
	*fakeAPI
	entries []remote.AuditEntry
	err     error
	calls   atomic.Int32
	query   remote.AuditQuery
}

var _ remote.AuditReader = (*auditAPI)(nil)

func (f *auditAPI) ListAuditLogs(ctx context.Context, q remote.AuditQuery) (remote.AuditLog, error) {
	f.calls.Add(1)
	f.query = q
	return remote.AuditLog{Entries: f.entries, Pages: 1}, f.err
}

var auditNow = time.Date(2026, 12, 7, 3, 0, 0, 0, time.UTC)

func planAudited(t *testing.T, ctx context.Context, api remote.API, f *spec.File, window time.Duration) *Account {
	t.Helper()
	connect := func(string) (remote.API, error) { return api, nil }
	in := Inputs{Connect: connect, NoAccess: true, Audit: AuditOptions{Window: window, Now: func() time.Time { return auditNow }}}
	a := planAccountsWith(ctx, []*spec.File{f}, in, plan.Options{})[0]
	if a.Err != nil {
		t.Fatalf("plan: %v", a.Err)
	}
	return a
}

// changeIndex finds the change of key in a's plan.
func changeIndex(t *testing.T, a *Account, key string) int {
	t.Helper()
	for i, c := range a.Plan.Changes {
		if c.Key == key {
			return i
		}
	}
	t.Fatalf("no change of %q in %+v", key, a.Plan.Changes)
	return -1
}

const oldID = "11111111-1111-4111-8111-111111111111"

func behaviorsPUT(id, email string, at time.Time) remote.AuditEntry {
	return remote.AuditEntry{ID: id, Time: at, Action: "update", Result: "success", ActorEmail: email, ActorType: "user",
		ActorContext: "dash", Method: "PUT", URI: "/client/v4/accounts/" + acctA + "/zt_risk_scoring/behaviors",
		RayID: "ray-" + id, UserAgent: "Mozilla/5.0", StatusCode: 200, BehaviorKeys: []string{"imp_travel"}}
}

// The spec wants imp_travel enabled at high and prunes idp-old: both are
// attributed to the latest entries that touched them; riskctl's own
// writes (recorded by this run, or sent with its User-Agent), failed
// writes and writes of other objects are never blamed.
func TestAttributionNamesWhoChangedIt(t *testing.T) {
	t.Chdir(t.TempDir())
	at := func(h int) time.Time { return auditNow.Add(-time.Duration(h) * time.Hour) }
	ownByUA := behaviorsPUT("by-riskctl", "ci@example.com", at(1))
	ownByUA.UserAgent = "riskctl/1.4.0"
	ownRecorded := behaviorsPUT("recorded", "ci@example.com", at(2))
	ownRecorded.UserAgent = "curl/8" // not riskctl's agent: only the record says it is ours
	failedPUT := behaviorsPUT("failed", "mallory@example.com", at(3))
	failedPUT.Result = "failure"
	otherKey := behaviorsPUT("other-key", "carol@example.com", at(4))
	otherKey.BehaviorKeys = []string{"high_dlp"}
	created := remote.AuditEntry{ID: "create", Time: at(48), Action: "create", ActorTokenName: "terraform", ActorType: "account",
		ActorContext: "api_token", Method: "POST", URI: "/client/v4/accounts/" + acctA + "/zt_risk_scoring/integrations",
		RayID: "ray-create", ResourceID: oldID, StatusCode: 200}
	touched := remote.AuditEntry{ID: "put-int", Time: at(6), Action: "update", ActorEmail: "dave@example.com", ActorContext: "api_key",
		Method: "PUT", URI: "/client/v4/accounts/" + acctA + "/zt_risk_scoring/integrations/" + oldID, StatusCode: 200}
	api := &auditAPI{fakeAPI: liveAPI(), entries: []remote.AuditEntry{
		ownByUA, ownRecorded, failedPUT, otherKey,
		behaviorsPUT("alice", "alice@example.com", at(5)), touched,
		behaviorsPUT("bob", "bob@example.com", at(30)), created,
	}}
	ctx, _ := remote.WithWriteRecord(context.Background())
	recordWrite(ctx, "recorded")
	a := planAudited(t, ctx, api, specFile(t, acctA, true), DefaultAuditWindow)

	if a.AuditNote != "" {
		t.Fatalf("note %q", a.AuditNote)
	}
	if api.query.Before.Sub(api.query.Since) != DefaultAuditWindow || api.query.Before.Before(auditNow) {
		t.Errorf("window %v to %v", api.query.Since, api.query.Before)
	}
	b := a.Attribution[changeIndex(t, a, "imp_travel")]
	if got := emails(b.ChangedBy); got != "alice@example.com,bob@example.com" || b.Unknown != "" {
		t.Errorf("imp_travel changed by %s (unknown %q); want alice, then bob", got, b.Unknown)
	}
	if c := b.ChangedBy[0]; c.ActorContext != "dash" || c.Action != "update" || c.RayID != "ray-alice" || !c.Time.Equal(at(5)) {
		t.Errorf("alice's entry = %+v", c)
	}
	i := a.Attribution[changeIndex(t, a, "idp-old")]
	if len(i.ChangedBy) != 2 || i.ChangedBy[0].ActorEmail != "dave@example.com" || i.ChangedBy[1].ActorTokenName != "terraform" {
		t.Errorf("idp-old changed by %+v; want dave's PUT, then terraform's create", i.ChangedBy)
	}
	if _, ok := a.Attribution[changeIndex(t, a, "idp-new")]; ok {
		t.Error("a create was attributed: it has no live object to match")
	}
}

// recordWrite puts an answered write with audit id id in ctx's record,
// as the client does (remote/writerecord.go).
func recordWrite(ctx context.Context, id string) {
	remote.TestRecordWrite(ctx, remote.Write{Method: "PUT", AuditLogID: id})
}

func emails(by []ChangedBy) string {
	var s []string
	for _, c := range by {
		s = append(s, c.ActorEmail)
	}
	return strings.Join(s, ",")
}

func TestAttributionUnknownWhenNoEntry(t *testing.T) {
	t.Chdir(t.TempDir())
	api := &auditAPI{fakeAPI: liveAPI()}
	a := planAudited(t, context.Background(), api, specFile(t, acctA, true), DefaultAuditWindow)
	b := a.Attribution[changeIndex(t, a, "imp_travel")]
	if len(b.ChangedBy) != 0 || b.Unknown != "no audit-log entry in the last 30 days" {
		t.Errorf("attribution = %+v; want unknown, never nobody", b)
	}
}

func TestAttributionWithoutPermissionGoesOn(t *testing.T) {
	t.Chdir(t.TempDir())
	for name, err := range map[string]error{
		"forbidden": fmt.Errorf("%w: %w", remote.ErrNoAuditRead, remote.ErrForbidden),
		"failed":    errors.New("read audit log: HTTP 500"),
	} {
		t.Run(name, func(t *testing.T) {
			api := &auditAPI{fakeAPI: liveAPI(), err: err}
			a := planAudited(t, context.Background(), api, specFile(t, acctA, true), DefaultAuditWindow)
			want := "the token cannot read audit logs (Account Settings: Audit Logs Read)"
			if name == "failed" {
				want = "could not read the audit log: read audit log: HTTP 500"
			}
			if a.AuditNote != want || a.Status != StatusOK {
				t.Errorf("note %q, status %v; want %q and the plan", a.AuditNote, a.Status, want)
			}
			if b := a.Attribution[changeIndex(t, a, "imp_travel")]; b.Unknown != want {
				t.Errorf("attribution = %+v", b)
			}
		})
	}
}

// With nothing to attribute, or a window of 0, the log is not read.
func TestAttributionReadOnlyWhenNeeded(t *testing.T) {
	t.Chdir(t.TempDir())
	live := liveAPI()
	f := specFile(t, acctA, false)
	live.behaviors["imp_travel"] = remote.Behavior{Enabled: true, RiskLevel: "high"}
	live.list = nil // the spec's idp-new is a create: nothing to attribute
	api := &auditAPI{fakeAPI: live}
	a := planAudited(t, context.Background(), api, f, DefaultAuditWindow)
	if api.calls.Load() != 0 || a.Attribution != nil || a.AuditNote != "" {
		t.Errorf("%d reads, attribution %+v, note %q; want none", api.calls.Load(), a.Attribution, a.AuditNote)
	}
	api = &auditAPI{fakeAPI: liveAPI()}
	a = planAudited(t, context.Background(), api, specFile(t, acctA, true), 0)
	if api.calls.Load() != 0 || a.Attribution != nil {
		t.Errorf("window 0: %d reads, attribution %+v", api.calls.Load(), a.Attribution)
	}
}
