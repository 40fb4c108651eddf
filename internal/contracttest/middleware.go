package contracttest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
)

// ModeHeader carries a per-request validation mode from a test's HTTP client
// to the middleware. The middleware removes it before the wrapped handler
// sees the request. Set it with ResponsesOnly or InvalidRequest.
const ModeHeader = "X-Contracttest-Mode"

// Validation modes (values of ModeHeader).
const (
	// ModeFull (no header) validates the request and the response.
	ModeFull = ""
	// ModeResponsesOnly skips request validation. Use it for requests that
	// are off-contract in a way that is not the point of the test.
	ModeResponsesOnly = "responses-only"
	// ModeInvalidRequest asserts that the request violates the contract
	// (bad body, bad parameter, missing credentials) and validates the
	// response. A request so marked that turns out valid is reported, so a
	// negative test cannot silently stop testing what it claims to.
	ModeInvalidRequest = "invalid-request"
)

// ResponsesOnly marks req so that the middleware validates only its response.
func ResponsesOnly(req *http.Request) *http.Request {
	req.Header.Set(ModeHeader, ModeResponsesOnly)
	return req
}

// InvalidRequest marks req as deliberately off-contract: the middleware
// checks that it is, and validates the response.
func InvalidRequest(req *http.Request) *http.Request {
	req.Header.Set(ModeHeader, ModeInvalidRequest)
	return req
}

// Middleware wraps next so that every request it receives and every response
// it writes is validated against the contract. Violations are reported with
// t.Errorf, naming the method, path and error, and recorded (Failures).
//
// Requests that match no operation are violations unless the handler
// answers 404 (or 405 when only the method is unknown) with a failure
// envelope: that is how the emulator says "no route".
func (c *Contract) Middleware(t testing.TB, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mode := r.Header.Get(ModeHeader)
		r.Header.Del(ModeHeader)
		method, path := r.Method, r.URL.Path

		body, err := io.ReadAll(r.Body)
		_ = r.Body.Close()
		if err != nil {
			c.record(t, Failure{Method: method, Path: path, Kind: "request", Err: fmt.Errorf("reading the body: %w", err)})
		}
		r.Body = io.NopCloser(bytes.NewReader(body))

		route, params, routeErr := c.findRoute(r)
		opID := ""
		if route != nil {
			opID = route.Operation.OperationID
		}

		switch mode {
		case ModeFull, ModeResponsesOnly, ModeInvalidRequest:
		default:
			c.record(t, Failure{Method: method, Path: path, Kind: "request",
				Err: fmt.Errorf("unknown %s %q (want %q or %q)", ModeHeader, mode, ModeResponsesOnly, ModeInvalidRequest)})
		}
		if routeErr == nil && mode != ModeResponsesOnly {
			problems := c.requestFailures(r, body, route, params)
			if mode == ModeInvalidRequest {
				if len(problems) == 0 {
					c.record(t, Failure{Method: method, Path: path, Kind: "request",
						Err: errors.New("request was marked InvalidRequest but satisfies the contract")})
				}
			} else {
				for _, f := range problems {
					c.record(t, f)
				}
			}
		}

		cw := &captureWriter{w: w}
		next.ServeHTTP(cw, r)

		status := cw.finalStatus()
		c.mu.Lock()
		c.exchanges = append(c.exchanges, Exchange{Method: method, Path: path, OperationID: opID, Mode: mode, Status: status})
		c.mu.Unlock()
		if cw.hijacked {
			// The handler dropped or took over the connection: no response.
			return
		}
		for _, f := range c.responseFailures(r, route, routeErr, status, cw.finalHeader(), cw.body.Bytes()) {
			c.record(t, f)
		}
	})
}

// ValidateRequest validates req (whose body is given separately; req.Body is
// not read) against the contract, reporting each violation with t.Errorf.
// It returns the violations joined, or nil.
func (c *Contract) ValidateRequest(t testing.TB, req *http.Request, body []byte) error {
	t.Helper()
	route, params, err := c.findRoute(req)
	var fs []Failure
	if err != nil {
		fs = []Failure{{Method: req.Method, Path: req.URL.Path, Kind: "route", Err: err}}
	} else {
		fs = c.requestFailures(req, body, route, params)
	}
	for _, f := range fs {
		c.record(t, f)
	}
	return joinFailures(fs)
}

// ValidateResponse validates one response to req against the contract,
// reporting each violation with t.Errorf. It returns the violations joined,
// or nil. Only req's method and URL are used.
func (c *Contract) ValidateResponse(t testing.TB, req *http.Request, status int, header http.Header, body []byte) error {
	t.Helper()
	route, _, routeErr := c.findRoute(req)
	fs := c.responseFailures(req, route, routeErr, status, header, body)
	for _, f := range fs {
		c.record(t, f)
	}
	return joinFailures(fs)
}

