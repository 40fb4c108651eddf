package tfimport

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/riskctl/riskctl/internal/state"
)

// The resource types riskctl takes over (docs/api.md#terraform-state-files): provider v5
// names first, then v4's. v4 also used the v5 behavior name, with v4's
// attribute shape, so behaviors are told apart by shape, not by name.
const (
	typeBehavior      = "cloudflare_zero_trust_risk_behavior"            // v5 and v4
	typeBehaviorV4    = "cloudflare_risk_behavior"                       // v4, deprecated name
	typeIntegration   = "cloudflare_zero_trust_risk_scoring_integration" // v5
	typeIntegrationV4 = "cloudflare_zero_trust_risk_score_integration"   // v4: "score"
)

func isBehaviorType(t string) bool    { return t == typeBehavior || t == typeBehaviorV4 }
func isIntegrationType(t string) bool { return t == typeIntegration || t == typeIntegrationV4 }

// Result is what a state holds for riskctl.
type Result struct {
	// Accounts are the desired configuration, one per account id, sorted
	// by it: every behavior and integration the state's resources hold.
	Accounts []state.Account
	// Imported are the resource instances taken over, in file order: what
	// Terraform must forget (see WriteHandoff).
	Imported []Imported
	// Skipped are the instances left to Terraform, in file order.
	Skipped []Skipped
}

// Imported is one resource instance taken over.
type Imported struct {
	Address   Address
	AccountID string
}

// Skipped is one resource instance left alone, and why.
type Skipped struct {
	Address string
	Reason  string
}

// AddressesOf lists the instance addresses imported into accountID, for
// messages about that account.
func (r *Result) AddressesOf(accountID string) []string {
	var out []string
	for _, im := range r.Imported {
		if im.AccountID == accountID {
			out = append(out, im.Address.String())
		}
	}
	return out
}

// converter builds a Result, one instance at a time.
type converter struct {
	p        *problems
	res      *Result
	accounts map[string]*state.Account
	// behaviorFrom and refFrom remember which instance set each behavior
	// key and reference_id of an account, to name both of two that clash.
	behaviorFrom map[string]string // account + "\x00" + key → address
	refFrom      map[string]string // account + "\x00" + reference_id → address
	seen         map[string]bool   // instance addresses, each of which a state holds once
}

func convert(p *problems, instances []instance) (*Result, error) {
	c := &converter{
		p:            p,
		res:          &Result{},
		accounts:     map[string]*state.Account{},
		behaviorFrom: map[string]string{},
		refFrom:      map[string]string{},
		seen:         map[string]bool{},
	}
	for _, in := range instances {
		c.instance(in)
	}
	if err := c.p.err(); err != nil {
		return nil, err
	}
	for _, id := range slices.Sorted(maps.Keys(c.accounts)) {
		c.res.Accounts = append(c.res.Accounts, *c.accounts[id])
	}
	return c.res, nil
}

func (c *converter) instance(in instance) {
	addr := in.addr.String()
	if in.badAddr != "" {
		// A checked address prints as it is; this one is quoted, so
		// nothing from the file reaches a line raw.
		addr = strconv.Quote(addr)
	}
	behavior, integration := isBehaviorType(in.addr.Type), isIntegrationType(in.addr.Type)
	// Other resources are left to Terraform before their addresses are
	// judged: whatever their names, they are not riskctl's to refuse.
	switch {
	case in.addr.Data:
		c.skip(addr, "a data source: Terraform only reads it, so there is nothing to take over")
		return
	case !behavior && !integration:
		c.skip(addr, "not a risk-scoring resource")
		return
	case in.badAddr != "":
		c.p.add(addr, in.badAddr)
		return
	case !isCloudflareProvider(in.provider):
		c.skip(addr, "from provider "+strconv.Quote(in.provider)+", not the cloudflare provider")
		return
	case in.deposed != "":
		c.p.add(addr, "has a deposed object (left by an unfinished create_before_destroy replace): run terraform apply to finish it, then import again")
		return
	case c.seen[addr]:
		c.p.add(addr, "appears twice in the state")
		return
	case in.unreadable != "":
		c.p.add(addr, in.unreadable)
		return
	}
	c.seen[addr] = true
	attrs, ok := c.attributes(addr, in.attrs)
	if !ok {
		return
	}
	account, ok := c.str(addr, attrs, "account_id", true)
	if !ok {
		return
	}
	c.account(account) // even one with no behaviors: its instance is handed over
	if behavior {
		c.behaviors(addr, account, attrs)
	} else {
		c.integration(addr, account, attrs)
	}
	c.res.Imported = append(c.res.Imported, Imported{Address: in.addr, AccountID: account})
}

