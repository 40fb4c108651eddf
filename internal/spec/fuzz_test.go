package spec_test

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/riskctl/riskctl/internal/spec"
)

var accountIDPattern = regexp.MustCompile(`^[0-9a-f]{32}$`)

// FuzzParse checks that Parse never panics, and that it returns either a
// File for a known account or Errors that all point into the file.
func FuzzParse(f *testing.F) {
	for _, tc := range invalidCases {
		f.Add(tc.src)
	}
	testdata, _ := filepath.Glob("testdata/*.yaml")
	for _, path := range testdata {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(data))
	}
	f.Add("")
	f.Add(head + "behaviors:\n  imp_travel: &b {enabled: ${RISKCTL_VAR_E:-true}, risk_level: high}\n  high_dlp: *b\n")

	lookup := env(map[string]string{"CLOUDFLARE_ACCOUNT_ID": acct, "RISKCTL_VAR_E": "true"})
	f.Fuzz(func(t *testing.T, src string) {
		file, err := spec.Parse("fuzz.yaml", []byte(src), spec.Options{LookupEnv: lookup, DefaultAccountID: acct2})
		if err == nil {
			if file == nil || !accountIDPattern.MatchString(file.Account.AccountID) {
				t.Fatalf("Parse(%q) = %+v without error", src, file)
			}
			return
		}
		errs, ok := err.(spec.Errors)
		if !ok || len(errs) == 0 || file != nil {
			t.Fatalf("Parse(%q) = %+v, %#v; want nil and non-empty spec.Errors", src, file, err)
		}
		for _, e := range errs {
			if e.Pos.File != "fuzz.yaml" || e.Msg == "" {
				t.Fatalf("Parse(%q): error %#v lacks its file or message", src, e)
			}
		}
	})
}
