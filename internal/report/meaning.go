package report

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/riskctl/riskctl/internal/assess"
	"github.com/riskctl/riskctl/internal/plan"
	"github.com/riskctl/riskctl/internal/state"
	"github.com/riskctl/riskctl/internal/textutil"
)

// What a plan means, shown before its changes in text and Markdown (after
// the weakening banner): the wiring findings, then the Access rules the
// plan makes dead, revives or changes, then the standing mistakes (lint),
// folded in Markdown; a line when Access could not be checked. Every
// string from outside (a policy's name, an integration's id or URL) is
// printed through this package's escaping: in Markdown as a code span
// (code: a name such as "@octocat" or "<img …>" never renders or
// mentions), in text with its invisible characters shown (visible).

// Access impact effects (package assess).
const effectLint = "lint"

// impacts splits an account's Access impact into the plan's effects
// (dead, revived, changed) and the standing mistakes (lint).
func impacts(a Account) (effects, lint []assess.Impact) {
	for _, im := range a.AccessImpact {
		if im.Effect == effectLint {
			lint = append(lint, im)
		} else {
			effects = append(effects, im)
		}
	}
	return effects, lint
}

// visible is an outside string on one line, its invisible characters shown.
func visible(s string) string { return textutil.Visible(textutil.OneLine(s)) }

// ---- text ----

// meaning writes an account's findings, Access impact and what was not
// checked, before its plan or drift.
func (t *textWriter) meaning(a Account) {
	wrote := false
	if len(a.Findings) > 0 {
		t.printf("%s %s:\n", t.paint("Findings", ansiRed), "("+strconv.Itoa(len(a.Findings))+")")
		for _, f := range a.Findings {
			t.printf("  ! %s %s: %s\n", f.Kind, findingRef(f.ReferenceID), visible(f.Detail))
		}
		wrote = true
	}
	effects, lint := impacts(a)
	for _, group := range []struct {
		title string
		list  []assess.Impact
	}{{"Access impact", effects}, {"Access lint (standing mistakes)", lint}} {
		if len(group.list) == 0 {
			continue
		}
		if wrote {
			t.printf("\n")
		}
		t.printf("%s (%d):\n", t.paint(group.title, ansiYellow), len(group.list))
		for _, im := range group.list {
			// %q escapes controls, bidi and zero-width characters itself,
			// as appsText does: visible first would escape them twice.
			t.printf("  %-7s policy %q (%s, %s %s)%s: %s\n", im.Effect, im.PolicyName, visible(im.Decision),
				im.List, visible("["+strings.Join(im.Levels, " ")+"]"), appsText(im.Apps), visible(im.Detail))
		}
		wrote = true
	}
	if notChecked(a) {
		if wrote {
			t.printf("\n")
		}
		t.printf("%s %s.\n", t.paint("Note:", ansiYellow), strings.TrimSuffix(visible(a.AccessNotChecked), "."))
		wrote = true
	}
	if wrote {
		t.printf("\n")
	}
}

// findingRef names a finding's reference_id, or says it has none.
func findingRef(ref string) string {
	if ref == "" {
		return "(no reference_id)"
	}
	return strconv.Quote(ref)
}

// appsText is ", apps: "A", "B"" for the applications using a policy.
func appsText(apps []string) string {
	if len(apps) == 0 {
		return ""
	}
	q := make([]string, len(apps))
	for i, s := range apps {
		q[i] = strconv.Quote(s)
	}
	return ", apps: " + strings.Join(q, ", ")
}

// driftByFindings is drift's line for an account whose spec objects match
// but which has an active integration no spec manages.
func driftByFindings(account string) string {
	return fmt.Sprintf("Drift detected on account %s: an active integration no spec manages (findings above); the spec's objects match.\n", account)
}

// ---- Markdown ----

// meaning writes an account's findings, Access impact and what was not
// checked: findings and effects as tables, lint folded.
func (m *mdWriter) meaning(a Account) {
	if len(a.Findings) > 0 {
		var units []piece
		for _, f := range a.Findings {
			units = append(units, piece{kind: pieceRow, text: row(cell(f.Kind), keyCell(f.ReferenceID), cell(f.Detail))})
		}
		m.section("Findings", "Findings: "+strconv.Itoa(len(a.Findings)), len(a.Findings) > foldChanges,
			header("Finding", state.FieldReferenceID, "Detail"), units)
	}
	effects, lint := impacts(a)
	if len(effects) > 0 {
		m.section("Access impact", "Access impact: "+effectCounts(effects), len(effects) > foldChanges, impactHeader(), impactRows(effects))
	}
	if len(lint) > 0 {
		m.section("Access lint", "Access lint (standing mistakes): "+strconv.Itoa(len(lint)), true, impactHeader(), impactRows(lint))
	}
	if notChecked(a) {
		m.b.block(quoteBlock("[!NOTE]\n" + code(a.AccessNotChecked, false)))
	}
}

