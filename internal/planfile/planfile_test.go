package planfile

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/riskctl/riskctl/internal/plan"
)

func TestSamplePlanHasEveryAction(t *testing.T) {
	f := sampleFile(t, t.TempDir())
	kinds := map[plan.Action]bool{}
	for _, a := range f.Accounts {
		for _, c := range a.Plan.Changes {
			kinds[c.Action] = true
		}
	}
	for _, k := range []plan.Action{plan.Create, plan.Update, plan.Replace, plan.Delete} {
		if !kinds[k] {
			t.Errorf("the sample plan has no %s", k)
		}
	}
	b := f.Accounts[1].Plan
	if len(b.UnmanagedBehaviors) == 0 || len(b.UnmanagedIntegrations) < 2 {
		t.Errorf("the sample plan has no unmanaged objects: %+v", b)
	}
}

func TestRoundTrip(t *testing.T) {
	dir := t.TempDir()
	f := sampleFile(t, dir)
	path := filepath.Join(dir, "plan.riskctl.json")
	if err := Write(path, f); err != nil {
		t.Fatal(err)
	}
	got, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	want := f
	want.FormatVersion = FormatVersion
	want.Accounts = slices.Clone(f.Accounts)
	for i := range want.Accounts {
		want.Accounts[i].Live = snapshot(want.Accounts[i].Live)
	}
	if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("Read(Write(f)) differs (-want +got):\n%s", diff)
	}

	// A second write of what was read gives the same bytes.
	var first, second bytes.Buffer
	if err := Encode(&first, f); err != nil {
		t.Fatal(err)
	}
	if err := Encode(&second, got); err != nil {
		t.Fatal(err)
	}
	if first.String() != second.String() {
		t.Errorf("Encode(Read(f)) differs from Encode(f):\n%s\n---\n%s", first.String(), second.String())
	}
	onDisk, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(onDisk, first.Bytes()) {
		t.Errorf("Write and Encode wrote different bytes")
	}
	if !strings.HasSuffix(first.String(), "}\n") || !strings.HasPrefix(first.String(), "{\n  \"format_version\": \"1\",\n") {
		t.Errorf("not indented JSON with a trailing newline:\n%s", first.String())
	}
	if !strings.Contains(first.String(), `"tenant_url": "https://anon.okta.com?a=1&b=2"`) {
		t.Errorf("HTML characters were escaped:\n%s", first.String())
	}
}

func TestEncodeDoesNotMutate(t *testing.T) {
	f := sampleFile(t, t.TempDir())
	f.Accounts[1].Targets = nil // filled from the plan when encoding
	before := slices.Clone(f.Accounts)
	if err := Encode(&bytes.Buffer{}, f); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(before, f.Accounts); diff != "" {
		t.Errorf("Encode changed its argument:\n%s", diff)
	}
}

func TestWriteMode(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "plan.json")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Write(path, sampleFile(t, dir)); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", st.Mode().Perm())
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("temporary file left behind: %s", e.Name())
		}
	}
}

func TestWriteRefusesInconsistentFile(t *testing.T) {
	dir := t.TempDir()
	for name, edit := range map[string]func(*File){
		"no accounts":       func(f *File) { f.Accounts = nil },
		"empty account id":  func(f *File) { f.Accounts[0].AccountID = "" },
		"duplicate account": func(f *File) { f.Accounts[1] = f.Accounts[0] },
		"plan account":      func(f *File) { f.Accounts[0].Plan.AccountID = accountB },
		"no spec files":     func(f *File) { f.Accounts[0].SpecFiles = nil },
		"bad digest":        func(f *File) { f.Accounts[0].SpecDigest = "md5:abc" },
		"fingerprint":       func(f *File) { f.Accounts[0].LiveFingerprint = strings.Repeat("0", 64) },
		"snapshot":          func(f *File) { f.Accounts[0].Live.Integrations = nil },
		"targets":           func(f *File) { f.Accounts[1].Targets = []string{"behavior:imp_travel"} },
		"version":           func(f *File) { f.FormatVersion = "2" },
	} {
		f := sampleFile(t, dir)
		edit(&f)
		path := filepath.Join(dir, "refused.json")
		if err := Write(path, f); err == nil {
			t.Errorf("%s: Write succeeded", name)
		}
		if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s: Write left a file behind (%v)", name, err)
		}
	}
}

// TestOnlyDocumentedKeys: the file holds the documented keys and nothing
// else (so no credential can hide in it), and "plan" is exactly what
// plan.RenderJSON writes.
func TestOnlyDocumentedKeys(t *testing.T) {
	const secret = "s3cr3t-token-0123456789abcdefghijklmnopqrstuvwxyz"
	t.Setenv("CLOUDFLARE_API_TOKEN", secret)
	t.Setenv("CLOUDFLARE_API_KEY", secret+"-key")
	t.Setenv("CLOUDFLARE_EMAIL", "ops@example.com")

	dir := t.TempDir()
	f := sampleFile(t, dir)
	path := filepath.Join(dir, "plan.json")
	if err := Write(path, f); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{secret, "ops@example.com", "token", "Bearer", "X-Auth"} {
		if bytes.Contains(data, []byte(s)) {
			t.Errorf("the plan file contains %q", s)
		}
	}

	var file map[string]any
	if err := json.Unmarshal(data, &file); err != nil {
		t.Fatal(err)
	}
	keysAre(t, "file", file, "format_version", "riskctl_version", "accounts")
	accounts := file["accounts"].([]any)
	if len(accounts) != len(f.Accounts) {
		t.Fatalf("%d accounts, want %d", len(accounts), len(f.Accounts))
	}
	for i, raw := range accounts {
		a := raw.(map[string]any)
		keysAre(t, "account", a, "account_id", "spec_files", "spec_digest", "targets", "live_fingerprint", "live", "plan")
		live := a["live"].(map[string]any)
		keysAre(t, "live", live, "behaviors", "integrations")
		for key, b := range live["behaviors"].(map[string]any) {
			keysAre(t, "live.behaviors."+key, b.(map[string]any), "enabled", "risk_level")
		}
		for _, in := range live["integrations"].([]any) {
			keysAre(t, "live.integrations[]", in.(map[string]any), "id", "reference_id", "integration_type", "tenant_url", "active")
		}

		var rendered bytes.Buffer
		if err := plan.RenderJSON(&rendered, f.Accounts[i].Plan); err != nil {
			t.Fatal(err)
		}
		var want any
		if err := json.Unmarshal(rendered.Bytes(), &want); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, a["plan"]); diff != "" {
			t.Errorf("accounts[%d].plan is not plan.RenderJSON's object (-want +got):\n%s", i, diff)
		}
	}
}

