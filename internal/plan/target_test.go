package plan

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/riskctl/riskctl/internal/spec"
	"github.com/riskctl/riskctl/internal/state"
)

func TestParseTarget(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    Target
		wantErr string
	}{
		{in: "behavior:imp_travel", want: Target{ResourceBehavior, "imp_travel"}},
		{in: "integration:0b3f1c4e-5d6a-4e7b-8c9d-0e1f2a3b4c5d", want: Target{ResourceIntegration, "0b3f1c4e-5d6a-4e7b-8c9d-0e1f2a3b4c5d"}},
		{in: "integration:urn:okta:prod", want: Target{ResourceIntegration, "urn:okta:prod"}},
		{in: "imp_travel", wantErr: `invalid target "imp_travel": expected behavior:KEY or integration:REFERENCE_ID`},
		{in: "", wantErr: `invalid target "": expected behavior:KEY or integration:REFERENCE_ID`},
		{in: "behaviors:imp_travel", wantErr: `invalid target "behaviors:imp_travel": unknown resource "behaviors" (expected behavior:KEY or integration:REFERENCE_ID)`},
		{in: "Behavior:imp_travel", wantErr: `invalid target "Behavior:imp_travel": unknown resource "Behavior" (expected behavior:KEY or integration:REFERENCE_ID)`},
		{in: "behavior:", wantErr: `invalid target "behavior:": the key after "behavior:" is empty (expected behavior:KEY or integration:REFERENCE_ID)`},
		{in: "integration:", wantErr: `invalid target "integration:": the reference_id after "integration:" is empty (expected behavior:KEY or integration:REFERENCE_ID)`},
	} {
		got, err := ParseTarget(tc.in)
		if tc.wantErr != "" {
			if err == nil || err.Error() != tc.wantErr {
				t.Errorf("ParseTarget(%q) error = %v\nwant %s", tc.in, err, tc.wantErr)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseTarget(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
		if got.String() != tc.in {
			t.Errorf("ParseTarget(%q).String() = %q, want the input back", tc.in, got.String())
		}
	}
}

func mustTargets(t *testing.T, ss ...string) Options {
	t.Helper()
	var opts Options
	for _, s := range ss {
		target, err := ParseTarget(s)
		if err != nil {
			t.Fatal(err)
		}
		opts.Targets = append(opts.Targets, target)
	}
	return opts
}

// TestComputeWithRefusals: a refusal about one object refuses only a plan
// that touches it; spec errors refuse every plan.
func TestComputeWithRefusals(t *testing.T) {
	protected := state.Integration{ReferenceID: "rep", IntegrationType: "Okta", TenantURL: "https://rep.okta.com", Active: true}
	policy := spec.Policy{Integrations: map[string]spec.ObjectPolicy{"rep": {Protect: true}}}
	desired := state.Account{
		Behaviors:    map[string]state.Behavior{"imp_travel": {Enabled: true, RiskLevel: "high"}},
		Integrations: []state.Integration{okta, protected},
	}
	live := state.Account{
		Behaviors: liveBehaviors,
		Integrations: []state.Integration{
			withID(okta, "1"), withID(okta, "2"), // r1 is ambiguous
			withID(state.Integration{ReferenceID: "rep", IntegrationType: "AzureAD", TenantURL: protected.TenantURL, Active: true}, "3"),
		},
	}
	if _, err := ComputeWith(desired, live, Options{Policy: policy}); !errorIs[*DuplicateReferenceError](err) || !errorIs[*ProtectedError](err) {
		t.Errorf("Compute = %v, want both refusals", err)
	}
	p, err := ComputeWith(desired, live, mustTargets(t, "behavior:imp_travel", "behavior:high_dlp"))
	if err != nil {
		t.Fatalf("targeting behaviors only: %v", err)
	}
	if want := []string{"behavior:high_dlp", "behavior:imp_travel"}; !cmp.Equal(p.Targets, want) {
		t.Errorf("Targets = %q, want %q", p.Targets, want)
	}
	if want := []string{"high_dlp"}; !cmp.Equal(p.UnmanagedBehaviors, want) {
		t.Errorf("UnmanagedBehaviors = %q, want %q", p.UnmanagedBehaviors, want)
	}
	if _, err := ComputeWith(desired, live, withPolicy(mustTargets(t, "integration:rep"), policy)); !errorIs[*ProtectedError](err) || errorIs[*DuplicateReferenceError](err) {
		t.Errorf("targeting the protected integration: %v, want only a *ProtectedError", err)
	}
	if _, err := ComputeWith(desired, live, mustTargets(t, "integration:r1")); !errorIs[*DuplicateReferenceError](err) || errorIs[*ProtectedError](err) {
		t.Errorf("targeting the ambiguous integration: %v, want only a *DuplicateReferenceError", err)
	}

	missing := desired
	missing.Behaviors = map[string]state.Behavior{"nope": {}}
	_, err = ComputeWith(missing, live, mustTargets(t, "behavior:imp_travel", "integration:nope"))
	var unknown *UnknownTargetError
	if !errorIs[*MissingBehaviorsError](err) || !errors.As(err, &unknown) || unknown.Target.String() != "integration:nope" {
		t.Errorf("ComputeWith = %v, want the missing behavior and the unknown target", err)
	}
}

// TestComputeWithNoTargets: Compute is ComputeWith without options, and
// targets never change the fingerprint.
func TestComputeWithNoTargets(t *testing.T) {
	for _, tc := range loadCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			want, wantErr := Compute(tc.desired, tc.live)
			got, err := ComputeWith(tc.desired, tc.live, Options{})
			if diff := cmp.Diff(want, got); diff != "" || fmt.Sprint(err) != fmt.Sprint(wantErr) {
				t.Errorf("ComputeWith(Options{}) differs from Compute (-want +got):\n%s", diff)
			}
			targeted, err := ComputeWith(tc.desired, tc.live, tc.opts)
			if err == nil && targeted.LiveFingerprint != Fingerprint(tc.live) {
				t.Errorf("LiveFingerprint depends on the targets")
			}
		})
	}
}

