package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/riskctl/riskctl/internal/spec"
)

func TestImportOptions(t *testing.T) {
	for _, tc := range []struct {
		args string
		want importOptions
		err  string
	}{
		{args: "state.json", want: importOptions{File: "state.json"}},
		{args: "-", want: importOptions{File: "-"}},
		{args: "state.json -o specs --handoff h.tf --force", want: importOptions{File: "state.json", OutDir: "specs", Handoff: "h.tf", Force: true}},
		{args: "--output=specs state.json --emulate", want: importOptions{File: "state.json", OutDir: "specs"}},
		{args: "", err: "takes one FILE"},
		{args: "a.json b.json", err: "got 2 arguments"},
		{args: "state.json --nope", err: "unknown flag --nope"},
	} {
		t.Run(tc.args, func(t *testing.T) {
			got, err := optionsFrom(t, "import terraform", importOptionsFrom, tc.args)
			if tc.err != "" {
				wantUsageError(t, err, tc.err)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("options (-want +got):\n%s", diff)
			}
		})
	}
}

// TestImportCommandUsage: the command follows the usage conventions of the
// others (TestCommandsUsage).
func TestImportCommandUsage(t *testing.T) {
	cmd := findCommand(t, testApp(), "import terraform")
	if !strings.HasPrefix(cmd.UsageText, "riskctl import terraform") {
		t.Errorf("UsageText %q", cmd.UsageText)
	}
	_, examples, ok := strings.Cut(cmd.Description, "\n\nExamples:\n")
	if !ok {
		t.Fatalf("no Examples in %q", cmd.Description)
	}
	for _, l := range strings.Split(examples, "\n") {
		if !strings.HasPrefix(l, "  ") || !strings.Contains(l, "riskctl import terraform") {
			t.Errorf("example %q does not run riskctl import terraform", l)
		}
	}
}

const (
	importAccount  = "5b5e6c8a1f2d4e3b9a7c6d5e4f3a2b1c"
	importAccount2 = "7c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f"
)

// stateOf is a raw state of one behavior resource and one integration per
// account.
func stateOf(tenantURL string, accounts ...string) string {
	var res []string
	for i, a := range accounts {
		res = append(res, `{"mode": "managed", "type": "cloudflare_zero_trust_risk_behavior", "name": "b`+string(rune('0'+i))+`",
		  "provider": "provider[\"registry.terraform.io/cloudflare/cloudflare\"]",
		  "instances": [{"attributes": {"account_id": "`+a+`", "behaviors": {"imp_travel": {"enabled": true, "risk_level": "HIGH"}}}}]}`,
			`{"mode": "managed", "type": "cloudflare_zero_trust_risk_scoring_integration", "name": "i`+string(rune('0'+i))+`",
		  "provider": "provider[\"registry.terraform.io/cloudflare/cloudflare\"]",
		  "instances": [{"index_key": "k", "attributes": {"id": "x", "account_id": "`+a+`", "integration_type": "Okta",
		    "tenant_url": "`+tenantURL+`", "reference_id": "ref-$1", "active": null, "well_known_url": "w", "created_at": "c"}}]}`)
	}
	return `{"version": 4, "resources": [` + strings.Join(res, ",") + `]}`
}

// runImport runs riskctl in dir with stdin and returns the exit code and
// the two streams.
func runImport(t *testing.T, dir, stdin string, args ...string) (int, string, string) {
	t.Helper()
	clearEnv(t)
	t.Chdir(dir)
	var out, errOut bytes.Buffer
	code := Main(context.Background(), append([]string{"riskctl", "import", "terraform"}, args...),
		Streams{In: strings.NewReader(stdin), Out: &out, Err: &errOut})
	return code, out.String(), errOut.String()
}

