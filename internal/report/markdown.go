package report

import (
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/riskctl/riskctl/internal/apply"
	"github.com/riskctl/riskctl/internal/plan"
)

// MaxMarkdownBytes is WriteMarkdown's default cap: below GitHub's limit of
// 65,536 characters for a comment, with room for what a workflow adds.
const MaxMarkdownBytes = 60000

// foldRows is the number of table rows above which a table is folded in a
// <details> block.
const foldRows = 20

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
	m := &mdWriter{kind: r.Kind}
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

// ---- the cap: a rendering is a list of pieces, cut between two of them ----

type pieceKind int

const (
	pieceBlock      pieceKind = iota // a block followed by a blank line
	pieceTableStart                  // a table's header and delimiter rows
	pieceRow                         // the rows of one unit (a change, an unmanaged object, ...)
	pieceTableEnd                    // the blank line that ends a table
	pieceOpen                        // <details><summary>…</summary> and a blank line
	pieceClose                       // </details> and a blank line
	pieceFooter                      // the version line, left out of a cut rendering
)

const closeDetails = "</details>\n\n"

type piece struct {
	kind   pieceKind
	text   string
	change bool // a row piece that shows one plan change
	// group, when not 0, is the table (with its heading and <details>)
	// the piece belongs to: a cut leaves out a group whose rows are all
	// left out.
	group int
}

type pieces struct {
	list   []piece
	group  int // the open group, 0 when none
	groups int
}

func (p *pieces) add(kind pieceKind, text string) {
	p.list = append(p.list, piece{kind: kind, text: text, group: p.group})
}

func (p *pieces) row(text string, change bool) {
	p.list = append(p.list, piece{kind: pieceRow, text: text, change: change, group: p.group})
}

func (p *pieces) block(text string) { p.add(pieceBlock, strings.TrimRight(text, "\n")+"\n\n") }

// beginGroup starts a group; groups do not nest.
func (p *pieces) beginGroup() { p.groups++; p.group = p.groups }
func (p *pieces) endGroup()   { p.group = 0 }

// finish joins the pieces when that fits in maxBytes. Otherwise it keeps
// every piece but the rows (headings, summaries, errors, banners: every
// account's section and marker survive) and as many leading rows as fit,
// leaves out the tables left without rows, and appends note(shown, total).
// When even that does not fit, it keeps the pieces in order up to the
// first that does not fit, closing the open table and <details>.
func (p *pieces) finish(maxBytes, total int, note func(shown, total int) string) string {
	var full strings.Builder
	for _, pc := range p.list {
		full.WriteString(pc.text)
	}
	if s := strings.TrimRight(full.String(), "\n") + "\n"; len(s) <= maxBytes {
		return s
	}
	noteLen := len(note(total, total)) // shown <= total: never longer
	if s, ok := p.keepSections(maxBytes-noteLen, total, note); ok {
		return s
	}
	return p.cutInOrder(maxBytes, noteLen, total, note)
}

func (p *pieces) keepSections(budget, total int, note func(shown, total int) string) (string, bool) {
	for _, pc := range p.list {
		if pc.kind != pieceRow && pc.kind != pieceFooter {
			budget -= len(pc.text)
		}
	}
	if budget < 0 {
		return "", false
	}
	keep := make([]bool, len(p.list))
	hasRows, keptRows := map[int]bool{}, map[int]bool{}
	shown, full := 0, false
	for i, pc := range p.list {
		if pc.kind != pieceRow {
			continue
		}
		hasRows[pc.group] = true
		if full || len(pc.text) > budget {
			full = true // the rows kept are the leading ones
			continue
		}
		budget -= len(pc.text)
		keep[i], keptRows[pc.group] = true, true
		if pc.change {
			shown++
		}
	}
	var out strings.Builder
	for i, pc := range p.list {
		switch {
		case pc.kind == pieceRow && !keep[i]:
		case pc.kind == pieceFooter:
		case pc.group != 0 && hasRows[pc.group] && !keptRows[pc.group]:
		default:
			out.WriteString(pc.text)
		}
	}
	out.WriteString(note(shown, total))
	return out.String(), true
}

