package spec_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/riskctl/riskctl/internal/redact"
	"github.com/riskctl/riskctl/internal/spec"
)

// runToken is the credential of the run in these tests.
const runToken = "cf-Run-Token-7e3a9b1c5d2f4e6a8b0c"

// Credentials never enter a spec: not by their own variable (set or not,
// with a default or not), not through another variable holding their
// value, not pasted literally. Each refusal names file:line:col.
func TestCredentialsNeverEnterASpec(t *testing.T) {
	vars := map[string]string{
		"CLOUDFLARE_API_TOKEN":  runToken,
		"GITHUB_TOKEN":          "ghs_notthecloudflaretoken000000",
		"RISKCTL_VAR_COPY":      runToken,
		"RISKCTL_VAR_UPPER":     strings.ToUpper(runToken),
		"RISKCTL_VAR_EMBEDDED":  "acme/" + runToken + "/x",
		"RISKCTL_VAR_TENANT":    "acme",
		"OKTA_TENANT":           "acme",
		"CLOUDFLARE_ACCOUNT_ID": acct,
	}
	opts := spec.Options{LookupEnv: env(vars), Secrets: redact.New(runToken)}
	integration := func(field, value string) string {
		fields := map[string]string{"reference_id": "r1", "integration_type": "Okta", "tenant_url": "https://acme.okta.com"}
		fields[field] = value
		return head + "integrations:\n  - reference_id: " + fields["reference_id"] +
			"\n    integration_type: " + fields["integration_type"] +
			"\n    tenant_url: " + fields["tenant_url"] + "\n"
	}
	refusedCredential := func(name string) string {
		return "${" + name + "} is refused: " + name + " holds a credential, and credentials never enter a spec"
	}
	for _, tc := range []struct {
		name string
		src  string
		want string
	}{
		{"token as risk level, with a default", head + "behaviors:\n  imp_travel: {enabled: true, risk_level: \"${CLOUDFLARE_API_TOKEN:-high}\"}\n",
			"spec.yaml:4:43: " + refusedCredential("CLOUDFLARE_API_TOKEN")},
		{"token as reference_id", integration("reference_id", "${CLOUDFLARE_API_TOKEN}"),
			"spec.yaml:4:19: " + refusedCredential("CLOUDFLARE_API_TOKEN")},
		{"token in a tenant_url path", integration("tenant_url", "https://acme.okta.com/${CLOUDFLARE_API_TOKEN}"),
			"spec.yaml:6:17: " + refusedCredential("CLOUDFLARE_API_TOKEN")},
		{"unset credential variable, with a default", integration("reference_id", "${CLOUDFLARE_API_KEY:-r1}"),
			"spec.yaml:4:19: " + refusedCredential("CLOUDFLARE_API_KEY")},
		{"user service key", integration("reference_id", "${CLOUDFLARE_API_USER_SERVICE_KEY:-r1}"),
			"spec.yaml:4:19: " + refusedCredential("CLOUDFLARE_API_USER_SERVICE_KEY")},
		{"CI token", integration("reference_id", "${GITHUB_TOKEN}"),
			"spec.yaml:4:19: " + refusedCredential("GITHUB_TOKEN")},
		{"CI runtime family", integration("reference_id", "${ACTIONS_RUNTIME_URL:-r1}"),
			"spec.yaml:4:19: " + refusedCredential("ACTIONS_RUNTIME_URL")},
		{"another variable holding the token", integration("reference_id", "${RISKCTL_VAR_COPY}"),
			"spec.yaml:4:19: ${RISKCTL_VAR_COPY} is refused: its value holds a credential of this run, and credentials never enter a spec"},
		{"another variable, other case", integration("reference_id", "${RISKCTL_VAR_UPPER}"),
			"spec.yaml:4:19: ${RISKCTL_VAR_UPPER} is refused: its value holds a credential of this run, and credentials never enter a spec"},
		{"another variable, token inside", integration("tenant_url", "https://${RISKCTL_VAR_EMBEDDED}.okta.com"),
			"spec.yaml:6:17: ${RISKCTL_VAR_EMBEDDED} is refused: its value holds a credential of this run, and credentials never enter a spec"},
		{"token pasted literally", integration("reference_id", runToken),
			"spec.yaml:4:19: reference_id holds a credential of this run (or part of one), and credentials never enter a spec"},
		{"token as a default", integration("reference_id", "${RISKCTL_VAR_UNSET:-"+runToken+"}"),
			"spec.yaml:4:19: reference_id holds a credential of this run (or part of one), and credentials never enter a spec"},
		{"a variable that is not for specs", integration("tenant_url", "https://${OKTA_TENANT}.okta.com"),
			"spec.yaml:6:17: ${OKTA_TENANT} is refused: a spec reads only CLOUDFLARE_ACCOUNT_ID and RISKCTL_VAR_* variables (rename it RISKCTL_VAR_OKTA_TENANT)"},
		{"a bare prefix", integration("reference_id", "${RISKCTL_VAR_:-r1}"),
			"spec.yaml:4:19: ${RISKCTL_VAR_} is refused: a spec reads only CLOUDFLARE_ACCOUNT_ID and RISKCTL_VAR_* variables (rename it RISKCTL_VAR_)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parse(tc.src, opts)
			got := errorLines(t, err)
			if diff := cmp.Diff([]string{tc.want}, got); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
			for _, line := range got {
				if strings.Contains(strings.ToLower(line), strings.ToLower(runToken[:redact.PartialLen])) {
					t.Errorf("the error quotes the credential: %s", line)
				}
			}
		})
	}
}

// The allowed variables still work.
func TestAllowedVariables(t *testing.T) {
	vars := map[string]string{"CLOUDFLARE_ACCOUNT_ID": acct, "RISKCTL_VAR_TENANT": "acme"}
	src := "version: 1\naccount_id: ${CLOUDFLARE_ACCOUNT_ID}\nintegrations:\n  - reference_id: r1\n    integration_type: Okta\n    tenant_url: https://${RISKCTL_VAR_TENANT}.okta.com\n"
	f, err := parse(src, spec.Options{LookupEnv: env(vars), Secrets: redact.New(runToken)})
	if err != nil {
		t.Fatal(err)
	}
	if got := f.Account.Integrations[0].TenantURL; got != "https://acme.okta.com" || f.Account.AccountID != acct {
		t.Errorf("tenant_url %q, account %q", got, f.Account.AccountID)
	}
}
