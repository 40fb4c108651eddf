package notify

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/riskctl/riskctl/internal/apply"
	"github.com/riskctl/riskctl/internal/assess"
	"github.com/riskctl/riskctl/internal/plan"
	"github.com/riskctl/riskctl/internal/reconcile"
	"github.com/riskctl/riskctl/internal/report"
	"github.com/riskctl/riskctl/internal/state"
	"github.com/riskctl/riskctl/internal/textutil"
)

// FormatVersion is the version of the "riskctl" object of a message. It
// changes only when a field is removed or changes meaning.
const FormatVersion = "1"

// Message is the body posted to every webhook: a Slack incoming-webhook
// message (text, and blocks that show the same) with the structured
// result under "riskctl", which Slack ignores and other receivers read.
type Message struct {
	Text    string  `json:"text"`
	Blocks  []Block `json:"blocks"`
	Riskctl Result  `json:"riskctl"`
}

// Block is a Slack layout block: a "section" with mrkdwn text, or a
// "context" with mrkdwn elements.
type Block struct {
	Type     string     `json:"type"`
	Text     *TextPart  `json:"text,omitempty"`
	Elements []TextPart `json:"elements,omitempty"`
}

// TextPart is a Slack text object.
type TextPart struct {
	Type string `json:"type"` // "mrkdwn"
	Text string `json:"text"`
}

// Result is the structured outcome a message carries.
type Result struct {
	FormatVersion  string          `json:"format_version"`
	Command        string          `json:"command"` // plan, apply or drift
	Status         string          `json:"status"`  // the run's (reconcile.Status)
	Events         []Event         `json:"events"`  // what the message is about, most urgent first
	Cleared        []Event         `json:"cleared_events,omitempty"`
	RiskctlVersion string          `json:"riskctl_version"`
	Emulated       bool            `json:"emulated"` // against riskctl's embedded emulator (--emulate), not Cloudflare
	RunURL         string          `json:"run_url,omitempty"`
	Actor          string          `json:"actor,omitempty"`
	Digest         string          `json:"digest"` // of the outcome, as the state file keeps it
	Summary        Counts          `json:"summary"`
	Refusal        string          `json:"refusal,omitempty"`
	Error          string          `json:"error,omitempty"`
	Accounts       []AccountResult `json:"accounts"`
}

// Counts are a plan's changes by action, the weakening ones, the
// findings, and (apply) what was applied, failed and skipped.
type Counts struct {
	Add       int `json:"add"`
	Change    int `json:"change"`
	Replace   int `json:"replace"`
	Destroy   int `json:"destroy"`
	Weakening int `json:"weakening"`
	Findings  int `json:"findings"`
	Applied   int `json:"applied"`
	Failed    int `json:"failed"`
	Skipped   int `json:"skipped"`
}

// AccountResult is one account's part of a Result.
type AccountResult struct {
	AccountID string `json:"account_id"`
	Status    string `json:"status"`
	Summary   Counts `json:"summary"`
	// Changes are the plan's (drift: how live differs), at most
	// maxChanges; ChangesMore counts the others.
	Changes     []ChangeResult   `json:"changes"`
	ChangesMore int              `json:"changes_more,omitempty"`
	Findings    []assess.Finding `json:"findings"`
	Error       string           `json:"error,omitempty"`
}

// ChangeResult is one change: its action, object and changed fields
// (live and spec values), the class of the change as apply makes it
// (drift: the class of restoring the spec), and (apply) how it ended.
type ChangeResult struct {
	Action   plan.Action   `json:"action"`
	Resource plan.Resource `json:"resource"`
	Key      string        `json:"key"`
	Title    string        `json:"title"`
	Class    string        `json:"apply_class"`
	Fields   []FieldResult `json:"fields"`
	Status   apply.Status  `json:"status,omitempty"`
}

// FieldResult is one changed field: live is the account's value, spec
// the spec's.
type FieldResult struct {
	Field string `json:"field"`
	Live  string `json:"live"`
	Spec  string `json:"spec"`
}

