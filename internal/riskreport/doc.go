// Package riskreport is `riskctl users report`: a picture of user risk
// across an account. Collect reads the account's risk summary and, for at
// most Options.MaxUsers users (highest risk first), their risk events,
// through the API client (remote.API, so the run's request budget paces
// every read), and aggregates them into a Report: users by highest level,
// events by behavior, events per day over a window, and the users at the
// highest level with their latest events. WriteMarkdown renders it as
// GitHub-flavoured Markdown with Mermaid charts; WriteHTML as one
// self-contained HTML page with the same charts as inline SVG.
//
// Names and emails are personal data, and a report is often published
// where a whole organization reads it (a CI step summary): Collect
// keeps them only with Options.ShowUsers, so no renderer can print what
// the Report does not hold.
//
// Every string from outside (names, emails, behavior and level names from
// the server) is escaped for the context it lands in: textutil.Visible
// first (the one rule for outside text, docs/security.md), then a Markdown
// code span (mdCode), a Mermaid label (mermaidLabel) or HTML (html/template's
// contextual escaping).
package riskreport