func joinFailures(fs []Failure) error {
	if len(fs) == 0 {
		return nil
	}
	errs := make([]error, len(fs))
	for i, f := range fs {
		errs[i] = errors.New(f.String())
	}
	return errors.Join(errs...)
}

func (c *Contract) findRoute(req *http.Request) (*routers.Route, map[string]string, error) {
	// Route on a copy that has only the path: host, scheme and query play no
	// part (quirk: servers).
	u := *req.URL
	u.Scheme, u.Host, u.User, u.RawQuery, u.Fragment = "", "", nil, "", ""
	rr := &http.Request{Method: req.Method, URL: &u, Header: http.Header{}, Host: ""}
	route, params, err := c.spec.router.FindRoute(rr)
	if err != nil {
		return nil, nil, err
	}
	return route, params, nil
}

// requestFailures returns the contract violations of one routed request.
func (c *Contract) requestFailures(req *http.Request, body []byte, route *routers.Route, params map[string]string) []Failure {
	method, path := req.Method, req.URL.Path
	var fs []Failure
	if err := checkCredentials(req.Header); err != nil {
		fs = append(fs, Failure{Method: method, Path: path, Kind: "auth", Err: err})
	}

	// kin-openapi reads (and replaces) the body: give it its own request.
	vr := req.Clone(context.Background())
	vr.Body = io.NopCloser(bytes.NewReader(body))
	vr.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	vr.ContentLength = int64(len(body))
	input := &openapi3filter.RequestValidationInput{
		Request:    vr,
		PathParams: params,
		Route:      route,
		Options:    c.options(),
	}
	if err := openapi3filter.ValidateRequest(context.Background(), input); err != nil {
		fs = append(fs, Failure{Method: method, Path: path, Kind: "request",
			Err: fmt.Errorf("%s: %w\n\trequest body: %s", route.Operation.OperationID, err, snippet(body))})
	}
	return fs
}

// responseFailures returns the contract violations of one response.
func (c *Contract) responseFailures(req *http.Request, route *routers.Route, routeErr error, status int, header http.Header, body []byte) []Failure {
	method, path := req.Method, req.URL.Path
	fail := func(kind string, err error) Failure {
		return Failure{Method: method, Path: path, Status: status, Kind: kind,
			Err: fmt.Errorf("%w\n\tresponse body: %s", err, snippet(body))}
	}

	if routeErr != nil {
		notFound := status == http.StatusNotFound ||
			(errors.Is(routeErr, routers.ErrMethodNotAllowed) && status == http.StatusMethodNotAllowed)
		if !notFound {
			return []Failure{fail("route", fmt.Errorf("no operation of the contract matches (%v), yet the handler answered %d", routeErr, status))}
		}
		// A "no route" answer is still a Cloudflare error: it must carry
		// the failure envelope.
		var fs []Failure
		if err := c.validateFailureEnvelope(header, body); err != nil {
			fs = append(fs, fail("envelope", fmt.Errorf("no-route answer: %w", err)))
		}
		return fs
	}

	if status >= 500 {
		// Quirk (statuses): 5XX is undocumented but real; not validated.
		return nil
	}
	if status < 100 || status > 599 {
		return []Failure{fail("response", fmt.Errorf("invalid status %d", status))}
	}

	opts := c.options()
	input := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{
			Request: req,
			Route:   route,
			Options: opts,
		},
		Status:  status,
		Header:  header,
		Options: opts,
	}
	input.SetBodyBytes(rateLimitCodeQuirk(status, body))
	var fs []Failure
	if err := openapi3filter.ValidateResponse(context.Background(), input); err != nil {
		fs = append(fs, fail("response", fmt.Errorf("%s: %w", route.Operation.OperationID, err)))
	}
	if err := envelopeExtras(status, body); err != nil {
		fs = append(fs, fail("envelope", fmt.Errorf("%s: %w", route.Operation.OperationID, err)))
	}
	return fs
}

// validateFailureEnvelope checks body against dlp_api-response-common-failure.
func (c *Contract) validateFailureEnvelope(header http.Header, body []byte) error {
	if err := checkJSONContentType(header); err != nil {
		return err
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return fmt.Errorf("body is not JSON: %w", err)
	}
	if ref := c.spec.doc.Components.Schemas["dlp_api-response-common-failure"]; ref != nil && ref.Value != nil {
		if err := ref.Value.VisitJSON(v, append(c.options().SchemaValidationOptions, openapi3.MultiErrors(), openapi3.VisitAsResponse())...); err != nil {
			return fmt.Errorf("body doesn't match dlp_api-response-common-failure: %w", err)
		}
	}
	return envelopeExtras(http.StatusBadRequest, body)
}