// Limits that keep a message short and inside Slack's (a section's text
// is at most 3000 characters, a message at most 50 blocks): what is left
// out is counted.
const (
	maxItems    = 8    // list lines per section
	maxField    = 160  // characters of one outside string (a name, a value)
	maxSentence = 400  // characters of one line of an error or refusal
	maxSection  = 2900 // characters of one section
	maxChanges  = 100  // changes per account in the structured result
	maxAccounts = 3    // account ids named in a title
)

// esc is the one escaping rule for outside text (ids, keys, values, error
// messages from a server) in a message's text: on one line, through
// textutil.Visible (no control, bidi or zero-width character; no leading
// "::"), cut to maxField characters, then with Slack mrkdwn's three
// control characters escaped (&, <, >), so data can neither mention
// (<!channel>), link (<url|text>) nor break the message.
func esc(s string) string { return escCut(s, maxField) }

// escCut is esc cutting at limit characters.
func escCut(s string, limit int) string {
	s = textutil.Visible(textutil.OneLine(s))
	if utf8.RuneCountInString(s) > limit {
		s = string([]rune(s)[:limit-1]) + "…"
	}
	return mrkdwn.Replace(s)
}

// errorLines are an error's lines as list items, each through esc: a
// refusal's sentence, then the changes it names.
func errorLines(prefix string, err error) []string {
	var out []string
	for _, l := range strings.Split(textutil.JoinLines(strings.TrimSpace(err.Error()), "\n"), "\n") {
		l = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(l), "- "))
		if l == "" {
			continue
		}
		if len(out) == 0 {
			l = prefix + l
		}
		out = append(out, "• "+escCut(l, maxSentence))
	}
	return out
}

var mrkdwn = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// Build makes the message about run: a title named by the first of
// events, a section per event, and a footer (version, command, who
// started it, where to read the run). cleared are the events of the last
// message that are gone (events then ends with EventCleared); digest is
// the outcome's (Digest).
func Build(run Run, events, cleared []Event, digest, version string) Message {
	r := run.Report
	res := result(run, events, digest, version)
	res.Cleared = cleared
	var sections []string
	title := titleOf(run, events, cleared)
	if r.Emulated {
		// A message from a dry run must not read as a real account's.
		title = "[emulated] " + title
	}
	for _, e := range events {
		if s := section(run, e, cleared); s != "" {
			sections = append(sections, s)
		}
	}
	footer := fmt.Sprintf("riskctl %s · %s", esc(version), esc(string(r.Kind)))
	if run.Actor != "" && r.Kind != report.KindDrift {
		footer += " · started by " + esc(run.Actor)
	}
	if run.RunURL != "" {
		footer += " · run: " + esc(run.RunURL)
	}
	m := Message{Riskctl: res}
	m.Blocks = append(m.Blocks, Block{Type: "section", Text: &TextPart{Type: "mrkdwn", Text: title}})
	for _, s := range sections {
		m.Blocks = append(m.Blocks, Block{Type: "section", Text: &TextPart{Type: "mrkdwn", Text: s}})
	}
	m.Blocks = append(m.Blocks, Block{Type: "context", Elements: []TextPart{{Type: "mrkdwn", Text: footer}}})
	m.Text = strings.Join(slices.Concat([]string{title}, sections, []string{footer}), "\n\n")
	return m
}

// accountsPhrase names ids: "account A", "accounts A, B", "accounts A, B,
// C and 2 more".
func accountsPhrase(ids []string) string {
	switch len(ids) {
	case 0:
		return "the account"
	case 1:
		return "account " + esc(ids[0])
	}
	shown := ids
	more := ""
	if len(ids) > maxAccounts {
		shown, more = ids[:maxAccounts], fmt.Sprintf(" and %d more", len(ids)-maxAccounts)
	}
	names := make([]string, len(shown))
	for i, id := range shown {
		names[i] = esc(id)
	}
	return "accounts " + strings.Join(names, ", ") + more
}

// accountsWhere lists the ids of r's accounts for which keep holds.
func accountsWhere(r report.Report, keep func(report.Account) bool) []string {
	var ids []string
	for _, a := range r.Accounts {
		if keep(a) {
			ids = append(ids, a.ID())
		}
	}
	return ids
}

