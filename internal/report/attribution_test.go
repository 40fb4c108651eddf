package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/riskctl/riskctl/internal/plan"
	"github.com/riskctl/riskctl/internal/reconcile"
)

// hostileEmail would forge a GitHub annotation and a line of its own if
// printed raw.
const hostileEmail = "alice\n::error::x@example.com"

// changeAt finds key's change in p.
func changeAt(t testing.TB, p *plan.Plan, key string) int {
	t.Helper()
	for i, c := range p.Changes {
		if c.Key == key {
			return i
		}
	}
	t.Fatalf("no change of %q", key)
	return -1
}

// attributedReport is every_action with who changed its objects: a
// behavior disabled in the dashboard by a hostile email, one changed by
// an API token, an integration deactivated with a key, and one with no
// entry.
func attributedReport(t testing.TB, kind Kind) Report {
	p := everyActionPlan(t)
	at := time.Date(2026, 12, 5, 14, 2, 0, 0, time.UTC)
	attribution := map[int]reconcile.Attribution{
		changeAt(t, p, "imp_travel"): {ChangedBy: []reconcile.ChangedBy{
			{ActorEmail: hostileEmail, ActorType: "user", ActorContext: "dash", Time: at, Action: "update", RayID: "8b1c0000aaaa"},
			{ActorEmail: "bob@example.com", ActorType: "user", ActorContext: "dash", Time: at.Add(-48 * time.Hour), Action: "update", RayID: "8b1c0000bbbb"},
		}},
		changeAt(t, p, "high_dlp"): {ChangedBy: []reconcile.ChangedBy{
			{ActorTokenName: "terraform `prod`", ActorType: "account", ActorContext: "api_token", Time: at.Add(-time.Hour), Action: "update", RayID: "8b1c0000cccc"},
		}},
		changeAt(t, p, "idp-upd-b"): {ChangedBy: []reconcile.ChangedBy{
			{ActorEmail: "carol@example.com", ActorType: "user", ActorContext: "api_key", Time: at.Add(-2 * time.Hour), Action: "update"},
		}},
		changeAt(t, p, "idp-old"): {Unknown: "no audit-log entry in the last 30 days"},
	}
	status := reconcile.StatusOK
	if kind == KindDrift {
		status = reconcile.StatusChanges
	}
	return Report{Kind: kind, RiskctlVersion: "v0.0.0-test", Accounts: []Account{
		{AccountID: acctA, SpecFiles: []string{"prod.yaml"}, Plan: p, Status: status, Attribution: attribution},
	}}
}

func auditDeniedReport(t testing.TB) Report {
	p := everyActionPlan(t)
	note := "the token cannot read audit logs (Account Settings: Audit Logs Read)"
	attribution := map[int]reconcile.Attribution{
		changeAt(t, p, "imp_travel"): {Unknown: note},
		changeAt(t, p, "idp-old"):    {Unknown: note},
	}
	return Report{Kind: KindDrift, RiskctlVersion: "v0.0.0-test", Accounts: []Account{
		{AccountID: acctA, SpecFiles: []string{"prod.yaml"}, Plan: p, Status: reconcile.StatusChanges, Attribution: attribution, AuditNote: note},
	}}
}

