package report

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/riskctl/riskctl/internal/plan"
	"github.com/riskctl/riskctl/internal/state"
)

// A plan as text, in the style of terraform plan: one block per change,
// the unmanaged objects, the ignored differences, the summary line and
// the targets. WriteText writes each plan and apply account this way.

// Symbols, headers and colours per action, Terraform's.
var actionStyle = map[plan.Action]struct{ symbol, verb, color string }{
	plan.Create:  {"+", "will be created", ansiGreen},
	plan.Update:  {"~", "will be updated in-place", ansiYellow},
	plan.Replace: {"-/+", "must be replaced", ansiMagenta},
	plan.Delete:  {"-", "will be destroyed", ansiRed},
}

var symbolColor = map[string]string{"+": ansiGreen, "~": ansiYellow, "-": ansiRed, "-/+": ansiMagenta}

const arrow = " → "

// summaryLine is a plan's summary: "Plan: 1 to add, 2 to change, 0 to
// replace, 0 to destroy."
func summaryLine(s plan.Summary) string {
	return fmt.Sprintf("Plan: %d to add, %d to change, %d to replace, %d to destroy.", s.Add, s.Change, s.Replace, s.Destroy)
}

// plan writes p: strings quoted, booleans bare.
func (t *textWriter) plan(p plan.Plan) error {
	account := p.AccountID
	if account == "" {
		account = "(no account id)"
	}
	if p.HasChanges() {
		t.printf("riskctl will perform the following actions on account %s:\n", account)
		for i, c := range p.Changes {
			t.printf("\n")
			if err := t.change(c, p.Ignored, t.who(i, c)); err != nil {
				return err
			}
		}
	} else {
		t.noChanges(p, account)
	}
	t.unmanaged(p)
	t.ignored(p)
	if p.HasChanges() {
		t.printf("\n%s\n", summaryLine(p.Summary()))
	}
	t.targets(p)
	return nil
}

// attr is one attribute line of a block; symbol "" for an unchanged one.
type attr struct{ symbol, name, value, comment string }

// change writes one change's block. A row of a field whose difference is
// ignored says so: it shows the live value, which is what apply keeps.
func (t *textWriter) change(c plan.Change, ignored []plan.IgnoredDiff, who string) error {
	style, ok := actionStyle[c.Action]
	if !ok {
		return fmt.Errorf("report: cannot render action %q", c.Action)
	}
	title, rows, err := blockOf(c)
	if err != nil {
		return err
	}
	for i, rw := range rows {
		if rw.symbol == "" && slices.ContainsFunc(ignored, func(d plan.IgnoredDiff) bool {
			return d.Resource == c.Resource && d.Key == c.Key && d.Field == rw.name
		}) {
			rows[i].comment = "ignored: the spec says " + plan.FormatValue(rw.name, desiredOf(ignored, c, rw.name))
		}
	}
	t.printf("  %s\n", t.paint("# "+title+" "+style.verb, style.color))
	if c.Reason != "" && c.Action != plan.Update {
		t.printf("  # (%s)\n", c.Reason)
	}
	if who != "" {
		t.printf("  # %s\n", who)
	}
	t.printf("%*s%s %s {\n", 3-len(style.symbol), "", t.paint(style.symbol, style.color), title)
	width := 0
	for _, rw := range rows {
		width = max(width, len(rw.name))
	}
	for _, rw := range rows {
		sym := "  "
		if rw.symbol != "" {
			sym = t.paint(rw.symbol, symbolColor[rw.symbol]) + " "
		}
		line := fmt.Sprintf("      %s%-*s = %s", sym, width, rw.name, rw.value)
		if rw.comment != "" {
			line += " # " + rw.comment
		}
		t.printf("%s\n", line)
	}
	t.printf("    }\n")
	return nil
}

