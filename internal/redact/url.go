package redact

import (
	"net/url"
	"strings"
)

// URLSecretVars are the environment variables that hold URLs whose
// secret parts are redacted (URLSecrets): the webhooks riskctl posts
// notifications to (docs/notifications.md), several separated by commas.
var URLSecretVars = []string{"RISKCTL_NOTIFY_URL"}

// URLSecrets returns the parts of a URL that are secret, to Add to a
// Set: its user info, and everything after the host (path, query,
// fragment), where a Slack incoming webhook and most other receivers keep
// their credential. The scheme and host are not: they name a service and
// are shown (notify.Display), so redacting them would hide which receiver
// failed. Each part is matched as a credential is, partial echoes
// included, so a URL printed whole by any error shows its host and
// Replacement. A value that does not parse as a URL with a host is
// returned whole.
func URLSecrets(raw string) []string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return []string{raw}
	}
	var out []string
	if u.User != nil {
		out = append(out, u.User.String())
		if p, ok := u.User.Password(); ok {
			out = append(out, p)
		}
	}
	if i := strings.Index(raw, u.Host); i >= 0 {
		out = append(out, raw[i+len(u.Host):])
	}
	// The same parts as Go writes them back (escaped perhaps otherwise
	// than typed), for an error that quotes the parsed URL.
	out = append(out, u.EscapedPath(), u.Path, u.RawQuery, u.Fragment)
	return out
}