func (c *converter) skip(addr, reason string) {
	c.res.Skipped = append(c.res.Skipped, Skipped{Address: addr, Reason: reason})
}

func (c *converter) account(id string) *state.Account {
	a := c.accounts[id]
	if a == nil {
		a = &state.Account{AccountID: id, Behaviors: map[string]state.Behavior{}}
		c.accounts[id] = a
	}
	return a
}

// behaviors reads a behavior resource: v5's behaviors map or v4's
// behavior blocks (a set, keyed by name). Every key becomes a managed
// spec behavior: v5 keeps every behavior the API lists, so this is the
// account's whole configuration.
func (c *converter) behaviors(addr, account string, attrs map[string]json.RawMessage) {
	v5, v4 := !isNull(attrs["behaviors"]), !isNull(attrs["behavior"])
	switch {
	case v5 && v4:
		c.p.add(addr, "has both behaviors (provider v5) and behavior (provider v4): expected one")
	case v5:
		var m map[string]json.RawMessage
		if err := json.Unmarshal(attrs["behaviors"], &m); err != nil {
			c.p.add(addr, "behaviors is not an object of behavior key to {enabled, risk_level}")
			return
		}
		for _, key := range slices.Sorted(maps.Keys(m)) {
			c.behavior(addr, account, key, "behaviors["+strconv.Quote(key)+"]", m[key])
		}
	case v4:
		var blocks []json.RawMessage
		if err := json.Unmarshal(attrs["behavior"], &blocks); err != nil {
			c.p.add(addr, "behavior is not a list of {name, enabled, risk_level} blocks")
			return
		}
		for i, raw := range blocks {
			where := fmt.Sprintf("behavior[%d]", i)
			b, ok := c.attributes(addr, raw)
			if !ok {
				continue
			}
			if key, ok := c.str(addr, b, "name", true, where); ok {
				c.behavior(addr, account, key, where, raw)
			}
		}
	}
}

// behavior adds one behavior key of account, refusing a key that another
// instance (or the same one) set differently.
func (c *converter) behavior(addr, account, key, where string, raw json.RawMessage) {
	b, ok := c.attributes(addr, raw, where)
	if !ok {
		return
	}
	var got state.Behavior
	if !readFields(c, addr, b, behaviorAttributes, &got, where) {
		return
	}
	got.RiskLevel = strings.ToLower(got.RiskLevel) // as a spec reads it
	a := c.account(account)
	from := account + "\x00" + key
	if prev, seen := a.Behaviors[key]; seen {
		if prev.Enabled != got.Enabled || prev.RiskLevel != got.RiskLevel {
			c.p.add(addr, fmt.Sprintf("behavior %s of account %s is also set, differently, by %s: one account has one setting per behavior",
				strconv.Quote(key), strconv.Quote(account), c.behaviorFrom[from]))
		}
		return
	}
	a.Behaviors[key] = got
	c.behaviorFrom[from] = addr
}

// The attributes read from each resource: the fields of the field table
// (state.Fields) a spec sets, then the id. The provider names them as the
// API does.
var (
	behaviorAttributes    = state.FieldsOf(state.KindBehavior, func(f state.Field) bool { return f.Role != state.Computed })
	integrationAttributes = append(state.FieldsOf(state.KindIntegration, func(f state.Field) bool { return f.Role != state.Computed }),
		state.FieldsOf(state.KindIntegration, func(f state.Field) bool { return f.Role == state.Computed && f.Held() })...)
)

