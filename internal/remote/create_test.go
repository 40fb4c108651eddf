package remote

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// The ambiguity rule: POST /integrations is never repeated unless the
// failure proves the server did not process it.

func createReq() CreateIntegrationRequest {
	return CreateIntegrationRequest{IntegrationType: IntegrationTypeOkta, TenantURL: "https://acme.okta.com", ReferenceID: referenceID}
}

func requireAmbiguous(t *testing.T, err error) *AmbiguousError {
	t.Helper()
	var amb *AmbiguousError
	if !errors.As(err, &amb) {
		t.Fatalf("err = %v (%T), want *AmbiguousError", err, err)
	}
	if amb.Op != "create integration" || amb.ReferenceID != referenceID {
		t.Errorf("got %+v", amb)
	}
	msg := err.Error()
	if !strings.Contains(msg, "outcome unknown") || !strings.Contains(msg, referenceID) {
		t.Errorf("message %q should say the outcome is unknown and name the reference_id", msg)
	}
	return amb
}

func TestCreateNotRetriedOn5xx(t *testing.T) {
	for _, status := range []int{500, 502, 503} {
		f := newFake(t)
		f.handle("POST /integrations", withHeader("Retry-After", "0", fail(status, 1000, "internal error")))
		_, err := f.client().CreateIntegration(context.Background(), createReq())
		amb := requireAmbiguous(t, err)
		var apiErr *APIError
		if !errors.As(amb, &apiErr) || apiErr.Status != status {
			t.Errorf("%d: cause = %v", status, amb.Err)
		}
		if n := f.count("POST /integrations"); n != 1 {
			t.Errorf("%d: %d POSTs, want exactly 1", status, n)
		}
	}
}

func TestCreateNotRetriedOnConnectionReset(t *testing.T) {
	f := newFake(t)
	f.handle("POST /integrations", resetConn)
	_, err := f.client().CreateIntegration(context.Background(), createReq())
	requireAmbiguous(t, err)
	if n := f.count("POST /integrations"); n != 1 {
		t.Errorf("%d POSTs, want exactly 1", n)
	}
}

func TestCreateNotRetriedOnTimeout(t *testing.T) {
	f := newFake(t)
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	f.handle("POST /integrations", func(w http.ResponseWriter, r *http.Request) {
		select { // commit, then take too long to answer
		case <-release:
		case <-r.Context().Done():
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := f.client().CreateIntegration(ctx, createReq())
	amb := requireAmbiguous(t, err)
	if !errors.Is(amb, context.DeadlineExceeded) {
		t.Errorf("cause %v, want DeadlineExceeded", amb.Err)
	}
	if n := f.count("POST /integrations"); n != 1 {
		t.Errorf("%d POSTs, want exactly 1", n)
	}
}

func TestCreateNotRetriedOnUnreadableSuccess(t *testing.T) {
	f := newFake(t)
	f.handle("POST /integrations", func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, `{"success":true,"result":`) })
	_, err := f.client().CreateIntegration(context.Background(), createReq())
	requireAmbiguous(t, err)
	if n := f.count("POST /integrations"); n != 1 {
		t.Errorf("%d POSTs", n)
	}
}

func TestCreateRetriedOn429(t *testing.T) {
	f := newFake(t)
	f.handle("POST /integrations", sequence(
		withHeader("Retry-After", "1", fail(429, 971, "Please wait")),
		okRaw(integrationJSON),
	))
	got, err := f.client().CreateIntegration(context.Background(), createReq())
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != integrationID {
		t.Errorf("got %+v", got)
	}
	if n := f.count("POST /integrations"); n != 2 {
		t.Errorf("%d POSTs, want 2", n)
	}
}

func TestCreate429ThenResetIsAmbiguous(t *testing.T) {
	f := newFake(t)
	f.handle("POST /integrations", sequence(fail(429, 971, "Please wait"), resetConn, okRaw(integrationJSON)))
	_, err := f.client().CreateIntegration(context.Background(), createReq())
	requireAmbiguous(t, err)
	if n := f.count("POST /integrations"); n != 2 {
		t.Errorf("%d POSTs, want 2", n)
	}
}

func TestCreateRetriedWhenConnectionRefused(t *testing.T) {
	f := newFake(t)
	var dials atomic.Int32
	// The first attempt fails to connect (nothing sent); then the real
	// transport takes over.
	rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		if dials.Add(1) == 1 {
			return nil, (&netOpError{op: "dial"}).err()
		}
		return http.DefaultTransport.RoundTrip(r)
	})
	c := f.client(func(c *Config) { c.HTTPClient = &http.Client{Transport: rt} })
	f.handle("POST /integrations", okRaw(integrationJSON))
	if _, err := c.CreateIntegration(context.Background(), createReq()); err != nil {
		t.Fatal(err)
	}
	if dials.Load() != 2 || f.count("POST /integrations") != 1 {
		t.Errorf("%d attempts, %d POSTs at the server", dials.Load(), f.count("POST /integrations"))
	}
}

func TestCreateRefusedThroughoutIsNotAmbiguous(t *testing.T) {
	f := newFake(t)
	f.srv.Close()
	_, err := f.client(func(c *Config) { c.RetryMax = 2 }).CreateIntegration(context.Background(), createReq())
	var amb *AmbiguousError
	if err == nil || errors.As(err, &amb) {
		t.Errorf("err = %v; a refused connection proves nothing was created", err)
	}
}

func TestCreateRejectedIsNotAmbiguous(t *testing.T) {
	f := newFake(t)
	f.handle("POST /integrations", fail(400, 1002, "tenant_url must be a URI"))
	_, err := f.client().CreateIntegration(context.Background(), createReq())
	var amb *AmbiguousError
	var apiErr *APIError
	if errors.As(err, &amb) || !errors.As(err, &apiErr) || apiErr.Status != 400 {
		t.Errorf("err = %v", err)
	}
	if n := f.count("POST /integrations"); n != 1 {
		t.Errorf("%d POSTs", n)
	}
}

func TestCreateCanceledWhileWaitingAfter429IsNotAmbiguous(t *testing.T) {
	f := newFake(t)
	f.handle("POST /integrations", withHeader("Retry-After", "60", fail(429, 971, "Please wait")))
	c := f.client(func(c *Config) { c.RetryAfterCap = time.Hour })
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	_, err := c.CreateIntegration(ctx, createReq())
	var amb *AmbiguousError
	if !errors.Is(err, context.Canceled) || errors.As(err, &amb) {
		t.Errorf("err = %v; the only attempt was rate limited, so nothing was created", err)
	}
}

func TestCreateNotRetriedWhenBodyCutShort(t *testing.T) {
	f := newFake(t)
	f.handle("POST /integrations", sequence(truncated, okRaw(integrationJSON)))
	_, err := f.client().CreateIntegration(context.Background(), createReq())
	requireAmbiguous(t, err)
	if n := f.count("POST /integrations"); n != 1 {
		t.Errorf("%d POSTs, want exactly 1", n)
	}
}
