package emulator

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"

	"go.yaml.in/yaml/v3"

	"github.com/riskctl/riskctl/internal/safefile"
)

// The Access objects the emulator serves, read-only, so that riskctl's
// Access impact and wiring checks can run offline
// (docs/api.md#access-policies-and-identity-providers). They come from a
// file (Options.Access, `emulator serve --access FILE`, LoadAccess) in
// the API's own result shapes, cloudflare-go v7.9.0's types being the
// reference:
//
//	identity_providers: [{id, name, type, config: {okta_account, ...}}, ...]
//	policies:           [{id, name, decision, include, require, exclude, reusable, ...}, ...]
//	apps:               [{id, name, domain, type, policies: [...]}, ...]
//	groups:             [{id, name, include, require, exclude}, ...]
//
// Each object is served as the file gives it (as JSON), in the file's
// order, to every account the emulator serves; nothing writes them.
// Only what a client relies on is checked: each object has a non-empty
// string id, unique in its list; include, require and exclude (of a
// policy, a group, or an app's embedded policy) and an app's policies are
// lists; a rule is a mapping with one selector; a user_risk_score rule is
// nested twice and lists only low, medium, high or unscored; a group
// rule names a group id.

// MaxAccessBytes bounds an Access file; 200 policies, 100 apps and 50
// groups take well under a MiB.
const MaxAccessBytes = 8 << 20

// maxAccessDepth bounds how deeply an Access object nests; the API's
// shapes nest about six levels.
const maxAccessDepth = 64

// AccessData is what the Access routes serve: each object as JSON, in the
// API's result shape. A nil or empty list is served as [].
type AccessData struct {
	IdentityProviders []json.RawMessage
	Policies          []json.RawMessage
	Apps              []json.RawMessage
	Groups            []json.RawMessage
}

// accessKinds are the top-level keys of an Access file, each the last
// segment of its route (GET /accounts/{account_id}/access/KEY).
var accessKinds = []string{"identity_providers", "policies", "apps", "groups"}

// clone is a deep copy; nil stays nil.
func (d *AccessData) clone() *AccessData {
	if d == nil {
		return nil
	}
	c := &AccessData{}
	for _, kind := range accessKinds {
		for _, raw := range *d.list(kind) {
			*c.list(kind) = append(*c.list(kind), slices.Clone(raw))
		}
	}
	return c
}

// list returns the objects of one kind.
func (d *AccessData) list(kind string) *[]json.RawMessage {
	switch kind {
	case "identity_providers":
		return &d.IdentityProviders
	case "policies":
		return &d.Policies
	case "apps":
		return &d.Apps
	case "groups":
		return &d.Groups
	}
	return nil
}

// LoadAccess reads and checks an Access file. It is read bounded
// (MaxAccessBytes, a regular file only) through a root, as spec files are
// (safefile.ReadConfined): a symbolic link may not leave the working
// directory, or the file's own directory when it lies outside.
func LoadAccess(path string) (*AccessData, error) {
	data, err := safefile.ReadConfined(path, MaxAccessBytes)
	if err != nil {
		return nil, fmt.Errorf("access file: open %s: %w", path, safefile.Reason(err))
	}
	return ParseAccess(path, data)
}

// ParseAccess reads an Access file from data; name is used in errors,
// each of which names the file, line and column. Every problem is
// reported at once.
func ParseAccess(name string, data []byte) (*AccessData, error) {
	p := &catalogueParser{file: name}
	root := p.document(data)
	if root == nil {
		return nil, p.err()
	}
	out := &AccessData{}
	if fields := p.mapping(root, "the file", accessKinds); fields != nil {
		for _, kind := range accessKinds {
			if n, found := fields[kind]; found {
				*out.list(kind) = p.accessList(kind, n)
			}
		}
	}
	if err := p.err(); err != nil {
		return nil, err
	}
	return out, nil
}

// checkAccess checks Options.Access given in code, with the rules of the
// file.
func checkAccess(d *AccessData) error {
	var errs []error
	for _, kind := range accessKinds {
		ids := map[string]bool{}
		for i, raw := range *d.list(kind) {
			what := fmt.Sprintf("%s[%d]", kind, i)
			if !json.Valid(raw) { // also bounds the nesting jsonNode recurses into
				errs = append(errs, fmt.Errorf("%s: not valid JSON", what))
				continue
			}
			root, err := jsonNode(json.NewDecoder(bytes.NewReader(raw)), raw)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", what, err))
				continue
			}
			p := &catalogueParser{file: what}
			p.accessObject(kind, root, ids)
			errs = append(errs, p.errs...)
			if p.err() == nil {
				if _, err := nodeJSON(root, 0); err != nil {
					errs = append(errs, fmt.Errorf("%s:%w", what, err))
				}
			}
		}
	}
	return errors.Join(errs...)
}

