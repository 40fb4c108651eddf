package assess

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/riskctl/riskctl/internal/state"
)

// Effects of a plan on a user_risk_score rule, and lint.
const (
	EffectDead    = "dead"    // could match someone before, can match no one after
	EffectRevived = "revived" // could match no one before, can match someone after
	EffectChanged = "changed" // matches (or, for require, fails) a different set of levels
	EffectLint    = "lint"    // a standing mistake, whatever the plan does
)

// The lists of a policy or group.
const (
	ListInclude = "include"
	ListRequire = "require"
	ListExclude = "exclude"
)

// Impact is one user_risk_score rule a plan changes, or one standing
// mistake (Effect lint).
type Impact struct {
	PolicyID   string   `json:"policy_id"`
	PolicyName string   `json:"policy_name"`
	Decision   string   `json:"decision"`
	List       string   `json:"list"`   // include, require or exclude: the rule's own list
	Levels     []string `json:"levels"` // the levels the rule lists
	Apps       []string `json:"apps"`   // names of the applications using the policy
	Effect     string   `json:"effect"`
	Detail     string   `json:"detail"` // one sentence, for a reviewer
}

// knownLevels is the fixed order levels are reported in.
var knownLevels = []string{state.LevelLow, state.LevelMedium, state.LevelHigh, state.LevelUnscored}

func levelRank(l string) int {
	if i := slices.Index(knownLevels, l); i >= 0 {
		return i
	}
	return len(knownLevels)
}

// Levels returns the risk levels that can occur in an account with these
// behaviors: the levels of the enabled ones, plus unscored, in the order
// low, medium, high, unscored. A level riskctl does not know is left out:
// no rule can name it usefully (lint says so).
func Levels(behaviors map[string]state.Behavior) []string {
	set := reachable(behaviors)
	out := make([]string, 0, len(knownLevels))
	for _, l := range knownLevels {
		if set[l] {
			out = append(out, l)
		}
	}
	return out
}

func reachable(behaviors map[string]state.Behavior) map[string]bool {
	set := map[string]bool{state.LevelUnscored: true}
	for _, b := range behaviors {
		if l := strings.ToLower(b.RiskLevel); b.Enabled && levelRank(l) < len(knownLevels) {
			set[l] = true
		}
	}
	return set
}

// AccessImpact returns what a plan that takes the account's behaviors
// from before to after does to the user_risk_score rules of access, and
// the rules' standing mistakes, sorted by policy name, policy id, list,
// effect and levels. With before and after equal it returns lint only.
func AccessImpact(access state.Access, before, after map[string]state.Behavior) []Impact {
	a := assessor{
		out:        []Impact{},
		groups:     make(map[string]state.AccessGroup, len(access.Groups)),
		groupsRead: access.Groups != nil,
		before:     before, after: after,
		reachBefore: reachable(before), reachAfter: reachable(after),
		why: map[changeKey][]string{},
	}
	for _, g := range access.Groups {
		if _, dup := a.groups[g.ID]; !dup {
			a.groups[g.ID] = g
		}
	}
	for _, u := range policyUses(access) {
		if a.followed > MaxRules {
			break
		}
		a.policy(u)
	}
	slices.SortFunc(a.out, compareImpacts)
	return slices.CompactFunc(a.out, func(x, y Impact) bool { return compareImpacts(x, y) == 0 })
}

// MaxGroupDepth bounds how deep groups nested in groups are followed:
// each level copies the path so far, so a hostile chain of groups must
// not be followed to any depth. Deeper groups are reported as lint.
const MaxGroupDepth = 32

// MaxRules bounds the rules followed in one assessment, group rules once
// per policy that reaches them: many policies each reaching many nested
// groups would otherwise make the work and the output grow as policies ×
// groups. An account of 200 policies, 100 apps and 50 groups follows
// about 5,000 (cmd/riskctl-bench plan-access/200). Past it, one lint says
// where checking stopped.
const MaxRules = 20000

// use is a policy and the applications that use it.
type use struct {
	policy state.AccessPolicy
	apps   []string
}

