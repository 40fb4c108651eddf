package plan

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/riskctl/riskctl/internal/spec"
	"github.com/riskctl/riskctl/internal/state"
)

// simulateApply does to a copy of live what apply would do for p, reading
// only the plan's actions and values (never a Reason): the one PUT of the
// changed behaviors, PUT/POST/DELETE of integrations, and the update that
// follows a create when the integration must start inactive.
func simulateApply(t *testing.T, live state.Account, p Plan) state.Account {
	t.Helper()
	out := cloneAccount(live)
	created := 0
	indexOf := func(id string) int {
		i := slices.IndexFunc(out.Integrations, func(in state.Integration) bool { return in.ID == id })
		if i < 0 {
			t.Fatalf("apply: no live integration with id %q", id)
		}
		return i
	}
	create := func(want *state.Integration) {
		created++
		out.Integrations = append(out.Integrations, state.Integration{
			ID:              fmt.Sprintf("created-%d", created),
			ReferenceID:     want.ReferenceID,
			IntegrationType: want.IntegrationType,
			TenantURL:       want.TenantURL,
			Active:          true, // POST takes no active ...
		})
		out.Integrations[len(out.Integrations)-1].Active = want.Active // ... so a PUT follows
	}
	for _, c := range p.Changes {
		switch {
		case c.Resource == ResourceBehavior:
			b := out.Behaviors[c.Key]
			b.Enabled, b.RiskLevel = c.Behavior.After.Enabled, c.Behavior.After.RiskLevel
			out.Behaviors[c.Key] = b
		case c.Action == Update:
			in := &out.Integrations[indexOf(c.Integration.Before.ID)]
			in.TenantURL, in.Active, in.ReferenceID = c.Integration.After.TenantURL, c.Integration.After.Active, c.Integration.After.ReferenceID
		case c.Action == Replace:
			out.Integrations = slices.Delete(out.Integrations, indexOf(c.Integration.Before.ID), indexOf(c.Integration.Before.ID)+1)
			create(c.Integration.After)
		case c.Action == Create:
			create(c.Integration.After)
		case c.Action == Delete:
			i := indexOf(c.Integration.Before.ID)
			out.Integrations = slices.Delete(out.Integrations, i, i+1)
		default:
			t.Fatalf("apply: unexpected change %+v", c)
		}
	}
	return out
}

func cloneAccount(a state.Account) state.Account {
	a.Behaviors = maps.Clone(a.Behaviors)
	a.Integrations = slices.Clone(a.Integrations)
	return a
}

// TestApplyConverges: applying a plan makes the next plan empty, and keeps
// the unmanaged objects it did not delete.
func TestApplyConverges(t *testing.T) {
	for _, tc := range loadCases(t) {
		if _, fails := errorCases[tc.name]; fails {
			continue
		}
		t.Run(tc.name, func(t *testing.T) {
			p, err := ComputeWith(tc.desired, tc.live, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			applied := simulateApply(t, tc.live, p)
			// A target whose object the apply deleted now names nothing,
			// which is an error; re-plan the targets that remain.
			opts := Options{Policy: tc.opts.Policy}
			for _, target := range tc.opts.Targets {
				if exists(target, tc.desired, applied) {
					opts.Targets = append(opts.Targets, target)
				}
			}
			again, err := ComputeWith(tc.desired, applied, opts)
			if err != nil {
				t.Fatalf("Compute after apply: %v", err)
			}
			if again.HasChanges() {
				t.Errorf("plan after apply has changes:\n%s", renderJSON(t, again))
			}
			if diff := cmp.Diff(p.UnmanagedIntegrations, again.UnmanagedIntegrations); diff != "" {
				t.Errorf("unmanaged integrations changed by apply (-before +after):\n%s", diff)
			}
			// An ignored field is never written, so apply leaves every
			// ignored difference as it was.
			if diff := cmp.Diff(p.Ignored, again.Ignored); diff != "" {
				t.Errorf("ignored differences changed by apply (-before +after):\n%s", diff)
			}
			if p.HasChanges() && again.LiveFingerprint == p.LiveFingerprint {
				t.Errorf("fingerprint unchanged by an apply that wrote")
			}
		})
	}
}

func TestComputeDoesNotMutate(t *testing.T) {
	for _, tc := range loadCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			desired, live := cloneAccount(tc.desired), cloneAccount(tc.live)
			_, _ = ComputeWith(desired, live, tc.opts)
			if diff := cmp.Diff(tc.desired, desired); diff != "" {
				t.Errorf("desired mutated (-before +after):\n%s", diff)
			}
			if diff := cmp.Diff(tc.live, live); diff != "" {
				t.Errorf("live mutated (-before +after):\n%s", diff)
			}
		})
	}
}

