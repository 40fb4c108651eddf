// Package contracttest checks HTTP traffic against the official OpenAPI
// contract of Cloudflare's Zero Trust Risk Scoring API
// (zt_risk_scoring.openapi.json), using kin-openapi.
//
// It is test support: import it only from _test.go files. A test loads the
// contract with Load and wraps a handler (the emulator) with
// Contract.Middleware; every request that reaches the handler and every
// response it gives is then validated, and each violation is reported with
// t.Errorf (and recorded, see Contract.Failures).
//
// # Where the contract comes from
//
// Load looks, in order, at
//
//  1. the file named by $RISKCTL_OPENAPI (an explicit override: if it is set
//     and unreadable, the test fails);
//  2. <module root>/../shared/api/zt_risk_scoring.openapi.json, the shared
//     reference copy next to the checkout;
//  3. <module root>/internal/contracttest/testdata/zt_risk_scoring.openapi.json,
//     a vendored copy so that a fresh clone (CI) still validates.
//
// The module root is found by walking up from the working directory of the
// test until a go.mod appears. If no file is found the test is skipped with a
// message naming every path looked at. TestContractVendoredSpecMatchesShared
// keeps the vendored copy byte-identical to the shared one.
//
// # Negative tests
//
// A request a test sends on purpose off-contract (bad body, malformed id,
// no credentials) is marked with InvalidRequest: the middleware then checks
// that the request does violate the contract, and still validates the
// response. ResponsesOnly skips request validation altogether. Both travel
// in the ModeHeader header, which the middleware strips.
//
// # Checks beyond the schema
//
//   - Credentials (see "Security" below).
//   - A 200 envelope must carry "result" (dlp_api-response-common does not
//     require it, but every operation defines one and real answers have it).
//   - A 4XX envelope must carry at least one error (see "errors" below).
//   - A request that matches no operation is a violation unless it is
//     answered 404 (405 when only the method is unknown) with a
//     dlp_api-response-common-failure body: the emulator's "no route".
//
// # Deliberate handling of spec quirks
//
// Each quirk of the file (the facts are in docs/api.md) is handled
// on purpose; where code is involved it carries a comment starting "Quirk":
//
//   - Servers: the only server is https://api.cloudflare.com/client/v4, which
//     would never match a request sent to an httptest server. The document's
//     servers are replaced by the path-only base "/client/v4", so routing
//     matches on the path alone, whatever the host, port or scheme.
//   - Security: the published per-operation requirement names token, email
//     and key in one object (an AND; a spec bug, docs/api.md#authentication).
//     The reference file has the corrected alternatives, but an override
//     file may not. kin-openapi's AuthenticationFunc is therefore a no-op,
//     and a separate check requires each request to carry either
//     "Authorization: Bearer <token>" or both X-Auth-Key and X-Auth-Email
//     (the two ways clients authenticate).
//   - Extra request fields (docs/api.md#what-clients-send): Terraform
//     sends "active" on create and "integration_type" on update. No
//     schema sets additionalProperties: false, and kin-openapi allows
//     unlisted properties unless it is set, so no workaround is needed;
//     contracttest_test.go pins that behaviour.
//   - dlp_api-response-common-failure.result is {type: object, enum: [null],
//     nullable: true}. kin-openapi accepts null before it looks at the enum
//     (nullable short-circuits) and rejects any non-null value through the
//     enum, which is exactly the intent; pinned by a test, no workaround.
//   - dlp_api-response-common-failure.errors has "minLength: 1" on an array,
//     which JSON Schema ignores (minItems was meant). An extra check requires
//     a non-empty "errors" in every 4XX answer.
//   - Formats: kin-openapi validates date-time by default but only lists
//     "uuid" and "uri" as known formats without checking them. Validators for
//     both are passed per validation (Options.SchemaValidationOptions), not by
//     mutating kin-openapi's global format table, so nothing leaks between
//     packages. "uuid" is the RFC 4122 textual shape (8-4-4-4-12 hex digits,
//     any version), as JSON Schema validators check it; "uri" is an absolute
//     URI per RFC 3986 (a scheme is required).
//   - Statuses: the spec documents only 200 and 4XX. Undocumented statuses are
//     errors (IncludeResponseStatus), except 5XX, which the real API does
//     answer (and the emulator's fault injection produces): those are
//     recorded but their bodies are not validated.
//   - Rate limiting: dlp_messages items require code >= 1000, but a real 429
//     carries code 971 (docs/api.md#error-codes). For 429 answers only, code 971 is accepted
//     (validated as if it were 1000); everything else is still checked.
//   - Schema error details (the schema and value dumps) are disabled to keep
//     messages readable; the report appends the (truncated) body instead.
package contracttest

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