func render(t *testing.T, r Report) (txt, js, md string) {
	t.Helper()
	var a, b, c bytes.Buffer
	if err := WriteText(&a, r, TextOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := WriteJSON(&b, r, exitCodes); err != nil {
		t.Fatal(err)
	}
	if err := WriteMarkdown(&c, r, 0); err != nil {
		t.Fatal(err)
	}
	return a.String(), b.String(), c.String()
}

// The out-of-band change is named in one line in every format; the
// hostile email forges no line in text or Markdown and reaches JSON
// intact.
func TestAttributionLines(t *testing.T) {
	txt, js, md := render(t, attributedReport(t, KindDrift))
	for _, want := range []string{
		`  ~ behavior "imp_travel" enabled: live false, desired true` + "\n" +
			`      disabled by alice\u000A::error::x@example.com in the dashboard, 2026-12-05 14:02 UTC (+1 earlier)` + "\n",
		"      disabled with API token terraform `prod`, 2026-12-05 13:02 UTC\n",
		"      activated by carol@example.com with a Global API key, 2026-12-05 12:02 UTC\n",
		"      who changed it: unknown — no audit-log entry in the last 30 days\n",
	} {
		if !strings.Contains(txt, want) {
			t.Errorf("text lacks %q:\n%s", want, txt)
		}
	}
	for _, out := range []string{txt, md} {
		for _, line := range strings.Split(out, "\n") {
			if strings.HasPrefix(line, "::") {
				t.Errorf("a forged line: %q", line)
			}
		}
	}
	for _, want := range []string{
		"- behavior `imp_travel`: disabled by `alice\\u000A::error::x@example.com` in the dashboard, 2026-12-05 14:02 UTC (+1 earlier)\n",
		"- behavior `high_dlp`: disabled with API token `` terraform `prod` ``, 2026-12-05 13:02 UTC\n",
		"- integration `idp-old` · `https://old.okta.com`: unknown — no audit-log entry in the last 30 days\n",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("Markdown lacks %q:\n%s", want, md)
		}
	}
	var doc struct {
		Accounts []struct {
			Plan struct {
				Changes []struct {
					Key       string          `json:"key"`
					ChangedBy []jsonChangedBy `json:"changed_by"`
					Unknown   string          `json:"changed_by_unknown"`
				} `json:"changes"`
				LiveFingerprint string `json:"live_fingerprint"`
			} `json:"plan"`
		} `json:"accounts"`
	}
	if err := json.Unmarshal([]byte(js), &doc); err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, c := range doc.Accounts[0].Plan.Changes {
		got[c.Key] = len(c.ChangedBy)
		switch c.Key {
		case "imp_travel":
			if c.ChangedBy[0].ActorEmail != hostileEmail || c.ChangedBy[0].Time != "2026-12-05T14:02:00Z" || c.ChangedBy[0].ActorContext != "dash" || c.ChangedBy[0].RayID != "8b1c0000aaaa" {
				t.Errorf("imp_travel changed_by = %+v", c.ChangedBy)
			}
		case "idp-old":
			if c.Unknown != "no audit-log entry in the last 30 days" {
				t.Errorf("idp-old unknown = %q", c.Unknown)
			}
		}
	}
	if got["imp_travel"] != 2 || got["high_dlp"] != 1 || got["idp-upd-b"] != 1 {
		t.Errorf("changed_by counts %v", got)
	}
	if doc.Accounts[0].Plan.LiveFingerprint == "" {
		t.Error("the plan's other fields were lost")
	}
}

// A token that may not read the audit log: said once per account, never
// per change, and the run's report is otherwise the same.
func TestAttributionDenied(t *testing.T) {
	txt, js, md := render(t, auditDeniedReport(t))
	want := "Who changed it: unknown — the token cannot read audit logs (Account Settings: Audit Logs Read)"
	if strings.Count(txt, want) != 1 || strings.Contains(txt, "who changed it:") {
		t.Errorf("text:\n%s", txt)
	}
	if !strings.Contains(md, "**Who changed it:** unknown — the token cannot read audit logs (Account Settings: Audit Logs Read)") {
		t.Errorf("Markdown:\n%s", md)
	}
	if !strings.Contains(js, `"audit_note": "the token cannot read audit logs (Account Settings: Audit Logs Read)"`) {
		t.Errorf("JSON lacks audit_note")
	}
}

// riskctl's own writes at apply: in the JSON results and the outputs.
func TestOwnWritesInOutputs(t *testing.T) {
	r := reportCases(t)[3].report
	out := Outputs(r, 5, "partial")
	if !strings.Contains(out, "\nwrites=1\naudit_log_ids=0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b\n") {
		t.Errorf("outputs:\n%s", out)
	}
	if out := Outputs(reportCases(t)[2].report, 2, "drift"); strings.Contains(out, "writes=") {
		t.Errorf("drift outputs name writes:\n%s", out)
	}
}

// A plan names who changed a live value when an entry says so, and is
// silent on the changes nobody can be named for: most come from the spec.
func TestAttributionPlanShowsOnlyNamed(t *testing.T) {
	txt, js, md := render(t, attributedReport(t, KindPlan))
	if !strings.Contains(txt, "  # disabled by alice\\u000A::error::x@example.com in the dashboard, 2026-12-05 14:02 UTC (+1 earlier)\n") {
		t.Errorf("plan text:\n%s", txt)
	}
	for name, out := range map[string]string{"text": txt, "Markdown": md} {
		if strings.Contains(out, "unknown") {
			t.Errorf("plan %s says unknown:\n%s", name, out)
		}
	}
	if !strings.Contains(js, `"changed_by_unknown": "no audit-log entry in the last 30 days"`) {
		t.Error("plan JSON lost the unknown")
	}
}
