package spec_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/riskctl/riskctl/internal/spec"
	"github.com/riskctl/riskctl/internal/state"
)

const (
	acct  = "0123456789abcdef0123456789abcdef"
	acct2 = "fedcba9876543210fedcba9876543210"
	// head is the valid start of most test specs, so the lines under test
	// begin at line 3.
	head = "version: 1\naccount_id: " + acct + "\n"
	// okta is a valid integration body, indented for a sequence item.
	okta = "    integration_type: Okta\n    tenant_url: https://acme.okta.com\n"
)

// env is a LookupEnv over a fixed map, so tests never see the real
// environment.
func env(vars map[string]string) func(string) (string, bool) {
	return func(name string) (string, bool) {
		v, ok := vars[name]
		return v, ok
	}
}

func parse(src string, opts spec.Options) (*spec.File, error) {
	if opts.LookupEnv == nil {
		opts.LookupEnv = env(nil)
	}
	return spec.Parse("spec.yaml", []byte(src), opts)
}

// errorLines splits an Errors into its lines; it fails the test for any
// other kind of error.
func errorLines(t *testing.T, err error) []string {
	t.Helper()
	if err == nil {
		return nil
	}
	var errs spec.Errors
	if !errors.As(err, &errs) {
		t.Fatalf("error is %T, want spec.Errors: %v", err, err)
	}
	return strings.Split(errs.Error(), "\n")
}

type invalidCase struct {
	name string
	src  string
	opts spec.Options
	want []string
}

