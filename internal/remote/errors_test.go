package remote

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestAPIErrorMessage(t *testing.T) {
	cases := []struct {
		err  *APIError
		want string
	}{
		{
			&APIError{Op: "list integrations", Status: 404, Errors: []ErrorItem{{Code: 1404, Message: "integration not found"}}},
			"list integrations: HTTP 404: 1404 integration not found",
		},
		{
			&APIError{Op: "update behaviors", Status: 400, Errors: []ErrorItem{{Code: 1001, Message: "bad key foo"}, {Code: 1002, Message: "bad level"}}},
			"update behaviors: HTTP 400: 1001 bad key foo; 1002 bad level",
		},
		{
			&APIError{Op: "get behaviors", Status: 400, Errors: []ErrorItem{{Code: 6003, Message: "Invalid request headers", Chain: []ErrorItem{{Code: 6103, Message: "Invalid format for X-Auth-Key header"}}}}},
			"get behaviors: HTTP 400: 6003 Invalid request headers (6103 Invalid format for X-Auth-Key header)",
		},
		{&APIError{Op: "get behaviors", Status: 502, Body: "502 Bad Gateway"}, "get behaviors: HTTP 502: 502 Bad Gateway"},
		{&APIError{Op: "get behaviors", Status: 500}, "get behaviors: HTTP 500 Internal Server Error"},
		{
			&APIError{Op: "list integrations", Status: 503, Errors: []ErrorItem{{Code: 1000, Message: "try later"}}, Attempts: 5},
			"list integrations: HTTP 503: 1000 try later (after 5 attempts)",
		},
	}
	for _, tc := range cases {
		if got := tc.err.Error(); got != tc.want {
			t.Errorf("got  %q\nwant %q", got, tc.want)
		}
	}
}

func TestAPIErrorIsSentinels(t *testing.T) {
	sentinels := map[int]error{404: ErrNotFound, 401: ErrUnauthorized, 403: ErrForbidden, 429: ErrRateLimited}
	for _, status := range []int{400, 401, 403, 404, 409, 429, 500} {
		err := fmt.Errorf("wrapped: %w", &APIError{Op: "x", Status: status})
		for s, sentinel := range sentinels {
			if got := errors.Is(err, sentinel); got != (s == status) {
				t.Errorf("status %d: errors.Is(%v) = %v", status, sentinel, got)
			}
		}
	}
}

// Cloudflare answers a missing or malformed credential header with 400 and
// code 9106 or 6003 (docs/api.md#authentication): those are credential errors; other 400s
// are not.
func TestBadRequestCredentialCodesAreUnauthorized(t *testing.T) {
	for _, tc := range []struct {
		code int
		want bool
	}{{9106, true}, {6003, true}, {7003, false}, {1004, false}, {0, false}} {
		err := &APIError{Op: "x", Status: 400, Errors: []ErrorItem{{Code: tc.code}}}
		if got := errors.Is(err, ErrUnauthorized); got != tc.want {
			t.Errorf("400 code %d: errors.Is(ErrUnauthorized) = %v, want %v", tc.code, got, tc.want)
		}
	}
	if errors.Is(&APIError{Op: "x", Status: 403, Errors: []ErrorItem{{Code: 9106}}}, ErrUnauthorized) {
		t.Error("403 code 9106 matched ErrUnauthorized")
	}
}

func TestErrorsFromServer(t *testing.T) {
	f := newFake(t)
	f.handle("GET /integrations/missing", fail(404, 1404, "integration not found"))
	f.handle("GET /behaviors", fail(401, 10001, "Unauthorized"))
	f.handle("PUT /behaviors", fail(403, 10000, "Authentication error"))
	f.handle("GET /summary", withHeader("Retry-After", "0", fail(429, 971, "Please wait and consider throttling your request speed")))
	c := f.client(func(c *Config) { c.RetryMax = 1 })
	ctx := context.Background()

	_, err := c.GetIntegration(ctx, "missing")
	if !errors.Is(err, ErrNotFound) {
		t.Errorf("404: %v", err)
	}
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("not an APIError: %T", err)
	}
	want := APIError{Op: `get integration "missing"`, Method: "GET", Path: testRoot + "/integrations/missing", Status: 404,
		Errors: []ErrorItem{{Code: 1404, Message: "integration not found"}}, Attempts: 1, BaseURL: f.srv.URL + "/client/v4"}
	if fmt.Sprint(*apiErr) != fmt.Sprint(want) {
		t.Errorf("got  %+v\nwant %+v", *apiErr, want)
	}
	if got := err.Error(); got != `get integration "missing": HTTP 404: 1404 integration not found` {
		t.Errorf("message %q", got)
	}

	if _, err := c.GetBehaviors(ctx); !errors.Is(err, ErrUnauthorized) {
		t.Errorf("401: %v", err)
	}
	if _, err := c.UpdateBehaviors(ctx, nil); !errors.Is(err, ErrForbidden) {
		t.Errorf("403: %v", err)
	}
	_, err = c.GetSummary(ctx)
	if !errors.Is(err, ErrRateLimited) || !strings.Contains(err.Error(), "971") {
		t.Errorf("429: %v", err)
	}
	if n := f.count("GET /summary"); n != 2 {
		t.Errorf("429 sent %d times, want 2 (RetryMax 1)", n)
	}
	// 4xx are never retried.
	for _, route := range []string{"GET /integrations/missing", "GET /behaviors", "PUT /behaviors"} {
		if n := f.count(route); n != 1 {
			t.Errorf("%s sent %d times", route, n)
		}
	}
}

