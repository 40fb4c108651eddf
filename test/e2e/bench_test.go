package e2e_test

import (
	"context"
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/riskctl/riskctl/internal/cli"
	"github.com/riskctl/riskctl/internal/emulator"
)

// benchAccount is the emulated account the benchmark plans against.
const benchAccount = "5b5e6c8a1f2d4e3b9a7c6d5e4f3a2b1c"

// BenchmarkPlanCommand runs `riskctl plan` end to end (spec load, live fetch
// over HTTP from the emulator, Compute, render) against an account with 500
// integrations, and reports the API requests per plan.
func BenchmarkPlanCommand(b *testing.B) {
	const n = 500
	emu, err := emulator.New(emulator.Options{Accounts: []string{benchAccount}})
	if err != nil {
		b.Fatal(err)
	}
	var specText strings.Builder
	fmt.Fprintf(&specText, "version: 1\naccount_id: %s\nbehaviors:\n  imp_travel: {enabled: true, risk_level: high}\nintegrations:\n", benchAccount)
	for i := range n {
		ref, url := fmt.Sprintf("idp-%04d", i), fmt.Sprintf("https://t%04d.okta.com", i)
		emu.PutIntegration(benchAccount, emulator.Integration{ReferenceID: ref, TenantURL: url, Active: true})
		fmt.Fprintf(&specText, "  - {reference_id: %s, integration_type: Okta, tenant_url: %s}\n", ref, url)
	}
	specPath := filepath.Join(b.TempDir(), "spec.yaml")
	if err := os.WriteFile(specPath, []byte(specText.String()), 0o644); err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(emu)
	defer srv.Close()
	args := []string{"riskctl", "--base-url", srv.URL + "/client/v4", "--api-token", "t", "plan", "-f", specPath}
	streams := cli.Streams{In: strings.NewReader(""), Out: io.Discard, Err: io.Discard}

	emu.ResetRequests()
	b.ReportAllocs()
	for b.Loop() {
		if code := cli.Main(context.Background(), args, streams); code != 0 {
			b.Fatalf("exit %d", code)
		}
	}
	b.ReportMetric(float64(len(emu.Requests()))/float64(b.N), "requests/op")
}
