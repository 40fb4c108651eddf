package tfimport

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/riskctl/riskctl/internal/spec"
	"github.com/riskctl/riskctl/internal/state"
	"github.com/riskctl/riskctl/internal/testwait"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// TestGolden imports each testdata state and compares, with its .golden
// file, what Parse makes of it: the accounts (dumped, not written as
// specs: spec.Write's layout is spec's to golden-test), the handoff and
// the skipped instances, or the errors.
func TestGolden(t *testing.T) {
	inputs, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	txt, _ := filepath.Glob(filepath.Join("testdata", "*.txt"))
	inputs = append(inputs, txt...)
	if len(inputs) < 10 {
		t.Fatalf("found only %d fixtures", len(inputs))
	}
	for _, in := range inputs {
		name := strings.TrimSuffix(filepath.Base(in), filepath.Ext(in))
		t.Run(name, func(t *testing.T) {
			got := render(t, in)
			golden := filepath.Join("testdata", name+".golden")
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update)", err)
			}
			if diff := cmp.Diff(string(want), got); diff != "" {
				t.Errorf("%s (-want +got):\n%s", golden, diff)
			}
		})
	}
}

// render is what the golden files hold.
func render(t *testing.T, path string) string {
	t.Helper()
	var b strings.Builder
	data, err := ReadFile(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	name := filepath.Base(path)
	res, err := Parse(name, data)
	if err != nil {
		var es Errors
		if !errors.As(err, &es) {
			t.Fatalf("Parse: %T is not Errors: %v", err, err)
		}
		fmt.Fprintf(&b, "== error\n%v\n", err)
		return b.String()
	}
	for _, a := range res.Accounts {
		fmt.Fprintf(&b, "== account %q, from %s\n", a.AccountID, strings.Join(res.AddressesOf(a.AccountID), ", "))
		for _, k := range slices.Sorted(maps.Keys(a.Behaviors)) {
			bh := a.Behaviors[k]
			fmt.Fprintf(&b, "behavior %q: enabled=%t risk_level=%q\n", k, bh.Enabled, bh.RiskLevel)
		}
		for _, in := range a.Integrations {
			fmt.Fprintf(&b, "integration %q: integration_type=%q tenant_url=%q active=%t (id %q)\n",
				in.ReferenceID, in.IntegrationType, in.TenantURL, in.Active, in.ID)
		}
	}
	b.WriteString("== handoff\n")
	if err := WriteHandoff(&b, res.Imported); err != nil {
		t.Fatal(err)
	}
	b.WriteString("== skipped\n")
	for _, s := range res.Skipped {
		fmt.Fprintf(&b, "%s: %s\n", s.Address, s.Reason)
	}
	return b.String()
}

// TestImportedSpecsReadBack: every spec written of a fixture loads back
// as exactly the accounts Parse returned, so nothing is lost between the
// state and the spec (the end-to-end scripts then plan them empty).
func TestImportedSpecsReadBack(t *testing.T) {
	for _, name := range []string{"show_v5_modules.json", "show_v4.json", "raw_v4.json", "raw_v5_multi_account.json"} {
		data, err := ReadFile(filepath.Join("testdata", name), nil)
		if err != nil {
			t.Fatal(err)
		}
		res, err := Parse(name, data)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range res.Accounts {
			var buf bytes.Buffer
			if err := spec.Write(&buf, a); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			f, err := spec.Parse(name, buf.Bytes(), spec.Options{LookupEnv: func(string) (string, bool) { return "", false }})
			if err != nil {
				t.Fatalf("%s: the written spec does not load: %v\n%s", name, err, buf.String())
			}
			if diff := cmp.Diff(normalize(a), normalize(f.Account)); diff != "" {
				t.Errorf("%s: account %s (-state +spec):\n%s", name, a.AccountID, diff)
			}
		}
	}
}

// normalize makes a state account and a loaded spec comparable: no
// server ids, integrations by reference_id, the canonical type spelling.
func normalize(a state.Account) state.Account {
	out := state.Account{AccountID: a.AccountID, Behaviors: a.Behaviors}
	refs := map[string]state.Integration{}
	for _, in := range a.Integrations {
		in.ID = ""
		in.IntegrationType = strings.ToLower(in.IntegrationType)
		refs[in.ReferenceID] = in
	}
	for _, k := range slices.Sorted(maps.Keys(refs)) {
		out.Integrations = append(out.Integrations, refs[k])
	}
	return out
}

// TestAddress: instance and resource addresses print as Terraform prints
// them, and module addresses parse back to the same steps.
func TestAddress(t *testing.T) {
	a := Address{
		Module: []ModuleStep{{Name: "eu", Key: Key{Kind: StringKey, Str: "a\"b\\c\n${x}%{y}$z"}}, {Name: "inner", Key: Key{Kind: IntKey, Int: 3}}},
		Type:   typeIntegration, Name: "okta", Key: Key{Kind: StringKey, Str: "it's\u202e"},
	}
	wantInstance := `module.eu["a\"b\\c\n$${x}%%{y}$z"].module.inner[3].cloudflare_zero_trust_risk_scoring_integration.okta["it's\u202e"]`
	if got := a.String(); got != wantInstance {
		t.Errorf("String() = %s\nwant        %s", got, wantInstance)
	}
	if got, want := a.Resource(), "module.eu.module.inner.cloudflare_zero_trust_risk_scoring_integration.okta"; got != want {
		t.Errorf("Resource() = %s, want %s", got, want)
	}
	d := Address{Data: true, Type: typeBehavior, Name: "x"}
	if got, want := d.String(), "data.cloudflare_zero_trust_risk_behavior.x"; got != want {
		t.Errorf("data String() = %s, want %s", got, want)
	}
	steps, err := parseModulePath(modulePathString(a.Module))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(a.Module, steps); diff != "" {
		t.Errorf("parseModulePath round trip (-want +got):\n%s", diff)
	}
	for _, bad := range []string{"module", "module.", "module.a.", "module.a[", "module.a[x]", `module.a["x"`, `module.a["${x}"]`,
		`module.a["\q"]`, "module.1a", "module.a]", "module.a.resource", `module.a["x"]b`, "module.a[-1]", "module.a[99999999999999999999]"} {
		if _, err := parseModulePath(bad); err == nil {
			t.Errorf("parseModulePath(%q) accepted", bad)
		}
	}
}

// TestShellQuote: a state rm line is one shell word whatever the key.
func TestShellQuote(t *testing.T) {
	for in, want := range map[string]string{
		`a.b["x"]`:    `'a.b["x"]'`,
		`a.b["it's"]`: `'a.b["it'\''s"]'`,
		"$(rm -rf)`":  "'$(rm -rf)`'",
	} {
		if got := shellQuote(in); got != want {
			t.Errorf("shellQuote(%q) = %s, want %s", in, got, want)
		}
	}
}

// TestHandoffDedupe: one removed block per resource, however many
// instances, of the resource and of its modules; one state rm per
// instance.
func TestHandoffDedupe(t *testing.T) {
	mod := func(k string) []ModuleStep { return []ModuleStep{{Name: "acct", Key: Key{Kind: StringKey, Str: k}}} }
	var imported []Imported
	for _, k := range []string{"prod", "staging"} {
		for i := range 2 {
			imported = append(imported, Imported{Address: Address{Module: mod(k), Type: typeIntegration, Name: "okta", Key: Key{Kind: IntKey, Int: int64(i)}}})
		}
	}
	imported = append(imported, Imported{Address: Address{Type: typeBehavior, Name: "main"}})
	var b bytes.Buffer
	if err := WriteHandoff(&b, imported); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if n := strings.Count(out, "\nremoved {"); n != 2 {
		t.Errorf("%d removed blocks, want 2:\n%s", n, out)
	}
	if n := strings.Count(out, "terraform state rm "); n != 5 {
		t.Errorf("%d state rm lines, want 5:\n%s", n, out)
	}
	for _, want := range []string{
		"  from = module.acct.cloudflare_zero_trust_risk_scoring_integration.okta\n",
		"  from = cloudflare_zero_trust_risk_behavior.main\n",
		`#   terraform state rm 'module.acct["staging"].cloudflare_zero_trust_risk_scoring_integration.okta[1]'` + "\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("handoff lacks %q:\n%s", want, out)
		}
	}
	for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		if strings.Contains(line, "[") && !strings.HasPrefix(line, "#") {
			t.Errorf("an instance key outside a comment: %q", line)
		}
	}
}