// accessList reads one top-level list into its objects as JSON.
func (p *catalogueParser) accessList(kind string, n *yaml.Node) []json.RawMessage {
	if n.Kind == yaml.AliasNode || n.Anchor != "" {
		p.addf(n, "%s: anchors and aliases are not allowed", kind)
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		p.addf(n, "%s must be a list (write %s: [] for none)", kind, kind)
		return nil
	}
	out := []json.RawMessage{}
	ids := map[string]bool{}
	for _, obj := range n.Content {
		before := len(p.errs)
		p.accessObject(kind, obj, ids)
		if len(p.errs) > before {
			continue
		}
		raw, err := nodeJSON(obj, 0)
		if err != nil {
			p.errs = append(p.errs, fmt.Errorf("%s:%w", p.file, err))
			continue
		}
		out = append(out, raw)
	}
	return out
}

// accessObject checks one object of a top-level list: the minimum a
// client relies on.
func (p *catalogueParser) accessObject(kind string, n *yaml.Node, ids map[string]bool) {
	what := map[string]string{"identity_providers": "identity provider", "policies": "policy", "apps": "app", "groups": "group"}[kind]
	fields := p.object(n, what)
	if fields == nil {
		return
	}
	idNode, found := fields["id"]
	if !found {
		p.addf(n, "%s: missing id", what)
		return
	}
	id, ok := p.str(idNode, what+": id")
	switch {
	case !ok:
		return
	case id == "":
		p.addf(idNode, "%s: id must not be empty", what)
		return
	case ids[id]:
		p.addf(idNode, "%s: duplicate id %q", what, id)
		return
	}
	ids[id] = true
	what = fmt.Sprintf("%s %q", what, id)
	switch kind {
	case "policies", "groups":
		p.ruleLists(what, fields)
	case "apps":
		if pols, found := fields["policies"]; found {
			if p.sequence(pols, what+": policies") {
				for i, pol := range pols.Content {
					polWhat := fmt.Sprintf("%s: policies[%d]", what, i)
					if polFields := p.object(pol, polWhat); polFields != nil {
						if v, found := polFields["id"]; found {
							p.str(v, polWhat+": id")
						}
						p.ruleLists(polWhat, polFields)
					}
				}
			}
		}
	}
}

// ruleLists checks a policy's or group's include, require and exclude.
func (p *catalogueParser) ruleLists(what string, fields map[string]*yaml.Node) {
	for _, list := range []string{"include", "require", "exclude"} {
		n, found := fields[list]
		if !found || !p.sequence(n, what+": "+list) {
			continue
		}
		for _, rule := range n.Content {
			p.rule(what+": "+list, rule)
		}
	}
}

// rule checks one Access rule: one selector, and the shapes riskctl reads
// (user_risk_score nested twice, as the API's AccessRule union has it;
// group by id).
func (p *catalogueParser) rule(what string, n *yaml.Node) {
	fields := p.object(n, what+": rule")
	if fields == nil {
		return
	}
	if len(fields) != 1 {
		p.addf(n, "%s: a rule has exactly one selector (such as email, group, user_risk_score), got %d", what, len(fields))
		return
	}
	for selector, v := range fields {
		switch selector {
		case "user_risk_score":
			inner := p.object(v, what+": user_risk_score")
			if inner == nil {
				return
			}
			levels, found := inner["user_risk_score"]
			if !found || len(inner) != 1 {
				p.addf(v, "%s: user_risk_score is nested twice: {user_risk_score: {user_risk_score: [low, medium, high, unscored]}}", what)
				return
			}
			if !p.sequence(levels, what+": user_risk_score") {
				return
			}
			for _, l := range levels.Content {
				if level, ok := p.str(l, what+": user_risk_score level"); ok && !slices.Contains([]string{"low", "medium", "high", "unscored"}, level) {
					p.addf(l, "%s: user_risk_score level must be one of low, medium, high, unscored, got %q", what, level)
				}
			}
		case "group":
			inner := p.object(v, what+": group")
			if inner == nil {
				return
			}
			if id, found := inner["id"]; !found {
				p.addf(v, "%s: group rule without id: {group: {id: GROUP_ID}}", what)
			} else {
				p.str(id, what+": group id")
			}
		}
	}
}

// object checks that n is a mapping with string keys, each once, and
// returns its values by key; any key is allowed.
func (p *catalogueParser) object(n *yaml.Node, what string) map[string]*yaml.Node {
	return p.mapping(n, what, nil)
}

// sequence reports whether n is a list, saying so when it is not.
func (p *catalogueParser) sequence(n *yaml.Node, what string) bool {
	if !p.unaliased(n, what) {
		return false
	}
	if n.Kind != yaml.SequenceNode {
		p.addf(n, "%s must be a list", what)
		return false
	}
	return true
}