// TestComputeIgnoresOrder: the API's and the spec's list order change nothing.
func TestComputeIgnoresOrder(t *testing.T) {
	for _, tc := range loadCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			want, wantErr := ComputeWith(tc.desired, tc.live, tc.opts)
			desired, live := cloneAccount(tc.desired), cloneAccount(tc.live)
			slices.Reverse(desired.Integrations)
			slices.Reverse(live.Integrations)
			opts := Options{Targets: slices.Clone(tc.opts.Targets), Dedupe: tc.opts.Dedupe, Policy: tc.opts.Policy}
			slices.Reverse(opts.Targets)
			got, err := ComputeWith(desired, live, opts)
			if fmt.Sprint(err) != fmt.Sprint(wantErr) {
				t.Errorf("error = %v, want %v", err, wantErr)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("plan depends on order (-original +reversed):\n%s", diff)
			}
		})
	}
}

// TestComputeDoesNotAlias: a plan's values are copies; changing them leaves
// the inputs alone.
func TestComputeDoesNotAlias(t *testing.T) {
	live := state.Account{Integrations: []state.Integration{{ID: "1", ReferenceID: "r", IntegrationType: "Okta", TenantURL: "https://a.okta.com", Active: true}}}
	desired := state.Account{Integrations: []state.Integration{{ReferenceID: "r", IntegrationType: "Okta", TenantURL: "https://b.okta.com", Active: true}}}
	p, err := Compute(desired, live)
	if err != nil || len(p.Changes) != 1 {
		t.Fatalf("Compute = %+v, %v", p, err)
	}
	p.Changes[0].Integration.Before.TenantURL = "changed"
	p.Changes[0].Integration.After.TenantURL = "changed"
	if live.Integrations[0].TenantURL != "https://a.okta.com" || desired.Integrations[0].TenantURL != "https://b.okta.com" {
		t.Errorf("plan aliases its inputs")
	}
}