// TestReadFileBounds: only regular files, at most MaxStateBytes, and
// stdin within the same bound.
func TestReadFileBounds(t *testing.T) {
	dir := t.TempDir()
	if _, err := ReadFile(dir, nil); err == nil || !strings.Contains(err.Error(), "is a directory") {
		t.Errorf("a directory: %v", err)
	}
	if _, err := ReadFile(filepath.Join(dir, "missing.json"), nil); err == nil || !strings.Contains(err.Error(), "missing.json: cannot read: no such file") {
		t.Errorf("a missing file: %v", err)
	}
	big := filepath.Join(dir, "big.json")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(MaxStateBytes + 1); err != nil { // sparse: no 64 MiB written
		t.Fatal(err)
	}
	f.Close()
	if _, err := ReadFile(big, nil); err == nil || !strings.Contains(err.Error(), "larger than the limit of 64 MiB") {
		t.Errorf("a file past the limit: %v", err)
	}
	if _, err := ReadFile(Stdin, zeros{}); err == nil || !strings.Contains(err.Error(), "stdin: is larger than the limit") {
		t.Errorf("endless stdin: %v", err)
	}
	if _, err := ReadFile("/dev/zero", nil); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("a device: %v", err)
	}
	// A FIFO is refused from its Stat: opening one without a writer would
	// block for ever.
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { _, err := ReadFile(fifo, nil); done <- err }()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "not a regular file") {
			t.Errorf("a FIFO: %v", err)
		}
	case <-testwait.After(t):
		t.Fatal("ReadFile blocked on a FIFO")
	}
	data, err := ReadFile(Stdin, strings.NewReader(`{"version": 4}`))
	if err != nil || string(data) != `{"version": 4}` {
		t.Errorf("stdin: %q, %v", data, err)
	}
}

