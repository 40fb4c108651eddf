package report

import (
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"github.com/riskctl/riskctl/internal/apply"
	"github.com/riskctl/riskctl/internal/plan"
	"github.com/riskctl/riskctl/internal/textutil"
)

// MaxMarkdownBytes is WriteMarkdown's default cap: below GitHub's limit of
// 65,536 characters for a comment (a byte is at most one character), with
// 5,536 left for what a workflow adds. The CI kit's comment scripts
// (.github/workflows/riskctl-pr.yml, riskctl-apply.yml) count on it: they
// fit their own text into the rest and show this Markdown whole, its
// truncation note included (test/kit/refusal_test.go).
const MaxMarkdownBytes = 60000

// foldChanges is the number of changes (not table rows: an update of
// several fields is one change) above which a section's table is folded
// in a <details> block labelled with its counts.
const foldChanges = 10

// maxBannerItems is how many deleted or replaced objects the warning
// banner names before it says "and N more".
const maxBannerItems = 10

// WriteMarkdown writes r as GitHub-flavoured Markdown for a pull-request
// comment or a job summary (the layout is described in the package
// documentation). The output is at most maxBytes bytes (MaxMarkdownBytes
// when maxBytes <= 0): a longer rendering is cut before the first table
// row, block or section that does not fit, the open <details> blocks are
// closed and a note says how many changes are shown. Only a maxBytes too
// small for the note itself gives a hard cut.
func WriteMarkdown(w io.Writer, r Report, maxBytes int) error {
	if maxBytes <= 0 {
		maxBytes = MaxMarkdownBytes
	}
	m := &mdWriter{kind: r.Kind, emulated: r.Emulated}
	m.report(r)
	out := m.b.finish(maxBytes, r.totalChanges(), func(shown, total int) string {
		return truncationNote(r.Kind, shown, total)
	})
	_, err := io.WriteString(w, out)
	return err
}

// truncationNote is the last paragraph of a cut rendering.
func truncationNote(kind Kind, shown, total int) string {
	var hint string
	switch kind {
	case KindDrift:
		hint = "Run `riskctl drift` locally, or with `--format json`, for the full report."
	case KindApply:
		hint = "See the job log, or run with `--format json`, for every result."
	default:
		hint = "Run `riskctl plan` locally or download the plan artifact for the full plan."
	}
	return fmt.Sprintf("… output truncated: %d of %d changes shown. %s\n", shown, total, hint)
}

// ---- Markdown text helpers ----

// codeLineSep joins the lines of a multi-line value (an error message) in
// a code span, which keeps it on its table row: a code span would show a
// literal \n, and a middle dot shows where the lines were.
const codeLineSep = " · "

// code renders s as a code span: lines joined with " · ", a fence longer
// than any backtick run inside, and in a table cell | escaped as \| (GFM
// unescapes it inside code spans too). An empty s is *(empty)*.
func code(s string, inTable bool) string {
	if s == "" {
		return "*(empty)*"
	}
	s = textutil.Visible(textutil.JoinLines(s, codeLineSep))
	if inTable {
		s = strings.ReplaceAll(s, "|", `\|`)
	}
	return textutil.MarkdownCodeSpan(s)
}

func cell(s string) string { return code(s, true) }

// plainCell is text for a table cell that is not a code span: on one
// line, with | and the characters that start Markdown or HTML escaped.
func plainCell(s string) string {
	return plainEscaper.Replace(textutil.Visible(textutil.OneLine(s)))
}

