package report

import (
	"bytes"
	"errors"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/renderer/html"

	"github.com/riskctl/riskctl/internal/apply"
	"github.com/riskctl/riskctl/internal/plan"
	"github.com/riskctl/riskctl/internal/state"
)

// The Markdown is checked as GitHub would show it: rendered by a GFM
// renderer (goldmark, raw HTML passed through as GitHub does for
// <details>), then the HTML is inspected.

var gfm = goldmark.New(goldmark.WithExtensions(extension.GFM), goldmark.WithRendererOptions(html.WithUnsafe()))

func renderHTML(t *testing.T, md string) string {
	t.Helper()
	var b bytes.Buffer
	if err := gfm.Convert([]byte(md), &b); err != nil {
		t.Fatalf("goldmark: %v", err)
	}
	return b.String()
}

func markdown(t *testing.T, r Report, maxBytes int) string {
	t.Helper()
	var b bytes.Buffer
	if err := WriteMarkdown(&b, r, maxBytes); err != nil {
		t.Fatalf("WriteMarkdown: %v", err)
	}
	return b.String()
}

type htmlTable struct {
	header []string
	rows   [][]string
	// inDetails is how many <details> elements enclose the table.
	inDetails int
}

var (
	tagRe   = regexp.MustCompile(`<(/?)(details|summary|table|thead|tbody|tr|blockquote)\b[^>]*>`)
	thRe    = regexp.MustCompile(`(?s)<th(?:\s[^>]*)?>(.*?)</th>`)
	tdRe    = regexp.MustCompile(`(?s)<td(?:\s[^>]*)?>(.*?)</td>`)
	trRe    = regexp.MustCompile(`(?s)<tr>(.*?)</tr>`)
	tableRe = regexp.MustCompile(`(?s)<table>(.*?)</table>`)
)

// checkHTML asserts that the structural elements are balanced and
// properly nested, that no Markdown table leaked out as text, and returns
// the tables.
func checkHTML(t *testing.T, h string) []htmlTable {
	t.Helper()
	var stack []string
	var depths []int // <details> depth of each table, in order
	details := 0
	for _, m := range tagRe.FindAllStringSubmatch(h, -1) {
		closing, tag := m[1] == "/", m[2]
		if !closing {
			if tag == "table" {
				depths = append(depths, details)
			}
			if tag == "details" {
				details++
			}
			stack = append(stack, tag)
			continue
		}
		if len(stack) == 0 || stack[len(stack)-1] != tag {
			t.Fatalf("</%s> does not close the open element (open: %v)\n%s", tag, stack, h)
		}
		stack = stack[:len(stack)-1]
		if tag == "details" {
			details--
		}
	}
	if len(stack) != 0 {
		t.Fatalf("unclosed elements %v\n%s", stack, h)
	}
	for _, leak := range []string{"<p>|", "| ---", "|---", "**"} {
		if strings.Contains(h, leak) {
			t.Errorf("Markdown leaked into the HTML as text: %q\n%s", leak, h)
		}
	}
	var tables []htmlTable
	for i, m := range tableRe.FindAllStringSubmatch(h, -1) {
		tb := htmlTable{inDetails: depths[i]}
		for _, th := range thRe.FindAllStringSubmatch(m[1], -1) {
			tb.header = append(tb.header, th[1])
		}
		for _, tr := range trRe.FindAllStringSubmatch(m[1], -1) {
			tds := tdRe.FindAllStringSubmatch(tr[1], -1)
			if len(tds) == 0 {
				continue // the header row
			}
			var cells []string
			for _, td := range tds {
				cells = append(cells, td[1])
			}
			if len(cells) != len(tb.header) {
				t.Errorf("a row has %d cells, the header %d: %q", len(cells), len(tb.header), cells)
			}
			tb.rows = append(tb.rows, cells)
		}
		tables = append(tables, tb)
	}
	return tables
}

func findTable(t *testing.T, tables []htmlTable, header ...string) htmlTable {
	t.Helper()
	for _, tb := range tables {
		if strings.Join(tb.header, "|") == strings.Join(header, "|") {
			return tb
		}
	}
	t.Fatalf("no table with header %q among %d tables", header, len(tables))
	return htmlTable{}
}

