package cli

import (
	"testing"
	"time"

	"github.com/riskctl/riskctl/internal/reconcile"
)

// defaultAudit is the audit-log read drift and plan ask for without
// --audit-window: 30 days.
var defaultAudit = reconcile.AuditOptions{Window: reconcile.DefaultAuditWindow}

func TestAuditWindowFlag(t *testing.T) {
	if defaultAudit.Window != 30*24*time.Hour {
		t.Fatalf("default window %v", defaultAudit.Window)
	}
	window := func(d time.Duration) reconcile.AuditOptions { return reconcile.AuditOptions{Window: d} }
	checkOptions(t, "drift", driftOptionsFrom, []optionsCase[driftOptions]{
		{"drift -f a.yaml --audit-window 7d", driftOptions{Audit: window(7 * 24 * time.Hour), Files: []string{"a.yaml"}, Format: "text"}},
		{"drift -f a.yaml --audit-window=720h", driftOptions{Audit: window(720 * time.Hour), Files: []string{"a.yaml"}, Format: "text"}},
		{"drift -f a.yaml --audit-window 0", driftOptions{Files: []string{"a.yaml"}, Format: "text"}},
	})
	checkOptions(t, "plan", planOptionsFrom, []optionsCase[planOptions]{
		{"plan -f a.yaml --audit-window 1d", planOptions{Audit: window(24 * time.Hour), Files: []string{"a.yaml"}, Format: "text", MaxDeletes: reconcile.DefaultMaxDeletes}},
	})
	const want = "expected a duration such as 30d or 720h, at most 366d, or 0"
	checkUsageErrors(t, "drift", driftOptionsFrom, []usageCase{
		u("drift -f a.yaml --audit-window month", `--audit-window "month": `+want),
		u("drift -f a.yaml --audit-window -1d", `--audit-window "-1d": `+want),
		u("drift -f a.yaml --audit-window 400d", `--audit-window "400d": `+want),
		u("drift -f a.yaml --audit-window 99999999999999d", want),
	})
}