const (
	// EnvSpec names an environment variable that overrides the contract file.
	EnvSpec = "RISKCTL_OPENAPI"
	// SpecFile is the file name of the contract.
	SpecFile = "zt_risk_scoring.openapi.json"
)

// VendoredSpec is the path of the vendored copy, relative to the module root.
var VendoredSpec = filepath.Join("internal", "contracttest", "testdata", SpecFile)

// ModuleRoot walks up from the working directory until it finds go.mod and
// returns that directory.
func ModuleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if fi, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil && !fi.IsDir() {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("contracttest: no go.mod above the working directory")
		}
		dir = parent
	}
}

// SharedSpecPath returns <module root>/../shared/api/zt_risk_scoring.openapi.json.
func SharedSpecPath(root string) string {
	return filepath.Join(filepath.Dir(root), "shared", "api", SpecFile)
}

// VendoredSpecPath returns the path of the vendored copy under root.
func VendoredSpecPath(root string) string {
	return filepath.Join(root, VendoredSpec)
}

// Locate finds the contract file. It returns the path found ("" if none) and
// every path it looked at, in order. An error means $RISKCTL_OPENAPI is set
// but does not name a readable file.
func Locate() (path string, looked []string, err error) {
	if env := os.Getenv(EnvSpec); env != "" {
		looked = append(looked, env+" ($"+EnvSpec+")")
		if fi, err := os.Stat(env); err != nil || fi.IsDir() {
			if err == nil {
				err = errors.New("is a directory")
			}
			return "", looked, fmt.Errorf("contracttest: $%s=%q: %w", EnvSpec, env, err)
		}
		return env, looked, nil
	}
	root, rerr := ModuleRoot()
	if rerr != nil {
		return "", []string{rerr.Error()}, nil
	}
	for _, p := range []string{SharedSpecPath(root), VendoredSpecPath(root)} {
		looked = append(looked, p)
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
			return p, looked, nil
		}
	}
	return "", looked, nil
}

// spec is a loaded, validated contract; it is read-only once built and is
// shared by every Contract loaded from the same file.
type spec struct {
	path       string
	doc        *openapi3.T
	router     routers.Router
	basePath   string
	operations map[string]string // operationId -> "METHOD /path"
}

var (
	specMu    sync.Mutex
	specCache = map[string]*spec{}
)

// Load finds, loads and validates the contract, skipping the test if no
// contract file exists (see the package comment for where it looks).
func Load(t testing.TB) *Contract {
	t.Helper()
	path, looked, err := Locate()
	if err != nil {
		t.Fatalf("%v", err)
	}
	if path == "" {
		t.Skipf("contracttest: OpenAPI contract %s not found; looked at: %s (set $%s to its path)",
			SpecFile, strings.Join(looked, ", "), EnvSpec)
	}
	c, err := LoadFile(path)
	if err != nil {
		t.Fatalf("%v", err)
	}
	return c
}

// LoadFile loads and validates the contract at path. Parsed documents are
// cached per path; each call returns a Contract with its own records.
func LoadFile(path string) (*Contract, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	specMu.Lock()
	defer specMu.Unlock()
	s, ok := specCache[abs]
	if !ok {
		if s, err = loadSpec(abs); err != nil {
			return nil, err
		}
		specCache[abs] = s
	}
	return &Contract{spec: s}, nil
}

func loadSpec(path string) (*spec, error) {
	loader := openapi3.NewLoader()
	loader.IsExternalRefsAllowed = false
	doc, err := loader.LoadFromFile(path)
	if err != nil {
		return nil, fmt.Errorf("contracttest: loading %s: %w", path, err)
	}
	// EnableSchemaFormatValidation makes a format kin-openapi does not know
	// an error, so a typo in the contract cannot silently skip a check.
	if err := doc.Validate(context.Background(), openapi3.EnableSchemaFormatValidation()); err != nil {
		return nil, fmt.Errorf("contracttest: %s is not a valid OpenAPI document: %w", path, err)
	}

	// Quirk (servers): route on the path only. The base path comes from the
	// first server ("https://api.cloudflare.com/client/v4" -> "/client/v4").
	basePath := "/client/v4"
	if len(doc.Servers) > 0 {
		if u, err := url.Parse(doc.Servers[0].URL); err == nil && u.Path != "" {
			basePath = "/" + strings.Trim(u.Path, "/")
		}
	}
	doc.Servers = openapi3.Servers{{URL: basePath, Description: "path-only base for local test servers"}}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("contracttest: building the router for %s: %w", path, err)
	}

	ops := map[string]string{}
	for p, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			ops[op.OperationID] = method + " " + p
		}
	}
	return &spec{path: path, doc: doc, router: router, basePath: basePath, operations: ops}, nil
}

// Contract validates traffic against the loaded contract and records what it
// saw. Its methods are safe for concurrent use.
type Contract struct {
	*spec

	mu        sync.Mutex
	failures  []Failure
	exchanges []Exchange
}