// zeros is an endless reader.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// TestErrorsCapped: a file with more problems than MaxErrors says it
// stopped.
func TestErrorsCapped(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"version": 4, "resources": [`)
	for i := range MaxErrors + 5 {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"mode": "managed", "type": %q, "name": "r%d", "instances": [{"attributes": {"account_id": "5b5e6c8a1f2d4e3b9a7c6d5e4f3a2b1c", "integration_type": "Okta", "tenant_url": "https://a.okta.com"}}]}`, typeIntegration, i)
	}
	b.WriteString("]}")
	_, err := Parse("many.json", []byte(b.String()))
	var es Errors
	if !errors.As(err, &es) || len(es) != MaxErrors || !strings.HasSuffix(err.Error(), "(stopped after 100 problems)") {
		t.Errorf("got %d errors: %v", len(es), err)
	}
}

// TestIdent: identifiers are HCL's, in any script; what could break a
// shell word, an address or a comment line, or make one read as another,
// is refused.
func TestIdent(t *testing.T) {
	for _, ok := range []string{"main", "_x", "a-b_1", "café", "cafe\u0301", "ökta-1", "東京", "région_東京", "Ωmega", "x٣"} {
		if err := checkIdent("resource name", ok); err != nil {
			t.Errorf("refused %q: %v", ok, err)
		}
	}
	for _, bad := range []string{"", "1st", "-x", "\u0301e", "a b", "it's", `a"b`, "a.b", "a[0]", "$(id)", "a`b", "a\\b",
		"x\ny", "x\r", "a\u2028b", "a\u2029b", "main\u202e", "ma\u200bin", "a\u00adb", "\ufeffa", "a\u2066b", "x\x00", "x\xff", "a\u00a0b", "a\u3000b"} {
		if err := checkIdent("resource name", bad); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
}

// TestHandoffShellWords: with Unicode names and hostile for_each keys,
// each state rm line is one shell word that a POSIX shell reads back as
// the instance's address, expanding nothing.
func TestHandoffShellWords(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	data, err := ReadFile(filepath.Join("testdata", "show_unicode_names.json"), nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Parse("show_unicode_names.json", data)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := WriteHandoff(&b, res.Imported); err != nil {
		t.Fatal(err)
	}
	var words []string
	for _, line := range strings.Split(b.String(), "\n") {
		if w, ok := strings.CutPrefix(line, "#   terraform state rm "); ok {
			words = append(words, w)
		} else if line != "" && !strings.HasPrefix(line, "#") && !strings.HasPrefix(line, "removed {") && line != "}" &&
			!strings.HasPrefix(line, "  ") {
			t.Errorf("unexpected handoff line %q", line)
		}
	}
	if len(words) != len(res.Imported) {
		t.Fatalf("%d state rm lines for %d instances:\n%s", len(words), len(res.Imported), b.String())
	}
	for i, w := range words {
		out, err := exec.Command(sh, "-c", `set -- `+w+`; printf '%d:%s' "$#" "$1"`).Output()
		if err != nil {
			t.Fatalf("sh: %v", err)
		}
		if want := "1:" + res.Imported[i].Address.String(); string(out) != want {
			t.Errorf("the shell reads %s as %q, want %q", w, out, want)
		}
	}
}