var plainEscaper = strings.NewReplacer(`\`, `\\`, "|", `\|`, "`", "\\`", "*", `\*`, "_", `\_`, "<", "&lt;", "[", `\[`)

// row is one table row.
func row(cells ...string) string { return "| " + strings.Join(cells, " | ") + " |\n" }

// header is a table's header and delimiter rows.
func header(cells ...string) string {
	delims := make([]string, len(cells))
	for i := range delims {
		delims[i] = "---"
	}
	return row(cells...) + row(delims...)
}

// quoteBlock prefixes every line of text with "> ".
func quoteBlock(text string) string {
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	for i, l := range lines {
		if l == "" {
			lines[i] = ">"
		} else {
			lines[i] = "> " + l
		}
	}
	return strings.Join(lines, "\n")
}

// fenced is a fenced code block holding text verbatim.
func fenced(text string) string {
	text = strings.TrimRight(textutil.JoinLines(text, "\n"), "\n")
	fence := textutil.MarkdownFence(text)
	return fence + "text\n" + text + "\n" + fence
}

var markerUnsafe = regexp.MustCompile(`[^A-Za-z0-9._-]`)

// marker is the hidden comment that starts an account's section, so that
// a workflow can find and update its comment.
func marker(kind Kind, id string) string {
	id = markerUnsafe.ReplaceAllString(id, "_")
	if id == "" {
		id = "unknown"
	}
	k := kind
	if k != KindDrift && k != KindApply {
		k = KindPlan
	}
	return fmt.Sprintf("<!-- riskctl:%s account=%s -->", k, id)
}

// actionEmoji marks a plan or apply change by what apply does: green
// adds, yellow changes, purple replaces, red deletes.
var actionEmoji = map[plan.Action]string{
	plan.Create:  "🟢",
	plan.Update:  "🟡",
	plan.Replace: "🟣",
	plan.Delete:  "🔴",
}

// driftEmoji marks drift. Every drift is a problem: an object the spec
// declares that is missing from the account is drift like a changed one,
// never a green add; replaces and deletes keep the colour of what
// repairing them destroys.
var driftEmoji = map[plan.Action]string{
	plan.Create:  "🟡",
	plan.Update:  "🟡",
	plan.Replace: "🟣",
	plan.Delete:  "🔴",
}

// driftWord says what a change means as drift.
var driftWord = map[plan.Action]string{
	plan.Create:  "missing",
	plan.Update:  "changed",
	plan.Replace: "changed (replace)",
	plan.Delete:  "not in spec",
}

var statusLabel = map[apply.Status]string{
	apply.StatusApplied: "✅\u00a0applied",
	apply.StatusFailed:  "❌\u00a0failed",
	apply.StatusSkipped: "⏭\u00a0skipped",
}

// changeLabel is a change's first cell: the emoji and the plan's action
// word ("🟢 create"), or for drift the drift emoji and word ("🟡
// missing"). An unknown action is its bare word.
func changeLabel(kind Kind, a plan.Action) string {
	emoji, word := actionEmoji[a], string(a)
	if kind == KindDrift {
		emoji = driftEmoji[a]
		if w, ok := driftWord[a]; ok {
			word = w
		}
	}
	if emoji == "" {
		return word
	}
	return emoji + "\u00a0" + word
}

// actionCounts reads "2 create · 2 update · 5 delete": the changes counted
// by plan.Summary, in its order, in the plan's action words, zero counts
// left out.
func actionCounts(changes []plan.Change) string {
	s := plan.SummaryOf(changes)
	var parts []string
	for _, a := range plan.Actions() {
		if n := s.Count(a); n > 0 {
			parts = append(parts, strconv.Itoa(n)+" "+string(a))
		}
	}
	if len(parts) == 0 { // no action plan.Summary counts
		return plural(len(changes), "change", "changes")
	}
	return strings.Join(parts, " · ")
}

// keyCell is a change's key in a cell: the key, or for an integration
// without a reference_id a note.
func keyCell(key string) string {
	if key == "" {
		return "*(no reference_id)*"
	}
	return cell(key)
}

// ---- the report ----

type mdWriter struct {
	kind     Kind
	emulated bool // every title says "(emulated)" (Report.Emulated)
	b        pieces
}

func (m *mdWriter) report(r Report) {
	if m.emulated {
		// First, so that a reviewer reads it before any result.
		m.b.block(quoteBlock("[!NOTE]\n" + strings.ReplaceAll(emulatedNote, "--emulate", "`--emulate`")))
	}
	if r.ApplyRefusal != nil {
		// Once, and in a fenced block: the names are live values (a
		// reference_id may read "<!--", "@octocat" or "<img …>"), never
		// Markdown.
		m.b.block(quoteBlock("[!CAUTION]\n**riskctl apply will refuse this plan:**\n\n" + fenced(strings.Join(refusalLines(r.ApplyRefusal), "\n"))))
	}
	if m.kind == KindPlan {
		// After a refusal (which no approval lifts), before any account.
		m.weakeningBanner(r.weakening())
	}
	if len(r.Accounts) > 1 {
		m.b.block(fmt.Sprintf("## riskctl %s: %d accounts", m.title(), len(r.Accounts)))
		m.b.block(m.totals(r))
	}
	if len(r.Accounts) == 0 {
		m.b.block("riskctl " + m.title() + ": no accounts.")
	}
	for _, a := range r.Accounts {
		m.account(a)
	}
	if r.RiskctlVersion != "" {
		m.b.add(pieceFooter, "<sub>riskctl "+code(r.RiskctlVersion, false)+"</sub>\n")
	}
}

func (m *mdWriter) kindName() string {
	switch m.kind {
	case KindDrift, KindApply:
		return string(m.kind)
	}
	return string(KindPlan)
}

// title is the command in a title: "plan", or "plan (emulated)".
func (m *mdWriter) title() string {
	if m.emulated {
		return m.kindName() + " (emulated)"
	}
	return m.kindName()
}

func (m *mdWriter) totals(r Report) string {
	var s string
	switch m.kind {
	case KindDrift:
		drifted := 0
		for _, a := range r.Accounts {
			if a.Drifted() {
				drifted++
			}
		}
		s = fmt.Sprintf("**Total: %s with drift.**", plural(drifted, "account", "accounts"))
	default:
		s = "**Total: " + summaryLine(r.Totals()) + "**"
	}
	if n := r.failed(); n > 0 {
		s += fmt.Sprintf(" ❌ %s failed.", plural(n, "account", "accounts"))
	}
	return s
}

func (m *mdWriter) account(a Account) {
	id := a.ID()
	title := fmt.Sprintf("### %sriskctl %s · account %s", m.statusEmoji(a), m.title(), code(displayID(id), false))
	m.b.block(marker(m.kind, id) + "\n" + title)
	if len(a.SpecFiles) > 0 {
		files := make([]string, len(a.SpecFiles))
		for i, f := range a.SpecFiles {
			files[i] = code(f, false)
		}
		m.b.block("Spec: " + strings.Join(files, ", "))
	}
	if a.Err != nil {
		m.b.block(quoteBlock("[!CAUTION]\n**Error** on account " + code(displayID(id), false) + ":\n\n" + fenced(a.Err.Error())))
	}
	p := a.Plan
	if p == nil {
		return
	}
	if len(p.Targets) > 0 {
		targets := make([]string, len(p.Targets))
		for i, t := range p.Targets {
			targets[i] = code(t, false)
		}
		m.b.block(quoteBlock("[!WARNING]\nPartial plan (targets: " + strings.Join(targets, ", ") + "): other differences are not shown."))
	}
	m.summary(a)
	m.banner(*p)
	m.meaning(a) // findings and Access impact before the changes
	if m.kind == KindApply && a.Result != nil {
		m.failures(*a.Result)
	}
	results := map[int]apply.ActionResult{}
	if a.Result != nil {
		for _, ar := range a.Result.Actions {
			results[ar.Index] = ar
		}
	}
	for _, res := range []struct {
		resource plan.Resource
		title    string
	}{{plan.ResourceBehavior, "Behaviors"}, {plan.ResourceIntegration, "Integrations"}} {
		var units []piece
		var changes []plan.Change
		for i, c := range p.Changes {
			if c.Resource != res.resource {
				continue
			}
			ar, ok := results[i]
			units = append(units, piece{kind: pieceRow, text: m.changeRows(c, ar, ok), change: true})
			changes = append(changes, c)
		}
		if len(units) > 0 {
			m.section(res.title, res.title+": "+actionCounts(changes), len(changes) > foldChanges, m.changeHeader(), units)
		}
	}
	m.who(a) // attribution.go
	m.unmanaged(*p)
	m.ignored(*p)
}

func (m *mdWriter) statusEmoji(a Account) string {
	res := a.Result
	switch {
	case res != nil && res.Partial():
		return "⚠️ "
	case a.Err != nil, res != nil && res.Failed+res.Skipped > 0:
		return "❌\u00a0"
	case m.kind == KindApply && res != nil:
		return "✅\u00a0"
	}
	return ""
}

// section writes a table under a "#### title" heading or, when fold,
// folded in <details> whose summary (HTML) says what is inside, in one
// group: a cut keeps or leaves out the heading or fold with the rows.
func (m *mdWriter) section(title, summary string, fold bool, head string, units []piece) {
	m.b.beginGroup()
	defer m.b.endGroup()
	if fold {
		m.b.beginDetails(summary)
	} else {
		m.b.block("#### " + title)
	}
	m.b.add(pieceTableStart, head)
	for _, u := range units {
		m.b.unit(u)
	}
	m.b.add(pieceTableEnd, "\n")
	if fold {
		m.b.endDetails()
	}
}

// summary is the bold summary line(s).
func (m *mdWriter) summary(a Account) {
	p := a.Plan
	// Without changes, say what matches: not the whole account when the
	// plan was targeted or differences were ignored.
	matches := "the account matches the spec"
	if len(p.Targets) > 0 {
		matches = "the targeted objects match the spec"
	}
	if len(p.Ignored) > 0 {
		matches += ", apart from ignored differences"
	}
	switch m.kind {
	case KindDrift:
		if !p.HasChanges() && a.HasUnmanagedActive() {
			m.b.block("**Drift detected:** an active integration that no spec manages sends risk scores (see the findings); the spec's objects match.")
			return
		}
		if !p.HasChanges() {
			m.b.block("✅\u00a0**No drift:** " + matches + ".")
			return
		}
		m.b.block(fmt.Sprintf("**Drift detected:** %s the spec. To make the account match it, apply would do: **%s**",
			plural(len(p.Changes), "object differs from", "objects differ from"), summaryLine(p.Summary())))
	case KindApply:
		if !p.HasChanges() {
			m.b.block("**No changes.** " + capitalize(matches) + "; nothing was applied.")
			return
		}
		m.b.block("**" + summaryLine(p.Summary()) + "**")
		if a.Result != nil {
			m.b.block("**Apply: " + tallyOf(a.Result).counts() + ".**")
		} else {
			m.b.block("**Nothing was applied.**")
		}
	default:
		if !p.HasChanges() {
			m.b.block("**No changes.** " + capitalize(matches) + ".")
			return
		}
		m.b.block("**" + summaryLine(p.Summary()) + "**")
	}
}

func capitalize(s string) string { return strings.ToUpper(s[:1]) + s[1:] }

// banner warns about deletes and replaces, naming them.
func (m *mdWriter) banner(p plan.Plan) {
	var items []string
	for _, c := range p.Changes {
		if !c.Action.DeletesLive() {
			continue
		}
		name := "integration " + code(c.Key, false)
		if c.Key == "" {
			name = "integration with no reference_id"
		}
		name += nameSuffix(c, false)
		if id := c.LiveID(); id != "" {
			name += " (id " + code(id, false) + ")"
		}
		if c.Action == plan.Replace {
			items = append(items, "- **replace** "+name+": deleted, then created again")
		} else {
			items = append(items, "- **delete** "+name)
		}
	}
	if len(items) == 0 {
		return
	}
	n := len(items)
	if n > maxBannerItems {
		items = append(items[:maxBannerItems], fmt.Sprintf("- … and %d more", n-maxBannerItems))
	}
	var lead string
	switch m.kind {
	case KindDrift:
		lead = "Applying the spec would delete or replace " + plural(n, "integration", "integrations") + ":"
	case KindApply:
		lead = "This apply deletes or replaces " + plural(n, "integration", "integrations") + ":"
	default:
		lead = "This plan deletes or replaces " + plural(n, "integration", "integrations") + ":"
	}
	m.b.block(quoteBlock("[!WARNING]\n" + lead + "\n\n" + strings.Join(items, "\n")))
}

// weakeningBanner opens a plan with a [!WARNING] alert naming its
// weakening changes (the first maxBannerItems of total, then "… and N
// more"). Titles and what they weaken hold live values (a reference_id, a
// tenant_url): each is a code span, never Markdown.
func (m *mdWriter) weakeningBanner(items []weakeningItem, total int) {
	if total == 0 {
		return
	}
	lines := []string{"[!WARNING]", "**" + weakeningLead(total) + "** `riskctl apply` refuses it without `--approve-weakening`.", ""}
	for _, it := range items {
		lines = append(lines, "- "+code(textutil.Visible(textutil.OneLine(it.title)), false)+": "+code(textutil.Visible(textutil.OneLine(it.what)), false))
	}
	if more := total - len(items); more > 0 {
		lines = append(lines, fmt.Sprintf("- … and %d more (`--format json` gives every change's class)", more))
	}
	m.b.block(quoteBlock(strings.Join(lines, "\n")))
}

// failures lists the failed actions of an apply with their errors.
func (m *mdWriter) failures(res apply.Result) {
	var units []piece
	for _, ar := range res.Actions {
		if ar.Status != apply.StatusFailed {
			continue
		}
		msg := "failed"
		if ar.Err != nil {
			msg = ar.Err.Error()
		}
		units = append(units, piece{kind: pieceRow, text: row(changeLabel(KindApply, ar.Change.Action), m.changeKey(ar.Change), cell(msg))})
	}
	if len(units) > 0 {
		m.section("Errors", "Errors: "+plural(len(units), "failed action", "failed actions"), len(units) > foldChanges, header("Action", "Key", "Error"), units)
	}
}

func (m *mdWriter) changeKey(c plan.Change) string {
	key := keyCell(c.Key)
	if c.Resource == plan.ResourceIntegration && c.Key == "" {
		if id := c.LiveID(); id != "" {
			key = "*(no reference_id)*, id " + cell(id)
		}
	}
	return key + nameSuffix(c, true)
}

// nameSuffix is what names an integration change beside its key, in
// Markdown: " · " and its tenant URL (host in ASCII, plan.DisplayValue),
// then " · label " and its label, each a code span; "" for a behavior.
// Every row, banner and title that names an integration change shows it
// (state.IntegrationName says the same in text).
func nameSuffix(c plan.Change, inTable bool) string {
	var s string
	if u := c.TenantURL(); u != "" {
		s += codeLineSep + code(plan.DisplayValue(plan.FieldTenantURL, u), inTable)
	}
	if l := c.Label(); l != "" {
		s += codeLineSep + "label " + code(l, inTable)
	}
	return s
}

func (m *mdWriter) changeHeader() string {
	switch m.kind {
	case KindDrift:
		return header("Drift", "Key", "Field", "Live", "Desired")
	case KindApply:
		return header("Status", "Action", "Key", "Field", "Before → After")
	}
	return header("Action", "Key", "Field", "Before → After")
}

// fieldRow is one changed field: its name and the before and after cells.
type fieldRow struct{ field, before, after string }

// changeRows renders one change as table rows (the action and key on the
// first row only).
// inactiveCreateNote is what creating an inactive integration means, on
// its active row: the plan's reason says why (package plan's inactiveNote).
const inactiveCreateNote = "created active, then deactivated: it exports risk scores for a moment"

// createsInactive reports whether c creates an integration that must be
// inactive (a create or a replace's create), which the API makes active
// first.
func createsInactive(c plan.Change) bool {
	return (c.Action == plan.Create || c.Action == plan.Replace) && c.Integration != nil &&
		c.Integration.After != nil && !c.Integration.After.Active
}

func (m *mdWriter) changeRows(c plan.Change, ar apply.ActionResult, haveResult bool) string {
	none := "*(none)*"
	missing, notInSpec := none, none
	if m.kind == KindDrift {
		missing, notInSpec = "*(missing)*", "*(not in spec)*"
	}
	var fields []fieldRow
	id := c.LiveID()
	switch {
	case c.Action == plan.Replace && id != "" && m.kind != KindDrift:
		fields = append(fields, fieldRow{"id", cell(id), "*(known after apply)*"})
	case c.Action == plan.Delete && id != "":
		fields = append(fields, fieldRow{"id", cell(id), notInSpec})
	}
	for _, f := range c.Fields {
		fr := fieldRow{field: f.Field, before: cell(plan.DisplayValue(f.Field, f.Before)), after: cell(plan.DisplayValue(f.Field, f.After))}
		switch c.Action {
		case plan.Create:
			fr.before = missing
		case plan.Delete:
			fr.after = notInSpec
		case plan.Replace:
			if plan.ForcesReplacement(f.Field) {
				fr.field += " (forces replacement)"
			}
		}
		if m.kind != KindDrift && f.Field == plan.FieldActive && createsInactive(c) {
			fr.field += " (" + inactiveCreateNote + ")"
		}
		fields = append(fields, fr)
	}
	if len(fields) == 0 {
		fields = append(fields, fieldRow{"", "", ""})
	}
	var b strings.Builder
	for i, f := range fields {
		var action, key, status string
		if i == 0 {
			key = keyCell(c.Key) + nameSuffix(c, true) // a delete's id is on its own row
			action = changeLabel(m.kind, c.Action)
			status = "—"
			if haveResult {
				status = statusLabel[ar.Status]
				if status == "" {
					status = string(ar.Status)
				}
			}
		}
		switch m.kind {
		case KindDrift:
			b.WriteString(row(action, key, f.field, f.before, f.after))
		case KindApply:
			b.WriteString(row(status, action, key, f.field, f.before+" → "+f.after))
		default:
			b.WriteString(row(action, key, f.field, f.before+" → "+f.after))
		}
	}
	return b.String()
}

// unmanaged lists the objects the spec does not name: the integrations
// unfolded (unmanagedIntegrations: each may stream risk scores to a tenant
// nobody declared), the behaviors folded (they are not changes) and
// labelled with their count.
func (m *mdWriter) unmanaged(p plan.Plan) {
	m.unmanagedIntegrations(p)
	nb := len(p.UnmanagedBehaviors)
	if nb == 0 {
		return
	}
	var units []piece
	for _, key := range p.UnmanagedBehaviors {
		// The plan keeps only the keys of unmanaged behaviors.
		units = append(units, piece{kind: pieceRow, text: row("behavior", cell(key), "*(left as it is)*")})
	}
	m.section("Unmanaged", "Unmanaged, left alone (not in the spec): "+plural(nb, "behavior", "behaviors"), true, header("Resource", "Key", "Live"), units)
}

// ignored lists the differences the spec's ignore lists kept out, always
// folded (they are not changes) and labelled with their count.
func (m *mdWriter) ignored(p plan.Plan) {
	if len(p.Ignored) == 0 {
		return
	}
	var units []piece
	for _, ig := range p.Ignored {
		units = append(units, piece{kind: pieceRow, text: row(plainCell(string(ig.Resource)), keyCell(ig.Key), plainCell(ig.Field), cell(plan.DisplayValue(ig.Field, ig.Live)), cell(plan.DisplayValue(ig.Field, ig.Desired)))})
	}
	m.section("Ignored", ignoredLine(len(p.Ignored)), true, header("Resource", "Key", "Field", "Live", "Desired"), units)
}
