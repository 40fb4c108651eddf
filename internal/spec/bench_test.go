package spec_test

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/riskctl/riskctl/internal/spec"
	"github.com/riskctl/riskctl/internal/state"
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

// BenchmarkWrite12000 exports an account of 12,000 integrations and reports
// the peak of the heap while Write runs (peak-MiB, sampled from
// runtime/metrics every 100 µs, the account itself included). "whole" makes
// the spec in one piece, as Write did before it worked in batches. Target:
// ≤ 64 MiB for the whole `riskctl export` (BENCHMARKS.md).
func BenchmarkWrite12000(b *testing.B) {
	live := state.Account{AccountID: "0123456789abcdef0123456789abcdef", Behaviors: map[string]state.Behavior{
		"imp_travel": {Enabled: true, RiskLevel: "high", Name: "Impossible Travel"},
	}}
	for i := range 12000 {
		live.Integrations = append(live.Integrations, state.Integration{
			ReferenceID: fmt.Sprintf("idp-%05d", i), IntegrationType: "Okta",
			TenantURL: fmt.Sprintf("https://t%05d.okta.com", i), Active: i%10 != 0,
			ID: fmt.Sprintf("00000000-0000-4000-8000-%012d", i),
		})
	}
	for _, batch := range []struct {
		name string
		size int
	}{{"batched", 0}, {"whole", math.MaxInt}} {
		b.Run(batch.name, func(b *testing.B) {
			if batch.size > 0 {
				defer spec.SetExportBatch(batch.size)()
			}
			peak := 0.0
			for b.Loop() {
				stop := samplePeakHeap()
				if err := spec.Write(io.Discard, live); err != nil {
					b.Fatal(err)
				}
				peak = max(peak, stop())
			}
			b.ReportMetric(peak/(1<<20), "peak-MiB")
		})
	}
}

// samplePeakHeap collects garbage, then samples the heap (live objects and
// garbage not yet collected) until stop, which returns the largest sample
// in bytes.
func samplePeakHeap() (stop func() float64) {
	runtime.GC()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() float64 {
		metrics.Read(sample)
		return float64(sample[0].Value.Uint64())
	}
	done := make(chan struct{})
	result := make(chan float64)
	go func() {
		peak := read()
		tick := time.NewTicker(100 * time.Microsecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				result <- max(peak, read())
				return
			case <-tick.C:
				peak = max(peak, read())
			}
		}
	}()
	return func() float64 {
		close(done)
		return <-result
	}
}
