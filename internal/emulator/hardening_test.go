package emulator

import (
	"bytes"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

// TestLoadExplainsOldAccountIDs: a state file of an older emulator, which
// took any account id, is still refused, but the error names the file and
// the id and says how to get going again.
func TestLoadExplainsOldAccountIDs(t *testing.T) {
	okBehavior := `"imp_travel":{"name":"Impossible Travel","description":"d","enabled":false,"risk_level":"high"}`
	for _, id := range []string{"ABCDEF0123456789ABCDEF0123456789", "acc 1", "x"} {
		p := filepath.Join(t.TempDir(), "state.json")
		if err := os.WriteFile(p, []byte(stateWith(id, okBehavior, "", "")), 0o644); err != nil {
			t.Fatal(err)
		}
		e, err := New(Options{StatePath: p})
		if err == nil {
			_ = e.Close()
			t.Fatalf("account %q accepted", id)
		}
		want := "load state " + p + `: account "` + id + `": not a Cloudflare account id: expected 32 lower-case hex characters; ` +
			"an older riskctl accepted any account id: delete that account from " + p + ", or delete " + p + " to start over"
		if err.Error() != want {
			t.Errorf("error\n%s\nwant\n%s", err, want)
		}
		if strings.Contains(err.Error(), "emulator: ") {
			t.Errorf("error %q has the package prefix: riskctl adds its own (\"embedded emulator: \")", err)
		}
	}
}

// TestLoadNamesIntegrationsInFileOrder: an integration's index in an error
// is its position in the file, not the one after sorting by created_at.
func TestLoadNamesIntegrationsInFileOrder(t *testing.T) {
	// The first in the file is the newest: sorting would make it index 1.
	late := strings.NewReplacer("11111111-1111-4111-8111-111111111111", "99999999-9999-4999-8999-999999999999",
		"2025-03-19T19:53:56Z", "2026-01-01T00:00:00Z", `"Okta"`, `"okta"`).Replace(goodIntegration)
	p := filepath.Join(t.TempDir(), "state.json")
	if err := os.WriteFile(p, []byte(stateWith(testAccount, "", late+","+goodIntegration, "")), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := New(Options{StatePath: p})
	want := `integration 0 (id "99999999-9999-4999-8999-999999999999"): integration_type "okta" is not "Okta"`
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("error %v, want one saying %q", err, want)
	}
}

// TestCatalogueBooleans: enabled follows the spec rule (internal/spec): a
// YAML 1.2 boolean, true or false in any case; yes/no/on/off refused even
// when tagged !!bool. None is silently read as false.
func TestCatalogueBooleans(t *testing.T) {
	for _, tc := range []struct {
		value string
		want  bool
		err   string
	}{
		{"true", true, ""},
		{"True", true, ""},
		{"TRUE", true, ""},
		{"!!bool True", true, ""},
		{"false", false, ""},
		{"FALSE", false, ""},
		{"!!bool yes", false, `enabled must be a boolean true or false, got "yes" (!!bool) (YAML 1.1 yes/no/on/off are not booleans)`},
		{"yes", false, `enabled must be a boolean true or false, got the string "yes" (YAML 1.1`},
		{"'true'", false, `enabled must be a boolean true or false, got the string "true"`},
		{"1", false, `enabled must be a boolean true or false, got "1" (!!int)`},
		{"~", false, "enabled must be a boolean true or false, got null"},
	} {
		t.Run(tc.value, func(t *testing.T) {
			got, err := ParseBehaviors("c.yaml", []byte("behaviors:\n  a: {name: A, description: d, enabled: "+tc.value+"}\n"))
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Errorf("error %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got["a"].Enabled != tc.want {
				t.Errorf("enabled: %s read as %v", tc.value, got["a"].Enabled)
			}
		})
	}
}

// TestCatalogueKeysFollowTheSpecRule: a catalogue key is a behavior id of
// riskctl specs, [a-z0-9_]{1,64}, or `riskctl export` could not write the
// account; checked in the file, in Options.Behaviors and in the state.
func TestCatalogueKeysFollowTheSpecRule(t *testing.T) {
	const want = "expected lower-case letters, digits and underscores only, such as imp_travel"
	for _, key := range []string{"Crowd-Strike.low", "ImpTravel", "a.b", "a-b", "é"} {
		_, err := ParseBehaviors("c.yaml", []byte("behaviors:\n  "+strconv.Quote(key)+": {name: A, description: d}\n"))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("file key %q: %v, want %q", key, err, want)
		}
		if _, err := New(Options{Behaviors: map[string]Behavior{key: {Name: "A", RiskLevel: "low"}}}); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Options.Behaviors key %q: %v, want %q", key, err, want)
		}
	}
	p := filepath.Join(t.TempDir(), "state.json")
	if err := os.WriteFile(p, []byte(stateWith(testAccount, `"Crowd-Strike.low":{"name":"n","description":"d","enabled":false,"risk_level":"low"}`, "", "")), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := New(Options{StatePath: p}); err == nil || !strings.Contains(err.Error(), want) ||
		!strings.Contains(err.Error(), "delete that behavior from "+p+", or delete "+p+" to start over") {
		t.Errorf("state key: %v", err)
	}
	for _, key := range []string{"crowdstrike_low", "imp_travel", "a", "x9", strings.Repeat("k", 64)} {
		if _, err := ParseBehaviors("c.yaml", []byte("behaviors:\n  "+key+": {name: A, description: d}\n")); err != nil {
			t.Errorf("key %q refused: %v", key, err)
		}
	}
}