// tablesWith returns the tables with that header, in order.
func tablesWith(tables []htmlTable, header ...string) []htmlTable {
	var out []htmlTable
	for _, tb := range tables {
		if strings.Join(tb.header, "|") == strings.Join(header, "|") {
			out = append(out, tb)
		}
	}
	return out
}

var planHeader = []string{"Action", "Key", "Field", "Before → After"}

func TestMarkdownRenderedPlan(t *testing.T) {
	md := markdown(t, reportCases(t)[0].report, 0)
	h := renderHTML(t, md)
	tables := checkHTML(t, h)

	// The weakening banner first, then the account's section.
	if !strings.HasPrefix(md, "> [!WARNING]\n> **This plan weakens") || !strings.Contains(md, "\n\n<!-- riskctl:plan account="+acctA+" -->\n") {
		t.Errorf("the Markdown does not start with the weakening banner, then the marker:\n%s", md)
	}
	if !strings.Contains(h, "<!-- riskctl:plan account="+acctA+" -->") {
		t.Error("the marker is not an HTML comment in the rendered output")
	}
	changes := tablesWith(tables, planHeader...)
	if len(changes) != 2 {
		t.Fatalf("%d change tables, want 2 (behaviors, integrations)", len(changes))
	}
	// Behaviors: high_dlp (2 fields) + imp_travel (1).
	if n := len(changes[0].rows); n != 3 {
		t.Errorf("behaviors table has %d rows, want 3", n)
	}
	// Integrations: upd-a 1, upd-b 1, rep id+1, new 3, new-inactive 3, two deletes id+3 each.
	if n := len(changes[1].rows); n != 1+1+2+3+3+4+4 {
		t.Errorf("integrations table has %d rows, want 18", n)
	}
	if changes[0].inDetails != 0 || changes[1].inDetails != 0 {
		t.Error("short change tables are folded")
	}
	first := changes[0].rows[0]
	if first[1] != "<code>high_dlp</code>" || first[2] != "enabled" || first[3] != "<code>false</code> → <code>true</code>" {
		t.Errorf("first behavior row = %q", first)
	}
	unmanaged := findTable(t, tables, "Resource", "Key", "Live")
	if unmanaged.inDetails != 1 || len(unmanaged.rows) != 1 {
		t.Errorf("unmanaged table: inDetails %d, %d rows", unmanaged.inDetails, len(unmanaged.rows))
	}
	if !regexp.MustCompile(`(?s)<blockquote>\s*<p>\[!WARNING\]\s*This plan deletes or replaces 3 integrations:`).MatchString(h) {
		t.Errorf("no deletion banner blockquote:\n%s", h)
	}
	for _, name := range []string{"idp-rep", "idp-old", "11111111-1111-4111-8111-111111111111"} {
		if !regexp.MustCompile(`(?s)<blockquote>.*<code>` + name + `</code>.*</blockquote>`).MatchString(h) {
			t.Errorf("the banner does not name %s", name)
		}
	}
	if !strings.Contains(h, "<strong>Plan: 2 to add, 4 to change, 1 to replace, 2 to destroy.</strong>") {
		t.Error("no bold summary line")
	}
}

