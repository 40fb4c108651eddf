package emulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// writeStateWith writes a state file holding n integrations of testAccount,
// as an emulator would have saved it, without n saves.
func writeStateWith(tb testing.TB, path string, n int) {
	tb.Helper()
	st := newState()
	a := newAccount(testAccount, defaultSeed, 0, catalogueOf(nil))
	for i := range n {
		id := fmt.Sprintf("%08x-0000-4000-8000-%012x", i, i)
		a.Integrations = append(a.Integrations, Integration{
			ID: id, AccountTag: testAccount, IntegrationType: integrationTypeOkta,
			ReferenceID: fmt.Sprintf("ref-%d", i), TenantURL: fmt.Sprintf("https://t%d.okta.com", i),
			WellKnownURL: wellKnownURL(id), Active: true, CreatedAt: fixedNow,
		})
	}
	st.Accounts[testAccount] = a
	data, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		tb.Fatal(err)
	}
}

// BenchmarkCreateWith10000Stored measures one create through the HTTP
// handler (no network) with 10,000 integrations stored and the state on
// disk: what a durable write costs. median-ms is the median create.
func BenchmarkCreateWith10000Stored(b *testing.B) {
	statePath := filepath.Join(b.TempDir(), "state.json")
	writeStateWith(b, statePath, 10_000)
	e, err := New(Options{StatePath: statePath, Accounts: []string{testAccount}, MaxIntegrations: 1 << 30})
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	body := `{"integration_type":"Okta","tenant_url":"https://bench.okta.com","reference_id":"bench"}`
	durations := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		req := httptest.NewRequest(http.MethodPost, path("/integrations"), strings.NewReader(body))
		w := httptest.NewRecorder()
		e.ServeHTTP(w, req)
		durations = append(durations, time.Since(start))
		if w.Code != http.StatusOK {
			b.Fatalf("create: %d %s", w.Code, w.Body)
		}
	}
	b.StopTimer()
	slices.Sort(durations)
	b.ReportMetric(float64(durations[len(durations)/2].Microseconds())/1000, "median-ms")
}
