package spec_test

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/riskctl/riskctl/internal/spec"
	"github.com/riskctl/riskctl/internal/state"
)

var lineNumber = regexp.MustCompile(`line \d+`)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/format")

// formatLookup is the environment of the format tests' specs.
var formatLookup = env(map[string]string{
	"CLOUDFLARE_ACCOUNT_ID": acct, "RISKCTL_VAR_ON": "false", "RISKCTL_VAR_OFF": "true",
	"RISKCTL_VAR_LEVEL": "low", "RISKCTL_VAR_X": "medium", "RISKCTL_VAR_TENANT": "acme",
})

// TestFormatGolden formats each testdata/format/CASE/in.yaml and compares
// the result with out.yaml; -update rewrites out.yaml. Every case is also
// checked for the two rules that hold for every input: formatting the
// output again changes nothing, and the output means what the input did.
func TestFormatGolden(t *testing.T) {
	dirs, err := filepath.Glob("testdata/format/*")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no cases under testdata/format: %v", err)
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			in := readTestFile(t, filepath.Join(dir, "in.yaml"))
			got, err := spec.Format("in.yaml", in)
			if err != nil {
				t.Fatalf("Format: %v", err)
			}
			golden := filepath.Join(dir, "out.yaml")
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if diff := cmp.Diff(string(readTestFile(t, golden)), string(got)); diff != "" {
				t.Errorf("Format(%s) (-want +got):\n%s", dir, diff)
			}
			checkFormatRules(t, in, got)
		})
	}
}

// checkFormatRules checks that out, the formatting of in, is a fixed point
// and loads as the same spec (or fails the same way) and holds the same
// comments, in the same order.
func checkFormatRules(t *testing.T, in, out []byte) {
	t.Helper()
	again, err := spec.Format("out.yaml", out)
	if err != nil {
		t.Fatalf("Format of the output: %v\n%s", err, out)
	}
	if diff := cmp.Diff(string(out), string(again)); diff != "" {
		t.Errorf("not idempotent: formatting the output changes it (-once +twice):\n%s", diff)
	}
	opts := spec.Options{LookupEnv: formatLookup, DefaultAccountID: acct2}
	want, wantErr := spec.Parse("f.yaml", in, opts)
	got, gotErr := spec.Parse("f.yaml", out, opts)
	switch {
	case (wantErr == nil) != (gotErr == nil):
		t.Errorf("Parse: input %v, output %v", wantErr, gotErr)
	case wantErr == nil:
		if diff := cmp.Diff(want.Account, got.Account); diff != "" {
			t.Errorf("the output loads as another account (-input +output):\n%s", diff)
		}
	default:
		// Same complaints; positions move with the keys.
		if diff := cmp.Diff(messages(wantErr), messages(gotErr)); diff != "" {
			t.Errorf("the output fails differently (-input +output):\n%s", diff)
		}
	}
	if diff := cmp.Diff(commentLines(in), commentLines(out)); diff != "" {
		t.Errorf("comments changed (-input +output):\n%s", diff)
	}
}

// messages lists the messages of a spec.Errors, without positions (nor
// the lines some messages name), sorted.
func messages(err error) []string {
	var out []string
	for _, e := range err.(spec.Errors) {
		out = append(out, lineNumber.ReplaceAllString(e.Msg, "line N"))
	}
	sortStrings(out)
	return out
}

// commentLines lists the text of every "#" comment of a spec whose values
// hold no "#" (true of the test inputs), sorted: formatting may move a
// comment with its key, never drop or change one.
func commentLines(data []byte) []string {
	var out []string
	for _, line := range strings.Split(string(data), "\n") {
		if _, c, ok := strings.Cut(line, "#"); ok && !strings.Contains(line, "https://b.okta.com/#x") {
			out = append(out, strings.TrimSpace(c))
		}
	}
	sortStrings(out)
	return out
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

func readTestFile(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/spec -run TestFormatGolden -update to create it)", err)
	}
	return data
}

// TestFormatCorpus: every spec the repository holds (examples, test data,
// the CLI scripts' specs) formats to a fixed point that loads as the same
// account.
func TestFormatCorpus(t *testing.T) {
	for _, path := range formatCorpus(t) {
		t.Run(path, func(t *testing.T) {
			in := readTestFile(t, path)
			out, err := spec.Format(path, in)
			if err != nil {
				if _, perr := spec.Parse(path, in, spec.Options{LookupEnv: formatLookup}); perr == nil {
					t.Fatalf("Format refused a valid spec: %v", err)
				}
				return // not YAML, or not one document: refused, as it must be
			}
			checkFormatRules(t, in, out)
		})
	}
}

// formatCorpus lists the repository's spec files.
func formatCorpus(t testing.TB) []string {
	var paths []string
	for _, pattern := range []string{"../../examples/*.yaml", "testdata/*.yaml", "testdata/format/*/*.yaml"} {
		m, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		paths = append(paths, m...)
	}
	return paths
}

