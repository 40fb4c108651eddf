package emulator

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
)

// A write is durable once answered, without a rewrite of the state file:
// the file is not touched, the journal grows by one line.
func TestWriteAppendsToTheJournal(t *testing.T) {
	statePath := filepath.Join(t.TempDir(), "state.json")
	writeStateWith(t, statePath, 3)
	before, err := os.ReadFile(statePath)
	if err != nil {
		t.Fatal(err)
	}
	v := newTestEnv(t, Options{StatePath: statePath})
	in := v.create("r", "https://a.okta.com")
	after, err := os.ReadFile(statePath)
	if err != nil {
		t.Fatal(err)
	}
	if string(after) != string(before) {
		t.Error("a create rewrote the state file")
	}
	journal, err := os.ReadFile(journalPath(statePath))
	if err != nil {
		t.Fatal(err)
	}
	if lines := strings.Split(strings.TrimSuffix(string(journal), "\n"), "\n"); len(lines) != 1 || !strings.Contains(lines[0], in.ID) {
		t.Errorf("journal after one create:\n%s", journal)
	}
	if got := len(loadDurable(t, statePath).Accounts[testAccount].Integrations); got != 4 {
		t.Errorf("a restart would load %d integrations, want 4", got)
	}
}

// Every kind of write survives a restart without Save (a crash after the
// answers), and the next New compacts: the state file holds them all and
// the journal is empty.
func TestJournalReplayedAndCompactedAtStart(t *testing.T) {
	statePath := filepath.Join(t.TempDir(), "state.json")
	v := newTestEnv(t, Options{StatePath: statePath, SeedUsers: 2})
	a := v.create("a", "https://a.okta.com")
	b := v.create("b", "https://b.okta.com")
	v.do("PUT", path("/integrations/"+a.ID), `{"tenant_url":"https://a2.okta.com","active":false,"reference_id":"a2"}`).wantOK(t)
	v.do("DELETE", path("/integrations/"+b.ID), nil).wantOK(t)
	v.do("PUT", path("/behaviors"), `{"behaviors":{"imp_travel":{"enabled":true,"risk_level":"low"}}}`).wantOK(t)
	user := v.e.Users(testAccount)[1]
	v.do("POST", path("/"+user.ID+"/reset"), nil).wantOK(t)
	v.e.PutIntegration(testAccount, Integration{TenantURL: "https://c.okta.com", ReferenceID: "c"})
	v.e.SetBehavior(testAccount, "high_dlp", Behavior{Name: "x", Enabled: true, RiskLevel: "high"})
	wantInts, wantBehaviors, wantUsers := v.e.Integrations(testAccount), v.e.Behaviors(testAccount), v.e.Users(testAccount)
	if _, err := os.Stat(statePath); !os.IsNotExist(err) {
		t.Fatalf("the state file was written before any compaction: %v", err)
	}
	if err := v.e.Close(); err != nil { // no Save: as after kill -9
		t.Fatal(err)
	}

	e2, err := New(Options{StatePath: statePath, SeedUsers: 7})
	if err != nil {
		t.Fatal(err)
	}
	defer e2.Close()
	if got := e2.Integrations(testAccount); !reflect.DeepEqual(got, wantInts) {
		t.Errorf("integrations after replay:\n%+v\nwant\n%+v", got, wantInts)
	}
	if got := e2.Behaviors(testAccount); !reflect.DeepEqual(got, wantBehaviors) {
		t.Errorf("behaviors after replay: %+v, want %+v", got, wantBehaviors)
	}
	// As JSON: event_details numbers come back as float64.
	if got, want := mustJSON(t, e2.Users(testAccount)), mustJSON(t, wantUsers); got != want {
		t.Errorf("users after replay:\n%s\nwant\n%s", got, want)
	}
	if fi, err := os.Stat(journalPath(statePath)); err != nil || fi.Size() != 0 {
		t.Errorf("journal after start: %v %v, want empty", fi, err)
	}
	st, err := loadState(statePath)
	if err != nil {
		t.Fatal(err)
	}
	if got := st.Accounts[testAccount].Integrations; !reflect.DeepEqual(got, wantInts) {
		t.Errorf("compacted state file holds %+v, want %+v", got, wantInts)
	}
}

