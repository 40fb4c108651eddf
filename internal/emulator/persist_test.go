package emulator

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestPersistenceRoundTrip(t *testing.T) {
	dir := t.TempDir()
	statePath := filepath.Join(dir, "nested", "state.json") // parent is created
	v := newTestEnv(t, Options{StatePath: statePath, SeedUsers: 3})
	if _, err := os.Stat(statePath); !os.IsNotExist(err) {
		t.Fatalf("New alone wrote the state file (%v)", err)
	}
	in := v.create("ref-1", "https://acme.okta.com")
	v.do("PUT", path("/behaviors"), `{"behaviors":{"high_dlp":{"enabled":true,"risk_level":"high"}}}`).wantOK(t)
	reset := v.e.Users(testAccount)[0]
	v.do("POST", path("/"+reset.ID+"/reset"), nil).wantOK(t)

	// The writes are in the journal; Save compacts them into the file.
	if err := v.e.Save(); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(statePath)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Version  int                        `json:"version"`
		Accounts map[string]json.RawMessage `json:"accounts"`
	}
	if err := json.Unmarshal(data, &doc); err != nil || doc.Version != 1 || doc.Accounts[testAccount] == nil {
		t.Fatalf("state file: version %d, err %v:\n%s", doc.Version, err, data)
	}
	entries, _ := os.ReadDir(filepath.Dir(statePath))
	// state.json.lock is the lock of the running emulator (lock_test.go),
	// state.json.journal its journal, empty after Save.
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if !reflect.DeepEqual(names, []string{"state.json", "state.json.journal", "state.json.lock"}) {
		t.Errorf("state dir holds %v, want only state.json, its journal and its lock (temp files left behind?)", names)
	}
	if fi, err := os.Stat(journalPath(statePath)); err != nil || fi.Size() != 0 {
		t.Errorf("journal after Save: %v, %v; want it empty", fi, err)
	}
	if st, _ := os.Stat(filepath.Dir(statePath)); st.Mode().Perm() != 0o755 {
		t.Errorf("state dir mode %v, want 0755", st.Mode().Perm())
	}

	// A second emulator on the same file sees everything, and does not
	// re-seed the loaded account even with another SeedUsers. It can only
	// open it once the first has let go. The last write is only in the
	// journal: the second replays it.
	v.do("PUT", path("/behaviors"), `{"behaviors":{"high_dlp":{"enabled":true,"risk_level":"high"}}}`).wantOK(t)
	if err := v.e.Close(); err != nil {
		t.Fatal(err)
	}
	v2 := newTestEnv(t, Options{StatePath: statePath, SeedUsers: 9})
	if got := v2.e.Integrations(testAccount); !reflect.DeepEqual(got, v.e.Integrations(testAccount)) || got[0].ID != in.ID {
		t.Errorf("integrations after reload: %+v", got)
	}
	if got := v2.e.Behaviors(testAccount)["high_dlp"]; !got.Enabled || got.RiskLevel != "high" {
		t.Errorf("behavior after reload: %+v", got)
	}
	users := v2.e.Users(testAccount)
	if len(users) != 3 {
		t.Errorf("reloaded account has %d users, want the 3 saved ones", len(users))
	}
	if users[0].LastResetTime == nil || len(users[0].Events) != 0 {
		t.Errorf("reset not persisted: %+v", users[0])
	}
	a := v.do("GET", path("/"+users[1].ID), nil).wantOK(t).raw
	b := v2.do("GET", path("/"+users[1].ID), nil).wantOK(t).raw
	if string(a) != string(b) {
		t.Errorf("user differs after reload:\n%s\n%s", a, b)
	}
	var got wireIntegration
	v2.do("GET", path("/integrations/"+in.ID), nil).wantOK(t).result(t, &got)
	if got != in {
		t.Errorf("integration after reload %+v, want %+v", got, in)
	}
}