// policyUses lists each policy once: the reusable ones, with every
// application that embeds them by id, then the embedded policies that are
// not reusable ones, each with its application(s).
func policyUses(access state.Access) []*use {
	var uses []*use
	byID := map[string]*use{}
	for _, p := range access.Policies {
		if _, dup := byID[p.ID]; dup {
			continue
		}
		u := &use{policy: p}
		byID[p.ID] = u
		uses = append(uses, u)
	}
	type appPolicy struct{ app, policy string }
	counted := map[appPolicy]bool{}
	for _, app := range access.Apps {
		name := cmp.Or(app.Name, app.ID)
		for i, p := range app.Policies {
			key := p.ID
			if key == "" {
				key = fmt.Sprintf("\x00%s\x00%d", app.ID, i) // no id: its own policy
			}
			u, ok := byID[key]
			if !ok {
				u = &use{policy: p}
				byID[key] = u
				uses = append(uses, u)
			} else if !u.policy.Reusable && isEmpty(u.policy.Rules) && !isEmpty(p.Rules) {
				// An id-only copy seen first: the full one says more.
				u.policy = p
			}
			if k := (appPolicy{app.ID, key}); !counted[k] {
				counted[k] = true
				u.apps = append(u.apps, name)
			}
		}
	}
	for _, u := range uses {
		slices.Sort(u.apps)
		if u.apps == nil {
			u.apps = []string{}
		}
	}
	return uses
}

func isEmpty(r state.AccessRules) bool {
	return len(r.Include) == 0 && len(r.Require) == 0 && len(r.Exclude) == 0
}

type assessor struct {
	groups                  map[string]state.AccessGroup
	groupsRead              bool // a nil state.Access.Groups means not read
	before, after           map[string]state.Behavior
	reachBefore, reachAfter map[string]bool
	out                     []Impact
	// seen holds the groups the current policy has expanded, by the
	// policy's list they were reached from and id: a group reached again
	// (a diamond of groups) is not expanded again, so that hostile
	// nesting cannot make the work grow exponentially.
	seen map[string]bool
	why  map[changeKey][]string // changed's results
	// followed counts the rules followed, up to MaxRules (then one more
	// for the lint that says checking stopped).
	followed int
}

// site is where a user_risk_score rule (or a group reference) was found.
type site struct {
	u    *use
	list string // the rule's own list
	// via are the groups the rule was reached through, outermost first;
	// outer is the policy's list that references via[0].
	via   []state.AccessGroup
	outer string
	where string // the start of every detail about a rule found here (where)
}

func (a *assessor) policy(u *use) {
	a.seen = map[string]bool{}
	for list, rules := range lists(u.policy.Rules) {
		for _, r := range rules {
			a.rule(site{u: u, list: list}, r, nil)
		}
	}
}

// lists yields a policy's or group's lists in their fixed order.
func lists(r state.AccessRules) func(func(string, []state.AccessRule) bool) {
	return func(yield func(string, []state.AccessRule) bool) {
		_ = yield(ListInclude, r.Include) && yield(ListRequire, r.Require) && yield(ListExclude, r.Exclude)
	}
}

// rule assesses one rule at s; path holds the ids of the groups being
// expanded, to stop at a cycle.
func (a *assessor) rule(s site, r state.AccessRule, path []string) {
	if a.followed++; a.followed > MaxRules {
		if a.followed == MaxRules+1 {
			a.lint(s, nil, fmt.Sprintf("checking stopped after %d rules (many policies reach many nested groups): this policy's remaining rules and those of the policies listed after it were not checked", MaxRules))
		}
		return
	}
	switch {
	case r.RiskLevels != nil:
		a.riskRule(s, canonical(r.RiskLevels))
	case r.GroupID != "":
		a.group(s, r.GroupID, path)
	}
}