func TestMarkdownRenderedCases(t *testing.T) {
	cases := reportCases(t)
	t.Run("no_changes", func(t *testing.T) {
		h := renderHTML(t, markdown(t, cases[1].report, 0))
		tables := checkHTML(t, h)
		if len(tablesWith(tables, planHeader...)) != 0 || strings.Contains(h, "[!WARNING]") {
			t.Errorf("a no-change plan has change tables or a warning:\n%s", h)
		}
		if !strings.Contains(h, "<strong>No changes.</strong>") {
			t.Errorf("no 'No changes':\n%s", h)
		}
		un := findTable(t, tables, "Resource", "Key", "Live")
		if un.inDetails != 1 || len(un.rows) != 2 { // imp_travel's neighbours
			t.Errorf("unmanaged behaviors: inDetails %d, rows %d", un.inDetails, len(un.rows))
		}
		// Unmanaged integrations are news: unfolded, with tenant_url and active.
		ui := findTable(t, tables, "reference_id", "id", "tenant_url", "active")
		if ui.inDetails != 0 || len(ui.rows) != 1 { // idp-manual
			t.Errorf("unmanaged integrations: inDetails %d, rows %d", ui.inDetails, len(ui.rows))
		}
	})
	t.Run("drift", func(t *testing.T) {
		md := markdown(t, cases[2].report, 0)
		h := renderHTML(t, md)
		tables := checkHTML(t, h)
		for _, id := range []string{acctA, acctB} {
			if !strings.Contains(h, "<!-- riskctl:drift account="+id+" -->") {
				t.Errorf("no drift marker for %s", id)
			}
		}
		drift := tablesWith(tables, "Drift", "Key", "Field", "Live", "Desired")
		if len(drift) != 2 || len(drift[0].rows)+len(drift[1].rows) != 3+18-1 { // drift has no id row for the replace
			t.Errorf("%d drift tables", len(drift))
		}
		if !strings.Contains(h, "<strong>No drift:</strong> the account matches the spec.") {
			t.Errorf("no 'No drift' for the in-sync account:\n%s", h)
		}
		if !strings.Contains(h, "Applying the spec would delete or replace 3 integrations") {
			t.Error("no drift deletion banner")
		}
	})
	t.Run("apply", func(t *testing.T) {
		h := renderHTML(t, markdown(t, cases[3].report, 0))
		tables := checkHTML(t, h)
		if !strings.Contains(h, "<!-- riskctl:apply account="+acctA+" -->") {
			t.Error("no apply marker")
		}
		results := tablesWith(tables, "Status", "Action", "Key", "Field", "Before → After")
		if len(results) != 2 {
			t.Fatalf("%d result tables, want 2", len(results))
		}
		count := map[string]int{}
		for _, tb := range results {
			for _, r := range tb.rows {
				if r[0] != "" {
					count[r[0]]++
				}
			}
		}
		if count["✅\u00a0applied"] != 5 || count["❌\u00a0failed"] != 2 || count["⏭\u00a0skipped"] != 2 {
			t.Errorf("statuses %v", count)
		}
		errs := findTable(t, tables, "Action", "Key", "Error")
		if len(errs.rows) != 2 {
			t.Errorf("errors table has %d rows, want 2", len(errs.rows))
		}
		if !strings.Contains(h, `<strong>Apply: 1 added, 4 changed, 0 replaced, 0 destroyed; 2 failed, 2 not started.</strong>`) {
			t.Error("no apply counts")
		}
		if !regexp.MustCompile(`(?s)<blockquote>\s*<p>\[!CAUTION\].*<pre><code class="language-text">apply: 2 of 9 actions failed, 2 skipped`).MatchString(h) {
			t.Errorf("no error alert with the error in a code block:\n%s", h)
		}
	})
	t.Run("two_accounts", func(t *testing.T) {
		md := markdown(t, cases[4].report, 0)
		h := renderHTML(t, md)
		checkHTML(t, h)
		ia, ib := strings.Index(md, "<!-- riskctl:plan account="+acctA), strings.Index(md, "<!-- riskctl:plan account="+acctB)
		if ia < 0 || ib < ia {
			t.Errorf("markers missing or out of order: %d, %d", ia, ib)
		}
		if !strings.Contains(h, "riskctl plan: 2 accounts") || !strings.Contains(h, "1 account failed") {
			t.Errorf("no multi-account title and totals:\n%s", h)
		}
		if !strings.Contains(h, "HTTP 403 Forbidden") {
			t.Error("the failed account's error is missing")
		}
	})
	t.Run("partial", func(t *testing.T) {
		h := renderHTML(t, markdown(t, cases[5].report, 0))
		tables := checkHTML(t, h)
		if !regexp.MustCompile(`(?s)<blockquote>\s*<p>\[!WARNING\]\s*Partial plan \(targets: <code>behavior:imp_travel</code>, <code>integration:idp-rep</code>\): other differences are not shown.`).MatchString(h) {
			t.Errorf("no partial-plan warning:\n%s", h)
		}
		ig := findTable(t, tables, "Resource", "Key", "Field", "Live", "Desired")
		if ig.inDetails != 1 || len(ig.rows) != 2 {
			t.Errorf("ignored table: inDetails %d, rows %d", ig.inDetails, len(ig.rows))
		}
		if got := ig.rows[1][3]; got != "<code>https://rep.okta.com/a|b</code>" {
			t.Errorf("a | in a code span: cell %q", got)
		}
		if !strings.Contains(h, "<summary>2 differences ignored by the spec's ignore lists</summary>") {
			t.Error("no ignored summary")
		}
	})
}

