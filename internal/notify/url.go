package notify

import (
	"errors"
	"net/url"
	"strings"

	"github.com/riskctl/riskctl/internal/remote"
	"github.com/riskctl/riskctl/internal/textutil"
)

// CheckURL reports why raw may not be a webhook URL, nil when it may. The
// error never holds raw or any part of it but the scheme: the URL is a
// secret (a Slack webhook URL is its own credential), and an error is
// printed. Plain http:// is refused except to a loopback host (a local
// relay): anywhere else it would send the URL and the message in
// cleartext.
func CheckURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return errors.New("not a URL")
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
	case "http":
		if !remote.IsLoopback(u.Hostname()) {
			return errors.New("http:// would send the webhook URL and the message in cleartext; use https:// (http:// is allowed only to localhost or a loopback address)")
		}
	default:
		return errors.New("expected an https:// URL")
	}
	if u.Host == "" || u.Hostname() == "" {
		return errors.New("the URL has no host")
	}
	return nil
}

// Display is how a webhook URL is shown: its scheme and host, the rest
// (where a webhook keeps its secret) elided, e.g.
// "https://hooks.slack.com/…(redacted)". raw must have passed CheckURL.
func Display(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "(a webhook URL, redacted)"
	}
	return textutil.Visible(strings.ToLower(u.Scheme) + "://" + u.Host + "/…(redacted)")
}