func impactHeader() string {
	return header("Effect", "Policy", "Decision", "List", "Levels", "Apps", "Detail")
}

func impactRows(list []assess.Impact) []piece {
	var units []piece
	for _, im := range list {
		apps := make([]string, len(im.Apps))
		for i, s := range im.Apps {
			apps[i] = cell(s)
		}
		// later: a cut comment keeps the changes before these rows.
		units = append(units, piece{kind: pieceRow, later: true, text: row(plainCell(im.Effect), cell(im.PolicyName), cell(im.Decision),
			plainCell(im.List), cell(strings.Join(im.Levels, " ")), strings.Join(apps, ", "), cell(im.Detail))})
	}
	return units
}

// effectCounts reads "1 dead · 2 changed".
func effectCounts(list []assess.Impact) string {
	n := map[string]int{}
	var order []string
	for _, im := range list {
		if n[im.Effect] == 0 {
			order = append(order, im.Effect)
		}
		n[im.Effect]++
	}
	parts := make([]string, len(order))
	for i, e := range order {
		parts[i] = strconv.Itoa(n[e]) + " " + plainCell(e)
	}
	return strings.Join(parts, " · ")
}

// unmanagedIntegrations lists the live integrations no spec manages,
// unfolded: each may stream risk scores to a tenant nobody declared.
func (m *mdWriter) unmanagedIntegrations(p plan.Plan) {
	if len(p.UnmanagedIntegrations) == 0 {
		return
	}
	var units []piece
	for _, in := range p.UnmanagedIntegrations {
		units = append(units, piece{kind: pieceRow, text: row(keyCell(in.ReferenceID), cell(in.ID), cell(plan.DisplayValue(plan.FieldTenantURL, in.TenantURL)), cell(strconv.FormatBool(in.Active)))})
	}
	m.section("Unmanaged integrations (not in any spec, left alone): "+strconv.Itoa(len(p.UnmanagedIntegrations)), "", false,
		header(state.FieldReferenceID, "id", state.FieldTenantURL, state.FieldActive), units)
}

// ---- JSON ----

type jsonImpact struct {
	PolicyID   string   `json:"policy_id"`
	PolicyName string   `json:"policy_name"`
	Decision   string   `json:"decision"`
	List       string   `json:"list"`
	Levels     []string `json:"levels"`
	Apps       []string `json:"apps"`
	Effect     string   `json:"effect"`
	Detail     string   `json:"detail"`
}

type jsonFinding struct {
	Kind        string `json:"kind"`
	ReferenceID string `json:"reference_id"`
	Detail      string `json:"detail"`
}

// meaningJSON fills ja's access_impact, access_checked,
// access_not_checked and findings from a; arrays are never null.
func meaningJSON(ja *jsonAccount, a Account) {
	ja.AccessImpact, ja.Findings = []jsonImpact{}, []jsonFinding{}
	for _, im := range a.AccessImpact {
		ja.AccessImpact = append(ja.AccessImpact, jsonImpact{
			PolicyID: im.PolicyID, PolicyName: im.PolicyName, Decision: im.Decision, List: im.List,
			Levels: append([]string{}, im.Levels...), Apps: append([]string{}, im.Apps...),
			Effect: im.Effect, Detail: im.Detail,
		})
	}
	for _, f := range a.Findings {
		ja.Findings = append(ja.Findings, jsonFinding(f))
	}
	ja.AccessChecked = a.AccessChecked
	ja.AccessNotChecked = a.AccessNotChecked
}

// ---- GitHub outputs ----

// meaningOutputs are the step outputs access_impact=N (Access impact
// entries, lint included) and findings=N, over every account.
func meaningOutputs(r Report) [][2]string {
	impact, findings := 0, 0
	for _, a := range r.Accounts {
		impact += len(a.AccessImpact)
		findings += len(a.Findings)
	}
	return [][2]string{{"access_impact", strconv.Itoa(impact)}, {"findings", strconv.Itoa(findings)}}
}

// notChecked reports whether text and Markdown say what Access checks were
// not made: a check that was wanted and could not be done is news; one
// turned off on purpose (--access-impact=off, apply's default) is not, and
// only JSON records it (access_checked false, access_not_checked).
func notChecked(a Account) bool {
	return a.AccessNotChecked != "" && !a.AccessOff
}
