package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/riskctl/riskctl/internal/redact"
	"github.com/riskctl/riskctl/internal/remote"
)

// TestListOptions: behaviors list and integrations list share one builder.
func TestListOptions(t *testing.T) {
	for _, path := range []string{"behaviors list", "integrations list"} {
		for _, tc := range []struct {
			args string
			want listOptions
			err  string
		}{
			{args: "", want: listOptions{Format: "table"}},
			{args: "--format json", want: listOptions{Format: "json"}},
			{args: "--format=table --debug", want: listOptions{Format: "table"}},
			{args: "--emulate --format json", want: listOptions{Format: "json"}},
			{args: "--format yaml", err: `--format "yaml": expected table or json`},
			{args: "--format", err: "flag needs an argument"},
			{args: "--nope", err: "unknown flag --nope for"},
		} {
			t.Run(path+" "+tc.args, func(t *testing.T) {
				got, err := optionsFrom(t, path, listOptionsFrom, tc.args)
				if tc.err != "" {
					wantUsageError(t, err, tc.err)
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(tc.want, got); diff != "" {
					t.Errorf("%s %s: options (-want +got):\n%s", path, tc.args, diff)
				}
			})
		}
	}
}

func TestExportOptions(t *testing.T) {
	for _, tc := range []struct {
		args string
		want exportOptions
		err  string
	}{
		{args: "", want: exportOptions{}},
		{args: "--account-id A", want: exportOptions{AccountID: "A"}},
		{args: "--account-id=A --debug", want: exportOptions{AccountID: "A"}},
		{args: "x", err: "export takes no arguments"},
		{args: "x --account-id A", err: "export takes no arguments"},
	} {
		t.Run(tc.args, func(t *testing.T) {
			checkBuilt(t, "export", exportOptionsFrom, tc.args, tc.want, tc.err)
		})
	}
	// The global --account-id is not export's: "" means connect uses it.
	got, err := optionsFrom(t, "export", exportOptionsFrom, "")
	if err != nil || got.AccountID != "" {
		t.Errorf("export with no --account-id: %+v, %v", got, err)
	}
}

// emulatedGlobals returns globals connected to a fresh embedded emulator.
func emulatedGlobals(t *testing.T) (*globals, *bytes.Buffer) {
	t.Helper()
	var out bytes.Buffer
	g := &globals{
		streams:       Streams{Out: &out, Err: &bytes.Buffer{}},
		secrets:       redact.New(),
		emulate:       true,
		emulatorState: filepath.Join(t.TempDir(), "emulator.json"),
	}
	t.Cleanup(func() { _ = g.stopEmulator(nil) })
	return g, &out
}

type testRow struct {
	Name  string `json:"name"`
	Count int    `json:"count"`
}

// TestList: the list skeleton connects, fetches once, and prints JSON
// ([] for no rows) or a table (or the empty message).
func TestList(t *testing.T) {
	rows := []testRow{{"a", 1}, {"bbbb", 22}}
	for _, tc := range []struct {
		name   string
		format string
		rows   []testRow
		empty  string
		want   string
	}{
		{name: "table", format: "table", rows: rows, want: "NAME  COUNT\na     1\nbbbb  22\n"},
		{name: "json", format: "json", rows: rows, want: "[\n  {\n    \"name\": \"a\",\n    \"count\": 1\n  },\n  {\n    \"name\": \"bbbb\",\n    \"count\": 22\n  }\n]\n"},
		{name: "json nil", format: "json", rows: nil, empty: "Nothing.", want: "[]\n"},
		{name: "table empty", format: "table", rows: nil, empty: "Nothing.", want: "Nothing.\n"},
		{name: "table empty, no message", format: "table", rows: []testRow{}, want: "NAME  COUNT\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g, out := emulatedGlobals(t)
			calls := 0
			err := list(context.Background(), g, tc.format, listing[testRow]{
				fetch: func(ctx context.Context, api remote.API) ([]testRow, error) {
					calls++
					if api == nil {
						t.Error("fetch got no API")
					}
					return tc.rows, nil
				},
				header: []any{"NAME", "COUNT"},
				row:    func(r testRow) []any { return []any{r.Name, r.Count} },
				empty:  tc.empty,
			})
			if err != nil {
				t.Fatal(err)
			}
			if calls != 1 {
				t.Errorf("fetch called %d times", calls)
			}
			if got := out.String(); got != tc.want {
				t.Errorf("output\n%q\nwant\n%q", got, tc.want)
			}
		})
	}

	t.Run("fetch error is explained", func(t *testing.T) {
		g, out := emulatedGlobals(t)
		err := list(context.Background(), g, "json", listing[testRow]{
			fetch: func(context.Context, remote.API) ([]testRow, error) {
				return nil, fmt.Errorf("GET /x: %w", remote.ErrUnauthorized)
			},
		})
		if !errors.Is(err, remote.ErrUnauthorized) || !strings.Contains(err.Error(), "the API rejected the credentials") {
			t.Errorf("error %v", err)
		}
		if out.Len() > 0 {
			t.Errorf("output %q", out.String())
		}
	})

	t.Run("no connection, no fetch", func(t *testing.T) {
		clearEnv(t)
		g := &globals{streams: Streams{Out: &bytes.Buffer{}}, secrets: redact.New()}
		err := list(context.Background(), g, "table", listing[testRow]{
			fetch: func(context.Context, remote.API) ([]testRow, error) {
				t.Error("fetch called without a connection")
				return nil, nil
			},
		})
		if err == nil || !strings.Contains(err.Error(), "no account id") {
			t.Errorf("error %v", err)
		}
	})
}