func writeTestFile(t *testing.T, path, data string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestImportOneAccount: one account goes to stdout, as a spec that loads
// back to the state's values (with "$" kept literal), and the handoff to
// stderr.
func TestImportOneAccount(t *testing.T) {
	dir := t.TempDir()
	code, out, errOut := runImport(t, dir, stateOf("https://acme.okta.com/$HOME", importAccount), "-")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	f, err := spec.Parse("imported.yaml", []byte(out), spec.Options{LookupEnv: func(string) (string, bool) { return "leaked", true }})
	if err != nil {
		t.Fatalf("the spec does not load: %v\n%s", err, out)
	}
	in := f.Account.Integrations
	if len(in) != 1 || in[0].ReferenceID != "ref-$1" || in[0].TenantURL != "https://acme.okta.com/$HOME" || !in[0].Active {
		t.Errorf("integrations = %+v", in)
	}
	if b := f.Account.Behaviors["imp_travel"]; !b.Enabled || b.RiskLevel != "high" {
		t.Errorf("imp_travel = %+v", b)
	}
	for _, want := range []string{
		"removed {\n  from = cloudflare_zero_trust_risk_scoring_integration.i0\n",
		`#   terraform state rm 'cloudflare_zero_trust_risk_scoring_integration.i0["k"]'`,
		"Imported 2 resource instances of 1 account from stdin.",
	} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
}

// TestImportNothingWritten: a refused import writes no spec and no
// handoff, whatever the reason.
func TestImportNothingWritten(t *testing.T) {
	for _, tc := range []struct {
		name  string
		state string
		setup func(t *testing.T, dir string)
		args  []string
		code  int
		err   string
	}{
		{name: "several accounts without -o", state: stateOf("https://a.okta.com", importAccount, importAccount2),
			args: []string{"--handoff", "h.tf"}, code: ExitInvalid, err: "pass -o DIR"},
		{name: "unexpressible tenant_url", state: stateOf(`http://a.okta.com`, importAccount, importAccount2),
			args: []string{"-o", "out", "--handoff", "h.tf"}, code: ExitInvalid, err: "a spec cannot express these values"},
		{name: "an existing spec", state: stateOf("https://a.okta.com", importAccount, importAccount2),
			setup: func(t *testing.T, dir string) {
				os.Mkdir(filepath.Join(dir, "out"), 0o755)
				writeTestFile(t, filepath.Join(dir, "out", importAccount2+".yaml"), "mine")
			},
			args: []string{"-o", "out", "--handoff", "h.tf"}, code: ExitInvalid, err: "not overwriting out/" + importAccount2 + ".yaml"},
		{name: "an existing handoff", state: stateOf("https://a.okta.com", importAccount),
			setup: func(t *testing.T, dir string) { writeTestFile(t, filepath.Join(dir, "h.tf"), "mine") },
			args:  []string{"-o", "out", "--handoff", "h.tf"}, code: ExitInvalid, err: "not overwriting h.tf"},
		{name: "no reference_id", state: strings.ReplaceAll(stateOf("https://a.okta.com", importAccount), `"ref-$1"`, "null"),
			args: []string{"-o", "out", "--handoff", "h.tf"}, code: ExitInvalid, err: `cloudflare_zero_trust_risk_scoring_integration.i0["k"]: has no reference_id`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if tc.setup != nil {
				tc.setup(t, dir)
			}
			before := listFiles(t, dir)
			code, out, errOut := runImport(t, dir, tc.state, append([]string{"-"}, tc.args...)...)
			if code != tc.code || !strings.Contains(errOut, tc.err) {
				t.Errorf("exit %d, stderr:\n%s\nwant exit %d and %q", code, errOut, tc.code, tc.err)
			}
			if out != "" || strings.Contains(errOut, "removed {") {
				t.Errorf("output on a refusal: stdout %q, stderr %q", out, errOut)
			}
			if diff := cmp.Diff(before, listFiles(t, dir)); diff != "" {
				t.Errorf("files changed (-before +after):\n%s", diff)
			}
		})
	}
}

// TestImportForce: --force replaces the files a first import wrote.
func TestImportForce(t *testing.T) {
	dir := t.TempDir()
	state := stateOf("https://a.okta.com", importAccount, importAccount2)
	if code, _, errOut := runImport(t, dir, state, "-", "-o", "out", "--handoff", "h.tf"); code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	writeTestFile(t, filepath.Join(dir, "out", importAccount+".yaml"), "edited")
	if code, _, errOut := runImport(t, dir, state, "-", "-o", "out", "--handoff", "h.tf", "--force"); code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	data, err := os.ReadFile(filepath.Join(dir, "out", importAccount+".yaml"))
	if err != nil || !bytes.Contains(data, []byte("account_id: ")) {
		t.Errorf("not replaced: %q %v", data, err)
	}
	if got := listFiles(t, dir); len(got) != 3 {
		t.Errorf("files %v, want two specs and the handoff", got)
	}
}

// listFiles lists the files under dir with their contents.
func listFiles(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		out[path] = string(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestWriteOutputsNoClobber: without --force a file that appeared after
// the check is still not replaced.
func TestWriteOutputsNoClobber(t *testing.T) {
	path := filepath.Join(t.TempDir(), "spec.yaml")
	writeTestFile(t, path, "mine")
	if err := writeOutputs([]output{{path: path, data: []byte("theirs")}}, false); err == nil {
		t.Error("an existing file was replaced without --force")
	}
	if data, _ := os.ReadFile(path); string(data) != "mine" {
		t.Errorf("file holds %q", data)
	}
	if err := writeOutputs([]output{{path: path, data: []byte("theirs")}}, true); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(path); string(data) != "theirs" {
		t.Errorf("with --force the file holds %q", data)
	}
}