// invalidCases covers every rule; each want is the exact file:line:col:
// message, so positions are checked too. FuzzParse seeds from it.
var invalidCases = []invalidCase{
	// Syntax and shape of the document.
	{
		// yaml reports the line of the context mark, 0-based for parser
		// errors: the "{" is on line 4. The line is passed on as reported.
		name: "yaml syntax error with a line",
		src:  head + "behaviors:\n  imp_travel: {enabled: true\n",
		want: []string{"spec.yaml:3: invalid YAML: did not find expected ',' or '}'"},
	},
	{
		name: "yaml syntax error on the first line has no line",
		src:  "version: 1: 2\n",
		want: []string{"spec.yaml: invalid YAML: mapping values are not allowed in this context"},
	},
	{
		name: "tab indentation",
		src:  head + "behaviors:\n\timp_travel: {}\n",
		want: []string{"spec.yaml:4: invalid YAML: found character that cannot start any token"},
	},
	{
		name: "unmanaged_integrations is report or allow",
		src:  head + "unmanaged_integrations: ignore\n",
		want: []string{"spec.yaml:3:25: unmanaged_integrations must be report or allow, got string \"ignore\""},
	},
	{
		name: "top level is a sequence",
		src:  "- version: 1\n",
		want: []string{"spec.yaml:1:1: a spec must be a YAML mapping with the keys version, account_id, behaviors, integrations, prune, unmanaged_integrations, got a sequence"},
	},
	{
		name: "top level is a string",
		src:  "hello\n",
		want: []string{`spec.yaml:1:1: a spec must be a YAML mapping with the keys version, account_id, behaviors, integrations, prune, unmanaged_integrations, got a string`},
	},
	{
		name: "second document",
		src:  head + "---\n" + head,
		want: []string{"spec.yaml:3:1: a spec file holds one YAML document, found another one here"},
	},

	// version.
	{
		name: "missing version",
		src:  "account_id: " + acct + "\n",
		want: []string{`spec.yaml:1:1: missing required key "version": add "version: 1" to the top of the file`},
	},
	{
		name: "unsupported version stops the check",
		src:  "version: 2\naccount_id: " + acct + "\nbehaviours: {}\n",
		want: []string{"spec.yaml:1:10: unsupported version 2: this riskctl reads version 1"},
	},
	{
		name: "version as a string",
		src:  "version: \"1\"\naccount_id: " + acct + "\n",
		want: []string{`spec.yaml:1:10: version must be the integer 1, got string "1"`},
	},
	{
		name: "version as a float",
		src:  "version: 1.0\naccount_id: " + acct + "\n",
		want: []string{"spec.yaml:1:10: version must be the integer 1, got number 1.0"},
	},
	{
		name: "version as a mapping",
		src:  "version: {major: 1}\naccount_id: " + acct + "\n",
		want: []string{"spec.yaml:1:10: version must be the integer 1, got a mapping"},
	},

	// Unknown, computed and duplicate keys.
	{
		name: "unknown top-level key with a suggestion",
		src:  head + "behaviours: {}\n",
		want: []string{`spec.yaml:3:1: unknown key "behaviours" at the top level: did you mean "behaviors"? (allowed keys: version, account_id, behaviors, integrations, prune, unmanaged_integrations)`},
	},
	{
		name: "unknown top-level key without a suggestion",
		src:  head + "colour: red\n",
		want: []string{`spec.yaml:3:1: unknown key "colour" at the top level (allowed keys: version, account_id, behaviors, integrations, prune, unmanaged_integrations)`},
	},
	{
		name: "unknown behavior key with a suggestion",
		src:  head + "behaviors:\n  imp_travel: {enabled: true, risk_levl: high}\n",
		want: []string{
			`spec.yaml:4:3: behavior "imp_travel" is missing required key "risk_level"`,
			`spec.yaml:4:31: unknown key "risk_levl" in behavior "imp_travel": did you mean "risk_level"? (allowed keys: enabled, risk_level, ignore)`,
		},
	},
	{
		name: "unknown behavior key differing in case",
		src:  head + "behaviors:\n  imp_travel:\n    Enabled: true\n    risk_level: high\n",
		want: []string{
			`spec.yaml:4:3: behavior "imp_travel" is missing required key "enabled"`,
			`spec.yaml:5:5: unknown key "Enabled" in behavior "imp_travel": did you mean "enabled"? (allowed keys: enabled, risk_level, ignore)`,
		},
	},
	{
		name: "unknown integration key",
		src:  head + "integrations:\n  - reference_id: r1\n" + okta + "    tenant: acme\n",
		want: []string{`spec.yaml:7:5: unknown key "tenant" in integration (allowed keys: reference_id, integration_type, tenant_url, active, label, protect, ignore)`},
	},
	{
		name: "unknown integration key with a suggestion",
		src:  head + "integrations:\n  - reference_id: r1\n" + okta + "    activ: false\n",
		want: []string{`spec.yaml:7:5: unknown key "activ" in integration: did you mean "active"? (allowed keys: reference_id, integration_type, tenant_url, active, label, protect, ignore)`},
	},
	{
		name: "merge keys are unknown keys",
		src:  head + "integrations:\n  - &base\n    reference_id: r1\n" + okta + "  - <<: *base\n    reference_id: r2\n",
		want: []string{
			`spec.yaml:8:5: unknown key "<<" in integration (allowed keys: reference_id, integration_type, tenant_url, active, label, protect, ignore)`,
			`spec.yaml:8:5: integration is missing required key "integration_type"`,
			`spec.yaml:8:5: integration is missing required key "tenant_url"`,
		},
	},
	{
		name: "computed integration fields",
		src: head + "integrations:\n  - reference_id: r1\n" + okta +
			"    id: 5f1b2c3d-0000-4000-8000-000000000000\n    account_tag: " + acct + "\n" +
			"    created_at: 2026-01-01T00:00:00Z\n    well_known_url: https://ssf.example/x\n",
		want: []string{
			`spec.yaml:7:5: "id" is computed by Cloudflare and cannot be set in a spec`,
			`spec.yaml:8:5: "account_tag" is computed by Cloudflare and cannot be set in a spec`,
			`spec.yaml:9:5: "created_at" is computed by Cloudflare and cannot be set in a spec`,
			`spec.yaml:10:5: "well_known_url" is computed by Cloudflare and cannot be set in a spec`,
		},
	},
	{
		name: "computed behavior fields",
		src:  head + "behaviors:\n  imp_travel:\n    name: Impossible travel\n    description: x\n    enabled: true\n    risk_level: high\n",
		want: []string{
			`spec.yaml:5:5: "name" is computed by Cloudflare and cannot be set in a spec`,
			`spec.yaml:6:5: "description" is computed by Cloudflare and cannot be set in a spec`,
		},
	},
	{
		name: "duplicate top-level key",
		src:  head + "prune: true\nprune: false\n",
		want: []string{`spec.yaml:4:1: duplicate key "prune" (first defined at line 3)`},
	},
	{
		name: "duplicate version key",
		src:  head + "version: 2\n",
		want: []string{`spec.yaml:3:1: duplicate key "version" (first defined at line 1)`},
	},
	{
		name: "duplicate behavior id",
		src:  head + "behaviors:\n  imp_travel: {enabled: true, risk_level: high}\n  imp_travel: {enabled: false, risk_level: low}\n",
		want: []string{`spec.yaml:5:3: duplicate key "imp_travel" (first defined at line 4)`},
	},
	{
		name: "duplicate key in a behavior",
		src:  head + "behaviors:\n  imp_travel:\n    enabled: true\n    risk_level: high\n    enabled: false\n",
		want: []string{`spec.yaml:7:5: duplicate key "enabled" (first defined at line 5)`},
	},
	{
		name: "duplicate key in an integration",
		src:  head + "integrations:\n  - reference_id: r1\n" + okta + "    tenant_url: https://other.okta.com\n",
		want: []string{`spec.yaml:7:5: duplicate key "tenant_url" (first defined at line 6)`},
	},
	{
		name: "key that is not a string",
		src:  head + "behaviors:\n  ? [imp_travel]\n  : {enabled: true, risk_level: high}\n",
		want: []string{"spec.yaml:4:5: a key must be a string, got a sequence"},
	},

	// Types.
	{
		name: "enabled yes is a string",
		src:  head + "behaviors:\n  imp_travel: {enabled: yes, risk_level: high}\n",
		want: []string{`spec.yaml:4:25: enabled must be a boolean true/false, got string "yes" (YAML 1.1 yes/no/on/off are not booleans)`},
	},
	{
		name: "enabled quoted true is a string",
		src:  head + "behaviors:\n  imp_travel: {enabled: \"true\", risk_level: high}\n",
		want: []string{`spec.yaml:4:25: enabled must be a boolean true/false, got string "true"`},
	},
	{
		name: "enabled as an integer",
		src:  head + "behaviors:\n  imp_travel: {enabled: 1, risk_level: high}\n",
		want: []string{"spec.yaml:4:25: enabled must be a boolean true/false, got integer 1"},
	},
	{
		name: "enabled with no value",
		src:  head + "behaviors:\n  imp_travel:\n    enabled:\n    risk_level: high\n",
		want: []string{"spec.yaml:5:13: enabled must be a boolean true/false, got null"},
	},
	{
		name: "active on is a string",
		src:  head + "integrations:\n  - reference_id: r1\n" + okta + "    active: on\n",
		want: []string{`spec.yaml:7:13: active must be a boolean true/false, got string "on" (YAML 1.1 yes/no/on/off are not booleans)`},
	},
	{
		name: "protect as a sequence",
		src:  head + "integrations:\n  - reference_id: r1\n" + okta + "    protect: [true]\n",
		want: []string{"spec.yaml:7:14: protect must be a boolean true/false, got a sequence"},
	},
	{
		name: "prune as a string",
		src:  head + "prune: \"false\"\n",
		want: []string{`spec.yaml:3:8: prune must be a boolean true/false, got string "false"`},
	},
	{
		name: "behaviors as a sequence",
		src:  head + "behaviors:\n  - imp_travel\n",
		want: []string{"spec.yaml:4:3: behaviors must be a mapping of behavior id to {enabled, risk_level}, got a sequence"},
	},
	{
		name: "behavior as a scalar",
		src:  head + "behaviors:\n  imp_travel: true\n",
		want: []string{`spec.yaml:4:15: behavior "imp_travel" must be a mapping with enabled and risk_level, got boolean true`},
	},
	{
		name: "integrations as a mapping",
		src:  head + "integrations:\n  r1: {}\n",
		want: []string{"spec.yaml:4:3: integrations must be a sequence of mappings (- reference_id: ...), got a mapping"},
	},
	{
		name: "integration as a scalar",
		src:  head + "integrations:\n  - r1\n",
		want: []string{`spec.yaml:4:5: each integration must be a mapping with reference_id, integration_type and tenant_url, got string "r1"`},
	},
	{
		name: "account_id as an integer",
		src:  "version: 1\naccount_id: 12345\n",
		want: []string{"spec.yaml:2:13: account_id must be a string (quote it), got integer 12345"},
	},
	{
		name: "account_id as a float",
		src:  "version: 1\naccount_id: 1e10\n",
		want: []string{"spec.yaml:2:13: account_id must be a string (quote it), got number 1e10"},
	},
	{
		name: "reference_id as an integer",
		src:  head + "integrations:\n  - reference_id: 42\n" + okta,
		want: []string{"spec.yaml:4:19: reference_id must be a string (quote it), got integer 42"},
	},
	{
		name: "reference_id null",
		src:  head + "integrations:\n  - reference_id:\n" + okta,
		want: []string{"spec.yaml:4:18: reference_id must be a string, got null"},
	},
	{
		name: "tenant_url as a sequence",
		src:  head + "integrations:\n  - reference_id: r1\n    integration_type: Okta\n    tenant_url: [https://acme.okta.com]\n",
		want: []string{"spec.yaml:6:17: tenant_url must be a string, got a sequence"},
	},

	// Enums.
	{
		name: "risk_level not in the enum",
		src:  head + "behaviors:\n  imp_travel: {enabled: true, risk_level: extreme}\n",
		want: []string{`spec.yaml:4:43: risk_level must be one of low, medium, high, got string "extreme"`},
	},
	{
		name: "risk_level as an integer",
		src:  head + "behaviors:\n  imp_travel: {enabled: true, risk_level: 3}\n",
		want: []string{"spec.yaml:4:43: risk_level must be one of low, medium, high, got integer 3"},
	},
	{
		name: "integration_type not Okta",
		src:  head + "integrations:\n  - reference_id: r1\n    integration_type: AzureAD\n    tenant_url: https://acme.okta.com\n",
		want: []string{`spec.yaml:5:23: integration_type must be Okta, got string "AzureAD"`},
	},

	// Required keys.
	{
		name: "behavior without enabled",
		src:  head + "behaviors:\n  imp_travel: {risk_level: high}\n",
		want: []string{`spec.yaml:4:3: behavior "imp_travel" is missing required key "enabled"`},
	},
	{
		name: "empty behavior",
		src:  head + "behaviors:\n  imp_travel: {}\n",
		want: []string{
			`spec.yaml:4:3: behavior "imp_travel" is missing required key "enabled"`,
			`spec.yaml:4:3: behavior "imp_travel" is missing required key "risk_level"`,
		},
	},
	{
		name: "integration without required keys",
		src:  head + "integrations:\n  - active: false\n",
		want: []string{
			`spec.yaml:4:5: integration is missing required key "reference_id"`,
			`spec.yaml:4:5: integration is missing required key "integration_type"`,
			`spec.yaml:4:5: integration is missing required key "tenant_url"`,
		},
	},
	{
		name: "integration without tenant_url in flow style",
		src:  head + "integrations:\n  - {reference_id: r1, integration_type: Okta}\n",
		want: []string{`spec.yaml:4:5: integration is missing required key "tenant_url"`},
	},

	// tenant_url: a host that is not plain ASCII (issue 17's look-alike
	// case, a Cyrillic "а" in "аcme") is refused, with its punycode.
	{
		name: "tenant_url with a Cyrillic letter in its host",
		src:  head + "integrations:\n  - reference_id: r1\n    integration_type: Okta\n    tenant_url: https://\u0430cme.okta.com\n",
		want: []string{`spec.yaml:6:17: tenant_url "https://\u0430cme.okta.com": its host "\u0430cme.okta.com" is not plain ASCII, and look-alike letters would make it read as another host; write it in punycode: https://xn--cme-5cd.okta.com`},
	},
	{
		name: "tenant_url with a percent-encoded Cyrillic host, a port and a path",
		src:  head + "integrations:\n  - reference_id: r1\n    integration_type: Okta\n    tenant_url: \"https://%D0%B0cme.okta.com:8443/x\"\n",
		want: []string{`spec.yaml:6:17: tenant_url "https://%D0%B0cme.okta.com:8443/x": its host "\u0430cme.okta.com" is not plain ASCII, and look-alike letters would make it read as another host; write it in punycode: https://xn--cme-5cd.okta.com:8443/x`},
	},
	{
		name: "tenant_url with a host IDNA refuses",
		src:  head + "integrations:\n  - reference_id: r1\n    integration_type: Okta\n    tenant_url: https://a\u202eb.okta.com\n",
		want: []string{`spec.yaml:6:17: tenant_url "https://a\u202eb.okta.com": its host "a\u202eb.okta.com" is not plain ASCII, and look-alike letters would make it read as another host; it is not a valid internationalized host name either: write the host in ASCII`},
	},
	// label: bounded, printable, local.
	{
		name: "label empty",
		src:  head + "integrations:\n  - reference_id: r1\n" + okta + "    label: \"\"\n",
		want: []string{`spec.yaml:7:12: label must not be empty: remove the key, or name the integration`},
	},
	{
		name: "label too long",
		src:  head + "integrations:\n  - reference_id: r1\n" + okta + "    label: " + strings.Repeat("x", 65) + "\n",
		want: []string{`spec.yaml:7:12: label "` + strings.Repeat("x", 64) + `"… is longer than 64 characters`},
	},
	{
		name: "label with a bidi override",
		src:  head + "integrations:\n  - reference_id: r1\n" + okta + "    label: \"Acme \\u202e dorp\"\n",
		want: []string{`spec.yaml:7:12: label "Acme \u202e dorp" holds a control, format or invisible character (U+202E) at byte 6: a label is printable text`},
	},
	{
		name: "label with a newline",
		src:  head + "integrations:\n  - reference_id: r1\n" + okta + "    label: \"a\\nb\"\n",
		want: []string{`spec.yaml:7:12: label "a\nb" holds a control, format or invisible character (U+000A) at byte 2: a label is printable text`},
	},
	{
		name: "label with surrounding space",
		src:  head + "integrations:\n  - reference_id: r1\n" + okta + "    label: \" Acme\"\n",
		want: []string{`spec.yaml:7:12: label " Acme" starts or ends with a space: remove it`},
	},
	{
		name: "label not a string",
		src:  head + "integrations:\n  - reference_id: r1\n" + okta + "    label: [a]\n",
		want: []string{`spec.yaml:7:12: label must be a string, got a sequence`},
	},
	{
		name: "label cannot be ignored",
		src:  head + "integrations:\n  - reference_id: r1\n" + okta + "    label: Acme\n    ignore: [label]\n",
		want: []string{`spec.yaml:8:14: "label" cannot be ignored in integration: plans never compare it (fields that can be ignored: integration_type, tenant_url, active)`},
	},
	// tenant_url.
	{
		name: "tenant_url http",
		src:  head + "integrations:\n  - reference_id: r1\n    integration_type: Okta\n    tenant_url: http://acme.okta.com\n",
		want: []string{`spec.yaml:6:17: tenant_url "http://acme.okta.com": expected an absolute https URL such as https://acme.okta.com`},
	},
	{
		name: "tenant_url without a scheme",
		src:  head + "integrations:\n  - reference_id: r1\n    integration_type: Okta\n    tenant_url: acme.okta.com\n",
		want: []string{`spec.yaml:6:17: tenant_url "acme.okta.com": expected an absolute https URL such as https://acme.okta.com`},
	},
	{
		name: "tenant_url without a host",
		src:  head + "integrations:\n  - reference_id: r1\n    integration_type: Okta\n    tenant_url: https:///path\n",
		want: []string{`spec.yaml:6:17: tenant_url "https:///path": expected an absolute https URL such as https://acme.okta.com`},
	},
	{
		name: "tenant_url empty",
		src:  head + "integrations:\n  - reference_id: r1\n    integration_type: Okta\n    tenant_url: \"\"\n",
		want: []string{`spec.yaml:6:17: tenant_url "": expected an absolute https URL such as https://acme.okta.com`},
	},
	{
		name: "tenant_url with user info",
		src:  head + "integrations:\n  - reference_id: r1\n    integration_type: Okta\n    tenant_url: https://admin:pw@acme.okta.com\n",
		want: []string{`spec.yaml:6:17: tenant_url "https://admin:pw@acme.okta.com": expected an absolute https URL such as https://acme.okta.com, without user info`},
	},
	{
		name: "tenant_url with a query",
		src:  head + "integrations:\n  - reference_id: r1\n    integration_type: Okta\n    tenant_url: https://acme.okta.com/?x=1\n",
		want: []string{`spec.yaml:6:17: tenant_url "https://acme.okta.com/?x=1": expected an absolute https URL such as https://acme.okta.com, without a query`},
	},
	{
		name: "tenant_url with a fragment",
		src:  head + "integrations:\n  - reference_id: r1\n    integration_type: Okta\n    tenant_url: \"https://acme.okta.com/#top\"\n",
		want: []string{`spec.yaml:6:17: tenant_url "https://acme.okta.com/#top": expected an absolute https URL such as https://acme.okta.com, without a fragment`},
	},

	// reference_id.
	{
		name: "duplicate reference_id",
		src: head + "integrations:\n  - reference_id: r1\n" + okta +
			"  - reference_id: r1\n    integration_type: Okta\n    tenant_url: https://other.okta.com\n",
		want: []string{`spec.yaml:7:19: duplicate reference_id "r1" (first defined at line 4): reference_id identifies an integration`},
	},
	{
		name: "empty reference_id",
		src:  head + "integrations:\n  - reference_id: \"\"\n" + okta,
		want: []string{"spec.yaml:4:19: reference_id must not be empty"},
	},

	// account_id.
	{
		name: "account_id empty",
		src:  "version: 1\naccount_id: \"\"\n",
		want: []string{"spec.yaml:2:13: account_id is empty: set it in the file, or set CLOUDFLARE_ACCOUNT_ID / --account-id"},
	},
	{
		name: "account_id with no value",
		src:  "version: 1\naccount_id:\n",
		want: []string{"spec.yaml:2:12: account_id is empty: set it in the file, or set CLOUDFLARE_ACCOUNT_ID / --account-id"},
	},
	{
		name: "account_id absent points at the top of the file",
		src:  "version: 1\n",
		want: []string{"spec.yaml:1:1: account_id is empty: set it in the file, or set CLOUDFLARE_ACCOUNT_ID / --account-id"},
	},
	{
		name: "account_id empty after interpolation",
		src:  "version: 1\naccount_id: ${CLOUDFLARE_ACCOUNT_ID}\n",
		opts: spec.Options{LookupEnv: env(map[string]string{"CLOUDFLARE_ACCOUNT_ID": ""})},
		want: []string{"spec.yaml:2:13: account_id is empty: set it in the file, or set CLOUDFLARE_ACCOUNT_ID / --account-id"},
	},
	{
		name: "account_id not hex",
		src:  "version: 1\naccount_id: acme-production\n",
		want: []string{`spec.yaml:2:13: account_id "acme-production" is not a Cloudflare account id: expected 32 lower-case hex characters`},
	},
	{
		name: "account_id upper-case hex",
		src:  "version: 1\naccount_id: " + strings.ToUpper(acct) + "\n",
		want: []string{`spec.yaml:2:13: account_id "0123456789ABCDEF0123456789ABCDEF" is not a Cloudflare account id: expected 32 lower-case hex characters`},
	},
	{
		name: "account_id too short",
		src:  "version: 1\naccount_id: " + acct[:31] + "\n",
		want: []string{`spec.yaml:2:13: account_id "0123456789abcdef0123456789abcde" is not a Cloudflare account id: expected 32 lower-case hex characters`},
	},
	{
		name: "default account id not hex",
		src:  "version: 1\n",
		opts: spec.Options{DefaultAccountID: "acme"},
		want: []string{`spec.yaml:1:1: account id from CLOUDFLARE_ACCOUNT_ID / --account-id "acme" is not a Cloudflare account id: expected 32 lower-case hex characters`},
	},

	// Behavior ids.
	{
		name: "behavior id with upper case and dash",
		src:  head + "behaviors:\n  Imp-Travel: {enabled: true, risk_level: high}\n",
		want: []string{`spec.yaml:4:3: invalid behavior id "Imp-Travel": expected lower-case letters, digits and underscores, such as imp_travel`},
	},
	{
		name: "empty behavior id",
		src:  head + "behaviors:\n  \"\": {enabled: true, risk_level: high}\n",
		want: []string{`spec.yaml:4:3: invalid behavior id "": expected lower-case letters, digits and underscores, such as imp_travel`},
	},

	// Ignore lists.
	{
		name: "ignore not a list",
		src:  head + "behaviors:\n  imp_travel:\n    enabled: true\n    risk_level: high\n    ignore: enabled\n",
		want: []string{`spec.yaml:7:13: ignore in behavior "imp_travel" must be a list of field names such as [enabled], got string "enabled"`},
	},
	{
		name: "ignore a mapping",
		src:  head + "integrations:\n  - reference_id: r1\n" + okta + "    ignore: {active: true}\n",
		want: []string{`spec.yaml:7:13: ignore in integration must be a list of field names such as [integration_type], got a mapping`},
	},
	{
		name: "ignore unknown field with a suggestion",
		src:  head + "behaviors:\n  imp_travel:\n    enabled: true\n    risk_level: high\n    ignore: [enabld]\n",
		want: []string{`spec.yaml:7:14: unknown field "enabld" in ignore of behavior "imp_travel": did you mean "enabled"? (fields that can be ignored: enabled, risk_level)`},
	},
	{
		name: "ignore a field of the other resource",
		src:  head + "behaviors:\n  imp_travel: {enabled: true, risk_level: high, ignore: [tenant_url]}\n",
		want: []string{`spec.yaml:4:58: unknown field "tenant_url" in ignore of behavior "imp_travel" (fields that can be ignored: enabled, risk_level)`},
	},
	{
		name: "ignore a computed behavior field",
		src:  head + "behaviors:\n  imp_travel: {enabled: true, risk_level: high, ignore: [name]}\n",
		want: []string{`spec.yaml:4:58: "name" cannot be ignored in behavior "imp_travel": plans never compare it (fields that can be ignored: enabled, risk_level)`},
	},
	{
		name: "ignore uncompared integration fields",
		src:  head + "integrations:\n  - reference_id: r1\n" + okta + "    ignore: [protect, well_known_url, reference_id, tenant_ur]\n",
		want: []string{
			`spec.yaml:7:14: "protect" cannot be ignored in integration: plans never compare it (fields that can be ignored: integration_type, tenant_url, active)`,
			`spec.yaml:7:23: "well_known_url" cannot be ignored in integration: plans never compare it (fields that can be ignored: integration_type, tenant_url, active)`,
			`spec.yaml:7:39: reference_id cannot be ignored: integrations are matched on it (fields that can be ignored: integration_type, tenant_url, active)`,
			`spec.yaml:7:53: unknown field "tenant_ur" in ignore of integration: did you mean "tenant_url"? (fields that can be ignored: integration_type, tenant_url, active)`,
		},
	},
	{
		name: "ignore duplicate field",
		src:  head + "integrations:\n  - reference_id: r1\n" + okta + "    ignore:\n      - active\n      - tenant_url\n      - active\n",
		want: []string{`spec.yaml:10:9: duplicate field "active" in ignore (first listed at line 8)`},
	},
	{
		name: "ignore entry not a string",
		src:  head + "behaviors:\n  imp_travel: {enabled: true, risk_level: high, ignore: [1, [enabled]]}\n",
		want: []string{
			"spec.yaml:4:58: each ignore entry must be a string (quote it), got integer 1",
			"spec.yaml:4:61: each ignore entry must be a string, got a sequence",
		},
	},

	// Interpolation.
	{
		name: "unset variable without default",
		src:  "version: 1\naccount_id: ${RISKCTL_VAR_ACCOUNT_ID}\n",
		want: []string{"spec.yaml:2:13: environment variable RISKCTL_VAR_ACCOUNT_ID is not set (write ${RISKCTL_VAR_ACCOUNT_ID:-default} to give a default)"},
	},
	{
		name: "every unset variable of a scalar",
		src:  head + "integrations:\n  - reference_id: r1\n    integration_type: Okta\n    tenant_url: https://${RISKCTL_VAR_TENANT}.${RISKCTL_VAR_DOMAIN}\n",
		want: []string{
			"spec.yaml:6:17: environment variable RISKCTL_VAR_TENANT is not set (write ${RISKCTL_VAR_TENANT:-default} to give a default)",
			"spec.yaml:6:17: environment variable RISKCTL_VAR_DOMAIN is not set (write ${RISKCTL_VAR_DOMAIN:-default} to give a default)",
		},
	},
	{
		name: "unterminated reference",
		src:  "version: 1\naccount_id: \"${CLOUDFLARE_ACCOUNT_ID\"\n",
		want: []string{`spec.yaml:2:13: unterminated "${CLOUDFLARE_ACCOUNT_ID": expected ${VAR} or ${VAR:-default} (VAR: letters, digits and _; $$ for a literal $)`},
	},
	{
		name: "invalid variable name",
		src:  "version: 1\naccount_id: ${1ACCOUNT}\n",
		want: []string{`spec.yaml:2:13: invalid variable reference "${1ACCOUNT}": expected ${VAR} or ${VAR:-default} (VAR: letters, digits and _; $$ for a literal $)`},
	},
	{
		name: "other shell operators",
		src:  "version: 1\naccount_id: ${RISKCTL_VAR_ACCOUNT:=x}\n",
		want: []string{`spec.yaml:2:13: invalid variable reference "${RISKCTL_VAR_ACCOUNT:=x}": expected ${VAR} or ${VAR:-default} (VAR: letters, digits and _; $$ for a literal $)`},
	},
	{
		name: "nested reference",
		src:  "version: 1\naccount_id: ${RISKCTL_VAR_A:-${RISKCTL_VAR_B}}\n",
		want: []string{"spec.yaml:2:13: nested reference in the default of ${RISKCTL_VAR_A:-...}: a default is plain text, references do not nest"},
	},
	{
		name: "quoted interpolation stays a string",
		src:  head + "behaviors:\n  imp_travel:\n    enabled: \"${RISKCTL_VAR_ENABLED:-true}\"\n    risk_level: high\n",
		want: []string{`spec.yaml:5:14: enabled must be a boolean true/false, got string "true"`},
	},
	{
		name: "unquoted interpolation of a non-boolean",
		src:  head + "behaviors:\n  imp_travel:\n    enabled: ${RISKCTL_VAR_ENABLED}\n    risk_level: high\n",
		opts: spec.Options{LookupEnv: env(map[string]string{"RISKCTL_VAR_ENABLED": "yes"})},
		want: []string{`spec.yaml:5:14: enabled must be a boolean true/false, got string "yes" (YAML 1.1 yes/no/on/off are not booleans)`},
	},
	{
		name: "keys are not interpolated",
		src:  head + "behaviors:\n  ${RISKCTL_VAR_BEHAVIOR}: {enabled: true, risk_level: high}\n",
		opts: spec.Options{LookupEnv: env(map[string]string{"RISKCTL_VAR_BEHAVIOR": "imp_travel"})},
		want: []string{`spec.yaml:4:3: invalid behavior id "${RISKCTL_VAR_BEHAVIOR}": expected lower-case letters, digits and underscores, such as imp_travel`},
	},
}

