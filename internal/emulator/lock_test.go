package emulator

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// shortLockWait keeps the tests from waiting out the full two seconds.
func shortLockWait(t *testing.T) {
	t.Helper()
	wait, poll := lockWait, lockPoll
	lockWait, lockPoll = 200*time.Millisecond, 10*time.Millisecond
	t.Cleanup(func() { lockWait, lockPoll = wait, poll })
}

// flock locks belong to the open file description, so two emulators of one
// process conflict just like two processes do.
func TestStateLockOneWriter(t *testing.T) {
	shortLockWait(t)
	statePath := filepath.Join(t.TempDir(), "state.json")
	first, err := New(Options{StatePath: statePath, SeedUsers: 1})
	if err != nil {
		t.Fatal(err)
	}
	if got := lockHolder(lockPath(statePath)); got != os.Getpid() {
		t.Errorf("lock file records PID %d, want %d", got, os.Getpid())
	}

	start := time.Now()
	second, err := New(Options{StatePath: statePath})
	if err == nil {
		_ = second.Close()
		t.Fatal("a second emulator opened a state file in use")
	}
	if waited := time.Since(start); waited < lockWait {
		t.Errorf("gave up after %v, want a retry for %v", waited, lockWait)
	}
	if !errors.Is(err, ErrStateInUse) {
		t.Errorf("error %v is not ErrStateInUse", err)
	}
	var inUse *StateInUseError
	if !errors.As(err, &inUse) || inUse.PID != os.Getpid() || inUse.Path != statePath {
		t.Errorf("error %#v, want path %s and PID %d", err, statePath, os.Getpid())
	}
	want := "emulator state file " + statePath + " is in use by process " + strconv.Itoa(os.Getpid()) +
		" (another riskctl --emulate or emulator serve); wait for it or use --emulator-state"
	if err.Error() != want {
		t.Errorf("error\n%s\nwant\n%s", err, want)
	}

	// A write of the first is saved, then it closes; the second sees it.
	first.PutIntegration(testAccount, Integration{TenantURL: "https://a.okta.com"})
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	if err := first.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if err := first.Save(); err == nil {
		t.Error("Save after Close should fail: the file is no longer ours")
	}
	second, err = New(Options{StatePath: statePath})
	if err != nil {
		t.Fatalf("after Close: %v", err)
	}
	defer second.Close()
	if n := len(second.Integrations(testAccount)); n != 1 {
		t.Errorf("second emulator sees %d integrations, want 1", n)
	}
}

// A holder that releases within the wait lets the waiter in.
func TestStateLockWaits(t *testing.T) {
	statePath := filepath.Join(t.TempDir(), "state.json")
	first, err := New(Options{StatePath: statePath})
	if err != nil {
		t.Fatal(err)
	}
	time.AfterFunc(100*time.Millisecond, func() { _ = first.Close() })
	second, err := New(Options{StatePath: statePath})
	if err != nil {
		t.Fatalf("waiter: %v", err)
	}
	_ = second.Close()
}

// A failed load releases the lock, and no emulator without a StatePath
// creates a lock file.
func TestStateLockReleasedOnLoadError(t *testing.T) {
	shortLockWait(t)
	dir := t.TempDir()
	statePath := filepath.Join(dir, "state.json")
	if err := os.WriteFile(statePath, []byte(`{"version":1,"accounts":`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := New(Options{StatePath: statePath}); err == nil || errors.Is(err, ErrStateInUse) {
		t.Fatalf("corrupt state: %v", err)
	}
	if _, err := New(Options{StatePath: statePath}); err == nil || errors.Is(err, ErrStateInUse) {
		t.Fatalf("the failed load kept the lock: %v", err)
	}
}

func TestLoadRefusesBrokenIntegrationIDs(t *testing.T) {
	dir := t.TempDir()
	const in = `{"id":%q,"integration_type":"Okta","tenant_url":"https://a.okta.com","reference_id":"r","created_at":"2025-03-19T19:53:56Z","active":true,"well_known_url":"","account_tag":""}`
	mk := func(ids ...string) string {
		var list []string
		for _, id := range ids {
			list = append(list, strings.Replace(in, "%q", strconv.Quote(id), 1))
		}
		return `{"version":1,"accounts":{"` + testAccount + `":{"integrations":[` + strings.Join(list, ",") + `]}}}`
	}
	for name, tc := range map[string]struct {
		content, want string
	}{
		"duplicate":      {mk("11111111-1111-1111-1111-111111111111", "22222222-2222-2222-2222-222222222222", "11111111-1111-1111-1111-111111111111"), "duplicate integration id"},
		"duplicate-case": {mk("aaaaaaaa-1111-1111-1111-111111111111", "AAAAAAAA-1111-1111-1111-111111111111"), "duplicate integration id"},
		"empty":          {mk("11111111-1111-1111-1111-111111111111", ""), "empty id"},
	} {
		p := filepath.Join(dir, name+".json")
		if err := os.WriteFile(p, []byte(tc.content), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := New(Options{StatePath: p})
		if err == nil || !strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one naming %s and saying %q", name, err, p, tc.want)
		}
	}
	// Repeated reference_ids are allowed by the API, and so in the state.
	p := filepath.Join(dir, "refs.json")
	if err := os.WriteFile(p, []byte(mk("11111111-1111-1111-1111-111111111111", "22222222-2222-2222-2222-222222222222")), 0o644); err != nil {
		t.Fatal(err)
	}
	e, err := New(Options{StatePath: p})
	if err != nil {
		t.Fatalf("repeated reference_id refused: %v", err)
	}
	defer e.Close()
	if n := len(e.Integrations(testAccount)); n != 2 {
		t.Errorf("loaded %d integrations, want 2", n)
	}
}