// readFields reads fields from attrs into obj: a managed field that is
// required must be set, a boolean that is null takes its default (the
// configuration left it out, and the provider never sent it), and the
// others may be missing. It reports whether every one was read.
func readFields[T state.Object](c *converter, addr string, attrs map[string]json.RawMessage, fields []state.Field, obj *T, where ...string) bool {
	ok := true
	for _, f := range fields {
		var text string
		good := true
		switch {
		case f.Type == state.Bool && isNull(attrs[f.Name]) && f.Default != "":
			text = f.Default
		case f.Type == state.Bool:
			var b bool
			b, good = c.boolean(addr, attrs, f.Name, where...)
			text = strconv.FormatBool(b)
		default:
			text, good = c.str(addr, attrs, f.Name, f.Required && f.Role == state.Managed, where...)
		}
		if good {
			good = state.Set(f, obj, text) == nil
		}
		ok = ok && good
	}
	return ok
}

// integration reads an integration resource (v5 and v4 share the fields
// riskctl needs). A null active is true (its default in the field
// table): the API creates integrations active, as a spec's default is; a
// plan of the imported spec shows it if the live value differs.
func (c *converter) integration(addr, account string, attrs map[string]json.RawMessage) {
	var in state.Integration
	if !readFields(c, addr, attrs, integrationAttributes, &in) {
		return
	}
	ref := in.ReferenceID
	if ref == "" {
		c.p.add(addr, "has no reference_id, and a spec matches integrations by reference_id: set reference_id in its Terraform configuration (the Access Okta IdP's id), run terraform apply, and import again")
		return
	}
	from := account + "\x00" + ref
	if prev, seen := c.refFrom[from]; seen {
		c.p.add(addr, fmt.Sprintf("has reference_id %s, as %s does in account %s: a spec names each reference_id once",
			strconv.Quote(ref), prev, strconv.Quote(account)))
		return
	}
	c.refFrom[from] = addr
	a := c.account(account)
	a.Integrations = append(a.Integrations, in)
}

// attributes decodes an object of attributes; where names it inside the
// instance ("" for the instance's own).
func (c *converter) attributes(addr string, raw json.RawMessage, where ...string) (map[string]json.RawMessage, bool) {
	var m map[string]json.RawMessage
	if isNull(raw) || json.Unmarshal(raw, &m) != nil {
		c.p.add(addr, within(where)+"has no attribute values (expected an object)")
		return nil, false
	}
	return m, true
}

// str reads a string attribute; a missing or null one is "" and, when
// required, a problem.
func (c *converter) str(addr string, m map[string]json.RawMessage, key string, required bool, where ...string) (string, bool) {
	raw := m[key]
	if isNull(raw) {
		if required {
			c.p.add(addr, within(where)+key+" is missing")
			return "", false
		}
		return "", true
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		c.p.add(addr, within(where)+key+" is not a string")
		return "", false
	}
	if required && s == "" {
		c.p.add(addr, within(where)+key+" is empty")
		return "", false
	}
	return s, true
}

// boolean reads a required boolean attribute.
func (c *converter) boolean(addr string, m map[string]json.RawMessage, key string, where ...string) (bool, bool) {
	raw := m[key]
	var b bool
	if isNull(raw) {
		c.p.add(addr, within(where)+key+" is missing")
		return false, false
	}
	if err := json.Unmarshal(raw, &b); err != nil {
		c.p.add(addr, within(where)+key+" is not true or false")
		return false, false
	}
	return b, true
}

func within(where []string) string {
	if len(where) == 0 || where[0] == "" {
		return ""
	}
	return where[0] + ": "
}

// isCloudflareProvider says whether a resource's provider is Cloudflare's
// (any registry host or namespace, so mirrors and forks count), from what
// the file gives: show -json's source address
// (registry.terraform.io/cloudflare/cloudflare), a state file's
// configuration address (provider["registry.terraform.io/cloudflare/cloudflare"].eu,
// module.x.provider[...]) or a legacy one (provider.cloudflare). A file
// that names none is judged by the resource type alone.
func isCloudflareProvider(p string) bool {
	if p == "" {
		return true
	}
	source := p
	if i := strings.Index(p, `provider["`); i >= 0 {
		source, _, _ = strings.Cut(p[i+len(`provider["`):], `"]`)
	} else if i := strings.Index(p, "provider."); i >= 0 {
		source, _, _ = strings.Cut(p[i+len("provider."):], ".")
	}
	return source[strings.LastIndexByte(source, '/')+1:] == "cloudflare"
}
