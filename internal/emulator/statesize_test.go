package emulator

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A saved state always loads again: when the audit logs would take the
// state file past what a start reads, their older entries are dropped
// (the newest kept); when the rest alone is too large, the save fails
// rather than write a file the next start would refuse.
func TestSavedStateStaysLoadable(t *testing.T) {
	defer func(n int) { stateSaveBytes = n }(stateSaveBytes)
	stateSaveBytes = 64 << 10 // 64 KiB, for the test

	const acct = "0123456789abcdef0123456789abcdef"
	path := filepath.Join(t.TempDir(), "state.json")
	e, err := New(Options{StatePath: path, Accounts: []string{acct}})
	if err != nil {
		t.Fatal(err)
	}
	var last AuditEntry
	for i := range 1000 {
		last = e.RecordAudit(acct, AuditEntry{Action: AuditAction{Type: "update", Description: strings.Repeat("x", 100)},
			Raw: AuditRaw{Method: "PUT", URI: "/x"}, Resource: AuditResource{ID: string(rune('a' + i%26))}})
	}
	if err := e.Save(); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Size() >= int64(stateSaveBytes) {
		t.Errorf("state file %d bytes, want under %d", info.Size(), stateSaveBytes)
	}
	log := e.AuditLog(acct)
	if len(log) == 0 || len(log) >= 1000 || log[len(log)-1].ID != last.ID && log[0].ID != last.ID {
		t.Errorf("kept %d entries; want fewer than 1000, the newest (%s) among them", len(log), last.ID)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	again, err := New(Options{StatePath: path, Accounts: []string{acct}})
	if err != nil {
		t.Fatalf("the saved state does not load: %v", err)
	}
	if got := len(again.AuditLog(acct)); got != len(log) {
		t.Errorf("reloaded %d audit entries, saved %d", got, len(log))
	}
	again.Close()

	// Integrations alone past the bound: the save fails, naming it.
	full, err := New(Options{StatePath: filepath.Join(t.TempDir(), "full.json"), Accounts: []string{acct}})
	if err != nil {
		t.Fatal(err)
	}
	defer full.Close()
	for i := range 400 {
		full.PutIntegration(acct, Integration{ReferenceID: strings.Repeat("r", 200) + string(rune('a'+i%26)), IntegrationType: "Okta", TenantURL: "https://x.okta.com"})
	}
	if err := full.Save(); err == nil || !strings.Contains(err.Error(), "more than the") {
		t.Errorf("Save of a state past the bound: %v", err)
	}
}