func allAccounts(report.Account) bool { return true }

// titleOf is the message's first line, named by its first event.
func titleOf(run Run, events, cleared []Event) string {
	r := run.Report
	if len(events) == 0 {
		return "*riskctl " + string(r.Kind) + "*: nothing to report"
	}
	switch events[0] {
	case EventApplyFailed:
		failed := accountsWhere(r, func(a report.Account) bool { return a.Err != nil })
		if run.Status == reconcile.StatusPartial {
			s := totals(r)
			return fmt.Sprintf(":rotating_light: *riskctl apply failed part way* in %s: %d of %d changes applied, the account is between the old and the new spec",
				accountsPhrase(failed), s.Applied, s.Applied+s.Failed+s.Skipped)
		}
		if len(failed) == 0 {
			return ":rotating_light: *riskctl apply failed*: nothing was applied"
		}
		return ":rotating_light: *riskctl apply failed* in " + accountsPhrase(failed) + ": nothing was applied there"
	case EventApplyRefused:
		return ":no_entry: *riskctl apply refused* for " + accountsPhrase(accountsWhere(r, report.Account.HasChanges)) + ": nothing was changed"
	case EventApplyWeakened:
		w := weakenedApplied(r)
		var ids []string
		for _, c := range w {
			if !slices.Contains(ids, c.account) {
				ids = append(ids, c.account)
			}
		}
		return fmt.Sprintf(":warning: *riskctl apply weakened detection* in %s: %s applied", accountsPhrase(ids), plural(len(w), "weakening change", "weakening changes"))
	case EventDrift:
		drifted := accountsWhere(r, func(a report.Account) bool { return a.Err == nil && a.Drifted() })
		what := "an active integration no spec manages sends risk scores"
		if n := driftCount(r); n > 0 {
			what = plural(n, "object differs", "objects differ") + " from the spec"
		}
		return ":warning: *Drift* in " + accountsPhrase(drifted) + ": " + what
	case EventDriftCheckFailed:
		failed := accountsWhere(r, func(a report.Account) bool { return a.Err != nil })
		return ":grey_question: *riskctl drift could not check* " + accountsPhrase(failed) + ": drift there is unknown"
	case EventFindings:
		with := accountsWhere(r, func(a report.Account) bool { return len(a.Findings) > 0 })
		return fmt.Sprintf(":warning: *Risk-score wiring broken* in %s: %s", accountsPhrase(with), plural(totals(r).Findings, "finding", "findings"))
	case EventCleared:
		ids := accountsWhere(r, allAccounts)
		switch {
		case r.Kind == report.KindDrift && slices.Contains(cleared, EventDrift):
			return ":white_check_mark: *Drift cleared* in " + accountsPhrase(ids) + ": live matches the spec again"
		case r.Kind == report.KindApply:
			return ":white_check_mark: *riskctl apply back to normal* in " + accountsPhrase(ids)
		}
		return ":white_check_mark: *Resolved* in " + accountsPhrase(ids) + ": " + eventsPhrase(cleared) + " no longer found"
	}
	return "*riskctl " + string(r.Kind) + "*"
}