// TestListCommands runs behaviors list, integrations list and users list
// through Main on the embedded emulator.
func TestListCommands(t *testing.T) {
	clearEnv(t)
	state := filepath.Join(t.TempDir(), "emulator.json")
	run := func(args string) string {
		t.Helper()
		var out, errOut bytes.Buffer
		code := Main(context.Background(), argv("--emulate --emulator-state "+state+" "+args),
			Streams{In: strings.NewReader(""), Out: &out, Err: &errOut})
		if code != ExitOK {
			t.Fatalf("riskctl %s: exit %d, stderr %q", args, code, errOut.String())
		}
		return out.String()
	}

	var behaviors []behaviorRow
	if err := json.Unmarshal([]byte(run("behaviors list --format json")), &behaviors); err != nil {
		t.Fatal(err)
	}
	if len(behaviors) == 0 || !slices.IsSortedFunc(behaviors, func(a, b behaviorRow) int { return strings.Compare(a.Key, b.Key) }) {
		t.Errorf("behaviors not sorted by key: %+v", behaviors)
	}
	if table := run("behaviors list"); !strings.HasPrefix(table, "KEY  ") || strings.Count(table, "\n") != len(behaviors)+1 {
		t.Errorf("behaviors table:\n%s", table)
	}

	if got := run("integrations list --format json"); got != "[]\n" {
		t.Errorf("integrations json %q", got)
	}
	if got := run("integrations list"); got != "No integrations.\n" {
		t.Errorf("integrations table %q", got)
	}

	var users []remote.UserRiskInfo
	if err := json.Unmarshal([]byte(run("users list --format json")), &users); err != nil {
		t.Fatal(err)
	}
	if len(users) != emulateSeedUsers {
		t.Errorf("%d users, want %d", len(users), emulateSeedUsers)
	}
	var high []remote.UserRiskInfo
	if err := json.Unmarshal([]byte(run("users list --format json --risk-level HIGH")), &high); err != nil {
		t.Fatal(err)
	}
	for _, u := range high {
		if u.MaxRiskLevel != remote.RiskHigh {
			t.Errorf("--risk-level high listed %+v", u)
		}
	}
	if len(high) == 0 || len(high) == len(users) {
		t.Errorf("--risk-level high kept %d of %d users", len(high), len(users))
	}
}

// TestWriteJSON: two-space indent, one trailing newline.
func TestWriteJSON(t *testing.T) {
	var b bytes.Buffer
	if err := writeJSON(&b, map[string]any{"a": []int{1}}); err != nil {
		t.Fatal(err)
	}
	if got, want := b.String(), "{\n  \"a\": [\n    1\n  ]\n}\n"; got != want {
		t.Errorf("writeJSON: %q, want %q", got, want)
	}
}

// TestExportRefusesInexpressibleValues: an account holding a value no spec
// can express (here a plain-http tenant URL with a query) makes export exit
// 1, print nothing on stdout and name the integration on stderr; a "$" in
// a value is exported escaped, and the export plans no changes.
func TestExportRefusesInexpressibleValues(t *testing.T) {
	baseURL, _ := slowAPI(t, "", 0)
	create := func(ref, tenant string) {
		t.Helper()
		body := fmt.Sprintf(`{"reference_id": %q, "integration_type": "Okta", "tenant_url": %q}`, ref, tenant)
		req, err := http.NewRequest(http.MethodPost, baseURL+"/accounts/"+timeoutAccount+"/zt_risk_scoring/integrations", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+timeoutToken)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode/100 != 2 {
			t.Fatalf("create %s: %s", ref, resp.Status)
		}
	}
	export := func() (int, string, string) {
		t.Helper()
		for _, v := range []string{envAPIToken, envAPIKey, envAPIEmail, envAccountID, envBaseURL, "GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY"} {
			t.Setenv(v, "")
		}
		t.Setenv(envAPIToken, timeoutToken)
		var out, errOut bytes.Buffer
		code := Main(context.Background(), argv("export --account-id "+timeoutAccount+" --base-url "+baseURL),
			Streams{In: strings.NewReader(""), Out: &out, Err: &errOut})
		return code, out.String(), errOut.String()
	}

	create("dollar", "https://c.okta.com/${HOME}")
	code, out, errOut := export()
	if code != ExitOK || !strings.Contains(out, `tenant_url: "https://c.okta.com/$${HOME}"`) {
		t.Fatalf("export: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}

	create("legacy", "http://legacy.okta.com/?a=1")
	code, out, errOut = export()
	if code != ExitError {
		t.Errorf("export exit %d, want %d", code, ExitError)
	}
	if out != "" {
		t.Errorf("export printed a spec despite the refusal:\n%s", out)
	}
	for _, want := range []string{"cannot be exported as a spec", `integration "legacy"`, "http://legacy.okta.com/?a=1"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	if strings.Contains(errOut, `integration "dollar"`) {
		t.Errorf("stderr names an expressible integration:\n%s", errOut)
	}
}
