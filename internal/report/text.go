package report

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/riskctl/riskctl/internal/apply"
	"github.com/riskctl/riskctl/internal/plan"
	"github.com/riskctl/riskctl/internal/textutil"
)

// ANSI colours: the only ones riskctl writes (see TextOptions).
const (
	ansiReset   = "\x1b[0m"
	ansiBold    = "\x1b[1m"
	ansiRed     = "\x1b[31m"
	ansiGreen   = "\x1b[32m"
	ansiYellow  = "\x1b[33m"
	ansiMagenta = "\x1b[35m"
)

// driftStyle is the symbol (right-aligned in 3 columns, as in plan text)
// and colour of a drift line per action. A missing object is drift, a
// problem like a changed one: yellow, never an add's green.
var driftStyle = map[plan.Action]struct{ symbol, color string }{
	plan.Create:  {"  +", ansiYellow},
	plan.Update:  {"  ~", ansiYellow},
	plan.Replace: {"-/+", ansiMagenta},
	plan.Delete:  {"  -", ansiRed},
}

var statusColor = map[apply.Status]string{
	apply.StatusApplied: ansiGreen,
	apply.StatusFailed:  ansiRed,
	apply.StatusSkipped: ansiYellow,
}

// TextOptions steer WriteText.
type TextOptions struct {
	// Color adds ANSI colours to action symbols, headers and results. The
	// caller decides: only on a terminal, never with NO_COLOR or
	// --no-color.
	Color bool
}

// WriteText writes r for people. Accounts come in order, each under a
// "=== account ID (files) ===" heading when there are several. A plan or
// apply account is its plan in the style of terraform plan (plantext.go) (apply adds one
// line per action result); a drift account is worded as drift, one line per
// drifted field. Partial plans, ignored differences and account errors are
// said explicitly. Nothing is written when rendering fails.
func WriteText(w io.Writer, r Report, opts TextOptions) error {
	t := textWriter{color: opts.Color}
	multi := len(r.Accounts) > 1
	if r.Emulated {
		t.printf("%s\n\n", t.paint(emulatedNote, ansiBold))
	}
	if len(r.Accounts) == 0 {
		t.printf("No accounts.\n")
	}
	if r.Kind == KindPlan {
		t.weakeningBanner(r.weakening())
	}
	for i, a := range r.Accounts {
		if i > 0 {
			t.printf("\n")
		}
		if multi {
			t.printf("%s\n\n", t.paint("=== "+accountHeading(a)+" ===", ansiBold))
		}
		if err := t.account(r.Kind, a); err != nil {
			return err
		}
	}
	if multi {
		t.printf("\n%s\n", textTotals(r))
	}
	_, err := w.Write(t.b.Bytes())
	return err
}

// accountHeading reads "account ID (a.yaml, b.yaml)".
func accountHeading(a Account) string {
	s := "account " + displayID(a.ID())
	if len(a.SpecFiles) > 0 {
		s += " (" + strings.Join(a.SpecFiles, ", ") + ")"
	}
	return textutil.OneLine(s)
}

func displayID(id string) string {
	if id == "" {
		return "(no account id)"
	}
	return id
}

// textTotals is the last line of a multi-account report.
func textTotals(r Report) string {
	head := "Total (" + plural(len(r.Accounts), "account", "accounts")
	if n := r.failed(); n > 0 {
		head += fmt.Sprintf(", %d failed", n)
	}
	head += "): "
	switch r.Kind {
	case KindDrift:
		drifted, inSync := 0, 0
		for _, a := range r.Accounts {
			switch {
			case a.Plan == nil:
			case a.Drifted():
				drifted++
			default:
				inSync++
			}
		}
		return head + fmt.Sprintf("%d with drift, %d in sync.", drifted, inSync)
	case KindApply:
		return head + summaryLine(r.Totals()) + " Apply: " + r.tally().counts() + "."
	}
	return head + summaryLine(r.Totals())
}

// WriteApplyResult writes the line that closes an apply's text, after its
// progress and report, in Terraform's words: "Apply complete! 2 added, 3
// changed, 0 replaced, 1 destroyed." only when every action of every
// account applied, else "Apply incomplete:" with the same counts of what
// was applied, then what failed and what was not started. An emulated
// run says so on the next line.
func WriteApplyResult(w io.Writer, r Report) error {
	text := "\n" + r.tally().line() + "\n"
	if r.Emulated {
		text += emulatedNote + "\n"
	}
	_, err := io.WriteString(w, text)
	return err
}