func TestParseInvalid(t *testing.T) {
	for _, tc := range invalidCases {
		t.Run(tc.name, func(t *testing.T) {
			f, err := parse(tc.src, tc.opts)
			if err == nil {
				t.Fatalf("Parse succeeded, want errors:\n%s", strings.Join(tc.want, "\n"))
			}
			if f != nil {
				t.Errorf("Parse returned a File along with errors")
			}
			if diff := cmp.Diff(tc.want, errorLines(t, err)); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
		})
	}
}

// TestParseReportsEveryError checks that one file's problems are all
// reported, in position order, not only the first.
func TestParseReportsEveryError(t *testing.T) {
	data, err := os.ReadFile("testdata/invalid.yaml")
	if err != nil {
		t.Fatal(err)
	}
	_, err = spec.Parse("testdata/invalid.yaml", data, spec.Options{LookupEnv: env(nil)})
	want := []string{
		`testdata/invalid.yaml:2:1: missing required key "version": add "version: 1" to the top of the file`,
		`testdata/invalid.yaml:2:13: environment variable RISKCTL_VAR_TEST_ACCOUNT is not set (write ${RISKCTL_VAR_TEST_ACCOUNT:-default} to give a default)`,
		`testdata/invalid.yaml:4:25: enabled must be a boolean true/false, got string "yes" (YAML 1.1 yes/no/on/off are not booleans)`,
		`testdata/invalid.yaml:4:42: risk_level must be one of low, medium, high, got string "severe"`,
		`testdata/invalid.yaml:5:3: behavior "high_dlp" is missing required key "risk_level"`,
		`testdata/invalid.yaml:5:29: unknown key "risk_levl" in behavior "high_dlp": did you mean "risk_level"? (allowed keys: enabled, risk_level, ignore)`,
		`testdata/invalid.yaml:6:3: duplicate key "imp_travel" (first defined at line 4)`,
		`testdata/invalid.yaml:9:23: integration_type must be Okta, got string "Azure"`,
		`testdata/invalid.yaml:10:17: tenant_url "http://acme.okta.com": expected an absolute https URL such as https://acme.okta.com`,
		`testdata/invalid.yaml:11:5: "well_known_url" is computed by Cloudflare and cannot be set in a spec`,
		`testdata/invalid.yaml:12:5: integration is missing required key "tenant_url"`,
		`testdata/invalid.yaml:12:19: duplicate reference_id "okta-prod" (first defined at line 8): reference_id identifies an integration`,
		`testdata/invalid.yaml:14:1: unknown key "prun" at the top level: did you mean "prune"? (allowed keys: version, account_id, behaviors, integrations, prune, unmanaged_integrations)`,
	}
	if diff := cmp.Diff(want, errorLines(t, err)); diff != "" {
		t.Errorf("errors (-want +got):\n%s", diff)
	}
}