// envelopeExtras checks what the contract means but JSON Schema cannot say.
func envelopeExtras(status int, body []byte) error {
	var env map[string]json.RawMessage
	if json.Unmarshal(body, &env) != nil {
		return nil // kin-openapi has reported the body already
	}
	switch {
	case status >= 400 && status < 500:
		// Quirk: "errors" has minLength 1, which JSON Schema ignores on an
		// array; the intent is at least one error.
		var errs []json.RawMessage
		if json.Unmarshal(env["errors"], &errs) == nil && len(errs) == 0 && env["errors"] != nil {
			return errors.New(`a 4XX failure envelope must carry at least one item in "errors" (the spec's minLength: 1)`)
		}
	case status == http.StatusOK:
		// dlp_api-response-common does not require "result", but every
		// operation defines one and every real response carries it.
		if _, ok := env["result"]; !ok {
			return errors.New(`a 200 envelope must carry "result"`)
		}
	}
	return nil
}

// rateLimitCode is the error code Cloudflare answers a 429 with (docs/api.md#error-codes).
const rateLimitCode = 971

// rateLimitCodeQuirk handles a contradiction between the contract and the
// real API. Quirk (rate-limit code): dlp_messages items require code >= 1000,
// yet a real 429 carries {"code":971,...}. For a 429 only, the body is
// validated as if each error item with code 971 had code 1000; everything
// else about it is still checked. Any other body is returned unchanged.
func rateLimitCodeQuirk(status int, body []byte) []byte {
	if status != http.StatusTooManyRequests {
		return body
	}
	var env map[string]any
	if json.Unmarshal(body, &env) != nil {
		return body
	}
	items, _ := env["errors"].([]any)
	changed := false
	for _, it := range items {
		if m, ok := it.(map[string]any); ok {
			if code, ok := m["code"].(float64); ok && code == rateLimitCode {
				m["code"] = 1000
				changed = true
			}
		}
	}
	if !changed {
		return body
	}
	out, err := json.Marshal(env)
	if err != nil {
		return body
	}
	return out
}

func checkJSONContentType(h http.Header) error {
	ct := h.Get("Content-Type")
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil || mt != "application/json" {
		return fmt.Errorf("Content-Type %q is not application/json", ct)
	}
	return nil
}

// checkCredentials requires one of the two ways clients authenticate (quirk:
// security): a bearer token, or X-Auth-Key together with X-Auth-Email.
func checkCredentials(h http.Header) error {
	auth := h.Get("Authorization")
	if scheme, tok, ok := strings.Cut(auth, " "); ok && strings.EqualFold(scheme, "Bearer") && strings.TrimSpace(tok) != "" {
		return nil
	}
	key, email := h.Get("X-Auth-Key"), h.Get("X-Auth-Email")
	if key != "" && email != "" {
		return nil
	}
	switch {
	case auth != "":
		return errors.New(`the Authorization header is not "Bearer <token>"`)
	case key != "":
		return errors.New("X-Auth-Key is sent without X-Auth-Email")
	case email != "":
		return errors.New("X-Auth-Email is sent without X-Auth-Key")
	}
	return errors.New("no credentials: want Authorization: Bearer <token>, or X-Auth-Key with X-Auth-Email")
}

func snippet(b []byte) string {
	const max = 1024
	if len(b) == 0 {
		return "(empty)"
	}
	if len(b) > max {
		return string(b[:max]) + fmt.Sprintf("… (%d bytes)", len(b))
	}
	return string(b)
}

// captureWriter tees a response to the real writer and keeps a copy.
type captureWriter struct {
	w           http.ResponseWriter
	status      int
	header      http.Header
	wroteHeader bool
	hijacked    bool
	body        bytes.Buffer
}

func (cw *captureWriter) Header() http.Header { return cw.w.Header() }

func (cw *captureWriter) WriteHeader(code int) {
	if !cw.wroteHeader && code >= 200 {
		cw.wroteHeader = true
		cw.status = code
		cw.header = cw.w.Header().Clone()
	}
	cw.w.WriteHeader(code)
}

func (cw *captureWriter) Write(b []byte) (int, error) {
	if !cw.wroteHeader {
		cw.WriteHeader(http.StatusOK)
	}
	cw.body.Write(b)
	return cw.w.Write(b)
}

func (cw *captureWriter) Flush() {
	if !cw.wroteHeader {
		cw.WriteHeader(http.StatusOK)
	}
	if f, ok := cw.w.(http.Flusher); ok {
		f.Flush()
	}
}

func (cw *captureWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	h, ok := cw.w.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("contracttest: the underlying ResponseWriter cannot hijack")
	}
	cw.hijacked = true
	return h.Hijack()
}

// Unwrap lets http.ResponseController reach the real writer.
func (cw *captureWriter) Unwrap() http.ResponseWriter { return cw.w }

func (cw *captureWriter) finalStatus() int {
	if cw.hijacked {
		return 0
	}
	if !cw.wroteHeader {
		return http.StatusOK
	}
	return cw.status
}

func (cw *captureWriter) finalHeader() http.Header {
	if cw.header != nil {
		return cw.header
	}
	return cw.w.Header().Clone()
}