// nodeJSON writes a YAML node as JSON, keys in the file's order, so that
// what is served is what the file says. Only what JSON can say is
// accepted: string keys, each once, no anchors or aliases, no tags beyond the
// standard scalar ones, finite numbers. A timestamp YAML recognised
// unquoted (created_at: 2025-01-01T00:00:00Z) is a string, as in JSON.
func nodeJSON(n *yaml.Node, depth int) (json.RawMessage, error) {
	var buf bytes.Buffer
	if err := writeJSON(&buf, n, depth); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func writeJSON(buf *bytes.Buffer, n *yaml.Node, depth int) error {
	at := func(format string, args ...any) error {
		return fmt.Errorf("%d:%d: %s", n.Line, n.Column, fmt.Sprintf(format, args...))
	}
	if depth > maxAccessDepth {
		return at("nested deeper than %d levels", maxAccessDepth)
	}
	if n.Kind == yaml.AliasNode || n.Anchor != "" {
		return at("anchors and aliases are not allowed")
	}
	switch n.Kind {
	case yaml.MappingNode:
		buf.WriteByte('{')
		seen := map[string]bool{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if k.Kind != yaml.ScalarNode || k.Tag != "!!str" {
				return fmt.Errorf("%d:%d: a key must be a string", k.Line, k.Column)
			}
			if seen[k.Value] { // JSON with a key twice means different things to different readers
				return fmt.Errorf("%d:%d: duplicate key %q", k.Line, k.Column, k.Value)
			}
			seen[k.Value] = true
			if i > 0 {
				buf.WriteByte(',')
			}
			writeString(buf, k.Value)
			buf.WriteByte(':')
			if err := writeJSON(buf, n.Content[i+1], depth+1); err != nil {
				return err
			}
		}
		buf.WriteByte('}')
	case yaml.SequenceNode:
		buf.WriteByte('[')
		for i, c := range n.Content {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := writeJSON(buf, c, depth+1); err != nil {
				return err
			}
		}
		buf.WriteByte(']')
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!str", "!!timestamp":
			writeString(buf, n.Value)
		case "!!null":
			buf.WriteString("null")
		case "!!bool":
			var b bool
			if err := n.Decode(&b); err != nil {
				return at("%q is not a boolean", n.Value)
			}
			buf.WriteString(strconv.FormatBool(b))
		case "!!int", "!!float":
			num, err := jsonNumber(n)
			if err != nil {
				return at("%v", err)
			}
			buf.WriteString(num)
		default:
			return at("YAML tag %s has no JSON equivalent", n.Tag)
		}
	default:
		return at("not a JSON value")
	}
	return nil
}

// jsonNumber spells a YAML number as JSON: as written when it already is
// a JSON number (so large integers keep every digit), else its value
// (0x1f is 31); infinities and NaN are refused.
func jsonNumber(n *yaml.Node) (string, error) {
	if json.Valid([]byte(n.Value)) && n.Value != "" && (n.Value[0] == '-' || '0' <= n.Value[0] && n.Value[0] <= '9') {
		return n.Value, nil
	}
	if n.Tag == "!!int" {
		var i int64
		if err := n.Decode(&i); err == nil {
			return strconv.FormatInt(i, 10), nil
		}
		var u uint64
		if err := n.Decode(&u); err == nil {
			return strconv.FormatUint(u, 10), nil
		}
		return "", fmt.Errorf("%q is not a number JSON can hold", n.Value)
	}
	var f float64
	if err := n.Decode(&f); err != nil {
		return "", fmt.Errorf("%q is not a number", n.Value)
	}
	num, err := json.Marshal(f) // refuses infinities and NaN
	if err != nil {
		return "", fmt.Errorf("%q is not a number JSON can hold", n.Value)
	}
	return string(num), nil
}

func writeString(buf *bytes.Buffer, s string) {
	q, _ := json.Marshal(s) // a string always marshals
	buf.Write(q)
}

// listAccess answers GET /accounts/{account_id}/access/{kind}: the
// objects of Options.Access, paged like the other collections, or 403
// code 10000 with Options.NoAccessRead, as Cloudflare answers a token
// without "Access: Apps and Policies Read"
// (docs/api.md#access-policies-and-identity-providers).
func listAccess(kind string) handlerFunc {
	return func(e *Emulator, c *call) reply {
		if e.opts.NoAccessRead {
			return failf(http.StatusForbidden, codeAuth, "Authentication error")
		}
		page, perPage, rp := pageParams(c.r, e.perPage)
		if rp != nil {
			return *rp
		}
		var all []json.RawMessage
		if e.opts.Access != nil {
			all = *e.opts.Access.list(kind)
		}
		items, info := paginate(all, page, perPage)
		return okPage(items, info)
	}
}

// demoAccess is the Access objects of the demo (examples/emulator/access.yaml,
// which TestDemoAccessIsTheExample keeps equal): the identity providers the
// example spec's integrations name, and policies that check risk levels.
//
//go:embed demo_access.yaml
var demoAccess []byte

// DemoAccess is what riskctl's embedded emulator (--emulate) serves when no
// Access file is given, so that a first plan of examples/riskscoring.yaml
// shows what its changes do to Access rather than that its identity
// providers are missing.
func DemoAccess() *AccessData {
	a, err := ParseAccess("demo_access.yaml", demoAccess)
	if err != nil {
		panic("emulator: the embedded demo Access file: " + err.Error()) // TestDemoAccessIsTheExample
	}
	return a
}