func (p *pieces) cutInOrder(maxBytes, noteLen, total int, note func(shown, total int) string) string {
	var out strings.Builder
	depth, inTable, shown := 0, false, 0
	for _, pc := range p.list {
		d, t := depth, inTable
		switch pc.kind {
		case pieceOpen:
			d++
		case pieceClose:
			d--
		case pieceTableStart:
			t = true
		case pieceTableEnd:
			t = false
		}
		reserve := noteLen + d*len(closeDetails)
		if t {
			reserve++
		}
		if out.Len()+len(pc.text)+reserve > maxBytes {
			break
		}
		out.WriteString(pc.text)
		depth, inTable = d, t
		if pc.change {
			shown++
		}
	}
	if inTable {
		out.WriteString("\n")
	}
	for ; depth > 0; depth-- {
		out.WriteString(closeDetails)
	}
	out.WriteString(note(shown, total))
	s := out.String()
	if len(s) > maxBytes { // maxBytes is smaller than the note
		s = s[:maxBytes]
		for !utf8.ValidString(s) {
			s = s[:len(s)-1]
		}
	}
	return s
}

// ---- Markdown text helpers ----

// newlines keeps multi-line values (error messages) on their table row: a
// code span would show a literal \n, so lines are joined with a middle dot.
var newlines = strings.NewReplacer("\r\n", " · ", "\r", " · ", "\n", " · ")

var backtickRun = regexp.MustCompile("`+")

// code renders s as a code span: lines joined with " · ", a fence longer
// than any backtick run inside, and in a table cell | escaped as \| (GFM
// unescapes it inside code spans too). An empty s is *(empty)*.
func code(s string, inTable bool) string {
	if s == "" {
		return "*(empty)*"
	}
	s = newlines.Replace(s)
	if inTable {
		s = strings.ReplaceAll(s, "|", `\|`)
	}
	n := 0
	for _, run := range backtickRun.FindAllString(s, -1) {
		n = max(n, len(run))
	}
	fence := strings.Repeat("`", n+1)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") ||
		(strings.HasPrefix(s, " ") && strings.HasSuffix(s, " ") && strings.Trim(s, " ") != "") {
		s = " " + s + " " // the spaces are stripped again
	}
	return fence + s + fence
}

func cell(s string) string { return code(s, true) }