// blockOf returns a change's block title and attribute rows.
func blockOf(c plan.Change) (string, []attr, error) {
	switch {
	case c.Resource == plan.ResourceBehavior && c.Behavior != nil && c.Action == plan.Update:
		return c.Title(), changedRows(c.Fields, behaviorValues(c.Behavior.After)), nil
	case c.Resource != plan.ResourceIntegration || c.Integration == nil:
		return "", nil, fmt.Errorf("report: cannot render a %s %s of %q", c.Action, c.Resource, c.Key)
	}
	in := c.Integration
	switch {
	case c.Action == plan.Create && in.After != nil:
		rows := []attr{{"+", "id", "(known after apply)", ""}}
		for _, f := range c.Fields {
			rows = append(rows, attr{"+", f.Field, plan.FormatValue(f.Field, f.After), ""})
		}
		return c.Title(), rows, nil
	case c.Action == plan.Delete && in.Before != nil:
		rows := []attr{{"-", "id", strconv.Quote(in.Before.ID), ""}}
		for _, f := range c.Fields {
			rows = append(rows, attr{"-", f.Field, plan.FormatValue(f.Field, f.Before), ""})
		}
		return c.Title(), rows, nil
	case (c.Action == plan.Update || c.Action == plan.Replace) && in.Before != nil && in.After != nil:
		id := attr{"", "id", strconv.Quote(in.Before.ID), ""}
		if c.Action == plan.Replace {
			id = attr{"~", "id", strconv.Quote(in.Before.ID) + arrow + "(known after apply)", ""}
		}
		rows := append([]attr{id}, changedRows(c.Fields, integrationValues(in.After))...)
		for i := range rows {
			if c.Action == plan.Replace && plan.ForcesReplacement(rows[i].name) && rows[i].symbol != "" {
				rows[i].comment = "forces replacement"
			}
		}
		return c.Title(), rows, nil
	}
	return "", nil, fmt.Errorf("report: cannot render a %s %s of %q", c.Action, c.Resource, c.Key)
}

// field is a managed field's name and text value.
type field struct{ name, value string }

// changedRows shows every managed field of values, in their order (the
// order of plan.Change.Fields): "~ before → after" for the changed ones,
// the (desired) value for the others.
func changedRows(fields []plan.FieldDiff, values []field) []attr {
	var rows []attr
	for _, v := range values {
		rw := attr{name: v.name, value: plan.FormatValue(v.name, v.value)}
		for _, f := range fields {
			if f.Field == v.name {
				rw.symbol, rw.value = "~", plan.FormatValue(v.name, f.Before)+arrow+plan.FormatValue(v.name, f.After)
			}
		}
		rows = append(rows, rw)
	}
	return rows
}

func behaviorValues(b state.Behavior) []field {
	return []field{
		{plan.FieldEnabled, strconv.FormatBool(b.Enabled)},
		{plan.FieldRiskLevel, b.RiskLevel},
	}
}

func integrationValues(in *state.Integration) []field {
	return []field{
		{plan.FieldIntegrationType, in.IntegrationType},
		{plan.FieldTenantURL, in.TenantURL},
		{plan.FieldActive, strconv.FormatBool(in.Active)},
	}
}

// unmanaged writes the "Unmanaged, left alone" section of p (nothing when
// p has no unmanaged objects); the drift report shows it too.
func (t *textWriter) unmanaged(p plan.Plan) {
	if len(p.UnmanagedBehaviors) == 0 && len(p.UnmanagedIntegrations) == 0 {
		return
	}
	t.printf("\nUnmanaged, left alone (not in the spec):\n")
	for _, key := range p.UnmanagedBehaviors {
		t.printf("  behavior %q\n", key)
	}
	for _, in := range p.UnmanagedIntegrations {
		name := fmt.Sprintf("integration %q", in.ReferenceID)
		if in.ReferenceID == "" {
			name = "integration with no reference_id"
		}
		t.printf("  %s (id %q, tenant_url %s, active %t)\n", name, in.ID, plan.FormatValue(plan.FieldTenantURL, in.TenantURL), in.Active)
	}
}

// noChanges is the line of a plan without changes; it does not claim that
// the whole account matches when the plan was targeted or ignored
// differences.
func (t *textWriter) noChanges(p plan.Plan, account string) {
	what := "Account " + account + " matches"
	if len(p.Targets) > 0 {
		what = "The targeted objects of account " + account + " match"
	}
	apart := ""
	if len(p.Ignored) > 0 {
		apart = ", apart from ignored differences"
	}
	t.printf("No changes. %s the spec%s.\n", what, apart)
}

// ignored lists the differences the spec's ignore lists keep out of the
// plan.
func (t *textWriter) ignored(p plan.Plan) {
	if len(p.Ignored) == 0 {
		return
	}
	t.printf("\nIgnored differences (ignore in the spec), left alone:\n")
	for _, d := range p.Ignored {
		name := fmt.Sprintf("%s %q", d.Resource, d.Key)
		t.printf("  %s: %s is %s in the account, %s in the spec\n", name, d.Field, plan.FormatValue(d.Field, d.Live), plan.FormatValue(d.Field, d.Desired))
	}
}

// targets warns that the plan is partial.
func (t *textWriter) targets(p plan.Plan) {
	if len(p.Targets) == 0 {
		return
	}
	t.printf("\nTargeted plan: only %s considered; other differences may remain.\n", strings.Join(p.Targets, ", "))
}

// desiredOf is the spec's value of an ignored field of c's object.
func desiredOf(ignored []plan.IgnoredDiff, c plan.Change, field string) string {
	for _, d := range ignored {
		if d.Resource == c.Resource && d.Key == c.Key && d.Field == field {
			return d.Desired
		}
	}
	return ""
}
