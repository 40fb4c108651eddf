package plan

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/riskctl/riskctl/internal/spec"
	"github.com/riskctl/riskctl/internal/state"
)

// copiesCase: the spec's okta (r1) and three live copies of it, created
// one second apart: c1 is kept, c2 and c3 are extras.
func copiesCase() (desired, live state.Account) {
	at := time.Date(2026, 12, 7, 4, 0, 0, 0, time.UTC)
	live = state.Account{AccountID: "a"}
	for i, id := range []string{"c1", "c2", "c3"} {
		in := withID(okta, id)
		in.CreatedAt = at.Add(time.Duration(i) * time.Second)
		live.Integrations = append(live.Integrations, in)
	}
	return state.Account{AccountID: "a", Integrations: []state.Integration{okta}}, live
}

func provenAll() *CopyOrigins {
	return &CopyOrigins{Proven: map[string]string{
		"c1": "POST by riskctl/1.0.0 at 2026-12-07T04:00:00Z",
		"c2": "POST by riskctl/1.0.0 at 2026-12-07T04:00:01Z",
		"c3": "POST by riskctl/1.0.0 at 2026-12-07T04:00:02Z",
	}}
}

func dupError(t *testing.T, err error) *DuplicateReferenceError {
	t.Helper()
	var e *DuplicateReferenceError
	if !errors.As(err, &e) || !errors.Is(err, ErrRefused) {
		t.Fatalf("err = %v, want a *DuplicateReferenceError", err)
	}
	return e
}

func TestProvenCopiesAreDeleted(t *testing.T) {
	desired, live := copiesCase()
	p, err := ComputeWith(desired, live, Options{Copies: provenAll()})
	if err != nil {
		t.Fatal(err)
	}
	if p.Dedupe {
		t.Error("Plan.Dedupe is set: the plan was not asked for --dedupe")
	}
	var deleted []string
	for _, c := range p.Changes {
		if c.Action != Delete || c.Integration.Before == nil {
			t.Fatalf("unexpected change %+v", c)
		}
		deleted = append(deleted, c.Integration.Before.ID)
		if !strings.Contains(c.Reason, "a copy riskctl created (audit log: POST by riskctl/1.0.0 at 2026-12-07T04:00:0") ||
			!strings.Contains(c.Reason, "the earliest created is kept (id c1, created 2026-12-07T04:00:00Z)") {
			t.Errorf("Reason = %q", c.Reason)
		}
	}
	if strings.Join(deleted, ",") != "c2,c3" {
		t.Errorf("deleted %v, want c2,c3 (never the kept c1)", deleted)
	}
	// The same deletes --dedupe makes, but for the reason.
	dd, err := ComputeWith(desired, live, Options{Dedupe: true})
	if err != nil || len(dd.Changes) != len(p.Changes) {
		t.Fatalf("--dedupe: %v, %d changes", err, len(dd.Changes))
	}
	for i := range dd.Changes {
		a, b := dd.Changes[i], p.Changes[i]
		a.Reason, b.Reason = "", ""
		if a.Integration.Before.ID != b.Integration.Before.ID || a.Action != b.Action || len(a.Fields) != len(b.Fields) {
			t.Errorf("change %d: %+v, --dedupe's %+v", i, b, a)
		}
	}
}

// The kept copy's proof does not matter: it is never deleted, and its
// absence from Proven refuses nothing.
func TestProvenCopiesSurvivorNeedsNoProof(t *testing.T) {
	desired, live := copiesCase()
	o := provenAll()
	delete(o.Proven, "c1")
	p, err := ComputeWith(desired, live, Options{Copies: o})
	if err != nil || len(p.Changes) != 2 {
		t.Fatalf("%v, %d changes; want 2 deletes", err, len(p.Changes))
	}
	for _, c := range p.Changes {
		if c.Integration.Before.ID == "c1" {
			t.Error("the kept copy is deleted")
		}
	}
}