// A crash while a record was being written leaves a last line without its
// newline: that write was never answered, so it is dropped, and the
// journal is emptied so that the next record does not follow it.
func TestTornLastRecordIsIgnored(t *testing.T) {
	statePath := filepath.Join(t.TempDir(), "state.json")
	v := newTestEnv(t, Options{StatePath: statePath})
	kept := v.create("kept", "https://a.okta.com")
	if err := v.e.Close(); err != nil {
		t.Fatal(err)
	}
	journal, err := os.ReadFile(journalPath(statePath))
	if err != nil {
		t.Fatal(err)
	}
	torn := `{"op":"integration","account":"` + testAccount + `","integration":{"id":"6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b","integration_type":"Ok`
	if err := os.WriteFile(journalPath(statePath), append(journal, torn...), 0o600); err != nil {
		t.Fatal(err)
	}
	e2, err := New(Options{StatePath: statePath})
	if err != nil {
		t.Fatalf("a torn last record should be ignored: %v", err)
	}
	defer e2.Close()
	if got := e2.Integrations(testAccount); len(got) != 1 || got[0].ID != kept.ID {
		t.Errorf("after a torn record: %+v, want only %s", got, kept.ID)
	}
	if fi, err := os.Stat(journalPath(statePath)); err != nil || fi.Size() != 0 {
		t.Errorf("journal after start: %v %v, want empty", fi, err)
	}
}

// Anything else that is not a valid record is an error naming the journal
// and the line, and nothing is changed.
func TestMalformedJournalIsAnError(t *testing.T) {
	good := `{"op":"integration","account":"` + testAccount + `","integration":{"id":"6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b","integration_type":"Okta","tenant_url":"https://a.okta.com","created_at":"2025-03-19T19:53:56Z"}}`
	for name, tc := range map[string]struct{ journal, want string }{
		"not JSON":          {good + "\n{oops\n" + good + "\n", "line 2: invalid character"},
		"last line garbage": {good + "\n" + "garbage\n", "line 2: invalid character"},
		"unknown field":     {strings.Replace(good, `"op"`, `"extra":1,"op"`, 1) + "\n", `line 1: json: unknown field "extra"`},
		"unknown op":        {strings.Replace(good, `"op":"integration"`, `"op":"drop"`, 1) + "\n", `line 1: unknown op "drop"`},
		"bad account":       {strings.Replace(good, testAccount, "ACCOUNT", 1) + "\n", `line 1: account "ACCOUNT" is not a Cloudflare account id`},
		"bad integration":   {strings.Replace(good, `"Okta"`, `"okta"`, 1) + "\n", `line 1: account "` + testAccount + `": integration 0 (id "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b"): integration_type "okta" is not "Okta"`},
		"missing value":     {`{"op":"user","account":"` + testAccount + `"}` + "\n", `line 1: user record without "user"`},
		"trailing data":     {good + ` {}` + "\n", "line 1: unexpected data after the JSON object"},
	} {
		t.Run(name, func(t *testing.T) {
			statePath := filepath.Join(t.TempDir(), "state.json")
			writeStateWith(t, statePath, 1)
			before, _ := os.ReadFile(statePath)
			if err := os.WriteFile(journalPath(statePath), []byte(tc.journal), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := New(Options{StatePath: statePath})
			if err == nil || !strings.Contains(err.Error(), journalPath(statePath)) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one naming %s and %q", err, journalPath(statePath), tc.want)
			}
			if after, _ := os.ReadFile(statePath); string(after) != string(before) {
				t.Error("a failed load changed the state file")
			}
			if after, _ := os.ReadFile(journalPath(statePath)); string(after) != tc.journal {
				t.Error("a failed load changed the journal")
			}
		})
	}
}