func (a *assessor) group(s site, id string, path []string) {
	g, ok := a.groups[id]
	switch {
	case !ok && !a.groupsRead:
		a.lint(s, nil, fmt.Sprintf("references group %q; the groups were not read, so its rules were not checked", id))
		return
	case !ok:
		a.lint(s, nil, fmt.Sprintf("references group %q, which is not among the account's groups: its rules were not checked", id))
		return
	}
	if i := slices.Index(path, id); i >= 0 {
		names := make([]string, 0, len(s.via)-i+1)
		for _, v := range s.via[i:] {
			names = append(names, fmt.Sprintf("%q", cmp.Or(v.Name, v.ID)))
		}
		names = append(names, fmt.Sprintf("%q", cmp.Or(g.Name, g.ID)))
		what := fmt.Sprintf("groups %s reference each other in a cycle: it was followed once", strings.Join(names, " → "))
		if len(names) == 2 {
			what = fmt.Sprintf("group %s references itself: it was followed once", names[0])
		}
		a.lint(s, nil, what)
		return
	}
	if len(path) >= MaxGroupDepth {
		a.lint(s, nil, fmt.Sprintf("references group %q, nested more than %d groups deep: its rules were not checked", id, MaxGroupDepth))
		return
	}
	inner := site{u: s.u, via: append(slices.Clip(s.via), g), outer: s.outer}
	if len(s.via) == 0 {
		inner.outer = s.list
	}
	key := inner.outer + "\x00" + id
	if a.seen[key] {
		return
	}
	a.seen[key] = true
	inner.where = where(inner)
	path = append(slices.Clip(path), id)
	for list, rules := range lists(g.Rules) {
		inner.list = list
		for _, r := range rules {
			a.rule(inner, r, path)
		}
	}
}

// canonical orders listed levels low, medium, high, unscored, then the
// unknown ones as listed, without repeats.
func canonical(levels []string) []string {
	out := make([]string, 0, len(levels))
	for _, l := range levels {
		if !slices.Contains(out, l) {
			out = append(out, l)
		}
	}
	slices.SortStableFunc(out, func(x, y string) int { return cmp.Compare(levelRank(x), levelRank(y)) })
	return out
}

func (a *assessor) riskRule(s site, levels []string) {
	a.lintRule(s, levels)

	mb, ub := split(levels, a.reachBefore)
	ma, ua := split(levels, a.reachAfter)
	var effect string
	switch {
	case len(mb) > 0 && len(ma) == 0:
		effect = EffectDead
	case len(mb) == 0 && len(ma) > 0:
		effect = EffectRevived
	case !slices.Equal(mb, ma) || (s.list == ListRequire && !slices.Equal(ub, ua)):
		effect = EffectChanged
	default:
		return
	}
	a.emit(s, levels, effect, a.detail(s, levels, effect, mb, ma))
}

// split returns the reachable levels a rule listing levels matches, and
// those it fails, in the fixed order.
func split(levels []string, reach map[string]bool) (matched, failed []string) {
	for _, l := range knownLevels {
		if !reach[l] {
			continue
		}
		if slices.Contains(levels, l) {
			matched = append(matched, l)
		} else {
			failed = append(failed, l)
		}
	}
	return matched, failed
}

func (a *assessor) lintRule(s site, levels []string) {
	// Inside a group, what the rule does to the policy depends on where
	// the group is used; what it does to the group is certain.
	inGroup := len(s.via) > 0
	if s.list == ListRequire && !slices.Contains(levels, state.LevelUnscored) {
		a.lint(s, levels, "leaves out unscored: "+cmp.Or(ifStr(inGroup, "the group never matches anyone without a score"), "it denies everyone without a score"))
	}
	if s.list == ListExclude && slices.Contains(levels, state.LevelUnscored) {
		a.lint(s, levels, "lists unscored: "+cmp.Or(ifStr(inGroup, "the group never matches anyone without a score"), "it excludes everyone without a score"))
	}
	for _, l := range levels {
		if levelRank(l) == len(knownLevels) {
			a.lint(s, levels, fmt.Sprintf("lists %q, which is not a risk level (low, medium, high, unscored): it never matches", l))
		}
	}
}

