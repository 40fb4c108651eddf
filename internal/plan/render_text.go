package plan

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/riskctl/riskctl/internal/state"
)

// TextOptions controls RenderText.
type TextOptions struct {
	// Color adds ANSI colours to action symbols and headers. The caller
	// decides: only on a terminal, never with NO_COLOR or --no-color.
	Color bool
}

const (
	ansiReset   = "\x1b[0m"
	ansiRed     = "\x1b[31m"
	ansiGreen   = "\x1b[32m"
	ansiYellow  = "\x1b[33m"
	ansiMagenta = "\x1b[35m"
)

// Symbols, headers and colours per action, Terraform's.
var actionStyle = map[Action]struct{ symbol, verb, color string }{
	Create:  {"+", "will be created", ansiGreen},
	Update:  {"~", "will be updated in-place", ansiYellow},
	Replace: {"-/+", "must be replaced", ansiMagenta},
	Delete:  {"-", "will be destroyed", ansiRed},
}

var symbolColor = map[string]string{"+": ansiGreen, "~": ansiYellow, "-": ansiRed, "-/+": ansiMagenta}

const arrow = " → "

// RenderText writes p for people, in the style of terraform plan: one block
// per change, the unmanaged objects, and the summary line. Strings are
// quoted, booleans bare. Nothing is written when rendering fails.
func RenderText(w io.Writer, p Plan, opts TextOptions) error {
	r := textRenderer{color: opts.Color}
	account := p.AccountID
	if account == "" {
		account = "(no account id)"
	}
	if p.HasChanges() {
		r.printf("riskctl will perform the following actions on account %s:\n", account)
		for _, c := range p.Changes {
			r.b.WriteString("\n")
			if err := r.change(c, p.Ignored); err != nil {
				return err
			}
		}
	} else {
		r.noChanges(p, account)
	}
	r.unmanaged(p)
	r.ignored(p)
	if p.HasChanges() {
		r.printf("\n%s\n", p.Summary())
	}
	r.targets(p)
	_, err := io.WriteString(w, r.b.String())
	return err
}

// String is the summary line: "Plan: 1 to add, 2 to change, 0 to replace, 0 to destroy."
func (s Summary) String() string {
	return fmt.Sprintf("Plan: %d to add, %d to change, %d to replace, %d to destroy.", s.Add, s.Change, s.Replace, s.Destroy)
}

type textRenderer struct {
	b     strings.Builder
	color bool
}

func (r *textRenderer) printf(format string, args ...any) { fmt.Fprintf(&r.b, format, args...) }

func (r *textRenderer) paint(s, color string) string {
	if !r.color || color == "" {
		return s
	}
	return color + s + ansiReset
}

// row is one attribute line of a block; symbol "" for an unchanged one.
type row struct{ symbol, name, value, comment string }

// change writes one change's block. A row of a field whose difference is
// ignored says so: it shows the live value, which is what apply keeps.
func (r *textRenderer) change(c Change, ignored []IgnoredDiff) error {
	style, ok := actionStyle[c.Action]
	if !ok {
		return fmt.Errorf("plan: cannot render action %q", c.Action)
	}
	title, rows, err := blockOf(c)
	if err != nil {
		return err
	}
	for i, rw := range rows {
		if rw.symbol == "" && slices.ContainsFunc(ignored, func(d IgnoredDiff) bool {
			return d.Resource == c.Resource && d.Key == c.Key && d.Field == rw.name
		}) {
			rows[i].comment = "ignored: the spec says " + FormatValue(rw.name, desiredOf(ignored, c, rw.name))
		}
	}
	r.printf("  %s\n", r.paint("# "+title+" "+style.verb, style.color))
	if c.Reason != "" && c.Action != Update {
		r.printf("  # (%s)\n", c.Reason)
	}
	r.printf("%*s%s %s {\n", 3-len(style.symbol), "", r.paint(style.symbol, style.color), title)
	width := 0
	for _, rw := range rows {
		width = max(width, len(rw.name))
	}
	for _, rw := range rows {
		sym := "  "
		if rw.symbol != "" {
			sym = r.paint(rw.symbol, symbolColor[rw.symbol]) + " "
		}
		line := fmt.Sprintf("      %s%-*s = %s", sym, width, rw.name, rw.value)
		if rw.comment != "" {
			line += " # " + rw.comment
		}
		r.printf("%s\n", line)
	}
	r.printf("    }\n")
	return nil
}

// blockOf returns a change's block title and attribute rows.
func blockOf(c Change) (string, []row, error) {
	switch {
	case c.Resource == ResourceBehavior && c.Behavior != nil && c.Action == Update:
		return c.Title(), changedRows(c.Fields, behaviorValues(c.Behavior.After)), nil
	case c.Resource != ResourceIntegration || c.Integration == nil:
		return "", nil, fmt.Errorf("plan: cannot render a %s %s of %q", c.Action, c.Resource, c.Key)
	}
	in := c.Integration
	switch {
	case c.Action == Create && in.After != nil:
		rows := []row{{"+", "id", "(known after apply)", ""}}
		for _, f := range c.Fields {
			rows = append(rows, row{"+", f.Field, FormatValue(f.Field, f.After), ""})
		}
		return integrationTitle(c.Key, ""), rows, nil
	case c.Action == Delete && in.Before != nil:
		rows := []row{{"-", "id", strconv.Quote(in.Before.ID), ""}}
		for _, f := range c.Fields {
			rows = append(rows, row{"-", f.Field, FormatValue(f.Field, f.Before), ""})
		}
		return c.Title(), rows, nil
	case (c.Action == Update || c.Action == Replace) && in.Before != nil && in.After != nil:
		id := row{"", "id", strconv.Quote(in.Before.ID), ""}
		if c.Action == Replace {
			id = row{"~", "id", strconv.Quote(in.Before.ID) + arrow + "(known after apply)", ""}
		}
		rows := append([]row{id}, changedRows(c.Fields, integrationValues(in.After))...)
		for i := range rows {
			if c.Action == Replace && ForcesReplacement(rows[i].name) && rows[i].symbol != "" {
				rows[i].comment = "forces replacement"
			}
		}
		return integrationTitle(c.Key, ""), rows, nil
	}
	return "", nil, fmt.Errorf("plan: cannot render a %s %s of %q", c.Action, c.Resource, c.Key)
}