// Path is the contract file in use.
func (c *Contract) Path() string { return c.spec.path }

// BasePath is the path prefix every operation lives under ("/client/v4").
func (c *Contract) BasePath() string { return c.spec.basePath }

// Operations returns every operationId of the contract, sorted.
func (c *Contract) Operations() []string {
	ids := make([]string, 0, len(c.spec.operations))
	for id := range c.spec.operations {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// Failure is one contract violation.
type Failure struct {
	Method, Path string
	Status       int    // response status; 0 for request failures
	Kind         string // "route", "auth", "request", "response" or "envelope"
	Err          error
}

func (f Failure) String() string {
	if f.Status != 0 {
		return fmt.Sprintf("%s %s -> %d: %s: %v", f.Method, f.Path, f.Status, f.Kind, f.Err)
	}
	return fmt.Sprintf("%s %s: %s: %v", f.Method, f.Path, f.Kind, f.Err)
}

// Exchange is one validated request/response pair.
type Exchange struct {
	Method, Path string
	OperationID  string // "" when the request matched no operation
	Mode         string // the Mode the request was validated in
	Status       int    // 0 if the handler dropped the connection
}

// Failures returns a copy of every violation recorded so far.
func (c *Contract) Failures() []Failure {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Failure(nil), c.failures...)
}

// Exchanges returns a copy of every exchange seen by the middleware so far.
func (c *Contract) Exchanges() []Exchange {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Exchange(nil), c.exchanges...)
}

// Statuses maps each operationId to the distinct statuses it answered with,
// sorted.
func (c *Contract) Statuses() map[string][]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	seen := map[string]map[int]bool{}
	for _, e := range c.exchanges {
		if e.OperationID == "" {
			continue
		}
		if seen[e.OperationID] == nil {
			seen[e.OperationID] = map[int]bool{}
		}
		seen[e.OperationID][e.Status] = true
	}
	out := map[string][]int{}
	for id, set := range seen {
		for st := range set {
			out[id] = append(out[id], st)
		}
		sort.Ints(out[id])
	}
	return out
}

// CheckCoverage reports (t.Errorf) each operation of the contract that never
// answered wantStatus through the middleware.
func (c *Contract) CheckCoverage(t testing.TB, wantStatus int) {
	t.Helper()
	got := c.Statuses()
	for _, id := range c.Operations() {
		found := false
		for _, st := range got[id] {
			if st == wantStatus {
				found = true
			}
		}
		if !found {
			t.Errorf("contract coverage: operation %s (%s) never answered %d through the middleware (saw %v)",
				id, c.spec.operations[id], wantStatus, got[id])
		}
	}
}

func (c *Contract) record(t testing.TB, f Failure) {
	t.Helper()
	c.mu.Lock()
	c.failures = append(c.failures, f)
	c.mu.Unlock()
	t.Errorf("contract violation: %s", f)
}

// options are the kin-openapi settings for every validation.
func (c *Contract) options() *openapi3filter.Options {
	return &openapi3filter.Options{
		// Report every violation of a body at once, not just the first.
		MultiError: true,
		// Quirk (statuses): an undocumented status is an error (5XX is
		// filtered out before kin-openapi is called).
		IncludeResponseStatus: true,
		// The spec declares no body for GET, DELETE and POST …/reset; a
		// client that sends one anyway is off-contract.
		RejectWhenRequestBodyNotSpecified: true,
		// Quirk (security): credentials are checked by checkCredentials.
		AuthenticationFunc: openapi3filter.NoopAuthenticationFunc,
		SchemaValidationOptions: []openapi3.SchemaValidationOption{
			// Quirk (formats): check uuid and uri, per validation.
			openapi3.WithStringFormatValidator("uuid", uuidFormat),
			openapi3.WithStringFormatValidator("uri", uriFormat),
			// Readability: reasons and JSON pointers only.
			openapi3.DisableSchemaErrorDetails(),
		},
	}
}

var uuidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

var uuidFormat = openapi3.NewCallbackValidator(func(s string) error {
	if !uuidRE.MatchString(s) {
		return errors.New("not a UUID (want 8-4-4-4-12 hex digits)")
	}
	return nil
})

var schemeRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*$`)

var uriFormat = openapi3.NewCallbackValidator(func(s string) error {
	if strings.ContainsAny(s, " \t\r\n<>\"{}|\\^`") {
		return errors.New("not a URI (contains characters that must be escaped)")
	}
	u, err := url.Parse(s)
	if err != nil {
		return fmt.Errorf("not a URI: %v", err)
	}
	if u.Scheme == "" || !schemeRE.MatchString(u.Scheme) {
		return errors.New("not an absolute URI (no scheme)")
	}
	return nil
})
