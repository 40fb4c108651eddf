package spec_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/riskctl/riskctl/internal/spec"
)

// benchSpec is a spec with n integrations in block style, as a user writes
// it, and two behaviors.
func benchSpec(n int) []byte {
	var s strings.Builder
	s.WriteString("version: 1\naccount_id: 0123456789abcdef0123456789abcdef\nbehaviors:\n" +
		"  imp_travel: {enabled: true, risk_level: high}\n" +
		"  high_dlp:\n    enabled: true\n    risk_level: medium\n" +
		"integrations:\n")
	for i := range n {
		fmt.Fprintf(&s, "  - reference_id: idp-%05d\n    integration_type: Okta\n    tenant_url: https://t%05d.okta.com\n", i, i)
		if i%10 == 0 {
			s.WriteString("    active: false\n    ignore: [active]\n")
		}
	}
	return []byte(s.String())
}

// BenchmarkLoad10000 loads (reads, parses, checks) one spec file with
// 10,000 integrations, far beyond a real account. Target: ≤ 40 ms and
// < 64 MiB allocated per load (BENCHMARKS.md).
func BenchmarkLoad10000(b *testing.B) { benchmarkLoad(b, 10000) }

// BenchmarkLoad1000 loads a spec the size of the plan/1000 scenario's
// (BENCHMARKS.md).
func BenchmarkLoad1000(b *testing.B) { benchmarkLoad(b, 1000) }

func benchmarkLoad(b *testing.B, n int) {
	path := filepath.Join(b.TempDir(), "spec.yaml")
	if err := os.WriteFile(path, benchSpec(n), 0o644); err != nil {
		b.Fatal(err)
	}
	opts := spec.Options{LookupEnv: func(string) (string, bool) { return "", false }}
	b.ReportAllocs()
	for b.Loop() {
		files, err := spec.Load([]string{path}, opts)
		if err != nil {
			b.Fatal(err)
		}
		if got := len(files[0].Account.Integrations); got != n {
			b.Fatalf("loaded %d integrations, want %d", got, n)
		}
	}
}

// BenchmarkDecodeYAML10000 is the part of BenchmarkLoad10000 that is
// yaml.v3's alone: decoding the same file into a node tree, which Load
// must do before checking anything. It is the floor under Load's time.
func BenchmarkDecodeYAML10000(b *testing.B) {
	data := benchSpec(10000)
	b.ReportAllocs()
	for b.Loop() {
		var doc yaml.Node
		if err := yaml.NewDecoder(bytes.NewReader(data)).Decode(&doc); err != nil {
			b.Fatal(err)
		}
	}
}