// lint reports a standing mistake at s; levels is nil for a group that
// could not be expanded.
func (a *assessor) lint(s site, levels []string, what string) {
	detail := s.where + what
	if levels != nil {
		detail = s.where + fmt.Sprintf("%s %s %s", s.list, fmtLevels(levels), what)
	}
	a.emit(s, levels, EffectLint, detail)
}

func (a *assessor) emit(s site, levels []string, effect, detail string) {
	if levels == nil {
		levels = []string{}
	}
	a.out = append(a.out, Impact{
		PolicyID: s.u.policy.ID, PolicyName: s.u.policy.Name, Decision: s.u.policy.Decision,
		List: s.list, Levels: levels, Apps: slices.Clone(s.u.apps), Effect: effect, Detail: detail,
	})
}

// where prefixes a detail with the groups a rule was found through.
func where(s site) string {
	if len(s.via) == 0 {
		return ""
	}
	names := make([]string, len(s.via))
	for i, g := range s.via {
		names[i] = fmt.Sprintf("%q", cmp.Or(g.Name, g.ID))
	}
	return fmt.Sprintf("in group %s (from the policy's %s): ", strings.Join(names, " → "), s.outer)
}

// ifStr is s when cond holds, else "".
func ifStr(cond bool, s string) string {
	if cond {
		return s
	}
	return ""
}

func fmtLevels(levels []string) string { return "[" + strings.Join(levels, " ") + "]" }

// detail is the sentence for a rule the plan changes: what it now does,
// and which behaviors are responsible.
func (a *assessor) detail(s site, levels []string, effect string, mb, ma []string) string {
	head := s.where + s.list + " " + fmtLevels(levels)
	switch effect {
	case EffectDead:
		so := "it no longer " + fmt.Sprintf(verb(s, true), "anyone")
		switch {
		case len(s.via) > 0:
			so = "this rule of the group is dead"
		case s.list == ListRequire:
			so = "the policy can match no one"
		case verb(s, true) == verbBlocks:
			so = "this block rule is dead"
		}
		return fmt.Sprintf("%s can no longer match anyone: %s, so %s", head, a.lost(mb), so)
	case EffectRevived:
		so := "it " + fmt.Sprintf(verb(s, true), "users at "+strings.Join(ma, " or ")) + " again"
		switch {
		case len(s.via) > 0:
			so = "this rule of the group is live again"
		case s.list == ListRequire:
			so = "the policy can match users at " + strings.Join(ma, " or ") + " again"
		}
		return fmt.Sprintf("%s can match again: %s, so %s", head, a.gained(ma), so)
	}
	// Changed: one clause per level that appears or disappears.
	var clauses []string
	for _, l := range knownLevels {
		was, is := a.reachBefore[l], a.reachAfter[l]
		if was == is {
			continue
		}
		listed := slices.Contains(levels, l)
		if !listed && s.list != ListRequire {
			continue // include and exclude rules do nothing to levels they do not list
		}
		if is {
			clauses = append(clauses, "now "+fmt.Sprintf(verb(s, listed), "users at "+l)+": "+a.gained([]string{l}))
		} else {
			clauses = append(clauses, "no longer "+fmt.Sprintf(verb(s, listed), "anyone at "+l)+": "+a.lost([]string{l}))
		}
	}
	return head + " " + strings.Join(clauses, "; ")
}

const verbBlocks = "blocks %s"

// verb says, as a format for whom, what a rule does to the users at a
// level it lists (matched) or, for require, does not list. Inside a group
// the effect depends on where the group is used, so it only matches or
// fails.
func verb(s site, matched bool) string {
	dec := s.u.policy.Decision
	switch {
	case len(s.via) > 0 && matched:
		return "matches %s"
	case len(s.via) > 0:
		return "fails %s"
	case s.list == ListRequire && matched:
		return "lets %s through"
	case s.list == ListInclude && dec == state.DecisionDeny:
		return verbBlocks
	case s.list == ListInclude && dec == state.DecisionBypass:
		return "lets %s bypass Access"
	case s.list == ListInclude:
		return "admits %s"
	// An exclude that matches, or a require that fails: the policy does
	// not apply to them.
	case dec == state.DecisionAllow && s.list == ListExclude:
		return verbBlocks
	case dec == state.DecisionAllow:
		return "denies %s"
	case dec == state.DecisionDeny:
		return "exempts %s from the deny"
	default:
		return "keeps %s out of this policy"
	}
}