func TestComputeIgnore(t *testing.T) {
	live := state.Account{Behaviors: liveBehaviors, Integrations: []state.Integration{withID(okta, "1")}}
	t.Run("an unknown field is an error", func(t *testing.T) {
		desired := state.Account{Behaviors: map[string]state.Behavior{"imp_travel": {Enabled: false, RiskLevel: "high"}}}
		_, err := ComputeWith(desired, live, ignoring("imp_travel", nil, "enabld"))
		if err == nil || !strings.Contains(err.Error(), `behavior "imp_travel": cannot ignore "enabld"`) {
			t.Errorf("Compute = %v, want an error naming the field", err)
		}
		if _, err := ComputeWith(state.Account{Integrations: []state.Integration{okta}}, live, ignoring("", []string{okta.ReferenceID}, "reference_id")); err == nil {
			t.Errorf("Compute accepted ignore [reference_id]")
		}
	})
	t.Run("every field ignored", func(t *testing.T) {
		in := state.Integration{ReferenceID: "r1", IntegrationType: "AzureAD", TenantURL: "https://b.okta.com", Active: false}
		desired := state.Account{
			Behaviors:    map[string]state.Behavior{"high_dlp": {Enabled: true, RiskLevel: "high"}},
			Integrations: []state.Integration{in},
		}
		policy := spec.Policy{
			Behaviors:    map[string]spec.ObjectPolicy{"high_dlp": {Ignore: []string{"enabled", "risk_level"}}},
			Integrations: map[string]spec.ObjectPolicy{"r1": {Ignore: []string{"integration_type", "tenant_url", "active"}}},
		}
		p, err := ComputeWith(desired, live, Options{Policy: policy})
		if err != nil {
			t.Fatal(err)
		}
		if p.HasChanges() {
			t.Errorf("changes despite every field ignored: %+v", p.Changes)
		}
		want := []IgnoredDiff{
			{ResourceBehavior, "high_dlp", "enabled", "false", "true"},
			{ResourceBehavior, "high_dlp", "risk_level", "medium", "high"},
			{ResourceIntegration, "r1", "integration_type", "Okta", "AzureAD"},
			{ResourceIntegration, "r1", "tenant_url", "https://acme.okta.com", "https://b.okta.com"},
			{ResourceIntegration, "r1", "active", "true", "false"},
		}
		if diff := cmp.Diff(want, p.Ignored); diff != "" {
			t.Errorf("Ignored (-want +got):\n%s", diff)
		}
	})
	t.Run("a replace keeps the ignored live values", func(t *testing.T) {
		in := state.Integration{ReferenceID: "r1", IntegrationType: "Other", TenantURL: "https://b.okta.com", Active: false}
		p, err := ComputeWith(state.Account{Integrations: []state.Integration{in}}, live, ignoring("", []string{"r1"}, "tenant_url"))
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Changes) != 1 || p.Changes[0].Action != Replace {
			t.Fatalf("Changes = %+v, want one replace", p.Changes)
		}
		after := *p.Changes[0].Integration.After
		want := state.Integration{ReferenceID: "r1", IntegrationType: "Other", TenantURL: okta.TenantURL, Active: false}
		if diff := cmp.Diff(want, after); diff != "" {
			t.Errorf("After (-want +got):\n%s", diff)
		}
	})
}

func withPolicy(opts Options, policy spec.Policy) Options {
	opts.Policy = policy
	return opts
}

// ignoring is Options whose policy ignores fields in the behavior named
// behavior (when not "") and in each integration of refs.
func ignoring(behavior string, refs []string, fields ...string) Options {
	policy := spec.Policy{Behaviors: map[string]spec.ObjectPolicy{}, Integrations: map[string]spec.ObjectPolicy{}}
	if behavior != "" {
		policy.Behaviors[behavior] = spec.ObjectPolicy{Ignore: fields}
	}
	for _, ref := range refs {
		policy.Integrations[ref] = spec.ObjectPolicy{Ignore: fields}
	}
	return Options{Policy: policy}
}