func TestEveryWriteIsSaved(t *testing.T) {
	statePath := filepath.Join(t.TempDir(), "state.json")
	v := newTestEnv(t, Options{StatePath: statePath})
	count := func() int { // read the files: v holds their lock
		st := loadDurable(t, statePath)
		if st.Accounts[testAccount] == nil {
			return 0
		}
		return len(st.Accounts[testAccount].Integrations)
	}
	in := v.create("a", "https://a.okta.com")
	if n := count(); n != 1 {
		t.Fatalf("after create the file holds %d integrations", n)
	}
	v.do("DELETE", path("/integrations/"+in.ID), nil).wantOK(t)
	if n := count(); n != 0 {
		t.Fatalf("after delete the file holds %d integrations", n)
	}
	v.e.PutIntegration(testAccount, Integration{TenantURL: "https://b.okta.com"})
	if n := count(); n != 1 {
		t.Fatalf("after PutIntegration the file holds %d integrations", n)
	}
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{
		"corrupt.json": `{"version":1,"accounts":`,
		"future.json":  `{"version":2,"accounts":{}}`,
		"null.json":    `{"version":1,"accounts":{"a":null}}`,
	} {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := New(Options{StatePath: p}); err == nil || !strings.Contains(err.Error(), p) {
			t.Errorf("%s: error %v should name the file", name, err)
		}
	}
	if _, err := New(Options{StatePath: filepath.Join(dir, "missing", "state.json")}); err != nil {
		t.Errorf("a missing file should be a fresh state: %v", err)
	}
}

// If the write cannot be saved, it is not reported as a success; its
// record is written with the next write that can be.
func TestSaveFailureIs500(t *testing.T) {
	dir := t.TempDir()
	statePath := filepath.Join(dir, "sub", "state.json")
	v := newTestEnv(t, Options{StatePath: statePath})
	j := v.e.journal
	good := j.f
	readOnly, err := os.Open(journalPath(statePath)) // writes to it fail
	if err != nil {
		t.Fatal(err)
	}
	defer readOnly.Close()
	j.flushMu.Lock()
	j.f = readOnly
	j.flushMu.Unlock()
	v.do("POST", path("/integrations"), `{"integration_type":"Okta","tenant_url":"https://a.okta.com"}`).
		wantError(t, 500, 1500)
	j.flushMu.Lock()
	j.f = good
	j.flushMu.Unlock()
	v.create("b", "https://b.okta.com")
	if got, want := loadDurable(t, statePath).Accounts[testAccount].Integrations, v.e.Integrations(testAccount); !reflect.DeepEqual(got, want) || len(got) != 2 {
		t.Errorf("on disk: %+v, want the failed create and the next one: %+v", got, want)
	}

	if err := os.RemoveAll(filepath.Join(dir, "sub")); err != nil { // New made it for the lock file
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "sub"), nil, 0o644); err != nil { // a file where the dir should be
		t.Fatal(err)
	}
	if err := v.e.Save(); err == nil {
		t.Error("Save should fail")
	}
}

// loadDurable reads what a restart would load: the state file and its
// journal replayed over it.
func loadDurable(t *testing.T, statePath string) *state {
	t.Helper()
	st, err := loadState(statePath)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(journalPath(statePath))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := replayJournal(st, f, journalPath(statePath)); err != nil {
		t.Fatal(err)
	}
	for _, a := range st.Accounts {
		a.normalize()
	}
	return st
}

func TestSaveWithoutPathIsNoop(t *testing.T) {
	e, _ := New(Options{})
	if err := e.Save(); err != nil {
		t.Error(err)
	}
}

func TestNewProvisionsAccounts(t *testing.T) {
	const accA, accB = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
	statePath := filepath.Join(t.TempDir(), "state.json")
	e, err := New(Options{StatePath: statePath, Accounts: []string{accA, accB}, SeedUsers: 1})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Save(); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(statePath)
	var doc struct {
		Accounts map[string]struct {
			Users []json.RawMessage `json:"users"`
		} `json:"accounts"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Accounts) != 2 || len(doc.Accounts[accA].Users) != 1 || len(doc.Accounts[accB].Users) != 1 {
		t.Errorf("saved state %s, want both accounts provisioned and seeded", data)
	}
}

func TestBodyTooLarge(t *testing.T) {
	v := newTestEnv(t, Options{})
	big := `{"integration_type":"Okta","tenant_url":"https://a.okta.com","pad":"` + strings.Repeat("x", maxBodyBytes) + `"}`
	v.do("POST", path("/integrations"), big).wantError(t, 413, codeBodyTooLarge)
}