// WriteApplyCancelled writes what closes an apply whose approval was
// answered with anything but "yes": Terraform's line, not an error.
func WriteApplyCancelled(w io.Writer) error {
	_, err := io.WriteString(w, "\nApply cancelled.\n")
	return err
}

// WriteResetCancelled is WriteApplyCancelled for users reset: the answer
// was not "yes", so nothing was reset.
func WriteResetCancelled(w io.Writer) error {
	_, err := io.WriteString(w, "\nReset cancelled.\n")
	return err
}

// weakeningBanner opens a plan with its weakening changes, the first
// maxBannerItems of total, each on one line with its invisible characters
// made visible, then a blank line.
func (t *textWriter) weakeningBanner(items []weakeningItem, total int) {
	if total == 0 {
		return
	}
	t.printf("%s %s %s\n", t.paint("Warning:", ansiBold+ansiYellow), weakeningLead(total), weakeningRule)
	for _, it := range items {
		t.printf("  - %s: %s\n", textutil.Visible(textutil.OneLine(it.title)), textutil.Visible(textutil.OneLine(it.what)))
	}
	if more := total - len(items); more > 0 {
		t.printf("  … and %d more (--format json gives every change's class)\n", more)
	}
	t.printf("\n")
}

type textWriter struct {
	b     bytes.Buffer
	color bool
	// alarm: the account being written has an active integration no spec
	// manages, which drift reports as drift.
	alarm bool
	// whoOf is who changed the change at an index of the account's plan
	// (attribution.go): "" when nothing is to be said.
	whoOf func(i int, c plan.Change) string
}

// who is whoOf, "" when the writer has none.
func (t *textWriter) who(i int, c plan.Change) string {
	if t.whoOf == nil {
		return ""
	}
	return t.whoOf(i, c)
}

func (t *textWriter) printf(format string, args ...any) { fmt.Fprintf(&t.b, format, args...) }

func (t *textWriter) paint(s, color string) string {
	if !t.color || color == "" {
		return s
	}
	return color + s + ansiReset
}

func (t *textWriter) account(kind Kind, a Account) error {
	if p := a.Plan; p != nil {
		t.alarm = a.HasUnmanagedActive()
		t.meaning(a) // findings and Access impact first
		// The plan text says itself that a plan is partial and lists
		// the ignored differences; the count follows it, so that ignoring
		// is never silent. drift says it all in its own words.
		t.whoOf = func(i int, c plan.Change) string { return textWho(kind, a, i, c) } // attribution.go
		defer func() { t.whoOf = nil }()
		if kind == KindDrift {
			if err := t.drift(*p); err != nil {
				return err
			}
		} else {
			if err := t.plan(*p); err != nil {
				return err
			}
			if len(p.Ignored) > 0 {
				t.printf("\n%s.\n", ignoredLine(len(p.Ignored)))
			}
		}
		if note := textAuditNote(a); note != "" {
			t.printf("\n%s\n", note)
		}
	}
	if kind == KindApply && a.Result != nil {
		t.results(*a.Result)
	}
	if a.Err != nil {
		if a.Plan != nil || a.Result != nil {
			t.printf("\n")
		}
		t.printf("%s account %s: %s\n", t.paint("Error:", ansiRed), displayID(a.ID()), strings.TrimRight(a.Err.Error(), "\n"))
	}
	return nil
}