func TestNonJSONErrorBody(t *testing.T) {
	f := newFake(t)
	f.handle("GET /behaviors", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadGateway)
		_, _ = io.WriteString(w, "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\n<center><h1>502 Bad Gateway</h1></center>\n<hr><center>cloudflare</center>\n</body>\n</html>\n")
	})
	_, err := f.client(func(c *Config) { c.RetryMax = -1 }).GetBehaviors(context.Background())
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("err = %v (%T), want *APIError", err, err)
	}
	if apiErr.Status != 502 || apiErr.Errors != nil {
		t.Errorf("got %+v", apiErr)
	}
	if apiErr.Body != "502 Bad Gateway 502 Bad Gateway cloudflare" {
		t.Errorf("Body = %q", apiErr.Body)
	}
	if msg := err.Error(); strings.ContainsAny(msg, "<>\n") || !strings.HasPrefix(msg, "get behaviors: HTTP 502: 502 Bad Gateway") {
		t.Errorf("message %q", msg)
	}
}

func TestSnippetIsShortAndOneLine(t *testing.T) {
	long := strings.Repeat("x\ty\x00 ", 200)
	s := snippet(long)
	if r := []rune(s); len(r) > snippetRunes+1 || strings.ContainsAny(s, "\t\x00\n") || !strings.HasSuffix(s, "…") {
		t.Errorf("snippet = %q", s)
	}
}

func TestSuccessFalseOn200IsAnAPIError(t *testing.T) {
	f := newFake(t)
	f.handle("GET /behaviors", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, 200, map[string]any{"success": false, "errors": []any{map[string]any{"code": 1234, "message": "nope"}}, "messages": []any{}, "result": nil})
	})
	_, err := f.client().GetBehaviors(context.Background())
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Status != 200 || err.Error() != "get behaviors: HTTP 200: 1234 nope" {
		t.Errorf("err = %v", err)
	}
}

func TestNotAnEnvelope(t *testing.T) {
	for name, body := range map[string]string{
		"html":       "<html><body>Welcome to nginx!</body></html>",
		"no success": `{"result":{"behaviors":{}}}`,
	} {
		t.Run(name, func(t *testing.T) {
			f := newFake(t)
			f.handle("GET /behaviors", func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, body) })
			_, err := f.client().GetBehaviors(context.Background())
			var apiErr *APIError
			if err == nil || errors.As(err, &apiErr) || !strings.Contains(err.Error(), "not a Cloudflare API envelope") {
				t.Errorf("err = %v", err)
			}
		})
	}
}

func TestMissingResult(t *testing.T) {
	f := newFake(t)
	f.handle("GET /integrations/"+integrationID, okRaw(`null`))
	_, err := f.client().GetIntegration(context.Background(), integrationID)
	if !errors.Is(err, errNoResult) {
		t.Errorf("err = %v", err)
	}
}

func TestAmbiguousErrorMessage(t *testing.T) {
	cause := &APIError{Op: "create integration", Status: 500}
	err := error(&AmbiguousError{Op: "create integration", ReferenceID: "ref-1", Err: cause})
	msg := err.Error()
	if want := `create integration: outcome unknown, it may or may not have been applied (HTTP 500 Internal Server Error); look it up by reference_id "ref-1" before trying again`; msg != want {
		t.Errorf("got  %q\nwant %q", msg, want)
	}
	for _, want := range []string{"create integration", "outcome unknown", `reference_id "ref-1"`, "HTTP 500"} {
		if !strings.Contains(msg, want) {
			t.Errorf("%q lacks %q", msg, want)
		}
	}
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr != cause {
		t.Errorf("Unwrap does not reach the cause")
	}
	noRef := (&AmbiguousError{Op: "create integration", Err: cause}).Error()
	if !strings.Contains(noRef, "no reference_id") {
		t.Errorf("%q", noRef)
	}
}