// TestWriteBehaviorsSourceStaysInItsComment: every character that ends a
// line for YAML or an editor (\r, U+0085, U+2028, U+2029) or does not print
// is escaped in the source comment, which stays one line.
func TestWriteBehaviorsSourceStaysInItsComment(t *testing.T) {
	m := map[string]Behavior{"imp_travel": {Name: "Impossible Travel", RiskLevel: "high"}}
	source := "acct\rbehaviors: {}\u0085x\u2028y\u2029z\nw\tv\x00\x1b[31m\u200b end"
	var buf bytes.Buffer
	if err := WriteBehaviors(&buf, m, "yaml", source); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	lines := strings.SplitAfter(out, "\n")
	if len(lines) < 3 || lines[2] != "behaviors:\n" {
		t.Fatalf("the source broke out of its comment line:\n%q", out)
	}
	want := `# acct\rbehaviors: {}\u0085x\u2028y\u2029z\nw\tv\x00\x1b[31m\u200b end` + "\n"
	if lines[1] != want {
		t.Errorf("comment %q, want %q", lines[1], want)
	}
	for _, r := range strings.TrimSuffix(strings.Join(lines[:2], ""), "\n") {
		if r != '\n' && !unicode.IsPrint(r) {
			t.Errorf("comment holds %U", r)
		}
	}
	got, err := ParseBehaviors("out.yaml", buf.Bytes())
	if err != nil || !reflect.DeepEqual(got, m) {
		t.Errorf("does not load back: %v, %+v", err, got)
	}
}

// TestJSONCatalogue: a JSON catalogue is read as JSON: its escapes mean
// what they mean in JSON (yaml.v3 refuses \/ and surrogate pairs), and it
// gets the checks and the file:line:col messages of a YAML one.
func TestJSONCatalogue(t *testing.T) {
	got, err := ParseBehaviors("c.json", []byte(` {"behaviors": {"imp_travel": {"name": "Impossible\/Travel \ud83d\ude00 \u00e9",
  "description": "a\tb\\c", "enabled": true, "risk_level": "high"}}}`))
	want := map[string]Behavior{"imp_travel": {Name: "Impossible/Travel 😀 é", Description: "a\tb\\c", Enabled: true, RiskLevel: "high"}}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, %v; want %+v", got, err, want)
	}
	for _, tc := range []struct{ data, want string }{
		{`{"behaviors": {"a": {"name": "A", "description": "d"}, "a": {"name": "B", "description": "d"}}}`, `c.json:1:56: duplicate behavior "a"`},
		{"{\"behaviors\": {\n  \"a\": {\"name\": \"A\", \"description\": \"d\", \"risk\": 1}}}", `c.json:2:42: behavior "a": unknown field "risk"`},
		{`{"behaviors": {"a": {"name": 12, "description": "d"}}}`, `c.json:1:30: behavior "a": name must be a string`},
		{`{"behaviors": {"a": {"name": "A", "description": "d", "enabled": "true"}}}`, `enabled must be a boolean true or false, got the string "true"`},
		{`{"behaviors": {"a": {"name": "A", "description": "d", "enabled": 1.5}}}`, `got "1.5" (!!float)`},
		{`{"behaviors": {"A-b": {"name": "A", "description": "d", "enabled": null}}}`, `c.json:1:16: behavior key "A-b"`},
		{`{"behaviors": {}}`, "c.json:1:15: behaviors is empty"},
		{`{"behaviors": []}`, "c.json:1:15: behaviors must be a mapping"},
		{`{"behaviors": {"a": {"name": "A", "description": "d"}}} {}`, "c.json"}, // not one JSON value: read as YAML, refused
	} {
		if _, err := ParseBehaviors("c.json", []byte(tc.data)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.data, err, tc.want)
		}
	}
}