func TestProvenCopiesRefusals(t *testing.T) {
	tests := []struct {
		name   string
		edit   func(live *state.Account, o *CopyOrigins, policy *spec.Policy)
		want   string // in the error
		absent string // not in the error
	}{
		{"one copy unproven", func(_ *state.Account, o *CopyOrigins, _ *spec.Policy) {
			delete(o.Proven, "c3")
			o.Unproven = map[string]string{"c3": `created by another client (user agent "Mozilla/5.0")`}
		}, `not removed without --dedupe, as riskctl cannot prove it made every extra copy: copy c3: created by another client (user agent "Mozilla/5.0")`, "copy c2"},
		{"no entry for a copy", func(_ *state.Account, o *CopyOrigins, _ *spec.Policy) {
			delete(o.Proven, "c2")
		}, "copy c2: no create of it by riskctl in the audit log", "copy c3"},
		{"protected", func(_ *state.Account, _ *CopyOrigins, p *spec.Policy) {
			p.Integrations = map[string]spec.ObjectPolicy{"r1": {Protect: true}}
		}, "not removed without --dedupe: the spec protects this reference_id (protect: true)", "copy c"},
		{"values differ", func(l *state.Account, _ *CopyOrigins, _ *spec.Policy) {
			l.Integrations[2].TenantURL = "https://other.okta.com"
		}, "copy c3: its values differ from the spec's", "copy c2"},
		{"kept copy differs", func(l *state.Account, _ *CopyOrigins, _ *spec.Policy) {
			l.Integrations[0].Active = false
		}, "the kept copy (id c1) has values other than the spec's", "copy c"},
		{"audit log not read", func(_ *state.Account, o *CopyOrigins, _ *spec.Policy) {
			o.Unknown = "the token cannot read audit logs"
		}, "the audit log could not be read, so the copies' origin is unknown (the token cannot read audit logs)", "copy c"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			desired, live := copiesCase()
			o := provenAll()
			var policy spec.Policy
			tt.edit(&live, o, &policy)
			_, err := ComputeWith(desired, live, Options{Copies: o, Policy: policy})
			e := dupError(t, err)
			msg := e.Error()
			if !strings.Contains(msg, tt.want) || strings.Contains(msg, tt.absent) {
				t.Errorf("error:\n%s\nwant it to say %q and not %q", msg, tt.want, tt.absent)
			}
			if !strings.HasSuffix(msg, "plan with --dedupe to delete all but the earliest created (id c1)") {
				t.Errorf("error %q does not end with the way out", msg)
			}
		})
	}
}

// A lost create lands active: a copy that is the spec's but active, where
// the spec says inactive, is riskctl's create that was never deactivated;
// the kept copy is updated as the plan would anyway.
func TestProvenCopiesActiveWhereSpecInactive(t *testing.T) {
	desired, live := copiesCase()
	desired.Integrations[0].Active = false
	live.Integrations[0].Active = false // the kept one was deactivated
	p, err := ComputeWith(desired, live, Options{Copies: provenAll()})
	if err != nil || len(p.Changes) != 2 {
		t.Fatalf("%v, %d changes; want 2 deletes", err, len(p.Changes))
	}
	// The kept copy active too: deletes, and its deactivation.
	live.Integrations[0].Active = true
	p, err = ComputeWith(desired, live, Options{Copies: provenAll()})
	if err != nil || len(p.Changes) != 3 || p.Changes[0].Action != Update || p.Changes[0].Integration.Before.ID != "c1" {
		t.Fatalf("%v, %+v; want c1's update and 2 deletes", err, p.Changes)
	}
	// Inactive where the spec says active is someone's deactivation.
	desired, live = copiesCase()
	live.Integrations[1].Active = false
	_, err = ComputeWith(desired, live, Options{Copies: provenAll()})
	if e := dupError(t, err); !strings.Contains(e.Error(), "copy c2: its values differ") {
		t.Errorf("error %q", e)
	}
}

// Without Copies no proof was looked for: the refusal is today's.
func TestNoCopiesRefusesAsBefore(t *testing.T) {
	desired, live := copiesCase()
	_, err := ComputeWith(desired, live, Options{})
	if e := dupError(t, err); strings.Contains(e.Error(), "not removed") {
		t.Errorf("error %q speaks of a proof nobody looked for", e)
	}
}

// Deleting a duplicate weakens nothing while the copy kept is active and
// feeds the same tenant: the tenant goes on receiving the same scores. A
// copy kept inactive, or feeding another tenant, leaves the delete as
// weakening as any delete of an active integration.
func TestDeletingARedundantCopyIsNeutral(t *testing.T) {
	gone := state.Integration{ID: "b", ReferenceID: "idp", IntegrationType: "Okta", TenantURL: "https://acme.okta.com", Active: true}
	for _, tc := range []struct {
		name string
		kept *state.Integration
		want state.Class
	}{
		{"no copy kept", nil, state.Weakening},
		{"kept, same tenant", &state.Integration{ID: "a", IntegrationType: "okta", TenantURL: "https://ACME.okta.com/", Active: true}, state.Neutral},
		{"kept inactive", &state.Integration{ID: "a", IntegrationType: "Okta", TenantURL: "https://acme.okta.com", Active: false}, state.Weakening},
		{"kept for another tenant", &state.Integration{ID: "a", IntegrationType: "Okta", TenantURL: "https://other.okta.com", Active: true}, state.Weakening},
	} {
		c := dedupeChange("idp", gone, state.Integration{ID: "a"}, 2)
		c.Integration.Kept = tc.kept
		if got := c.Class(); got != tc.want {
			t.Errorf("%s: class %s, want %s", tc.name, got, tc.want)
		}
		if (len(c.Effects()) == 0) != (tc.want == state.Neutral) {
			t.Errorf("%s: effects %v", tc.name, c.Effects())
		}
	}
}
