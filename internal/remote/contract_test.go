package remote_test

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/riskctl/riskctl/internal/contracttest"
	"github.com/riskctl/riskctl/internal/emulator"
	"github.com/riskctl/riskctl/internal/remote"
)

// These tests point the real client at the emulator through contracttest's
// middleware: every request the client sends and every response it
// receives is validated against the official OpenAPI contract.

const (
	contractAccount = "023e105f4ecef8ad9ca31a8372d0c353"
	contractToken   = "contract-test-token"
	unknownUUID     = "00000000-0000-4000-8000-000000000000"
)

// contractRig is an emulator behind the contract middleware and a client
// pointed at it.
type contractRig struct {
	c      *contracttest.Contract
	e      *emulator.Emulator
	srv    *httptest.Server
	client *remote.Client
}

func newContractRig(t *testing.T, opts emulator.Options, creds remote.Credentials) *contractRig {
	t.Helper()
	c := contracttest.Load(t)
	if opts.Now == nil {
		now := time.Date(2025, 3, 19, 19, 53, 56, 0, time.UTC)
		opts.Now = func() time.Time { return now }
	}
	e, err := emulator.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(c.Middleware(t, e))
	t.Cleanup(srv.Close)
	client, err := remote.New(remote.Config{
		AccountID:    contractAccount,
		Credentials:  creds,
		BaseURL:      srv.URL + "/client/v4",
		UserAgent:    "riskctl/contract-test",
		RetryMax:     -1, // every answer, errors included, reaches the test
		RetryWaitMin: time.Millisecond,
		RetryWaitMax: time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	return &contractRig{c: c, e: e, srv: srv, client: client}
}

// checkStep fails t (a subtest) for violations recorded since mark.
func (r *contractRig) checkStep(t *testing.T, mark int) {
	t.Helper()
	for _, f := range r.c.Failures()[mark:] {
		t.Errorf("contract violation in this step: %s", f)
	}
}

func tokenCreds() remote.Credentials {
	return remote.Credentials{Token: remote.Secret(contractToken)}
}

// TestContractClient calls every API method against the emulator.
func TestContractClient(t *testing.T) {
	r := newContractRig(t, emulator.Options{Token: contractToken, SeedUsers: 7, PageSize: 2}, tokenCreds())
	ctx := context.Background()
	api := remote.API(r.client)

	t.Run("behaviors", func(t *testing.T) {
		defer r.checkStep(t, len(r.c.Failures()))
		before, err := api.GetBehaviors(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := before["imp_travel"]; !ok {
			t.Fatalf("no imp_travel in %v", before)
		}
		after, err := api.UpdateBehaviors(ctx, map[string]remote.BehaviorUpdate{
			"imp_travel": {Enabled: true, RiskLevel: remote.RiskLow},
		})
		if err != nil {
			t.Fatal(err)
		}
		if b := after["imp_travel"]; !b.Enabled || b.RiskLevel != remote.RiskLow {
			t.Errorf("after update: %+v", b)
		}
		if _, err := api.UpdateBehaviors(ctx, nil); err != nil {
			t.Errorf("empty update: %v", err)
		}
		got, err := api.GetBehaviors(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if b := got["imp_travel"]; !b.Enabled || b.RiskLevel != remote.RiskLow || b.Name == "" {
			t.Errorf("read back: %+v", b)
		}
		// An unknown key: the emulator answers 400, the client an error.
		if _, err := api.UpdateBehaviors(ctx, map[string]remote.BehaviorUpdate{
			"no_such_behavior": {Enabled: true, RiskLevel: remote.RiskHigh},
		}); err == nil {
			t.Error("updating an unknown behavior: want an error")
		}
	})

	// The seeded users, as the emulator holds them.
	withEvents := map[string]emulator.User{}
	for _, u := range r.e.Users(contractAccount) {
		if len(u.Events) > 0 {
			withEvents[u.ID] = u
		}
	}
	if len(withEvents) < 3 {
		t.Fatalf("want at least 3 seeded users with events (so that PageSize 2 paginates), got %d", len(withEvents))
	}

	t.Run("summary", func(t *testing.T) {
		defer r.checkStep(t, len(r.c.Failures()))
		rows, err := api.GetSummary(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != len(withEvents) {
			t.Fatalf("summary has %d rows, want %d (every page)", len(rows), len(withEvents))
		}
		for _, row := range rows {
			u, ok := withEvents[row.UserID]
			if !ok || row.Email != u.Email || row.EventCount != len(u.Events) {
				t.Errorf("row %+v does not match the emulator's user %+v", row, u)
			}
		}
		if n := pagesRequested(r, "/summary"); n < 2 {
			t.Errorf("the client made %d summary requests; PageSize 2 should force pagination", n)
		}
	})

	// The user with the most events, to paginate events too.
	var busiest emulator.User
	for _, u := range withEvents {
		if len(u.Events) > len(busiest.Events) || (len(u.Events) == len(busiest.Events) && u.ID < busiest.ID) {
			busiest = u
		}
	}

	t.Run("user risk", func(t *testing.T) {
		defer r.checkStep(t, len(r.c.Failures()))
		got, err := api.GetUserRisk(ctx, busiest.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Email != busiest.Email || len(got.Events) != len(busiest.Events) {
			t.Errorf("user risk: %s with %d events, want %s with %d", got.Email, len(got.Events), busiest.Email, len(busiest.Events))
		}
		if n := pagesRequested(r, "/"+busiest.ID); len(busiest.Events) > 2 && n < 2 {
			t.Errorf("the client made %d requests for %d events; PageSize 2 should force pagination", n, len(busiest.Events))
		}
		if _, err := api.GetUserRisk(ctx, unknownUUID); !errors.Is(err, remote.ErrNotFound) {
			t.Errorf("unknown user: %v, want ErrNotFound", err)
		}
	})

	t.Run("reset", func(t *testing.T) {
		defer r.checkStep(t, len(r.c.Failures()))
		if err := api.ResetUserRisk(ctx, busiest.ID); err != nil {
			t.Fatal(err)
		}
		got, err := api.GetUserRisk(ctx, busiest.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Events) != 0 || got.LastResetTime == nil {
			t.Errorf("after reset: %d events, last_reset_time %v", len(got.Events), got.LastResetTime)
		}
		if err := api.ResetUserRisk(ctx, unknownUUID); !errors.Is(err, remote.ErrNotFound) {
			t.Errorf("resetting an unknown user: %v, want ErrNotFound", err)
		}
	})

	t.Run("integration round trip", func(t *testing.T) {
		defer r.checkStep(t, len(r.c.Failures()))
		created, err := api.CreateIntegration(ctx, remote.CreateIntegrationRequest{
			IntegrationType: remote.IntegrationTypeOkta,
			TenantURL:       "https://tenant.okta.com",
			ReferenceID:     "idp-ref-1",
		})
		if err != nil {
			t.Fatal(err)
		}
		if created.ID == "" || !created.Active || created.ReferenceID != "idp-ref-1" || created.AccountTag != contractAccount || created.CreatedAt.IsZero() {
			t.Errorf("created: %+v", created)
		}

		got, err := api.GetIntegration(ctx, created.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got != created {
			t.Errorf("get: %+v\nwant %+v", got, created)
		}
		byRef, err := api.GetIntegrationByReference(ctx, "idp-ref-1")
		if err != nil {
			t.Fatal(err)
		}
		if byRef != created {
			t.Errorf("get by reference: %+v\nwant %+v", byRef, created)
		}

		updated, err := api.UpdateIntegration(ctx, created.ID, remote.UpdateIntegrationRequest{
			TenantURL: "https://moved.okta.com", Active: false, ReferenceID: "idp-ref-2",
		})
		if err != nil {
			t.Fatal(err)
		}
		want := created
		want.TenantURL, want.Active, want.ReferenceID = "https://moved.okta.com", false, "idp-ref-2"
		if updated != want {
			t.Errorf("update: %+v\nwant %+v", updated, want)
		}

		// One without a reference id (omitted from the body).
		other, err := api.CreateIntegration(ctx, remote.CreateIntegrationRequest{
			IntegrationType: remote.IntegrationTypeOkta, TenantURL: "https://other.okta.com",
		})
		if err != nil {
			t.Fatal(err)
		}

		list, err := api.ListIntegrations(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 2 || !containsIntegration(list, want) || !containsIntegration(list, other) {
			t.Errorf("list: %+v", list)
		}

		if err := api.DeleteIntegration(ctx, created.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := api.GetIntegration(ctx, created.ID); !errors.Is(err, remote.ErrNotFound) {
			t.Errorf("get after delete: %v, want ErrNotFound", err)
		}
		if err := api.DeleteIntegration(ctx, created.ID); !errors.Is(err, remote.ErrNotFound) {
			t.Errorf("delete after delete: %v, want ErrNotFound", err)
		}
		if _, err := api.GetIntegrationByReference(ctx, "idp-ref-2"); !errors.Is(err, remote.ErrNotFound) {
			t.Errorf("get by reference after delete: %v, want ErrNotFound", err)
		}
		if _, err := api.UpdateIntegration(ctx, created.ID, remote.UpdateIntegrationRequest{
			TenantURL: "https://moved.okta.com", Active: true,
		}); !errors.Is(err, remote.ErrNotFound) {
			t.Errorf("update after delete: %v, want ErrNotFound", err)
		}
		if err := api.DeleteIntegration(ctx, other.ID); err != nil {
			t.Fatal(err)
		}
		if list, err := api.ListIntegrations(ctx); err != nil || len(list) != 0 {
			t.Errorf("list after deleting all: %v, %v", list, err)
		}
	})

	t.Run("reference id with reserved characters", func(t *testing.T) {
		defer r.checkStep(t, len(r.c.Failures()))
		const ref = "idp/ref 1?x=%2F#y"
		created, err := api.CreateIntegration(ctx, remote.CreateIntegrationRequest{
			IntegrationType: remote.IntegrationTypeOkta, TenantURL: "https://escaped.okta.com", ReferenceID: ref,
		})
		if err != nil {
			t.Fatal(err)
		}
		got, err := api.GetIntegrationByReference(ctx, ref)
		if err != nil {
			t.Fatal(err)
		}
		if got != created {
			t.Errorf("get by reference: %+v\nwant %+v", got, created)
		}
		if err := api.DeleteIntegration(ctx, created.ID); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("paginated integrations", func(t *testing.T) {
		pr := newContractRig(t, emulator.Options{Token: contractToken, IntegrationsPageSize: 2}, tokenCreds())
		defer pr.checkStep(t, 0)
		var want []string
		for i := range 5 {
			in, err := pr.client.CreateIntegration(ctx, remote.CreateIntegrationRequest{
				IntegrationType: remote.IntegrationTypeOkta,
				TenantURL:       fmt.Sprintf("https://t%d.okta.com", i),
				ReferenceID:     fmt.Sprintf("ref-%d", i),
			})
			if err != nil {
				t.Fatal(err)
			}
			want = append(want, in.ID)
		}
		list, err := pr.client.ListIntegrations(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, in := range list {
			got = append(got, in.ID)
		}
		sort.Strings(got)
		sort.Strings(want)
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("list has %v, want %v", got, want)
		}
		if n := pagesRequested(pr, "/integrations"); n != 3 {
			t.Errorf("the client made %d list requests, want 3 pages", n)
		}
	})

	// Every operation answered 200 through the middleware.
	r.c.CheckCoverage(t, 200)
	if got, want := len(r.c.Exchanges()), len(r.e.Requests()); got != want || got == 0 {
		t.Errorf("the middleware saw %d exchanges, the emulator logged %d requests", got, want)
	}
}

// TestContractClientKeyAuth covers the X-Auth-Key/X-Auth-Email scheme and
// the client's errors for rejected credentials.
func TestContractClientKeyAuth(t *testing.T) {
	ctx := context.Background()
	// Keys have the form of a Global API Key (37 hex): the emulator answers
	// any other 400 code 6003, as Cloudflare does.
	const key, wrongKey = "0f1e2d3c4b5a69788796a5b4c3d2e1f0abcde", "ffffffffffffffffffffffffffffffffffff0"
	opts := emulator.Options{APIKey: key, Email: "ops@example.com"}
	r := newContractRig(t, opts, remote.Credentials{APIKey: remote.Secret(key), Email: "ops@example.com"})
	if _, err := r.client.GetBehaviors(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := r.client.ListIntegrations(ctx); err != nil {
		t.Fatal(err)
	}

	bad := newContractRig(t, opts, remote.Credentials{APIKey: remote.Secret(wrongKey), Email: "ops@example.com"})
	if _, err := bad.client.GetBehaviors(ctx); !errors.Is(err, remote.ErrForbidden) {
		t.Errorf("wrong key: %v, want ErrForbidden", err)
	}
	tok := newContractRig(t, emulator.Options{Token: contractToken}, remote.Credentials{Token: remote.Secret("wrong")})
	if _, err := tok.client.GetSummary(ctx); !errors.Is(err, remote.ErrForbidden) {
		t.Errorf("wrong token: %v, want ErrForbidden", err)
	}
}

// TestContractClientRateLimited covers the client's handling of a 429.
func TestContractClientRateLimited(t *testing.T) {
	ctx := context.Background()
	r := newContractRig(t, emulator.Options{Token: contractToken, RateLimit: 1, RateWindow: time.Hour}, tokenCreds())
	if _, err := r.client.GetBehaviors(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := r.client.GetBehaviors(ctx); !errors.Is(err, remote.ErrRateLimited) {
		t.Errorf("over the limit: %v, want ErrRateLimited", err)
	}
}

func containsIntegration(list []remote.Integration, want remote.Integration) bool {
	for _, in := range list {
		if in == want {
			return true
		}
	}
	return false
}

// pagesRequested counts the requests the emulator logged for an operation
// path suffix (pages of one listing, since the log drops the query).
func pagesRequested(r *contractRig, suffix string) int {
	n := 0
	for _, req := range r.e.Requests() {
		if req.Method == "GET" && strings.HasSuffix(req.Path, "/zt_risk_scoring"+suffix) {
			n++
		}
	}
	return n
}