// TestTempFilesOfAnotherStateFileAreKept: the sweep of a.json's temp files
// (".a.json.tmp-DIGITS") leaves those of a state file named a.json.tmp-x
// (".a.json.tmp-x.tmp-DIGITS"), which a glob ".a.json.tmp-*" matches.
func TestTempFilesOfAnotherStateFileAreKept(t *testing.T) {
	dir := t.TempDir()
	statePath := filepath.Join(dir, "a.json")
	other := filepath.Join(dir, ".a.json.tmp-x.tmp-123") // a temp of state file a.json.tmp-x
	notOurs := []string{other, filepath.Join(dir, ".a.json.tmp-"), filepath.Join(dir, ".a.json.tmp-12a")}
	for _, p := range notOurs {
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	plantTemp(t, statePath, "987654321")
	v := newTestEnv(t, Options{StatePath: statePath})
	v.create("r", "https://a.okta.com")
	if _, err := os.Stat(filepath.Join(dir, ".a.json.tmp-987654321")); !os.IsNotExist(err) {
		t.Errorf("own temp file not removed: %v", err)
	}
	for _, p := range notOurs {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("%s was removed: %v", p, err)
		}
	}
}

// TestLockFileWithOtherDataIsNotClobbered: a lock file holding anything
// but a PID (a hard link to another file, say) is refused, untouched.
func TestLockFileWithOtherDataIsNotClobbered(t *testing.T) {
	dir := t.TempDir()
	statePath := filepath.Join(dir, "state.json")
	const precious = "precious data\n"
	if err := os.WriteFile(lockPath(statePath), []byte(precious), 0o644); err != nil {
		t.Fatal(err)
	}
	e, err := New(Options{StatePath: statePath})
	if err == nil {
		_ = e.Close()
		t.Fatal("a lock file holding other data was taken")
	}
	if !strings.Contains(err.Error(), "is not a process id, so it is not riskctl's") {
		t.Errorf("error %v", err)
	}
	if data, _ := os.ReadFile(lockPath(statePath)); string(data) != precious {
		t.Errorf("lock file now holds %q", data)
	}
	// A lock file of ours, a stale PID or empty, is taken.
	for _, content := range []string{"12345\n", ""} {
		if err := os.WriteFile(lockPath(statePath), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		e, err := New(Options{StatePath: statePath})
		if err != nil {
			t.Fatalf("lock file %q: %v", content, err)
		}
		_ = e.Close()
	}
	// Not a regular file: refused.
	if err := os.Remove(lockPath(statePath)); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(lockPath(statePath), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := New(Options{StatePath: statePath}); err == nil {
		t.Error("a directory was taken as the lock file")
	}
}

// TestRateWindowsAreKeyedOnAHash: a window costs the same whatever the
// credential header holds: its key is a hash, not the header.
func TestRateWindowsAreKeyedOnAHash(t *testing.T) {
	v := newTestEnv(t, Options{Token: "tok"})
	junk := strings.Repeat("j", 100_000)
	v.do("GET", path("/behaviors"), nil, "Authorization", "Bearer "+junk).wantError(t, http.StatusForbidden, codeAuth)
	v.do("GET", path("/behaviors"), nil, "Authorization", junk).wantError(t, http.StatusBadRequest, codeBadHeaders)
	v.do("GET", path("/behaviors"), nil, "X-Auth-Key", junk, "X-Auth-Email", junk).wantError(t, http.StatusBadRequest, codeBadHeaders)
	v.e.mu.Lock()
	defer v.e.mu.Unlock()
	if n := len(v.e.windows); n != 3 {
		t.Errorf("%d windows, want 3", n)
	}
	for k := range v.e.windows {
		kv := reflect.ValueOf(k)
		size := int(kv.Type().Size())
		if kv.Kind() == reflect.String {
			size = kv.Len()
		}
		if size > 64 {
			t.Errorf("window key of %d bytes: the credential, not its hash", size)
		}
	}
}

// TestRateWindowsAreCapped: past maxWindows live windows, a new credential
// gets none: 429 with a rate limit, served without one; known ones go on.
func TestRateWindowsAreCapped(t *testing.T) {
	defer func(n int) { maxWindows = n }(maxWindows)
	maxWindows = 3
	for _, enforce := range []bool{true, false} {
		opts := Options{}
		if enforce {
			opts.RateLimit = 100
		}
		v := newTestEnv(t, opts)
		v.withClock()
		for i := range 3 {
			v.do("GET", path("/behaviors"), nil, "Authorization", "Bearer t"+strconv.Itoa(i)).wantOK(t)
		}
		r := v.do("GET", path("/behaviors"), nil, "Authorization", "Bearer new")
		if enforce {
			r.wantError(t, http.StatusTooManyRequests, codeRateLimited)
			if r.header.Get("Retry-After") == "" {
				t.Error("429 without Retry-After")
			}
		} else {
			r.wantOK(t)
		}
		v.do("GET", path("/behaviors"), nil, "Authorization", "Bearer t0").wantOK(t)
		v.e.mu.Lock()
		n := len(v.e.windows)
		v.e.mu.Unlock()
		if n != 3 {
			t.Errorf("enforce %v: %d windows, want the cap, 3", enforce, n)
		}
	}
}

// TestBearerTokenIgnoresKeyAndEmailHeaders: next to a well-formed bearer
// token, X-Auth-Key and X-Auth-Email are not format-checked (cloudflare-go
// sends X-Auth-Email whenever CLOUDFLARE_EMAIL is set).
func TestBearerTokenIgnoresKeyAndEmailHeaders(t *testing.T) {
	v := newTestEnv(t, Options{Token: "tok"})
	v.do("GET", path("/behaviors"), nil, "Authorization", "Bearer tok", "X-Auth-Email", "ops@example.com").wantOK(t)
	v.do("GET", path("/behaviors"), nil, "Authorization", "Bearer tok", "X-Auth-Key", "k").wantOK(t)
	v.do("GET", path("/behaviors"), nil, "Authorization", "Bearer tok", "X-Auth-Key", "k", "X-Auth-Email", "e").wantOK(t)
	// A wrong token is still 403, whatever comes with it.
	v.do("GET", path("/behaviors"), nil, "Authorization", "Bearer other", "X-Auth-Email", "ops@example.com").wantError(t, http.StatusForbidden, codeAuth)
	// A lone X-Auth-Email without a token is still malformed.
	v.do("GET", path("/behaviors"), nil, "X-Auth-Email", "ops@example.com").wantError(t, http.StatusBadRequest, codeBadHeaders)
}

// TestOptionErrorsNameTheField: each problem of Options is an OptionError
// naming its field, with a message that does not, for a CLI to reword.
func TestOptionErrorsNameTheField(t *testing.T) {
	_, err := New(Options{APIKey: "k3y", Email: "ops@example.com", SeedUsers: -1})
	joined, ok := err.(interface{ Unwrap() []error })
	if !ok {
		t.Fatalf("error %v is not joined", err)
	}
	var fields []string
	for _, e := range joined.Unwrap() {
		oe, ok := e.(*OptionError)
		if !ok {
			t.Fatalf("%v is not an OptionError", e)
		}
		if strings.Contains(oe.Err.Error(), "Options.") {
			t.Errorf("message %q names the field", oe.Err)
		}
		fields = append(fields, oe.Field)
	}
	if !reflect.DeepEqual(fields, []string{"APIKey", "SeedUsers"}) {
		t.Errorf("fields %v", fields)
	}
	if want := "emulator: Options.APIKey: must be a Global API Key: 37 hex characters"; !strings.Contains(err.Error(), want) {
		t.Errorf("error %q lacks %q", err, want)
	}
}
