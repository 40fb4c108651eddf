package spec

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/riskctl/riskctl/internal/testwait"
)

const boundsHead = "version: 1\naccount_id: 0123456789abcdef0123456789abcdef\n"

func boundsEnv(vars map[string]string) func(string) (string, bool) {
	return func(name string) (string, bool) {
		v, ok := vars[name]
		return v, ok
	}
}

// boundsErrors parses src and returns its error lines; it fails the test
// when src parses or the error is not Errors.
func boundsErrors(t *testing.T, src string, vars map[string]string) []string {
	t.Helper()
	_, err := Parse("spec.yaml", []byte(src), Options{LookupEnv: boundsEnv(vars)})
	var errs Errors
	if !errors.As(err, &errs) {
		t.Fatalf("Parse = %v, want Errors", err)
	}
	return strings.Split(errs.Error(), "\n")
}

// loadWithin runs Load on paths. A FIFO opened for reading blocks until a
// writer comes, so a Load that opened one would never return: the wait
// ends at the test binary's deadline (internal/testwait), not at a guess
// at how long a busy machine may take.
func loadWithin(t *testing.T, paths ...string) error {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		_, err := Load(paths, Options{LookupEnv: boundsEnv(nil)})
		done <- err
	}()
	select {
	case err := <-done:
		return err
	case <-testwait.After(t):
		t.Fatalf("Load(%q) never returned: it is blocked reading", paths)
		return nil
	}
}

// load runs Load on paths: regular files, which cannot block.
func load(paths ...string) error {
	_, err := Load(paths, Options{LookupEnv: boundsEnv(nil)})
	return err
}

func TestLoadRefusesFilesThatAreNotRegular(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo.yaml")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	cases := []struct{ path, want string }{
		{fifo, fifo + ": cannot read spec file: it is a named pipe (FIFO), not a regular file"},
	}
	if _, err := os.Stat("/dev/zero"); err == nil {
		cases = append(cases, struct{ path, want string }{"/dev/zero", "/dev/zero: cannot read spec file: it is a device, not a regular file"})
	}
	for _, tc := range cases {
		t.Run(tc.path, func(t *testing.T) {
			err := loadWithin(t, tc.path)
			if err == nil || err.Error() != tc.want {
				t.Errorf("Load error = %v, want %s", err, tc.want)
			}
		})
	}
	// A directory never reaches reading through Load (Expand lists it), but
	// readSpec refuses one all the same.
	if _, problem := readSpec(dir); problem != "cannot read spec file: it is a directory, not a file" {
		t.Errorf("readSpec(dir) = %q", problem)
	}
}