func TestReadJSONRoundTrip(t *testing.T) {
	for _, tc := range loadCases(t) {
		if _, fails := errorCases[tc.name]; fails {
			continue
		}
		t.Run(tc.name, func(t *testing.T) {
			p, err := ComputeWith(tc.desired, tc.live, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			got, err := ReadJSON(strings.NewReader(renderJSON(t, p)))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(p, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("ReadJSON(RenderJSON(p)) differs (-want +got):\n%s", diff)
			}
		})
	}
}

func TestReadJSONRejects(t *testing.T) {
	for name, in := range map[string]string{
		"version":         `{"format_version": "2"}`,
		"syntax":          `{"format_version": `,
		"action":          `{"format_version": "1", "changes": [{"action": "upsert", "resource": "behavior"}]}`,
		"resource":        `{"format_version": "1", "changes": [{"action": "update", "resource": "dns"}]}`,
		"create before":   `{"format_version": "1", "changes": [{"action": "create", "resource": "integration", "before": {}, "after": {}}]}`,
		"delete no after": `{"format_version": "1", "changes": [{"action": "delete", "resource": "integration", "after": {}}]}`,
		"behavior create": `{"format_version": "1", "changes": [{"action": "create", "resource": "behavior", "after": {}}]}`,
		"target":          `{"format_version": "1", "targets": ["imp_travel"]}`,
		"ignored":         `{"format_version": "1", "ignored": [{"resource": "dns", "key": "k", "field": "f"}]}`,
	} {
		if _, err := ReadJSON(strings.NewReader(in)); err == nil {
			t.Errorf("%s: ReadJSON(%s) succeeded", name, in)
		}
	}
}

var (
	liveBehaviors = map[string]state.Behavior{
		"imp_travel": {Enabled: true, RiskLevel: "high", Name: "Impossible Travel"},
		"high_dlp":   {RiskLevel: "medium"},
	}
	okta = state.Integration{ReferenceID: "r1", IntegrationType: "Okta", TenantURL: "https://acme.okta.com", Active: true}
)

func withID(in state.Integration, id string) state.Integration { in.ID = id; return in }

func TestComputeCases(t *testing.T) {
	type want struct {
		actions []Action
		err     func(error) bool
	}
	tests := []struct {
		name          string
		desired, live state.Account
		policy        spec.Policy
		want          want
	}{
		{
			name:    "integration_type compared case-insensitively",
			desired: state.Account{Integrations: []state.Integration{okta}},
			live:    state.Account{Integrations: []state.Integration{withID(state.Integration{ReferenceID: "r1", IntegrationType: "okta", TenantURL: okta.TenantURL, Active: true}, "1")}},
		},
		{
			name:    "computed fields never differ",
			desired: state.Account{Behaviors: map[string]state.Behavior{"imp_travel": {Enabled: true, RiskLevel: "high"}}},
			live:    state.Account{Behaviors: liveBehaviors},
		},
		{
			name:    "empty reference_id in the spec",
			desired: state.Account{Integrations: []state.Integration{{IntegrationType: "Okta", TenantURL: "https://a.okta.com"}}},
			want:    want{err: func(err error) bool { return strings.Contains(err.Error(), "no reference_id") }},
		},
		{
			name:    "reference_id twice in the spec",
			desired: state.Account{Integrations: []state.Integration{okta, okta}},
			want:    want{err: func(err error) bool { return strings.Contains(err.Error(), "twice") }},
		},
		{
			name:    "protect allows updates",
			desired: state.Account{Integrations: []state.Integration{{ReferenceID: "r1", IntegrationType: "Okta", TenantURL: "https://b.okta.com"}}},
			policy:  spec.Policy{Integrations: map[string]spec.ObjectPolicy{"r1": {Protect: true}}},
			live:    state.Account{Integrations: []state.Integration{withID(okta, "1")}},
			want:    want{actions: []Action{Update}},
		},
		{
			name:    "every error at once",
			desired: state.Account{Behaviors: map[string]state.Behavior{"nope": {}}, Integrations: []state.Integration{okta}},
			live:    state.Account{Behaviors: liveBehaviors, Integrations: []state.Integration{withID(okta, "1"), withID(okta, "2")}},
			want: want{err: func(err error) bool {
				return errorIs[*MissingBehaviorsError](err) && errorIs[*DuplicateReferenceError](err) && errors.Is(err, ErrRefused)
			}},
		},
		{
			name:    "empty reference_ids are not duplicates",
			desired: state.Account{Integrations: []state.Integration{okta}},
			live: state.Account{Integrations: []state.Integration{
				withID(okta, "1"),
				withID(state.Integration{IntegrationType: "Okta", TenantURL: "https://x.okta.com"}, "2"),
				withID(state.Integration{IntegrationType: "Okta", TenantURL: "https://y.okta.com"}, "3"),
			}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := ComputeWith(tt.desired, tt.live, Options{Policy: tt.policy})
			if tt.want.err != nil {
				if err == nil || !tt.want.err(err) {
					t.Fatalf("Compute error = %v, want a matching error", err)
				}
				if !cmp.Equal(p, Plan{}) {
					t.Errorf("failed Compute returned a plan: %+v", p)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var actions []Action
			for _, c := range p.Changes {
				actions = append(actions, c.Action)
			}
			if diff := cmp.Diff(tt.want.actions, actions); diff != "" {
				t.Errorf("actions (-want +got):\n%s", diff)
			}
		})
	}
}

func TestComputeAccountID(t *testing.T) {
	p, err := Compute(state.Account{}, state.Account{AccountID: "live"})
	if err != nil || p.AccountID != "live" {
		t.Errorf("Compute with no desired account id: AccountID = %q, %v; want the live one", p.AccountID, err)
	}
	p, _ = Compute(state.Account{AccountID: "desired"}, state.Account{AccountID: "live"})
	if p.AccountID != "desired" {
		t.Errorf("AccountID = %q, want the desired one", p.AccountID)
	}
}

func TestErrorMessages(t *testing.T) {
	tests := []struct {
		err     error
		want    string
		refused bool
	}{
		{&MissingBehaviorsError{Keys: []string{"x"}, Available: []string{"a", "b"}},
			`account has no behavior "x" (behaviors cannot be created; the account has: a, b)`, false},
		{&MissingBehaviorsError{Keys: []string{"x", "y", "z"}},
			`account has no behaviors "x", "y" and "z" (behaviors cannot be created; the account has: none)`, false},
		{&DuplicateReferenceError{ReferenceID: "r", IDs: []string{"id-1", "id-2"}, Survivor: "id-2"},
			`reference_id "r" is shared by 2 live integrations (ids id-1, id-2): refusing to plan with an ambiguous identity; plan with --dedupe to delete all but the earliest created (id id-2)`, true},
		{&ProtectedError{ReferenceID: "r", Action: Replace}, `integration "r" is protected (protect: true): refusing to replace it`, true},
		{&ProtectedError{ReferenceID: "r", Action: Delete}, `integration "r" is protected (protect: true): refusing to delete it`, true},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q\nwant      %q", got, tt.want)
		}
		if got := errors.Is(tt.err, ErrRefused); got != tt.refused {
			t.Errorf("errors.Is(%T, ErrRefused) = %v, want %v", tt.err, got, tt.refused)
		}
	}
}

func TestCheckProtectDelete(t *testing.T) {
	before := withID(okta, "1")
	err := checkProtect(Change{Action: Delete, Resource: ResourceIntegration, Key: "r1", Integration: &IntegrationChange{Before: &before, Protect: true}})
	if !errorIs[*ProtectedError](err) {
		t.Errorf("checkProtect(delete of protected) = %v, want a *ProtectedError", err)
	}
}

func TestRenderErrors(t *testing.T) {
	// The text's errors are package report's (TestPlanTextErrors).
	var b bytes.Buffer
	if err := RenderJSON(&b, Plan{Changes: []Change{{Action: Update, Resource: ResourceIntegration}}}); err == nil || b.Len() != 0 {
		t.Errorf("RenderJSON of a change without values = %v, wrote %d bytes", err, b.Len())
	}
}