// plainCell is text for a table cell that is not a code span: on one
// line, with | and the characters that start Markdown or HTML escaped.
func plainCell(s string) string {
	return plainEscaper.Replace(oneLine(s))
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
	text = strings.TrimRight(strings.NewReplacer("\r\n", "\n", "\r", "\n").Replace(text), "\n")
	n := 2
	for _, run := range backtickRun.FindAllString(text, -1) {
		n = max(n, len(run))
	}
	fence := strings.Repeat("`", n+1)
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

var actionLabel = map[plan.Action]string{
	plan.Create:  "🟢\u00a0create",
	plan.Update:  "🟡\u00a0update",
	plan.Replace: "🟣\u00a0replace",
	plan.Delete:  "🔴\u00a0delete",
}

var driftLabel = map[plan.Action]string{
	plan.Create:  "🟢\u00a0missing",
	plan.Update:  "🟡\u00a0changed",
	plan.Replace: "🟣\u00a0changed (replace)",
	plan.Delete:  "🔴\u00a0not in spec",
}

var statusLabel = map[apply.Status]string{
	apply.StatusApplied: "✅\u00a0applied",
	apply.StatusFailed:  "❌\u00a0failed",
	apply.StatusSkipped: "⏭\u00a0skipped",
}

func label(m map[plan.Action]string, a plan.Action) string {
	if l, ok := m[a]; ok {
		return l
	}
	return string(a)
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
	kind Kind
	b    pieces
}

func (m *mdWriter) report(r Report) {
	if len(r.Accounts) > 1 {
		m.b.block(fmt.Sprintf("## riskctl %s: %d accounts", m.kindName(), len(r.Accounts)))
		m.b.block(m.totals(r))
	}
	if len(r.Accounts) == 0 {
		m.b.block("riskctl " + m.kindName() + ": no accounts.")
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

func (m *mdWriter) totals(r Report) string {
	var s string
	switch m.kind {
	case KindDrift:
		drifted := 0
		for _, a := range r.Accounts {
			if a.HasChanges() {
				drifted++
			}
		}
		s = fmt.Sprintf("**Total: %s with drift.**", plural(drifted, "account", "accounts"))
	default:
		s = "**Total: " + r.Totals().String() + "**"
	}
	if n := r.failed(); n > 0 {
		s += fmt.Sprintf(" ❌ %s failed.", plural(n, "account", "accounts"))
	}
	return s
}

func (m *mdWriter) account(a Account) {
	id := a.ID()
	title := fmt.Sprintf("### %sriskctl %s · account %s", m.statusEmoji(a), m.kindName(), code(displayID(id), false))
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
		rows := 0
		for i, c := range p.Changes {
			if c.Resource != res.resource {
				continue
			}
			ar, ok := results[i]
			text, n := m.changeRows(c, ar, ok)
			units = append(units, piece{kind: pieceRow, text: text, change: true})
			rows += n
		}
		if len(units) > 0 {
			m.table("#### "+res.title, fmt.Sprintf("%s (%d table rows)", plural(len(units), "change", "changes"), rows), m.changeHeader(), units, rows)
		}
	}
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

// table writes an optional heading, then the table, folded in <details>
// when it has more than foldRows rows.
func (m *mdWriter) table(heading, foldSummary, head string, units []piece, rows int) {
	if heading != "" {
		m.b.beginGroup()
		defer m.b.endGroup()
		m.b.block(heading)
	}
	fold := rows > foldRows
	if fold {
		m.b.add(pieceOpen, "<details><summary>"+foldSummary+"</summary>\n\n")
	}
	m.b.add(pieceTableStart, head)
	for _, u := range units {
		m.b.row(u.text, u.change)
	}
	m.b.add(pieceTableEnd, "\n")
	if fold {
		m.b.add(pieceClose, closeDetails)
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
		if !p.HasChanges() {
			m.b.block("✅\u00a0**No drift:** " + matches + ".")
			return
		}
		m.b.block(fmt.Sprintf("**Drift detected:** %s the spec. To make the account match it, apply would do: **%s**",
			plural(len(p.Changes), "object differs from", "objects differ from"), p.Summary()))
	case KindApply:
		if !p.HasChanges() {
			m.b.block("**No changes.** " + capitalize(matches) + "; nothing was applied.")
			return
		}
		m.b.block("**" + p.Summary().String() + "**")
		if a.Result != nil {
			m.b.block("**Apply: " + resultCounts(a.Result) + ".**")
		} else {
			m.b.block("**Nothing was applied.**")
		}
	default:
		if !p.HasChanges() {
			m.b.block("**No changes.** " + capitalize(matches) + ".")
			return
		}
		m.b.block("**" + p.Summary().String() + "**")
	}
}

func capitalize(s string) string { return strings.ToUpper(s[:1]) + s[1:] }

// banner warns about deletes and replaces, naming them.
func (m *mdWriter) banner(p plan.Plan) {
	var items []string
	for _, c := range p.Changes {
		if c.Action != plan.Delete && c.Action != plan.Replace {
			continue
		}
		name := "integration " + code(c.Key, false)
		if c.Key == "" {
			name = "integration with no reference_id"
		}
		if id := liveID(c); id != "" {
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
		units = append(units, piece{kind: pieceRow, text: row(label(actionLabel, ar.Change.Action), m.changeKey(ar.Change), cell(msg))})
	}
	if len(units) > 0 {
		m.table("#### Errors", plural(len(units), "failed action", "failed actions"), header("Action", "Key", "Error"), units, len(units))
	}
}

func (m *mdWriter) changeKey(c plan.Change) string {
	if c.Resource == plan.ResourceIntegration && c.Key == "" {
		if id := liveID(c); id != "" {
			return "*(no reference_id)*, id " + cell(id)
		}
	}
	return keyCell(c.Key)
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
// first row only) and returns them with their number.
func (m *mdWriter) changeRows(c plan.Change, ar apply.ActionResult, haveResult bool) (string, int) {
	none := "*(none)*"
	missing, notInSpec := none, none
	if m.kind == KindDrift {
		missing, notInSpec = "*(missing)*", "*(not in spec)*"
	}
	var fields []fieldRow
	id := liveID(c)
	switch {
	case c.Action == plan.Replace && id != "" && m.kind != KindDrift:
		fields = append(fields, fieldRow{"id", cell(id), "*(known after apply)*"})
	case c.Action == plan.Delete && id != "":
		fields = append(fields, fieldRow{"id", cell(id), notInSpec})
	}
	for _, f := range c.Fields {
		fr := fieldRow{field: f.Field, before: cell(f.Before), after: cell(f.After)}
		switch c.Action {
		case plan.Create:
			fr.before = missing
		case plan.Delete:
			fr.after = notInSpec
		case plan.Replace:
			if f.Field == "integration_type" {
				fr.field += " (forces replacement)"
			}
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
			key = keyCell(c.Key) // a delete's id is on its own row
			switch m.kind {
			case KindDrift:
				action = label(driftLabel, c.Action)
			default:
				action = label(actionLabel, c.Action)
			}
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
	return b.String(), len(fields)
}

// unmanaged lists the objects the spec does not name, folded.
func (m *mdWriter) unmanaged(p plan.Plan) {
	nb, ni := len(p.UnmanagedBehaviors), len(p.UnmanagedIntegrations)
	if nb+ni == 0 {
		return
	}
	var units []piece
	for _, key := range p.UnmanagedBehaviors {
		// The plan keeps only the keys of unmanaged behaviors.
		units = append(units, piece{kind: pieceRow, text: row("behavior", cell(key), "*(left as it is)*")})
	}
	for _, in := range p.UnmanagedIntegrations {
		live := "id " + cell(in.ID) + ", integration_type " + cell(in.IntegrationType) +
			", tenant_url " + cell(in.TenantURL) + ", active " + cell(strconv.FormatBool(in.Active))
		units = append(units, piece{kind: pieceRow, text: row("integration", keyCell(in.ReferenceID), live)})
	}
	var parts []string
	if nb > 0 {
		parts = append(parts, plural(nb, "behavior", "behaviors"))
	}
	if ni > 0 {
		parts = append(parts, plural(ni, "integration", "integrations"))
	}
	m.b.beginGroup()
	defer m.b.endGroup()
	m.b.add(pieceOpen, "<details><summary>Unmanaged, left alone (not in the spec): "+strings.Join(parts, ", ")+"</summary>\n\n")
	m.table("", "", header("Resource", "Key", "Live"), units, 0)
	m.b.add(pieceClose, closeDetails)
}

// ignored lists the differences the spec's ignore lists kept out, folded.
func (m *mdWriter) ignored(p plan.Plan) {
	if len(p.Ignored) == 0 {
		return
	}
	var units []piece
	for _, ig := range p.Ignored {
		units = append(units, piece{kind: pieceRow, text: row(plainCell(string(ig.Resource)), keyCell(ig.Key), plainCell(ig.Field), cell(ig.Live), cell(ig.Desired))})
	}
	m.b.beginGroup()
	defer m.b.endGroup()
	m.b.add(pieceOpen, "<details><summary>"+ignoredLine(len(p.Ignored))+"</summary>\n\n")
	m.table("", "", header("Resource", "Key", "Field", "Live", "Desired"), units, 0)
	m.b.add(pieceClose, closeDetails)
}