// changedRows shows every managed field in field order: "~ before → after"
// for the changed ones, the (desired) value for the others.
func changedRows(fields []FieldDiff, values map[string]string) []row {
	var rows []row
	for _, name := range fieldOrder {
		v, managed := values[name]
		if !managed {
			continue
		}
		rw := row{name: name, value: FormatValue(name, v)}
		for _, f := range fields {
			if f.Field == name {
				rw.symbol, rw.value = "~", FormatValue(name, f.Before)+arrow+FormatValue(name, f.After)
			}
		}
		rows = append(rows, rw)
	}
	return rows
}

func behaviorValues(b state.Behavior) map[string]string {
	return map[string]string{
		FieldEnabled:   strconv.FormatBool(b.Enabled),
		FieldRiskLevel: b.RiskLevel,
	}
}

func integrationValues(in *state.Integration) map[string]string {
	return map[string]string{
		FieldIntegrationType: in.IntegrationType,
		FieldTenantURL:       in.TenantURL,
		FieldActive:          strconv.FormatBool(in.Active),
	}
}

// FormatValue renders a field's text value (a FieldDiff's Before or
// After) for people, as RenderText does: booleans (enabled, active) bare,
// strings quoted.
func FormatValue(field, text string) string {
	if field == FieldEnabled || field == FieldActive {
		return text
	}
	return strconv.Quote(text)
}

// integrationTitle names an integration by reference_id, or by id when it
// has none.
func integrationTitle(ref, id string) string {
	if ref == "" {
		return fmt.Sprintf("integration (id %q, no reference_id)", id)
	}
	return fmt.Sprintf("integration %q", ref)
}

func (r *textRenderer) unmanaged(p Plan) { writeUnmanaged(&r.b, p) }

// RenderUnmanaged writes the "Unmanaged, left alone" section of p (nothing
// when p has no unmanaged objects), as RenderText shows it; the drift
// report reuses it.
func RenderUnmanaged(w io.Writer, p Plan) error {
	var b strings.Builder
	writeUnmanaged(&b, p)
	_, err := io.WriteString(w, b.String())
	return err
}

func writeUnmanaged(b *strings.Builder, p Plan) {
	if len(p.UnmanagedBehaviors) == 0 && len(p.UnmanagedIntegrations) == 0 {
		return
	}
	b.WriteString("\nUnmanaged, left alone (not in the spec):\n")
	for _, key := range p.UnmanagedBehaviors {
		fmt.Fprintf(b, "  behavior %q\n", key)
	}
	for _, in := range p.UnmanagedIntegrations {
		name := fmt.Sprintf("integration %q", in.ReferenceID)
		if in.ReferenceID == "" {
			name = "integration with no reference_id"
		}
		fmt.Fprintf(b, "  %s (id %q, tenant_url %q, active %t)\n", name, in.ID, in.TenantURL, in.Active)
	}
}

// noChanges is the line of a plan without changes; it does not claim that
// the whole account matches when the plan was targeted or ignored
// differences.
func (r *textRenderer) noChanges(p Plan, account string) {
	what := "Account " + account + " matches"
	if len(p.Targets) > 0 {
		what = "The targeted objects of account " + account + " match"
	}
	apart := ""
	if len(p.Ignored) > 0 {
		apart = ", apart from ignored differences"
	}
	r.printf("No changes. %s the spec%s.\n", what, apart)
}

// ignored lists the differences the spec's ignore lists keep out of the
// plan.
func (r *textRenderer) ignored(p Plan) {
	if len(p.Ignored) == 0 {
		return
	}
	r.printf("\nIgnored differences (ignore in the spec), left alone:\n")
	for _, d := range p.Ignored {
		name := fmt.Sprintf("%s %q", d.Resource, d.Key)
		r.printf("  %s: %s is %s in the account, %s in the spec\n", name, d.Field, FormatValue(d.Field, d.Live), FormatValue(d.Field, d.Desired))
	}
}

// targets warns that the plan is partial.
func (r *textRenderer) targets(p Plan) {
	if len(p.Targets) == 0 {
		return
	}
	r.printf("\nTargeted plan: only %s considered; other differences may remain.\n", strings.Join(p.Targets, ", "))
}

// desiredOf is the spec's value of an ignored field of c's object.
func desiredOf(ignored []IgnoredDiff, c Change, field string) string {
	for _, d := range ignored {
		if d.Resource == c.Resource && d.Key == c.Key && d.Field == field {
			return d.Desired
		}
	}
	return ""
}