func keysAre(t *testing.T, what string, obj map[string]any, want ...string) {
	t.Helper()
	var got []string
	for k := range obj {
		got = append(got, k)
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("%s has keys %q, want %q", what, got, want)
	}
}

func TestReadRefusesOtherVersions(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct{ name, content, want string }{
		{"v2", `{"format_version": "2", "something": "else"}`, `format_version "2" is not supported by this riskctl (reads "1")`},
		{"v0", `{"format_version": "", "accounts": []}`, `format_version "" is not supported by this riskctl (reads "1")`},
		{"number", `{"format_version": 1}`, `not a riskctl plan file: format_version is 1, not a string`},
		{"missing", `{"accounts": []}`, `not a riskctl plan file: no format_version`},
	} {
		path := writeSpec(t, dir, tc.name+".json", tc.content)
		_, err := Read(path)
		if err == nil {
			t.Errorf("%s: Read succeeded", tc.name)
			continue
		}
		if !strings.HasPrefix(err.Error(), path+": "+tc.want) {
			t.Errorf("%s: error %q, want it to start with %q", tc.name, err, path+": "+tc.want)
		}
	}
}

func TestReadRefusesBadFiles(t *testing.T) {
	dir := t.TempDir()
	var good bytes.Buffer
	if err := Encode(&good, sampleFile(t, dir)); err != nil {
		t.Fatal(err)
	}
	var single bytes.Buffer
	if err := plan.RenderJSON(&single, compute(t, desiredB(), liveB())); err != nil {
		t.Fatal(err)
	}
	edit := func(old, new string) string {
		t.Helper()
		if !strings.Contains(good.String(), old) {
			t.Fatalf("the sample has no %q", old)
		}
		return strings.Replace(good.String(), old, new, 1)
	}
	for _, tc := range []struct{ name, content, want string }{
		{"empty", "", "not a riskctl plan file"},
		{"truncated", good.String()[:good.Len()/2], "not a riskctl plan file"},
		{"garbage", "\x00\x01PK", "not a riskctl plan file"},
		{"array", `[{"format_version": "1"}]`, "not a riskctl plan file"},
		{"trailing", good.String() + "{}", "not a riskctl plan file"},
		{"plan output", single.String(), "this is the output of plan --format json"},
		{"no accounts", `{"format_version": "1", "accounts": []}`, "at least one account"},
		{"wrong type", `{"format_version": "1", "accounts": {}}`, "not a valid riskctl plan file"},
		{"no plan", edit(`"plan": {`, `"plan": null, "x": {`), "accounts[0] (account " + accountA + "): no plan"},
		{"plan version", edit(`"format_version": "1",
        "account_id"`, `"format_version": "9",
        "account_id"`), `plan: format_version "9" is not supported`},
		{"bad action", edit(`"action": "update"`, `"action": "upsert"`), `unknown action "upsert"`},
		{"edited snapshot", edit(`"tenant_url": "https://old.okta.com"`, `"tenant_url": "https://evil.okta.com"`), "the live snapshot does not match live_fingerprint"},
		{"edited digest", edit(`"spec_digest": "sha256:`, `"spec_digest": "sha1:`), "spec_digest"},
	} {
		path := writeSpec(t, dir, "bad.json", tc.content)
		_, err := Read(path)
		if err == nil {
			t.Errorf("%s: Read succeeded", tc.name)
			continue
		}
		if !strings.HasPrefix(err.Error(), path+": ") || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %q, want %q in it, after the path", tc.name, err, tc.want)
		}
	}
}

func TestReadUnreadable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing.json")
	_, err := Read(path)
	if err == nil || !errors.Is(err, os.ErrNotExist) || !strings.HasPrefix(err.Error(), path+": cannot read the plan file") {
		t.Errorf("Read of a missing file: %v", err)
	}
}

func TestReadIgnoresUnknownFields(t *testing.T) {
	dir := t.TempDir()
	var good bytes.Buffer
	if err := Encode(&good, sampleFile(t, dir)); err != nil {
		t.Fatal(err)
	}
	added := strings.Replace(good.String(), `"riskctl_version"`, `"added_in_a_later_minor": {"x": 1}, "riskctl_version"`, 1)
	if _, err := Read(writeSpec(t, dir, "later.json", added)); err != nil {
		t.Errorf("a field added within format_version 1 is refused: %v", err)
	}
}