// A record for an account that nothing provisioned is corrupt.
func TestJournalRecordOfUnknownAccount(t *testing.T) {
	statePath := filepath.Join(t.TempDir(), "state.json")
	rec := `{"op":"delete_integration","account":"` + testAccount + `","id":"6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b"}` + "\n"
	if err := os.WriteFile(journalPath(statePath), []byte(rec), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := New(Options{StatePath: statePath}); err == nil || !strings.Contains(err.Error(), "line 1: delete_integration record for account") {
		t.Fatalf("error %v", err)
	}
}

// A journal larger than riskctl writes is refused before it is read, and
// a journal that is not a regular file is refused too.
func TestJournalBounded(t *testing.T) {
	statePath := filepath.Join(t.TempDir(), "state.json")
	f, err := os.Create(journalPath(statePath))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(maxJournalBytes + 1); err != nil { // sparse: no disk used
		t.Fatal(err)
	}
	f.Close()
	if _, err := New(Options{StatePath: statePath}); err == nil || !strings.Contains(err.Error(), "larger than 80 MiB") {
		t.Fatalf("error %v", err)
	}

	statePath = filepath.Join(t.TempDir(), "state.json")
	if err := os.Symlink(filepath.Join(t.TempDir(), "elsewhere"), journalPath(statePath)); err != nil {
		t.Skip("no symbolic links here:", err)
	}
	if _, err := New(Options{StatePath: statePath}); err == nil || !strings.Contains(err.Error(), "is a symbolic link") {
		t.Fatalf("error %v", err)
	}
}

// Records hold values, not deltas: a journal replayed over a state that
// already holds it (a crash between compaction's rename and the
// journal's truncation) gives the same state.
func TestJournalReplayIsIdempotent(t *testing.T) {
	statePath := filepath.Join(t.TempDir(), "state.json")
	v := newTestEnv(t, Options{StatePath: statePath, SeedUsers: 1})
	a := v.create("a", "https://a.okta.com")
	v.create("b", "https://b.okta.com")
	v.do("DELETE", path("/integrations/"+a.ID), nil).wantOK(t)
	v.do("POST", path("/"+v.e.Users(testAccount)[0].ID+"/reset"), nil).wantOK(t)
	journal, err := os.ReadFile(journalPath(statePath))
	if err != nil {
		t.Fatal(err)
	}
	if err := v.e.Save(); err != nil {
		t.Fatal(err)
	}
	want := loadDurable(t, statePath)
	if err := v.e.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(journalPath(statePath), journal, 0o600); err != nil { // the truncation never happened
		t.Fatal(err)
	}
	if got := loadDurable(t, statePath); !reflect.DeepEqual(got, want) {
		t.Errorf("replayed twice:\n%+v\nwant\n%+v", got.Accounts[testAccount], want.Accounts[testAccount])
	}
}

// The journal is compacted once it passes journalCompactBytes, so it stays
// far under what New reads.
func TestJournalCompactedWhenLarge(t *testing.T) {
	statePath := filepath.Join(t.TempDir(), "state.json")
	v := newTestEnv(t, Options{StatePath: statePath})
	v.create("a", "https://a.okta.com")
	j := v.e.journal
	j.flushMu.Lock()
	j.size = journalCompactBytes // as if it were that long
	j.flushMu.Unlock()
	b := v.create("b", "https://b.okta.com")
	if fi, err := os.Stat(journalPath(statePath)); err != nil || fi.Size() != 0 {
		t.Errorf("journal past journalCompactBytes not compacted: %v %v", fi, err)
	}
	st, err := loadState(statePath)
	if err != nil {
		t.Fatal(err)
	}
	if got := st.Accounts[testAccount].Integrations; len(got) != 2 || (got[0].ID != b.ID && got[1].ID != b.ID) {
		t.Errorf("compacted state: %+v", got)
	}
}

// Concurrent writers share fsyncs (group commit) and every answered write
// is on disk.
func TestConcurrentWritesAreAllDurable(t *testing.T) {
	statePath := filepath.Join(t.TempDir(), "state.json")
	v := newTestEnv(t, Options{StatePath: statePath})
	const n = 64
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			resp, err := v.send(v.srv.Client(), "POST", path("/integrations"), `{"integration_type":"Okta","tenant_url":"https://a.okta.com","reference_id":"r`+string(rune('a'+i%26))+`"}`)
			if err != nil {
				t.Error(err)
				return
			}
			checkEnvelope(t, resp).wantOK(t)
		})
	}
	wg.Wait()
	if got := len(loadDurable(t, statePath).Accounts[testAccount].Integrations); got != n {
		t.Errorf("on disk: %d integrations, want %d", got, n)
	}
}

// Without a StatePath nothing is journaled and nothing waits.
func TestMemoryOnlyHasNoJournal(t *testing.T) {
	v := newTestEnv(t, Options{})
	v.create("a", "https://a.okta.com")
	if v.e.journal != nil {
		t.Error("a journal without a StatePath")
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
