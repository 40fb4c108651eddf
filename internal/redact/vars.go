package redact

import (
	"slices"
	"strings"
)

// CredentialVars are the environment variables that hold the credentials
// riskctl itself uses: the Cloudflare ones (named as Terraform's provider
// and cloudflare-go name them) and the embedded emulator's.
var CredentialVars = []string{
	"CLOUDFLARE_API_TOKEN",
	"CLOUDFLARE_API_KEY",
	"CLOUDFLARE_API_USER_SERVICE_KEY",
	"RISKCTL_EMULATOR_TOKEN",
	"RISKCTL_EMULATOR_API_KEY",
}

// CISecretVars are the tokens CI systems hand to every step of a job:
// GitHub Actions (GITHUB_TOKEN, the gh CLI's GH_TOKEN, the runtime and OIDC
// request tokens), GitLab CI, Azure Pipelines and Buildkite.
var CISecretVars = []string{
	"GITHUB_TOKEN",
	"GH_TOKEN",
	"ACTIONS_RUNTIME_TOKEN",
	"ACTIONS_ID_TOKEN_REQUEST_TOKEN",
	"CI_JOB_TOKEN",
	"SYSTEM_ACCESSTOKEN",
	"BUILDKITE_AGENT_ACCESS_TOKEN",
}

// ciSecretPrefixes name whole families of CI-internal variables. Their
// names are secret-bearing (never interpolated), but only the token
// variables listed above have values worth redacting: the others are URLs
// and switches that would only mangle output.
var ciSecretPrefixes = []string{"ACTIONS_"}

// IsSecretVar reports whether the variable name holds a credential of
// riskctl or of the CI system it runs in.
func IsSecretVar(name string) bool {
	if slices.Contains(CredentialVars, name) || slices.Contains(CISecretVars, name) || slices.Contains(URLSecretVars, name) {
		return true
	}
	for _, p := range ciSecretPrefixes {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

// EnvSecrets returns the values of CredentialVars and CISecretVars that
// getenv (os.Getenv, or a test's map) finds set, and the secret parts
// (URLSecrets) of the URLs in URLSecretVars: the secrets a run holds
// whether or not it uses them.
func EnvSecrets(getenv func(string) string) []string {
	var out []string
	for _, name := range slices.Concat(CredentialVars, CISecretVars) {
		if v := getenv(name); v != "" {
			out = append(out, v)
		}
	}
	for _, name := range URLSecretVars {
		for _, u := range strings.Split(getenv(name), ",") {
			if u = strings.TrimSpace(u); u != "" {
				out = append(out, URLSecrets(u)...)
			}
		}
	}
	return out
}
