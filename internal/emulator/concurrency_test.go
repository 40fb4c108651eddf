package emulator

import (
	"fmt"
	"net/http"
	"path/filepath"
	"sync"
	"testing"
)

func TestConcurrentWrites(t *testing.T) {
	v := newTestEnv(t, Options{StatePath: filepath.Join(t.TempDir(), "state.json"), SeedUsers: 5})
	const workers, each = 16, 5
	var wg sync.WaitGroup
	ids := make(chan string, workers*each)
	errs := make(chan error, workers*each*2)
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				resp, err := v.send(v.srv.Client(), "POST", path("/integrations"),
					fmt.Sprintf(`{"integration_type":"Okta","tenant_url":"https://t%d.okta.com","reference_id":"r-%d-%d"}`, w, w, i))
				if err != nil {
					errs <- err
					continue
				}
				var in wireIntegration
				r := checkEnvelope(t, resp)
				if r.status != http.StatusOK {
					errs <- fmt.Errorf("status %d: %s", r.status, r.raw)
					continue
				}
				r.result(t, &in)
				ids <- in.ID
				// Reads and other writes in between.
				resp, err = v.send(v.srv.Client(), "GET", path("/summary"), nil)
				if err != nil {
					errs <- err
					continue
				}
				checkEnvelope(t, resp)
				resp, err = v.send(v.srv.Client(), "PUT", path("/behaviors"), `{"behaviors":{"imp_travel":{"enabled":true,"risk_level":"low"}}}`)
				if err != nil {
					errs <- err
					continue
				}
				checkEnvelope(t, resp)
			}
		})
	}
	wg.Wait()
	close(ids)
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	seen := map[string]bool{}
	for id := range ids {
		if seen[id] {
			t.Errorf("duplicate id %s", id)
		}
		seen[id] = true
	}
	if len(seen) != workers*each || len(v.e.Integrations(testAccount)) != workers*each {
		t.Errorf("%d distinct ids, %d stored, want %d", len(seen), len(v.e.Integrations(testAccount)), workers*each)
	}
	if n := len(v.e.Requests()); n != workers*each*3 {
		t.Errorf("request log has %d entries, want %d", n, workers*each*3)
	}
}

func TestOptionsValidation(t *testing.T) {
	for _, opts := range []Options{
		{Accounts: []string{""}},
		{SeedUsers: -1},
		{PageSize: -1},
		{RateLimit: -1},
		{ServerErrorRate: 1.5},
		{ResetRate: -0.1},
		{Latency: -1},
	} {
		if _, err := New(opts); err == nil {
			t.Errorf("New(%+v) accepted invalid options", opts)
		}
	}
}