func TestMarkdownTargetedNoChanges(t *testing.T) {
	p, err := plan.ComputeWith(everyActionDesired(acctA), everyActionLive(acctA),
		plan.Options{Targets: []plan.Target{{Resource: plan.ResourceIntegration, Key: "idp-keep"}}, Policy: pruned})
	if err != nil {
		t.Fatal(err)
	}
	for kind, want := range map[Kind]string{
		KindPlan:  "<strong>No changes.</strong> The targeted objects match the spec.",
		KindDrift: "<strong>No drift:</strong> the targeted objects match the spec.",
	} {
		h := renderHTML(t, markdown(t, Report{Kind: kind, Accounts: []Account{{Plan: &p}}}, 0))
		checkHTML(t, h)
		if !strings.Contains(h, want) || !strings.Contains(h, "Partial plan (targets: <code>integration:idp-keep</code>)") {
			t.Errorf("%s: no %q or partial warning:\n%s", kind, want, h)
		}
	}
}

// TestMarkdownEscaping puts |, backticks, a backslash and a newline in
// keys and values: the table must keep its columns and show them all.
func TestMarkdownEscaping(t *testing.T) {
	ref := "ref|`odd`\\|"
	desired := state.Account{AccountID: acctA, Behaviors: map[string]state.Behavior{},
		Integrations: []state.Integration{okta(ref, "https://a.okta.com", true)}}
	live := state.Account{AccountID: acctA, Behaviors: liveBehaviors(), Integrations: []state.Integration{
		liveOkta("12121212-1212-4121-8121-121212121212", ref, "https://a.okta.com/x|y``z\nw", true),
	}}
	p := compute(t, desired, live)
	md := markdown(t, Report{Kind: KindPlan, Accounts: []Account{{Plan: p}}}, 0)
	h := renderHTML(t, md)
	tables := checkHTML(t, h)
	tb := tablesWith(tables, planHeader...)
	if len(tb) != 1 || len(tb[0].rows) != 1 {
		t.Fatalf("want one table with one row:\n%s\n%s", md, h)
	}
	row := tb[0].rows[0]
	// The key cell names the live tenant URL too; a tenant URL prints
	// every character outside printable ASCII as a \u escape.
	if want := "<code>ref|`odd`\\|</code> · <code>https://a.okta.com/x|y``z\\u000Aw</code>"; row[1] != want {
		t.Errorf("key cell %q, want %q", row[1], want)
	}
	if want := "<code>https://a.okta.com/x|y``z\\u000Aw</code> → <code>https://a.okta.com</code>"; row[3] != want {
		t.Errorf("value cell %q, want %q", row[3], want)
	}
}

