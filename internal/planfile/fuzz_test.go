package planfile

import (
	"strings"
	"testing"

	"github.com/riskctl/riskctl/internal/plan"
)

// FuzzReadPlanFile checks that decode never panics, and that a file it
// accepts encodes, and decodes again.
func FuzzReadPlanFile(f *testing.F) {
	digest := digestPrefix + strings.Repeat("ab", 32)
	pa, err := plan.ComputeWith(desiredA(), liveA(), plan.Options{Policy: policyOf(desiredA())})
	if err != nil {
		f.Fatal(err)
	}
	pb, err := plan.Compute(desiredB(), liveB())
	if err != nil {
		f.Fatal(err)
	}
	pb.Targets = []string{"behavior:high_dlp"}
	sample := File{
		RiskctlVersion: "v0.4.0 (abc1234)",
		Accounts: []Account{
			NewAccount([]string{"a.yaml"}, digest, liveA(), pa),
			NewAccount([]string{"b.yaml"}, digest, liveB(), pb),
		},
	}
	data, err := encode(sample)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	one := sample
	one.Accounts = sample.Accounts[:1]
	if data, err = encode(one); err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	for _, s := range []string{
		"", "null", "{}", "[]", `{"format_version":1}`, `{"format_version":"` + FormatVersion + `"}`,
		`{"format_version":"` + FormatVersion + `","accounts":[]}`,
		`{"format_version":"` + FormatVersion + `","accounts":[{"account_id":"x","plan":null}]}`,
		`{"format_version":"` + FormatVersion + `","changes":[]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := decode(data)
		if err != nil {
			return
		}
		enc, err := encode(file)
		if err != nil {
			t.Fatalf("decode(%q) succeeded, but encode fails: %v", data, err)
		}
		if _, err := decode(enc); err != nil {
			t.Fatalf("decode(%q) succeeded, but its encoding %q does not decode: %v", data, enc, err)
		}
	})
}