// TestParseFull checks a spec using every key against the state.Account and
// positions it must produce.
func TestParseFull(t *testing.T) {
	const path = "testdata/full.yaml"
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	got, err := spec.Parse(path, data, spec.Options{LookupEnv: env(map[string]string{"CLOUDFLARE_ACCOUNT_ID": acct})})
	if err != nil {
		t.Fatal(err)
	}
	pos := func(line, col int) spec.Pos { return spec.Pos{File: path, Line: line, Col: col} }
	want := &spec.File{
		Path: path,
		Account: state.Account{
			AccountID: acct,
			Behaviors: map[string]state.Behavior{
				"imp_travel":   {Enabled: true, RiskLevel: "high"},
				"high_dlp":     {Enabled: true, RiskLevel: "medium"},
				"sentinel_one": {Enabled: false, RiskLevel: "low"},
			},
			Integrations: []state.Integration{
				{
					ReferenceID:     "0b3f1c4e-5d6a-4e7b-8c9d-0e1f2a3b4c5d",
					IntegrationType: "Okta",
					TenantURL:       "https://acme.okta.com",
					Active:          true,
				},
				{
					ReferenceID:     "staging",
					IntegrationType: "Okta",
					TenantURL:       "https://acme-staging.okta.com/",
					Active:          false,
				},
				{
					ReferenceID:     "12345",
					IntegrationType: "Okta",
					TenantURL:       "https://acme-dev.okta.com",
					Active:          true,
				},
			},
		},
		Policy: spec.Policy{
			Prune:     true,
			Behaviors: map[string]spec.ObjectPolicy{"sentinel_one": {Ignore: []string{"risk_level"}}},
			Integrations: map[string]spec.ObjectPolicy{
				"0b3f1c4e-5d6a-4e7b-8c9d-0e1f2a3b4c5d": {Protect: true},
				"staging":                              {Ignore: []string{"tenant_url", "active"}},
			},
		},
		AccountIDPos: pos(3, 13),
		BehaviorPos: map[string]spec.Pos{
			"imp_travel":   pos(5, 3),
			"high_dlp":     pos(6, 3),
			"sentinel_one": pos(7, 3),
		},
		IntegrationPos: map[string]spec.Pos{
			"0b3f1c4e-5d6a-4e7b-8c9d-0e1f2a3b4c5d": pos(12, 19),
			"staging":                              pos(17, 19),
			"12345":                                pos(24, 19),
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Parse (-want +got):\n%s", diff)
	}
}

func TestParseDefaults(t *testing.T) {
	f, err := parse(head+"integrations:\n  - reference_id: r1\n"+okta, spec.Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := state.Account{
		AccountID: acct,
		Behaviors: map[string]state.Behavior{},
		Integrations: []state.Integration{
			{ReferenceID: "r1", IntegrationType: "Okta", TenantURL: "https://acme.okta.com", Active: true},
		},
	}
	if diff := cmp.Diff(want, f.Account); diff != "" {
		t.Errorf("Account (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(spec.Policy{}, f.Policy, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("Policy (-want +got):\n%s", diff)
	}
}

func TestParseNormalises(t *testing.T) {
	src := head + `behaviors:
  imp_travel: {enabled: true, risk_level: HIGH}
  high_dlp: {enabled: false, risk_level: Low}
integrations:
  - reference_id: r1
    integration_type: OKTA
    tenant_url: "  https://acme.okta.com/  "
`
	f, err := parse(src, spec.Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := state.Account{
		AccountID: acct,
		Behaviors: map[string]state.Behavior{
			"imp_travel": {Enabled: true, RiskLevel: "high"},
			"high_dlp":   {Enabled: false, RiskLevel: "low"},
		},
		Integrations: []state.Integration{
			{ReferenceID: "r1", IntegrationType: "Okta", TenantURL: "https://acme.okta.com/", Active: true},
		},
	}
	if diff := cmp.Diff(want, f.Account); diff != "" {
		t.Errorf("Account (-want +got):\n%s", diff)
	}
}

// TestParseNothingToManage covers files that declare no behaviors or
// integrations: all valid, as long as the account is known.
func TestParseNothingToManage(t *testing.T) {
	for _, tc := range []struct{ name, src string }{
		{"only version", "version: 1\n"},
		{"null sections", "version: 1\nbehaviors:\nintegrations:\n"},
		{"empty sections", "version: 1\nbehaviors: {}\nintegrations: []\nprune: false\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := parse(tc.src, spec.Options{DefaultAccountID: acct})
			if err != nil {
				t.Fatal(err)
			}
			want := &spec.File{
				Path:           "spec.yaml",
				Account:        state.Account{AccountID: acct, Behaviors: map[string]state.Behavior{}},
				AccountIDPos:   spec.Pos{File: "spec.yaml", Line: 1, Col: 1},
				BehaviorPos:    map[string]spec.Pos{},
				IntegrationPos: map[string]spec.Pos{},
			}
			if diff := cmp.Diff(want, f); diff != "" {
				t.Errorf("Parse (-want +got):\n%s", diff)
			}
		})
	}
}

// TestParseEmptyFileIsAnError: a file with no content is most likely the
// wrong file or a truncated one, never a spec, whatever the default account.
func TestParseEmptyFileIsAnError(t *testing.T) {
	for _, tc := range []struct{ name, src string }{
		{"empty file", ""},
		{"only comments", "# nothing yet\n"},
		{"empty document", "---\n"},
		{"null document", "~\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parse(tc.src, spec.Options{DefaultAccountID: acct})
			want := []string{`spec.yaml:1:1: missing version: the file is empty or holds only comments (a spec starts with "version: 1")`}
			if diff := cmp.Diff(want, errorLines(t, err)); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseDefaultAccountID(t *testing.T) {
	for _, tc := range []struct{ name, src, want string }{
		{"fills an absent account_id", "version: 1\n", acct2},
		{"fills an empty account_id", "version: 1\naccount_id: \"\"\n", acct2},
		{"fills an empty interpolation", "version: 1\naccount_id: ${CLOUDFLARE_ACCOUNT_ID:-}\n", acct2},
		{"never overrides the file", head, acct},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := parse(tc.src, spec.Options{DefaultAccountID: acct2})
			if err != nil {
				t.Fatal(err)
			}
			if f.Account.AccountID != tc.want {
				t.Errorf("AccountID = %q, want %q", f.Account.AccountID, tc.want)
			}
		})
	}
}

func TestParseInterpolation(t *testing.T) {
	vars := map[string]string{
		"RISKCTL_VAR_ACCOUNT":   acct,
		"RISKCTL_VAR_DIGITS":    "12345678901234567890123456789012",
		"RISKCTL_VAR_EMPTY":     "",
		"RISKCTL_VAR_TENANT":    "acme",
		"RISKCTL_VAR_DISABLED":  "false",
		"RISKCTL_VAR_LEVEL":     "High",
		"RISKCTL_VAR_VERSION":   "1",
		"RISKCTL_VAR_REFERENCE": "prod",
	}
	for _, tc := range []struct {
		name, src string
		check     func(*spec.File) (got, want any)
	}{
		{
			name:  "set variable",
			src:   "version: 1\naccount_id: ${RISKCTL_VAR_ACCOUNT}\n",
			check: func(f *spec.File) (any, any) { return f.Account.AccountID, acct },
		},
		{
			name:  "unset variable with default",
			src:   "version: 1\naccount_id: ${RISKCTL_VAR_UNSET:-" + acct2 + "}\n",
			check: func(f *spec.File) (any, any) { return f.Account.AccountID, acct2 },
		},
		{
			name:  "empty variable with default",
			src:   "version: 1\naccount_id: ${RISKCTL_VAR_EMPTY:-" + acct2 + "}\n",
			check: func(f *spec.File) (any, any) { return f.Account.AccountID, acct2 },
		},
		{
			name:  "set variable wins over default",
			src:   "version: 1\naccount_id: ${RISKCTL_VAR_ACCOUNT:-" + acct2 + "}\n",
			check: func(f *spec.File) (any, any) { return f.Account.AccountID, acct },
		},
		{
			name:  "substituted digits stay a string",
			src:   "version: 1\naccount_id: ${RISKCTL_VAR_DIGITS}\n",
			check: func(f *spec.File) (any, any) { return f.Account.AccountID, vars["RISKCTL_VAR_DIGITS"] },
		},
		{
			name:  "inside a string",
			src:   head + "integrations:\n  - reference_id: ${RISKCTL_VAR_REFERENCE}-1\n    integration_type: Okta\n    tenant_url: https://${RISKCTL_VAR_TENANT}.okta.com\n",
			check: func(f *spec.File) (any, any) { return f.Account.Integrations[0].TenantURL, "https://acme.okta.com" },
		},
		{
			name: "dollar dollar is a literal dollar",
			src:  head + "integrations:\n  - reference_id: cost$$center\n" + okta,
			check: func(f *spec.File) (any, any) {
				return f.Account.Integrations[0].ReferenceID, "cost$center"
			},
		},
		{
			name: "dollar VAR is not expanded",
			src:  head + "integrations:\n  - reference_id: $REFERENCE-$(id)\n" + okta,
			check: func(f *spec.File) (any, any) {
				return f.Account.Integrations[0].ReferenceID, "$REFERENCE-$(id)"
			},
		},
		{
			name: "unquoted boolean after interpolation",
			src:  head + "behaviors:\n  imp_travel:\n    enabled: ${RISKCTL_VAR_DISABLED}\n    risk_level: ${RISKCTL_VAR_LEVEL}\n",
			check: func(f *spec.File) (any, any) {
				return f.Account.Behaviors["imp_travel"], state.Behavior{Enabled: false, RiskLevel: "high"}
			},
		},
		{
			name: "unquoted boolean default",
			src:  head + "behaviors:\n  imp_travel:\n    enabled: ${RISKCTL_VAR_UNSET:-true}\n    risk_level: low\n",
			check: func(f *spec.File) (any, any) {
				return f.Account.Behaviors["imp_travel"], state.Behavior{Enabled: true, RiskLevel: "low"}
			},
		},
		{
			name:  "unquoted integer version",
			src:   "version: ${RISKCTL_VAR_VERSION}\naccount_id: ${RISKCTL_VAR_ACCOUNT}\nprune: ${RISKCTL_VAR_UNSET:-true}\n",
			check: func(f *spec.File) (any, any) { return f.Policy.Prune, true },
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := parse(tc.src, spec.Options{LookupEnv: env(vars)})
			if err != nil {
				t.Fatal(err)
			}
			got, want := tc.check(f)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestParseUsesProcessEnvironment checks the nil LookupEnv default.
func TestParseUsesProcessEnvironment(t *testing.T) {
	t.Setenv("RISKCTL_VAR_SPEC_TEST_ACCOUNT", acct)
	f, err := spec.Parse("spec.yaml", []byte("version: 1\naccount_id: ${RISKCTL_VAR_SPEC_TEST_ACCOUNT}\n"), spec.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if f.Account.AccountID != acct {
		t.Errorf("AccountID = %q, want %q", f.Account.AccountID, acct)
	}
}

func TestParseFollowsAliases(t *testing.T) {
	src := head + `behaviors:
  imp_travel: &on {enabled: true, risk_level: high}
  high_dlp: *on
`
	f, err := parse(src, spec.Options{})
	if err != nil {
		t.Fatal(err)
	}
	on := state.Behavior{Enabled: true, RiskLevel: "high"}
	want := map[string]state.Behavior{"imp_travel": on, "high_dlp": on}
	if diff := cmp.Diff(want, f.Account.Behaviors); diff != "" {
		t.Errorf("Behaviors (-want +got):\n%s", diff)
	}
}

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	a := writeFile(t, dir, "a.yaml", head)
	b := writeFile(t, dir, "b.yaml", "# second account\nversion: 1\naccount_id: "+acct2+"\n")
	files, err := spec.Load([]string{b, a}, spec.Options{LookupEnv: env(nil)})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range files {
		got = append(got, f.Path+" "+f.Account.AccountID)
	}
	want := []string{b + " " + acct2, a + " " + acct}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("files in argument order (-want +got):\n%s", diff)
	}
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	a := writeFile(t, dir, "a.yaml", head)
	sameAccount := writeFile(t, dir, "b.yaml", "# the same account again\nversion: 1\naccount_id: "+acct+"\n")
	fromDefault := writeFile(t, dir, "c.yaml", "version: 1\n")
	bad := writeFile(t, dir, "d.yaml", head+"prune: yes\n")
	missing := filepath.Join(dir, "missing.yaml")
	empty := t.TempDir()
	noSpecs := t.TempDir()
	writeFile(t, noSpecs, "README.md", "# specs go here\n")
	writeFile(t, noSpecs, ".hidden.yaml", head)
	if err := os.Mkdir(filepath.Join(noSpecs, "sub.yaml"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		paths []string
		opts  spec.Options
		want  []string
	}{
		{
			name:  "two files for one account",
			paths: []string{a, sameAccount},
			want:  []string{sameAccount + ":3:13: account " + acct + " is already declared at " + a + ":2:13: one spec file per account"},
		},
		{
			name:  "the same account through the default",
			paths: []string{a, fromDefault},
			opts:  spec.Options{DefaultAccountID: acct},
			want:  []string{fromDefault + ":1:1: account " + acct + " is already declared at " + a + ":2:13: one spec file per account"},
		},
		{
			name:  "missing file",
			paths: []string{missing},
			want:  []string{missing + ": cannot read spec file: no such file or directory"},
		},
		{
			name:  "a directory without spec files",
			paths: []string{noSpecs, a},
			want:  []string{noSpecs + ": directory holds no spec file (*.yaml or *.yml)"},
		},
		{
			name:  "an empty directory and a missing file",
			paths: []string{empty, missing},
			want: []string{ // sorted by path: empty is the later TempDir
				missing + ": cannot read spec file: no such file or directory",
				empty + ": directory holds no spec file (*.yaml or *.yml)",
			},
		},
		{
			name:  "the errors of a directory's files",
			paths: []string{dir},
			want: []string{
				sameAccount + ":3:13: account " + acct + " is already declared at " + a + ":2:13: one spec file per account",
				fromDefault + ":1:1: account_id is empty: set it in the file, or set CLOUDFLARE_ACCOUNT_ID / --account-id",
				bad + `:3:8: prune must be a boolean true/false, got string "yes" (YAML 1.1 yes/no/on/off are not booleans)`,
			},
		},
		{
			name:  "errors of every file, sorted by file",
			paths: []string{bad, missing, a},
			want: []string{
				bad + `:3:8: prune must be a boolean true/false, got string "yes" (YAML 1.1 yes/no/on/off are not booleans)`,
				missing + ": cannot read spec file: no such file or directory",
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.opts.LookupEnv == nil {
				tc.opts.LookupEnv = env(nil)
			}
			files, err := spec.Load(tc.paths, tc.opts)
			if files != nil {
				t.Errorf("Load returned files along with errors")
			}
			if diff := cmp.Diff(tc.want, errorLines(t, err)); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
		})
	}
}

// TestLoadDirectory: a directory stands for its *.yaml and *.yml files,
// sorted by name, without recursing, hidden files or other extensions.
func TestLoadDirectory(t *testing.T) {
	dir := t.TempDir()
	b := writeFile(t, dir, "b.yaml", head)
	a := writeFile(t, dir, "a.yml", "version: 1\naccount_id: "+acct2+"\n")
	writeFile(t, dir, "c.json", "{}")
	writeFile(t, dir, "notes.yaml.bak", "not a spec")
	writeFile(t, dir, ".#b.yaml", "an editor's lock file")
	sub := filepath.Join(dir, "nested.yaml")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, sub, "deep.yaml", "not read: no recursion")

	files, err := spec.Load([]string{dir}, spec.Options{LookupEnv: env(nil)})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range files {
		got = append(got, f.Path+" "+f.Account.AccountID)
	}
	want := []string{a + " " + acct2, b + " " + acct}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}
}

func TestExpand(t *testing.T) {
	dir := t.TempDir()
	b := writeFile(t, dir, "b.yaml", head)
	a := writeFile(t, dir, "a.yaml", head)
	other := writeFile(t, t.TempDir(), "other.yml", head)
	missing := filepath.Join(dir, "missing.yaml")
	for _, tc := range []struct {
		name  string
		paths []string
		want  []string
	}{
		{"files as given", []string{other, b}, []string{other, b}},
		{"a directory, sorted", []string{dir}, []string{a, b}},
		{"a directory among files", []string{other, dir}, []string{other, a, b}},
		{"a file and its directory, kept once", []string{b, dir}, []string{b, a}},
		{"the same path twice", []string{other, filepath.Join(filepath.Dir(other), ".", "other.yml")}, []string{other}},
		{"a missing path is kept for Load to report", []string{missing}, []string{missing}},
		{"nothing", nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := spec.Expand(tc.paths)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Expand (-want +got):\n%s", diff)
			}
		})
	}

	empty := t.TempDir()
	got, err := spec.Expand([]string{a, empty})
	if diff := cmp.Diff([]string{empty + ": directory holds no spec file (*.yaml or *.yml)"}, errorLines(t, err)); diff != "" {
		t.Errorf("errors (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{a}, got); diff != "" {
		t.Errorf("Expand with an error still lists the files it found (-want +got):\n%s", diff)
	}
}

func TestParseIgnore(t *testing.T) {
	src := head + `behaviors:
  imp_travel: {enabled: true, risk_level: high, ignore: [risk_level, enabled]}
  high_dlp:
    enabled: true
    risk_level: low
    ignore:            # every entry commented out: ignores nothing
  sentinel_one: {enabled: false, risk_level: low, ignore: []}
integrations:
  - reference_id: r1
` + okta + `    ignore: [integration_type, "${RISKCTL_VAR_FIELD}"]
`
	f, err := parse(src, spec.Options{LookupEnv: env(map[string]string{"RISKCTL_VAR_FIELD": "active"})})
	if err != nil {
		t.Fatal(err)
	}
	want := state.Account{
		AccountID: acct,
		Behaviors: map[string]state.Behavior{
			"imp_travel":   {Enabled: true, RiskLevel: "high"},
			"high_dlp":     {Enabled: true, RiskLevel: "low"},
			"sentinel_one": {Enabled: false, RiskLevel: "low"},
		},
		Integrations: []state.Integration{
			{ReferenceID: "r1", IntegrationType: "Okta", TenantURL: "https://acme.okta.com", Active: true},
		},
	}
	if diff := cmp.Diff(want, f.Account); diff != "" {
		t.Errorf("Account (-want +got):\n%s", diff)
	}
	wantPolicy := spec.Policy{
		Behaviors:    map[string]spec.ObjectPolicy{"imp_travel": {Ignore: []string{"risk_level", "enabled"}}},
		Integrations: map[string]spec.ObjectPolicy{"r1": {Ignore: []string{"integration_type", "active"}}},
	}
	if diff := cmp.Diff(wantPolicy, f.Policy); diff != "" {
		t.Errorf("Policy (-want +got):\n%s", diff)
	}
}

// A host written in punycode is plain ASCII: accepted, and planned as
// written. A label is kept in the policy, never in the account.
func TestPunycodeHostAndLabelAccepted(t *testing.T) {
	f, err := parse(head+"integrations:\n  - reference_id: r1\n    integration_type: Okta\n    tenant_url: https://xn--cme-5cd.okta.com\n    label: Zürich · prod\n", spec.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := f.Account.Integrations[0].TenantURL; got != "https://xn--cme-5cd.okta.com" {
		t.Errorf("tenant_url = %q", got)
	}
	if got := f.Policy.Integrations["r1"].Label; got != "Zürich · prod" {
		t.Errorf("label = %q", got)
	}
}

func TestParseUnmanagedIntegrations(t *testing.T) {
	for src, allow := range map[string]bool{
		head: false,
		head + "unmanaged_integrations: report\n": false,
		head + "unmanaged_integrations: allow\n":  true,
		head + "unmanaged_integrations: Allow\n":  true,
	} {
		f, err := parse(src, spec.Options{})
		if err != nil {
			t.Fatalf("%q: %v", src, err)
		}
		if f.Policy.AllowUnmanaged != allow {
			t.Errorf("%q: AllowUnmanaged = %v, want %v", src, f.Policy.AllowUnmanaged, allow)
		}
	}
}