// TestMarkdownCap renders a 5000-integration plan: the output stays within
// the cap, its HTML is balanced, and the note counts the changes shown.
func TestMarkdownCap(t *testing.T) {
	p := hugePlan(t, 5000)
	r := Report{Kind: KindPlan, Accounts: []Account{{AccountID: acctA, SpecFiles: []string{"huge.yaml"}, Plan: p}}}
	md := markdown(t, r, 0)
	if len(md) > MaxMarkdownBytes {
		t.Fatalf("len = %d > %d", len(md), MaxMarkdownBytes)
	}
	note := regexp.MustCompile("\n\n… output truncated: ([0-9]+) of 5100 changes shown. Run `riskctl plan` locally or download the plan artifact for the full plan.\n$")
	m := note.FindStringSubmatch(md)
	if m == nil {
		t.Fatalf("no truncation note at the end:\n%s", md[max(0, len(md)-500):])
	}
	shown, _ := strconv.Atoi(m[1])
	h := renderHTML(t, md)
	tables := checkHTML(t, h)
	tb := tablesWith(tables, planHeader...)
	if len(tb) != 1 || tb[0].inDetails != 1 {
		t.Fatalf("want one folded integrations table, got %d", len(tb))
	}
	actions := 0
	for _, r := range tb[0].rows {
		if r[0] != "" {
			actions++
		}
	}
	if actions != shown || shown < 100 {
		t.Errorf("the note says %d shown, the table shows %d", shown, actions)
	}
	if !strings.Contains(h, "… and 90 more") {
		t.Error("the banner does not stop at 10 names")
	}
	if len(md) < MaxMarkdownBytes-500 {
		t.Errorf("only %d bytes used of %d", len(md), MaxMarkdownBytes)
	}
}

// TestMarkdownCapKeepsSections: when one account's plan is huge, the
// other accounts still get their marker, heading, summary and error.
func TestMarkdownCapKeepsSections(t *testing.T) {
	cases := reportCases(t)
	failed := cases[4].report.Accounts[1]
	small := cases[0].report.Accounts[0]
	small.AccountID = "0000000000000000000000000000000a"
	r := Report{Kind: KindPlan, RiskctlVersion: "v1", Accounts: []Account{
		{AccountID: acctA, Plan: hugePlan(t, 5000)}, failed, small,
	}}
	md := markdown(t, r, 0)
	if len(md) > MaxMarkdownBytes {
		t.Fatalf("len = %d", len(md))
	}
	for _, want := range []string{
		"<!-- riskctl:plan account=" + acctA + " -->",
		"<!-- riskctl:plan account=" + acctB + " -->",
		"<!-- riskctl:plan account=0000000000000000000000000000000a -->",
		"HTTP 403 Forbidden",
		"**Plan: 2 to add, 4 to change, 1 to replace, 2 to destroy.**",
		"**Total: Plan: 5002 to add, 4 to change, 1 to replace, 102 to destroy.** ❌ 1 account failed.",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("the cut output lacks %q", want)
		}
	}
	m := regexp.MustCompile("… output truncated: ([0-9]+) of 5109 changes shown. [^\n]*\n$").FindStringSubmatch(md)
	if m == nil {
		t.Fatalf("no note at the end:\n%s", md[len(md)-300:])
	}
	h := renderHTML(t, md)
	tables := checkHTML(t, h)
	actions := 0
	for _, tb := range tablesWith(tables, planHeader...) {
		for _, r := range tb.rows {
			if r[0] != "" {
				actions++
			}
		}
	}
	if strconv.Itoa(actions) != m[1] {
		t.Errorf("the note says %s changes shown, the tables show %d", m[1], actions)
	}
}

// TestMarkdownCapEverywhere cuts reports at many sizes: always within the
// cap, balanced, and ending with the note.
func TestMarkdownCapEverywhere(t *testing.T) {
	for _, tc := range reportCases(t) {
		full := markdown(t, tc.report, 1<<20)
		for size := 350; size < len(full); size += 97 {
			md := markdown(t, tc.report, size)
			if len(md) > size {
				t.Fatalf("%s at %d: len %d", tc.name, size, len(md))
			}
			if !strings.Contains(md, "… output truncated: ") {
				t.Fatalf("%s at %d: no note:\n%s", tc.name, size, md)
			}
			checkHTML(t, renderHTML(t, md))
		}
		if md := markdown(t, tc.report, len(full)); md != full {
			t.Errorf("%s: cut at exactly its own length", tc.name)
		}
	}
	// Smaller than the note: a hard cut, still within the cap.
	if md := markdown(t, reportCases(t)[0].report, 40); len(md) > 40 {
		t.Errorf("len %d > 40", len(md))
	}
}

