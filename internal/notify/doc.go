// Package notify posts one message about a run of plan, apply or drift to
// webhooks (--notify URL), when its outcome matters to the people on call:
// drift found or cleared, an apply refused, one that weakened detection or
// failed, a new wiring finding (docs/notifications.md).
//
// It is a render-side step: it reads the outcome the engine returned (a
// report.Report and the run's status) and never changes it, nor the run's
// exit code. It owns:
//
//   - the message (message.go): a Slack incoming-webhook body (text and
//     blocks, every outside string through one escaping rule, mrkdwn) that
//     also carries the structured result under "riskctl" for other
//     receivers;
//   - which runs say something, and the state file that keeps a repeated
//     outcome quiet (state.go, --notify-state);
//   - the webhook URLs (url.go): a URL is a secret, so it is checked
//     without being echoed (https://, or http:// to loopback only), its
//     secret parts are registered for redaction (Secrets), and it is shown
//     as Display, scheme and host only;
//   - delivery (send.go): a few short attempts, bounded in all, reported
//     on the warning writer when they fail.
package notify