// FuzzFormat: Format never panics; what it formats stays a fixed point,
// keeps the meaning of a spec, and holds the same comments.
func FuzzFormat(f *testing.F) {
	for _, path := range formatCorpus(f) {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(data))
	}
	for _, tc := range invalidCases {
		f.Add(tc.src)
	}
	f.Add("a: &x {b: 1}\nversion: *x\n")
	f.Fuzz(func(t *testing.T, src string) {
		out, err := spec.Format("fuzz.yaml", []byte(src))
		if err != nil {
			if _, ok := err.(spec.Errors); !ok {
				t.Fatalf("Format error %#v is not spec.Errors", err)
			}
			return
		}
		again, err := spec.Format("fuzz.yaml", out)
		if err != nil {
			t.Fatalf("Format of its own output: %v\nin:\n%s\nout:\n%s", err, src, out)
		}
		if !bytes.Equal(out, again) {
			t.Fatalf("not idempotent:\nin:\n%s\nonce:\n%s\ntwice:\n%s", src, out, again)
		}
		opts := spec.Options{LookupEnv: formatLookup, DefaultAccountID: acct2}
		want, wantErr := spec.Parse("f.yaml", []byte(src), opts)
		got, gotErr := spec.Parse("f.yaml", out, opts)
		if (wantErr == nil) != (gotErr == nil) {
			t.Fatalf("Parse: input %v, output %v\nin:\n%s\nout:\n%s", wantErr, gotErr, src, out)
		}
		if wantErr == nil {
			if diff := cmp.Diff(want.Account, got.Account); diff != "" {
				t.Fatalf("the output loads as another account (-input +output):\n%s\nin:\n%s\nout:\n%s", diff, src, out)
			}
		}
	})
}

// TestFormatErrors: what Format refuses, each at file:line, writing
// nothing.
func TestFormatErrors(t *testing.T) {
	for _, tc := range []struct{ name, src, want string }{
		{"syntax", "version: 1\nbehaviors:\n  imp_travel: {enabled: true\n", "f.yaml:2: invalid YAML: did not find expected ',' or '}'"},
		{"tab indentation", "version: 1\nbehaviors:\n\timp_travel: {}\n", "f.yaml:3: invalid YAML: found character that cannot start any token"},
		{"two documents", "version: 1\n---\nversion: 1\n", "f.yaml:2:1: a spec file holds one YAML document, found another one here"},
		{"alias before its anchor", "prune: &p false\nversion: *p\n", "f.yaml:1:1: cannot format this file without breaking it (unknown anchor 'p' referenced)"},
		// Moving prune last would make *t the second &t: active false
		// would become true.
		{"anchor defined twice", redefinedAnchor, "f.yaml:5:8: cannot format this file: anchor &t is defined again here (first at line 4)"},
		{"anchor defined twice, unused", "version: &v 1\nprune: &v false\n", "f.yaml:2:8: cannot format this file: anchor &v is defined again here (first at line 1)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := spec.Format("f.yaml", []byte(tc.src))
			if err == nil {
				t.Fatalf("Format = %q, want an error", out)
			}
			if _, ok := err.(spec.Errors); !ok || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Format error %q (%T), want spec.Errors containing %q", err, err, tc.want)
			}
			if out != nil {
				t.Errorf("Format returned %q with its error", out)
			}
		})
	}
}

// redefinedAnchor defines &t twice; fmt would move the second definition
// after the alias.
const redefinedAnchor = `version: 1
account_id: 0e1d2c3b4a5968778695a4b3c2d1e0f0
behaviors:
  imp_travel: {enabled: &t true, risk_level: high}
prune: &t false
integrations:
  - reference_id: 2f6f6d8e-4b1a-4c3e-9d5f-7a8b9c0d1e2f
    integration_type: Okta
    tenant_url: https://acme.okta.com
    active: *t
`

// hashLines is a spec whose block scalar holds n lines that start with
// "#": text, not comments, which Format must tell apart.
func hashLines(n int) []byte {
	var b bytes.Buffer
	b.WriteString("version: 1\nnotes: |\n")
	for i := range n {
		fmt.Fprintf(&b, "  #%d\n", i)
	}
	return b.Bytes()
}

// TestFormatManyHashLines: a 1 MiB block scalar of "#" lines formats,
// each kept as text. It once took time in the square of the file's size
// (10 s for this one); it takes a fraction of a second.
func TestFormatManyHashLines(t *testing.T) {
	in := hashLines(120_000)
	if len(in) < 1<<20 {
		t.Fatalf("input is %d bytes, want 1 MiB", len(in))
	}
	out, err := spec.Format("f.yaml", in)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out, in) {
		t.Errorf("Format changed a formatted file")
	}
}

func BenchmarkFormatHashLines(b *testing.B) {
	in := hashLines(120_000)
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		if _, err := spec.Format("f.yaml", in); err != nil {
			b.Fatal(err)
		}
	}
}

// TestFormatEmpty: a file with nothing to lay out is left as it is.
func TestFormatEmpty(t *testing.T) {
	for _, src := range []string{"", "# only a comment\n", "\n\n"} {
		out, err := spec.Format("f.yaml", []byte(src))
		if err != nil || string(out) != src {
			t.Errorf("Format(%q) = %q, %v; want it unchanged", src, out, err)
		}
	}
}

// TestWriteIsFormatted: an export is already in the canonical layout,
// whatever text its values and comments hold.
func TestWriteIsFormatted(t *testing.T) {
	for _, s := range append(rtTricky, rtNames...) {
		live := state.Account{
			AccountID: rtAccount,
			Behaviors: map[string]state.Behavior{"imp_travel": {Enabled: true, RiskLevel: "high", Name: s}},
			Integrations: []state.Integration{
				{ReferenceID: "ref" + s, IntegrationType: "Okta", TenantURL: "https://c.okta.com/" + s, Active: true, ID: "i1"},
				{ReferenceID: "", IntegrationType: "Okta", TenantURL: s, ID: s},
			},
		}
		var out bytes.Buffer
		if err := spec.Write(&out, live); err != nil {
			continue // inexpressible: nothing written
		}
		again, err := spec.Format("export.yaml", out.Bytes())
		if err != nil {
			t.Fatalf("value %q: Format of the export: %v\n%s", s, err, out.String())
		}
		if diff := cmp.Diff(out.String(), string(again)); diff != "" {
			t.Errorf("value %q: the export is not formatted (-export +formatted):\n%s", s, diff)
		}
	}
}