func TestMarker(t *testing.T) {
	for _, tc := range []struct {
		kind Kind
		id   string
		want string
	}{
		{KindPlan, acctA, "<!-- riskctl:plan account=" + acctA + " -->"},
		{KindApply, "x", "<!-- riskctl:apply account=x -->"},
		{KindDrift, "a-->b c", "<!-- riskctl:drift account=a--_b_c -->"},
		{"", "", "<!-- riskctl:plan account=unknown -->"},
	} {
		if got := marker(tc.kind, tc.id); got != tc.want {
			t.Errorf("marker(%q, %q) = %q, want %q", tc.kind, tc.id, got, tc.want)
		}
	}
}

func TestCode(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", "*(empty)*"},
		{"a", "`a`"},
		{"a`b", "``a`b``"},
		{"`a", "`` `a ``"},
		{"a|b", "`a\\|b`"},
		{"a\nb", "`a · b`"},
		{" a ", "`  a  `"},
	} {
		if got := code(tc.in, true); got != tc.want {
			t.Errorf("code(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

var (
	summaryRe = regexp.MustCompile(`<summary>(.*?)</summary>`)
	h4Re      = regexp.MustCompile(`<h4>(.*?)</h4>`)
)

// TestMarkdownFoldByChanges: a section folds by its number of changes,
// not of table rows, and the fold's summary counts what is inside in the
// plan's order and words.
func TestMarkdownFoldByChanges(t *testing.T) {
	for _, tc := range []struct {
		name       string
		kind       Kind
		p          *plan.Plan
		fold       bool
		summary    string // the integrations fold's summary
		rows, nChg int
	}{
		// 10 creates: 30 table rows, but 10 changes: open.
		{name: "10 creates", kind: KindPlan, p: foldPlan(t, 10, 0, 0, 0), rows: 30, nChg: 10},
		// 11 one-field updates: 11 rows, 11 changes: folded.
		{name: "11 updates", kind: KindPlan, p: foldPlan(t, 0, 11, 0, 0), fold: true,
			summary: "Integrations: 11 update", rows: 11, nChg: 11},
		{name: "every action", kind: KindPlan, p: foldPlan(t, 3, 2, 1, 5), fold: true,
			summary: "Integrations: 3 create · 2 update · 1 replace · 5 delete", rows: 9 + 2 + 2 + 20, nChg: 11},
		{name: "drift", kind: KindDrift, p: foldPlan(t, 3, 2, 1, 5), fold: true,
			summary: "Integrations: 3 create · 2 update · 1 replace · 5 delete", rows: 9 + 2 + 1 + 20, nChg: 11},
		{name: "no zero counts", kind: KindPlan, p: foldPlan(t, 4, 0, 0, 7), fold: true,
			summary: "Integrations: 4 create · 7 delete", rows: 12 + 28, nChg: 11},
	} {
		t.Run(tc.name, func(t *testing.T) {
			md := markdown(t, Report{Kind: tc.kind, Accounts: []Account{{AccountID: acctA, Plan: tc.p}}}, 0)
			h := renderHTML(t, md)
			tables := checkHTML(t, h)
			head := planHeader
			if tc.kind == KindDrift {
				head = []string{"Drift", "Key", "Field", "Live", "Desired"}
			}
			tb := tablesWith(tables, head...)
			if len(tb) != 2 {
				t.Fatalf("%d change tables, want 2:\n%s", len(tb), md)
			}
			behaviors, integrations := tb[0], tb[1]
			if behaviors.inDetails != 0 {
				t.Error("the behaviors table (2 changes) is folded")
			}
			if len(integrations.rows) != tc.rows {
				t.Errorf("integrations table has %d rows, want %d", len(integrations.rows), tc.rows)
			}
			changes := 0
			for _, r := range integrations.rows {
				if r[0] != "" {
					changes++
				}
			}
			if changes != tc.nChg {
				t.Errorf("integrations table shows %d changes, want %d", changes, tc.nChg)
			}
			var summaries []string
			for _, m := range summaryRe.FindAllStringSubmatch(h, -1) {
				summaries = append(summaries, m[1])
			}
			var headings []string
			for _, m := range h4Re.FindAllStringSubmatch(h, -1) {
				headings = append(headings, m[1])
			}
			if !tc.fold {
				if integrations.inDetails != 0 {
					t.Errorf("%d changes in %d rows are folded:\n%s", tc.nChg, tc.rows, md)
				}
				if strings.Join(headings, ",") != "Behaviors,Integrations" {
					t.Errorf("headings %q", headings)
				}
				return
			}
			if integrations.inDetails != 1 {
				t.Errorf("%d changes are not folded:\n%s", tc.nChg, md)
			}
			if !slices.Contains(summaries, tc.summary) {
				t.Errorf("no fold summary %q among %q", tc.summary, summaries)
			}
			// The summary says it all: no heading repeats it.
			if strings.Join(headings, ",") != "Behaviors" {
				t.Errorf("headings %q, want only Behaviors", headings)
			}
		})
	}
}

// TestMarkdownFoldErrors: more than 10 failed actions fold the errors
// table, labelled with the count.
func TestMarkdownFoldErrors(t *testing.T) {
	p := foldPlan(t, 0, 11, 0, 0)
	res := &apply.Result{}
	for i, c := range p.Changes {
		ar := apply.ActionResult{Index: i, Change: c, Status: apply.StatusApplied}
		if c.Resource == plan.ResourceIntegration {
			ar.Status, ar.Err = apply.StatusFailed, errors.New("HTTP 500")
			res.Failed++
		} else {
			res.Applied++
		}
		res.Actions = append(res.Actions, ar)
	}
	h := renderHTML(t, markdown(t, Report{Kind: KindApply, Accounts: []Account{{AccountID: acctA, Plan: p, Result: res}}}, 0))
	errs := findTable(t, checkHTML(t, h), "Action", "Key", "Error")
	if errs.inDetails != 1 || len(errs.rows) != 11 {
		t.Errorf("errors table: inDetails %d, %d rows", errs.inDetails, len(errs.rows))
	}
	if !strings.Contains(h, "<summary>Errors: 11 failed actions</summary>") {
		t.Errorf("no errors fold summary:\n%s", h)
	}
}

// TestMarkdownDriftMarkers: in a drift report an integration the spec
// declares but the account lacks is drift, marked like a changed object,
// never with a create's green.
func TestMarkdownDriftMarkers(t *testing.T) {
	md := markdown(t, reportCases(t)[2].report, 0)
	if strings.Contains(md, "🟢") {
		t.Errorf("the drift report shows green:\n%s", md)
	}
	drift := tablesWith(checkHTML(t, renderHTML(t, md)), "Drift", "Key", "Field", "Live", "Desired")
	marks := map[string]string{} // drift word -> emoji
	for _, tb := range drift {
		for _, r := range tb.rows {
			if emoji, word, ok := strings.Cut(r[0], "\u00a0"); ok {
				marks[word] = emoji
			}
		}
	}
	if marks["missing"] == "" || marks["missing"] != marks["changed"] {
		t.Errorf("missing is marked %q, changed %q: want the same drift marker", marks["missing"], marks["changed"])
	}
	// A plan keeps the create's green.
	if got := changeLabel(KindPlan, plan.Create); got != "🟢\u00a0create" {
		t.Errorf("plan create label %q", got)
	}
	if got := changeLabel(KindDrift, plan.Create); strings.Contains(got, "🟢") || !strings.HasSuffix(got, "missing") {
		t.Errorf("drift create label %q", got)
	}
}

// TestTextDriftMissingNotGreen: with colour, a missing integration's
// drift line is not painted an add's green.
func TestTextDriftMissingNotGreen(t *testing.T) {
	var b bytes.Buffer
	if err := WriteText(&b, reportCases(t)[2].report, TextOptions{Color: true}); err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(b.String(), "\n") {
		if strings.Contains(line, "missing from the account") && strings.Contains(line, ansiGreen) {
			t.Errorf("a missing integration is green: %q", line)
		}
	}
	if !strings.Contains(b.String(), ansiYellow+"  +"+ansiReset+` integration "idp-new" (https://new.okta.com): missing from the account`) {
		t.Errorf("the missing integration is not marked as drift:\n%q", b.String())
	}
}