func TestLoadRefusesLargeFiles(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.yaml")
	data := []byte(boundsHead + "# " + strings.Repeat("x", MaxSpecBytes) + "\n")
	if err := os.WriteFile(big, data, 0o600); err != nil {
		t.Fatal(err)
	}
	want := big + ": cannot read spec file: it is larger than the limit of 4194304 bytes (4 MiB)"
	if err := load(big); err == nil || err.Error() != want {
		t.Errorf("Load error = %v, want %s", err, want)
	}
	// Just at the limit is read.
	atLimit := filepath.Join(dir, "limit.yaml")
	data = data[:MaxSpecBytes]
	data[len(data)-1] = '\n'
	if err := os.WriteFile(atLimit, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := load(atLimit); err != nil {
		t.Errorf("Load of a file of MaxSpecBytes: %v", err)
	}
}

func TestLoadEmptyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "empty.yaml")
	if err := os.WriteFile(path, []byte("# nothing\n\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	want := path + `:1:1: missing version: the file is empty or holds only comments (a spec starts with "version: 1")`
	if err := load(path); err == nil || err.Error() != want {
		t.Errorf("Load error = %v, want %s", err, want)
	}
}

func TestInterpolatedValueCap(t *testing.T) {
	vars := map[string]string{"RISKCTL_VAR_BIG": strings.Repeat("a", MaxValueBytes/2+1)}
	src := boundsHead + "integrations:\n  - reference_id: ${RISKCTL_VAR_BIG}${RISKCTL_VAR_BIG}\n    integration_type: Okta\n    tenant_url: https://acme.okta.com\n"
	want := []string{"spec.yaml:4:19: value is longer than 65536 bytes (64 KiB) after interpolation, the limit for one value"}
	if got := boundsErrors(t, src, vars); !equalLines(got, want) {
		t.Errorf("errors = %q, want %q", got, want)
	}
	// Exactly at the cap is fine.
	vars["RISKCTL_VAR_BIG"] = strings.Repeat("a", MaxValueBytes/2)
	if _, err := Parse("spec.yaml", []byte(src), Options{LookupEnv: boundsEnv(vars)}); err != nil {
		t.Errorf("a value of MaxValueBytes: %v", err)
	}
}

func TestInterpolationCapPerFile(t *testing.T) {
	vars := map[string]string{"RISKCTL_VAR_BIG": strings.Repeat("a", 60<<10)}
	fit := maxExpandedBytes / (60 << 10) // values that fit under the cap
	src := boundsHead + "behaviors:\n  imp_travel:\n    enabled: true\n    risk_level: high\n    ignore: [&v '${RISKCTL_VAR_BIG}'" + strings.Repeat(", *v", fit+10) + "]\n"
	// Count the work instead of timing it: each interpolation of the
	// value looks the variable up once.
	lookups := 0
	env := boundsEnv(vars)
	_, err := Parse("spec.yaml", []byte(src), Options{LookupEnv: func(name string) (string, bool) {
		lookups++
		return env(name)
	}})
	if lookups != fit+1 {
		t.Errorf("the value was interpolated %d times, want %d (up to the cap, and the one that passed it)", lookups, fit+1)
	}
	var errs Errors
	if !errors.As(err, &errs) {
		t.Fatalf("Parse = %v, want Errors", err)
	}
	// Every entry is an unknown field until the cap; the cap is said once,
	// and the entries past it are not interpolated (nor reported).
	want := "spec.yaml:7:14: interpolation produces more than 16777216 bytes (16 MiB) in this file, the limit for one file: stopped interpolating here"
	var lines []string
	for _, e := range errs {
		if !strings.Contains(e.Msg, "unknown field") {
			lines = append(lines, e.Error())
		}
	}
	if !equalLines(lines, []string{want}) {
		t.Errorf("errors besides unknown fields = %q, want %q", lines, want)
	}
	if len(errs) > fit+1 {
		t.Errorf("%d errors: entries past the cap were still reported", len(errs))
	}
}

func TestErrorsCapped(t *testing.T) {
	var errs Errors
	for i := range 250 {
		errs = append(errs, &Error{Pos: Pos{File: "a.yaml", Line: i + 1, Col: 1}, Msg: "bad"})
	}
	lines := strings.Split(errs.Error(), "\n")
	if len(lines) != MaxReportedErrors+1 || lines[0] != "a.yaml:1:1: bad" || lines[99] != "a.yaml:100:1: bad" || lines[100] != "... and 150 more errors" {
		t.Errorf("Error() = %d lines, first %q, last %q", len(lines), lines[0], lines[len(lines)-1])
	}
	if got := errs[:MaxReportedErrors].Error(); strings.Contains(got, "more errors") {
		t.Errorf("exactly MaxReportedErrors errors get a count line")
	}
}

// TestAliasBombs: aliases cannot turn a small file into a long check or a
// flood of errors.
func TestAliasBombs(t *testing.T) {
	const aliases = 200_000
	var laughs strings.Builder
	laughs.WriteString(boundsHead + "x0: &a0 [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n")
	for i := 1; i < 10; i++ {
		fmt.Fprintf(&laughs, "x%d: &a%d [%s]\n", i, i, strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*a%d, ", i-1), 10), ", "))
	}
	for _, tc := range []struct {
		name, src, want string
	}{
		{
			name: "aliases of a bad integration",
			src:  boundsHead + "integrations:\n  - &a {reference_id: 1, tenant_url: x, active: maybe}\n" + strings.Repeat("  - *a\n", aliases),
			want: "spec.yaml:1:1: YAML aliases expand this file to more than 300014 nodes (the limit is 100000 more than the file writes out): write the content out instead of aliasing it",
		},
		{
			name: "aliases of a bad scalar",
			src:  boundsHead + "integrations:\n  - &a 1\n" + strings.Repeat("  - *a\n", aliases),
			want: "spec.yaml: too many errors: stopped checking the file after 1000",
		},
		{
			name: "billion laughs",
			src:  laughs.String(),
			want: "spec.yaml:1:1: YAML aliases expand this file to more than 100125 nodes (the limit is 100000 more than the file writes out): write the content out instead of aliasing it",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// The counts below show the check stops early: at the alias
			// limit, or after maxFileErrors errors.
			_, err := Parse("spec.yaml", []byte(tc.src), Options{LookupEnv: boundsEnv(nil)})
			if err == nil {
				t.Fatal("Parse accepted an alias bomb")
			}
			text := err.Error()
			if len(text) >= 64<<10 {
				t.Errorf("error text is %d bytes", len(text))
			}
			if lines := strings.Split(text, "\n"); !containsLine(lines, tc.want) || len(lines) > MaxReportedErrors+1 {
				t.Errorf("%d error lines, want at most %d including %q; first: %q", len(lines), MaxReportedErrors+1, tc.want, lines[0])
			}
		})
	}
}

func TestTenantURLPort(t *testing.T) {
	for _, tc := range []struct {
		url  string
		want string // "" when valid
	}{
		{"https://a.okta.com:99999", `spec.yaml:6:17: tenant_url "https://a.okta.com:99999": expected an absolute https URL such as https://acme.okta.com, with a port from 1 to 65535`},
		{"https://a.okta.com:0", `spec.yaml:6:17: tenant_url "https://a.okta.com:0": expected an absolute https URL such as https://acme.okta.com, with a port from 1 to 65535`},
		{"https://a.okta.com:65535", ""},
		{"https://a.okta.com:1/x", ""},
	} {
		t.Run(tc.url, func(t *testing.T) {
			src := boundsHead + "integrations:\n  - reference_id: r1\n    integration_type: Okta\n    tenant_url: " + tc.url + "\n"
			if tc.want == "" {
				if _, err := Parse("spec.yaml", []byte(src), Options{LookupEnv: boundsEnv(nil)}); err != nil {
					t.Errorf("Parse: %v", err)
				}
				return
			}
			if got := boundsErrors(t, src, nil); !equalLines(got, []string{tc.want}) {
				t.Errorf("errors = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestReferenceIDCharacters(t *testing.T) {
	const ascii = ": a reference_id is printable ASCII"
	for _, tc := range []struct {
		name, ref, want string
	}{
		{"leading space", `" r1"`, `spec.yaml:4:19: reference_id " r1" starts or ends with a space: remove it`},
		{"trailing space", `"r1 "`, `spec.yaml:4:19: reference_id "r1 " starts or ends with a space: remove it`},
		{"control character", `"r\x011"`, `spec.yaml:4:19: reference_id "r\x011" holds a control or non-ASCII character at byte 2` + ascii},
		{"tab", `"r1\t"`, `spec.yaml:4:19: reference_id "r1\t" holds a control or non-ASCII character at byte 3` + ascii},
		{"bidi override", `"r\u202e1"`, `spec.yaml:4:19: reference_id "r\u202e1" holds a control or non-ASCII character at byte 2` + ascii},
		{"non-ASCII letter", "ré", `spec.yaml:4:19: reference_id "r\u00e9" holds a control or non-ASCII character at byte 2` + ascii},
		{"delete", `"r\x7f"`, `spec.yaml:4:19: reference_id "r\x7f" holds a control or non-ASCII character at byte 2` + ascii},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := boundsHead + "integrations:\n  - reference_id: " + tc.ref + "\n    integration_type: Okta\n    tenant_url: https://acme.okta.com\n"
			got := boundsErrors(t, src, nil)
			if !equalLines(got, []string{tc.want}) {
				t.Errorf("errors = %q, want %q", got, tc.want)
			}
			for _, c := range []byte(strings.Join(got, "\n")) {
				if c < 0x20 || c > 0x7e {
					t.Errorf("message holds raw byte %#x", c)
				}
			}
		})
	}
	src := boundsHead + "integrations:\n  - reference_id: \"a-Z_0.9:/~ x\"\n    integration_type: Okta\n    tenant_url: https://acme.okta.com\n"
	if _, err := Parse("spec.yaml", []byte(src), Options{LookupEnv: boundsEnv(nil)}); err != nil {
		t.Errorf("printable ASCII reference_id refused: %v", err)
	}
}

func equalLines(a, b []string) bool { return strings.Join(a, "\n") == strings.Join(b, "\n") }

func containsLine(lines []string, want string) bool {
	for _, l := range lines {
		if l == want {
			return true
		}
	}
	return false
}