// section is the paragraph of one event: what happened, item by item,
// and what to do next.
func section(run Run, e Event, cleared []Event) string {
	r := run.Report
	var lines []string
	var next string
	switch e {
	case EventApplyFailed:
		if run.Err != nil {
			lines = append(lines, errorLines("", run.Err)...)
		}
		for _, a := range r.Accounts {
			if a.Err != nil {
				lines = append(lines, errorLines("account "+a.ID()+": ", a.Err)...)
			}
		}
		next = "Run `riskctl plan` to see what is left, fix the cause above, then apply again."
	case EventApplyRefused:
		if run.Refusal != nil {
			lines = append(lines, errorLines("", run.Refusal)...)
		} else if run.Err != nil {
			lines = append(lines, errorLines("", run.Err)...)
		}
		next = "Nothing was changed. If the change is intended, approve it in a reviewed run (`--approve-weakening`, a higher `--max-deletes`, a fresh saved plan); otherwise fix the spec."
	case EventApplyWeakened:
		w := weakenedApplied(r)
		for _, c := range w {
			line := "• " + esc(c.result.Change.Title())
			if len(r.Accounts) > 1 {
				line += " (account " + esc(c.account) + ")"
			}
			if what := weakenedWhat(c.result.Change); what != "" {
				line += ": " + esc(what)
			}
			lines = append(lines, line)
		}
		next = "It was approved with `--approve-weakening`. Confirm the change was reviewed; if not, revert the spec and apply."
	case EventDrift:
		named := false
		for _, a := range r.Accounts {
			if a.Err != nil || a.Plan == nil {
				continue
			}
			for i, c := range a.Plan.Changes {
				line := "• " + driftLine(c)
				if len(r.Accounts) > 1 {
					line += " (account " + esc(a.ID()) + ")"
				}
				// Who changed it, from the audit log (docs/attribution.md),
				// said as the report says it.
				if at, ok := a.Attribution[i]; ok && len(at.ChangedBy) > 0 {
					line += " — " + report.WhoChanged(c, at, esc)
					named = true
				}
				lines = append(lines, line)
			}
		}
		next = "Find who changed it (the account's audit log), then restore the spec with `riskctl apply`, or change the spec if the change was intended."
		if named {
			next = "Ask whoever changed it (above) whether it was intended: if not, restore the spec with `riskctl apply`; if so, change the spec."
		}
	case EventDriftCheckFailed:
		for _, a := range r.Accounts {
			if a.Err != nil {
				lines = append(lines, errorLines("account "+a.ID()+": ", a.Err)...)
			}
		}
		if run.Err != nil {
			lines = append(lines, errorLines("", run.Err)...)
		}
		next = "Drift is unknown until the check runs: fix the cause (credentials, permissions, the spec) and run `riskctl drift` again."
	case EventFindings:
		for _, a := range r.Accounts {
			for _, f := range a.Findings {
				line := "• " + esc(f.Detail)
				if len(r.Accounts) > 1 {
					line += " (account " + esc(a.ID()) + ")"
				}
				lines = append(lines, line)
			}
		}
		next = findingsNext(r)
	case EventCleared:
		lines = append(lines, "*Cleared* since the last message: "+eventsPhrase(cleared)+".")
		if len(Events(run)) == 0 {
			next = "Nothing to do."
		}
	}
	if len(lines) > maxItems+1 {
		more := len(lines) - maxItems
		lines = append(lines[:maxItems], fmt.Sprintf("• … and %d more (see the run's report)", more))
	}
	s := strings.Join(lines, "\n")
	if next != "" {
		s += "\n*Next:* " + next
	}
	if utf8.RuneCountInString(s) > maxSection {
		s = string([]rune(s)[:maxSection-1]) + "…"
	}
	return s
}

// driftCount counts the changes of the accounts that were checked.
func driftCount(r report.Report) int {
	n := 0
	for _, a := range r.Accounts {
		if a.Err == nil && a.Plan != nil {
			n += len(a.Plan.Changes)
		}
	}
	return n
}

// findingsNext is what to do about r's findings, by kind.
func findingsNext(r report.Report) string {
	var unmanaged, wiring bool
	for _, a := range r.Accounts {
		for _, f := range a.Findings {
			if f.Kind == assess.KindUnmanagedActiveIntegration {
				unmanaged = true
			} else {
				wiring = true
			}
		}
	}
	var next []string
	if unmanaged {
		next = append(next, "Find who owns the unmanaged integration: add it to the spec, or deactivate it.")
	}
	if wiring {
		next = append(next, "Point each integration at its tenant's Okta identity provider in Access (its reference_id and tenant_url), or fix the identity provider.")
	}
	return strings.Join(next, " ")
}

