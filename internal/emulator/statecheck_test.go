package emulator

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// goodIntegration is a valid stored integration; tests break one field.
const goodIntegration = `{"id":"11111111-1111-4111-8111-111111111111","account_tag":"` + testAccount + `","integration_type":"Okta",` +
	`"reference_id":"r","tenant_url":"https://a.okta.com","well_known_url":"","active":true,"created_at":"2025-03-19T19:53:56Z"}`

const goodUser = `{"id":"22222222-2222-4222-8222-222222222222","name":"Ada","email":"ada@example.com","last_reset_time":null,` +
	`"events":[{"id":"e1","name":"Impossible Travel","risk_level":"high","timestamp":"2026-06-01T00:00:00Z"}]}`

func stateWith(account, behaviors, integrations, users string) string {
	return `{"version":1,"accounts":{"` + account + `":{"behaviors":{` + behaviors + `},"integrations":[` + integrations + `],"users":[` + users + `]}}}`
}

// TestLoadRefusesStateThatBreaksTheContract: each broken state is refused
// by New with an error naming the file and the problem.
func TestLoadRefusesStateThatBreaksTheContract(t *testing.T) {
	okBehavior := `"imp_travel":{"name":"Impossible Travel","description":"d","enabled":false,"risk_level":"high"}`
	without := func(field string) string {
		i := strings.Index(goodIntegration, `"`+field+`":`)
		j := strings.Index(goodIntegration[i:], `,`)
		return goodIntegration[:i] + goodIntegration[i+j+1:]
	}
	for _, tc := range []struct {
		name, content, want string
	}{
		{"valid", stateWith(testAccount, okBehavior, goodIntegration, goodUser), ""},
		{"unknown version", `{"version":7,"accounts":{}}`, "unsupported version 7 (want 1)"},
		{"no version", `{"accounts":{}}`, "unsupported version 0 (want 1)"},
		{"unknown field", `{"version":1,"accounts":{},"acounts":{}}`, `unknown field "acounts"`},
		{"unknown nested field", stateWith(testAccount, okBehavior, strings.Replace(goodIntegration, `"active"`, `"enabled"`, 1), ""), `unknown field "enabled"`},
		{"trailing data", `{"version":1,"accounts":{}} {}`, "unexpected data after the JSON object"},
		{"malformed account id", stateWith("acct-1", okBehavior, "", ""), `account "acct-1": not a Cloudflare account id`},
		{"upper-case account id", stateWith(strings.ToUpper(testAccount), okBehavior, "", ""), "not a Cloudflare account id"},
		{"integration without type", stateWith(testAccount, okBehavior, without("integration_type"), ""), "integration_type is missing"},
		{"integration of another type", stateWith(testAccount, okBehavior, strings.Replace(goodIntegration, `"Okta"`, `"okta"`, 1), ""), `integration_type "okta" is not "Okta"`},
		{"integration without tenant", stateWith(testAccount, okBehavior, without("tenant_url"), ""), "tenant_url is missing"},
		{"integration without created_at", stateWith(testAccount, okBehavior, strings.Replace(goodIntegration, `,"created_at":"2025-03-19T19:53:56Z"`, "", 1), ""), "created_at is missing"},
		{"integration id not a UUID", stateWith(testAccount, okBehavior, strings.Replace(goodIntegration, "11111111-1111-4111-8111-111111111111", "one", 1), ""), `integration 0 (id "one"): id is not a UUID`},
		{"empty integration id", stateWith(testAccount, okBehavior, strings.Replace(goodIntegration, "11111111-1111-4111-8111-111111111111", "", 1), ""), "integration 0 has an empty id"},
		{"duplicate integration ids", stateWith(testAccount, okBehavior, goodIntegration+","+goodIntegration, ""), `duplicate integration id "11111111-1111-4111-8111-111111111111"`},
		{"bad risk level", stateWith(testAccount, strings.Replace(okBehavior, `"high"`, `"High"`, 1), "", ""), `behavior "imp_travel": risk_level "High" is not low, medium or high`},
		{"bad behavior key", stateWith(testAccount, `"a b":{"name":"n","description":"d","enabled":false,"risk_level":"low"}`, "", ""), `behavior key "a b"`},
		{"user id not a UUID", stateWith(testAccount, okBehavior, "", strings.Replace(goodUser, "22222222-2222-4222-8222-222222222222", "u1", 1)), `user 0: id "u1" is not a UUID`},
		{"duplicate user ids", stateWith(testAccount, okBehavior, "", goodUser+","+goodUser), "duplicate user id"},
		{"event without id", stateWith(testAccount, okBehavior, "", strings.Replace(goodUser, `"id":"e1"`, `"id":""`, 1)), "event 0 has an empty id"},
		{"event risk level", stateWith(testAccount, okBehavior, "", strings.Replace(goodUser, `"risk_level":"high"`, `"risk_level":"severe"`, 1)), `risk_level "severe"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "state.json")
			if err := os.WriteFile(p, []byte(tc.content), 0o644); err != nil {
				t.Fatal(err)
			}
			e, err := New(Options{StatePath: p})
			if tc.want == "" {
				if err != nil {
					t.Fatalf("valid state refused: %v", err)
				}
				_ = e.Close()
				return
			}
			if err == nil {
				_ = e.Close()
				t.Fatalf("accepted, want an error saying %q", tc.want)
			}
			if msg := err.Error(); !strings.Contains(msg, "load state "+p+": ") || !strings.Contains(msg, tc.want) {
				t.Errorf("error %q, want one naming %s and saying %q", msg, p, tc.want)
			}
		})
	}
}

// TestLoadReportsEveryProblem: one load names all the problems.
func TestLoadReportsEveryProblem(t *testing.T) {
	p := filepath.Join(t.TempDir(), "state.json")
	broken := strings.Replace(goodIntegration, `"Okta"`, `""`, 1)
	content := stateWith("bad", `"k":{"name":"n","description":"d","enabled":false,"risk_level":"x"}`, broken, "")
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := New(Options{StatePath: p})
	for _, want := range []string{"not a Cloudflare account id", `risk_level "x"`, "integration_type is missing"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v lacks %q", err, want)
		}
	}
}

// tempFiles lists the save temp files next to a state file.
func tempFiles(t *testing.T, statePath string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(filepath.Dir(statePath), "."+filepath.Base(statePath)+".tmp-*"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// plantTemp leaves a temp file as a save that crashed would.
func plantTemp(t *testing.T, statePath, suffix string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(filepath.Dir(statePath), "."+filepath.Base(statePath)+".tmp-"+suffix), []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestStaleTempFilesAreRemoved: temp files of a save that died go on
// start, and after every save (compaction), successful or not; other
// files stay.
func TestStaleTempFilesAreRemoved(t *testing.T) {
	dir := t.TempDir()
	statePath := filepath.Join(dir, "state.json")
	plantTemp(t, statePath, "123")
	plantTemp(t, statePath, "456")
	keep := []string{filepath.Join(dir, "other.json.tmp-1"), filepath.Join(dir, "state.json.tmp-1"), filepath.Join(dir, ".state.json.tmp")}
	for _, k := range keep {
		if err := os.WriteFile(k, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	v := newTestEnv(t, Options{StatePath: statePath})
	if got := tempFiles(t, statePath); len(got) != 0 {
		t.Errorf("after start: %v left", got)
	}

	plantTemp(t, statePath, "789")
	v.create("r", "https://a.okta.com")
	if err := v.e.Save(); err != nil {
		t.Fatal(err)
	}
	if got := tempFiles(t, statePath); len(got) != 0 {
		t.Errorf("after a save: %v left", got)
	}

	// A failed save (the state file's name is taken by a directory, so
	// the rename fails after the temp file is written) leaves no temp file
	// either, its own or an older one.
	plantTemp(t, statePath, "4242")
	if err := os.Remove(statePath); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(statePath, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(statePath, "x"), nil, 0o644); err != nil { // not empty: rename cannot replace it
		t.Fatal(err)
	}
	if err := v.e.Save(); err == nil {
		t.Error("Save succeeded onto a directory")
	}
	if got := tempFiles(t, statePath); len(got) != 0 {
		t.Errorf("after a failed Save: %v left", got)
	}
	for _, k := range keep {
		if _, err := os.Stat(k); err != nil {
			t.Errorf("%s was removed: %v", k, err)
		}
	}
}

// TestTempFilesOfAStateFileWithGlobCharacters: the sweep matches the state
// file's own temp files, not others that a glob would also match.
func TestTempFilesOfAStateFileWithGlobCharacters(t *testing.T) {
	dir := t.TempDir()
	statePath := filepath.Join(dir, "s[1].json")
	plantTemp(t, statePath, "1")
	other := filepath.Join(dir, ".s1.json.tmp-1") // what the unescaped pattern "s[1]" matches
	if err := os.WriteFile(other, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	v := newTestEnv(t, Options{StatePath: statePath})
	defer v.e.Close()
	if _, err := os.Stat(filepath.Join(dir, ".s[1].json.tmp-1")); !os.IsNotExist(err) {
		t.Errorf("own temp file not removed: %v", err)
	}
	if _, err := os.Stat(other); err != nil {
		t.Errorf("another file's temp was removed: %v", err)
	}
}
