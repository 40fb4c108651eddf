package cli

import (
	"context"
	"os"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/riskctl/riskctl/internal/notify"
	"github.com/riskctl/riskctl/internal/reconcile"
	"github.com/riskctl/riskctl/internal/redact"
	"github.com/riskctl/riskctl/internal/report"
)

// Notifications (--notify, docs/notifications.md): plan, apply and drift
// post one message about their outcome to webhooks, after the outcome is
// rendered; the message never changes the exit code.

// envNotifyURL holds the webhook URLs when --notify is not given, several
// separated by commas. It is a secret (redact.URLSecretVars).
const envNotifyURL = "RISKCTL_NOTIFY_URL"

// notifyFlags are --notify and --notify-state. The URL's secret parts are
// added to the run's redaction as soon as the flag is parsed, before any
// error could print it (those from the environment are from the start:
// redact.EnvSecrets).
func (g *globals) notifyFlags() []ucli.Flag {
	return []ucli.Flag{
		&ucli.StringSliceFlag{Name: "notify", EnvVars: []string{envNotifyURL},
			Usage: "post a message to this webhook (a Slack incoming webhook, or any receiver of JSON) when the outcome matters: drift found or cleared, an apply refused, weakening or failed, a broken wiring (repeatable; the URL is a secret: prefer the env var)",
			Action: func(_ *ucli.Context, urls []string) error {
				for _, u := range urls {
					g.secrets.Add(redact.URLSecrets(strings.TrimSpace(u))...)
				}
				return nil
			}},
		&ucli.StringFlag{Name: "notify-state", TakesFile: true,
			Usage: "with --notify: send only when the outcome changed since the last message sent (or cleared); this file remembers it between runs"},
	}
}

// notifyOptions are --notify and --notify-state, checked.
type notifyOptions struct {
	URLs      []string // --notify / RISKCTL_NOTIFY_URL: https://, or http:// to loopback
	StatePath string   // --notify-state ("": every outcome that matters is sent)
}

// notifyOptionsFrom reads --notify and --notify-state; a URL that may not
// be used is a usage error (exit 3), before any request. The error names
// the URL by its place, never by its text: it is a secret.
// --notify-state without a URL does nothing, so a scheduled job can always
// pass it and notify only where the secret is set.
func notifyOptionsFrom(c *ucli.Context) (notifyOptions, error) {
	o := notifyOptions{StatePath: c.String("notify-state")}
	for i, u := range c.StringSlice("notify") {
		if u = strings.TrimSpace(u); u == "" {
			continue
		}
		if err := notify.CheckURL(u); err != nil {
			return notifyOptions{}, usageErrorf("--notify (URL %d, from the flag or %s): %v", i+1, envNotifyURL, err)
		}
		o.URLs = append(o.URLs, u)
	}
	return o, nil
}

// notify posts the outcome of a run of kind to the webhooks of o: a step
// after rendering, like the report, that never changes the run's exit
// code. What went wrong is said on stderr.
func (g *globals) notify(ctx context.Context, o notifyOptions, kind report.Kind, out reconcile.Outcome) {
	if len(o.URLs) == 0 {
		return
	}
	r := g.newReport(kind, out.Accounts)
	run := notify.Run{Report: r, Status: out.Status, Refusal: out.Refusal, RunURL: runURL(os.Getenv), Actor: runActor(os.Getenv)}
	if out.Err != nil {
		run.Err = g.explain(out.Err, out.ErrAccount)
	}
	notify.Notify(ctx, run, notify.Options{
		URLs:      o.URLs,
		StatePath: o.StatePath,
		Version:   Version(),
		Warn:      g.streams.Err,
		Filter:    g.secrets.Bytes,
	})
}

// runURL is the page of the CI job running riskctl, for a message to
// link: GitHub Actions' run, GitLab's job; "" elsewhere.
func runURL(getenv func(string) string) string {
	if server, repo, id := getenv("GITHUB_SERVER_URL"), getenv("GITHUB_REPOSITORY"), getenv("GITHUB_RUN_ID"); server != "" && repo != "" && id != "" {
		return strings.TrimRight(server, "/") + "/" + repo + "/actions/runs/" + id
	}
	return getenv("CI_JOB_URL")
}

// runActor is who started the CI job running riskctl: GitHub Actions'
// actor, GitLab's user; "" elsewhere.
func runActor(getenv func(string) string) string {
	if a := getenv("GITHUB_ACTOR"); a != "" {
		return a
	}
	return getenv("GITLAB_USER_LOGIN")
}