// drift words a plan as drift: one line per drifted field.
func (t *textWriter) drift(p plan.Plan) error {
	account := displayID(p.AccountID)
	if len(p.Targets) > 0 {
		t.printf("%s partial plan (targets: %s): other differences are not shown.\n\n",
			t.paint("Warning:", ansiYellow), textutil.OneLine(strings.Join(p.Targets, ", ")))
	}
	switch {
	case !p.HasChanges() && t.alarm:
		t.printf("%s", driftByFindings(account))
	case !p.HasChanges() && len(p.Targets) > 0:
		t.printf("No drift: the targeted objects of account %s match the spec.\n", account)
	case !p.HasChanges():
		t.printf("No drift: account %s matches the spec.\n", account)
	default:
		t.printf("Drift detected on account %s:\n", account)
		for i, c := range p.Changes {
			style, ok := driftStyle[c.Action]
			if !ok {
				return fmt.Errorf("report: cannot render action %q", c.Action)
			}
			sym := t.paint(style.symbol, style.color)
			name := c.Title()
			switch c.Action {
			case plan.Create:
				t.printf("%s %s: missing from the account (desired %s)\n", sym, name, fieldList(c.Fields, false))
			case plan.Delete:
				live := fieldList(c.Fields, true)
				if id := c.LiveID(); id != "" && c.Key != "" {
					live = fmt.Sprintf("id %q, %s", id, live)
				}
				t.printf("%s %s: not in the spec (live %s)\n", sym, name, live)
			default:
				for _, f := range c.Fields {
					line := fmt.Sprintf("%s %s %s: live %s, desired %s", sym, name, f.Field,
						plan.FormatValue(f.Field, f.Before), plan.FormatValue(f.Field, f.After))
					if c.Action == plan.Replace && plan.ForcesReplacement(f.Field) {
						line += " (forces replacement)"
					}
					t.printf("%s\n", line)
				}
			}
			if who := t.who(i, c); who != "" {
				t.printf("      %s\n", who)
			}
		}
	}
	t.unmanaged(p)
	if len(p.Ignored) > 0 {
		t.printf("\n%s:\n", ignoredLine(len(p.Ignored)))
		for _, d := range p.Ignored {
			name := fmt.Sprintf("%s %q", d.Resource, d.Key)
			t.printf("  %s %s: live %s, desired %s\n", name, d.Field, plan.FormatValue(d.Field, d.Live), plan.FormatValue(d.Field, d.Desired))
		}
	}
	if p.HasChanges() {
		t.printf("\n%s\n", summaryLine(p.Summary()))
	}
	return nil
}

// fieldList reads `integration_type "Okta", tenant_url "…", active true`
// from the live (before) or desired (after) side of the fields.
func fieldList(fields []plan.FieldDiff, live bool) string {
	parts := make([]string, 0, len(fields))
	for _, f := range fields {
		v := f.After
		if live {
			v = f.Before
		}
		parts = append(parts, f.Field+" "+plan.FormatValue(f.Field, v))
	}
	return strings.Join(parts, ", ")
}

// results writes one line per action result, then the counts.
func (t *textWriter) results(res apply.Result) {
	t.printf("\nApply results:\n")
	for _, ar := range res.Actions {
		status := fmt.Sprintf("%-8s", ar.Status)
		line := "  " + t.paint(status, statusColor[ar.Status]) + " " + string(ar.Change.Action) + " " + ar.Change.Title()
		var extra []string
		if ar.ID != "" && ar.ID != ar.Change.LiveID() {
			extra = append(extra, fmt.Sprintf("id %q", ar.ID))
		}
		if ar.Duration > 0 {
			extra = append(extra, formatDuration(ar.Duration))
		}
		if ar.Note != "" {
			extra = append(extra, ar.Note)
		}
		if len(extra) > 0 {
			line += " (" + strings.Join(extra, ", ") + ")"
		}
		if ar.Err != nil {
			line += ": " + strings.ReplaceAll(strings.TrimRight(ar.Err.Error(), "\n"), "\n", "\n    ")
		}
		t.printf("%s\n", line)
	}
	t.printf("Apply: %s.\n", tallyOf(&res).counts())
}

func formatDuration(d time.Duration) string {
	if d >= time.Millisecond {
		d = d.Round(time.Millisecond)
	}
	return d.String()
}

// WritePartialWarning says on w, before a --target plan's report, that
// the plan is partial.
func WritePartialWarning(w io.Writer) error {
	_, err := io.WriteString(w, "Warning: partial plan: only the targeted objects are planned; other differences are not shown.\n")
	return err
}

// WriteSaveNote says on w what became of plan --out: not saved to out and
// why (notSaved), or where it was saved and how to apply it (saved).
// Nothing when neither is set.
func WriteSaveNote(w io.Writer, out, saved, notSaved string) error {
	var err error
	switch {
	case notSaved != "":
		_, err = fmt.Fprintf(w, "Not saving the plan to %s: %s.\n", out, notSaved)
	case saved != "":
		_, err = fmt.Fprintf(w, "Saved the plan to %s. Apply exactly this plan with: riskctl apply %s\n", saved, saved)
	}
	return err
}