// lost explains why the levels can no longer occur: the behaviors that
// had them and no longer do.
func (a *assessor) lost(levels []string) string {
	var why []string
	for _, l := range levels {
		why = append(why, a.changed(l, false)...)
	}
	s := "no enabled behavior has level " + strings.Join(levels, " or ")
	if len(why) > 0 {
		s += " (" + strings.Join(why, ", ") + ")"
	}
	return s
}

// gained explains why the levels can now occur.
func (a *assessor) gained(levels []string) string {
	var why []string
	for _, l := range levels {
		why = append(why, a.changed(l, true)...)
	}
	if len(why) == 0 {
		return "a behavior is enabled at " + strings.Join(levels, " or ")
	}
	return strings.Join(why, ", ")
}

// changed is changedBehaviors for a level, gained (from before to after)
// or lost, computed once per assessment: every detail about that level
// names the same behaviors.
func (a *assessor) changed(level string, gain bool) []string {
	k := changeKey{level, gain}
	if why, ok := a.why[k]; ok {
		return why
	}
	why := changedBehaviors(a.before, a.after, level, false)
	if gain {
		why = changedBehaviors(a.after, a.before, level, true)
	}
	a.why[k] = why
	return why
}

type changeKey struct {
	level string
	gain  bool
}

// changedBehaviors describes, in key order, each behavior enabled at
// level in has that is not enabled at level in hasNot. gain says has is
// the state after the plan (else before).
func changedBehaviors(has, hasNot map[string]state.Behavior, level string, gain bool) []string {
	var out []string
	for _, key := range sortedKeys(has) {
		b := has[key]
		if !b.Enabled || !strings.EqualFold(b.RiskLevel, level) {
			continue
		}
		o, ok := hasNot[key]
		other := strings.ToLower(o.RiskLevel)
		switch {
		case ok && o.Enabled && strings.EqualFold(o.RiskLevel, level):
			continue
		case ok && o.Enabled && gain:
			out = append(out, fmt.Sprintf("%s moves from %s to %s", key, other, level))
		case ok && o.Enabled:
			out = append(out, fmt.Sprintf("%s moves from %s to %s", key, level, other))
		case gain:
			out = append(out, fmt.Sprintf("%s is enabled at %s", key, level))
		case ok:
			out = append(out, key+" is disabled")
		default:
			out = append(out, key+" is gone")
		}
	}
	return out
}

func sortedKeys(m map[string]state.Behavior) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

var listRank = map[string]int{ListInclude: 0, ListRequire: 1, ListExclude: 2}

var effectRank = map[string]int{EffectDead: 0, EffectRevived: 1, EffectChanged: 2, EffectLint: 3}

// compareImpacts orders impacts by policy name, policy id, list, effect,
// levels and detail. Each key is compared only when the ones before it
// tie (cmp.Or would compute them all: sorting 3,630 impacts spent a
// quarter of the assessment on the keys it never needed).
func compareImpacts(x, y Impact) int {
	if c := cmp.Compare(x.PolicyName, y.PolicyName); c != 0 {
		return c
	}
	if c := cmp.Compare(x.PolicyID, y.PolicyID); c != 0 {
		return c
	}
	if c := cmp.Compare(listRank[x.List], listRank[y.List]); c != 0 {
		return c
	}
	if c := cmp.Compare(effectRank[x.Effect], effectRank[y.Effect]); c != 0 {
		return c
	}
	if c := slices.Compare(x.Levels, y.Levels); c != 0 {
		return c
	}
	return cmp.Compare(x.Detail, y.Detail)
}