// driftLine says how live differs from the spec for one change (its
// Before is live, its After the spec's).
func driftLine(c plan.Change) string {
	title := esc(c.Title())
	switch c.Action {
	case plan.Create:
		return title + ": in the spec, missing from the account"
	case plan.Delete:
		return title + ": in the account, not in the spec (apply deletes it: prune)"
	}
	var diffs []string
	for _, f := range c.Fields {
		diffs = append(diffs, fmt.Sprintf("%s: live %s, desired %s", esc(f.Field),
			esc(plan.DisplayValue(f.Field, f.Before)), esc(plan.DisplayValue(f.Field, f.After))))
	}
	if len(diffs) == 0 {
		return title + ": differs from the spec"
	}
	return title + " " + strings.Join(diffs, "; ")
}

// weakenedWhat says what a change weakens (its weakening effects).
func weakenedWhat(c plan.Change) string {
	var whats []string
	for _, e := range c.Effects() {
		if e.Class == state.Weakening && e.What != "" {
			whats = append(whats, e.What)
		}
	}
	return strings.Join(whats, "; ")
}

// eventsPhrase names events for people: "drift, findings".
func eventsPhrase(events []Event) string {
	if len(events) == 0 {
		return "none"
	}
	names := make([]string, len(events))
	for i, e := range events {
		names[i] = strings.ReplaceAll(string(e), "_", " ")
	}
	return strings.Join(names, ", ")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// totals adds up the counts of every account.
func totals(r report.Report) Counts {
	var c Counts
	for _, a := range r.Accounts {
		ac := countsOf(a)
		c.Add += ac.Add
		c.Change += ac.Change
		c.Replace += ac.Replace
		c.Destroy += ac.Destroy
		c.Weakening += ac.Weakening
		c.Findings += ac.Findings
		c.Applied += ac.Applied
		c.Failed += ac.Failed
		c.Skipped += ac.Skipped
	}
	return c
}

func countsOf(a report.Account) Counts {
	s := a.Summary()
	c := Counts{Add: s.Add, Change: s.Change, Replace: s.Replace, Destroy: s.Destroy, Weakening: s.Weakening, Findings: len(a.Findings)}
	if a.Result != nil {
		c.Applied, c.Failed, c.Skipped = a.Result.Applied, a.Result.Failed, a.Result.Skipped
	}
	return c
}

// result is the structured part of the message.
func result(run Run, events []Event, digest, version string) Result {
	r := run.Report
	res := Result{
		FormatVersion:  FormatVersion,
		Command:        string(r.Kind),
		Status:         run.Status.String(),
		Events:         append([]Event{}, events...),
		RiskctlVersion: version,
		Emulated:       r.Emulated,
		RunURL:         run.RunURL,
		Digest:         digest,
		Summary:        totals(r),
		Accounts:       []AccountResult{},
	}
	if r.Kind != report.KindDrift {
		res.Actor = run.Actor
	}
	if run.Refusal != nil {
		res.Refusal = textutil.OneLine(run.Refusal.Error())
	}
	if run.Err != nil {
		res.Error = textutil.OneLine(run.Err.Error())
	}
	for _, a := range r.Accounts {
		ar := AccountResult{AccountID: a.ID(), Status: a.Status.String(), Summary: countsOf(a), Changes: []ChangeResult{}, Findings: append([]assess.Finding{}, a.Findings...)}
		if a.Err != nil {
			ar.Error = textutil.OneLine(a.Err.Error())
		}
		if a.Plan != nil {
			for i, c := range a.Plan.Changes {
				if i == maxChanges {
					ar.ChangesMore = len(a.Plan.Changes) - maxChanges
					break
				}
				cr := ChangeResult{Action: c.Action, Resource: c.Resource, Key: c.Key, Title: c.Title(), Class: string(c.Class()), Fields: []FieldResult{}}
				for _, f := range c.Fields {
					cr.Fields = append(cr.Fields, FieldResult{Field: f.Field, Live: f.Before, Spec: f.After})
				}
				if a.Result != nil && i < len(a.Result.Actions) {
					cr.Status = a.Result.Actions[i].Status
				}
				ar.Changes = append(ar.Changes, cr)
			}
		}
		res.Accounts = append(res.Accounts, ar)
	}
	return res
}
