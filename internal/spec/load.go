package spec

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/riskctl/riskctl/internal/redact"
	"github.com/riskctl/riskctl/internal/safefile"
	"github.com/riskctl/riskctl/internal/state"
)

// File is one loaded spec: the account it declares and where things are
// written in it, for later stages' error messages.
type File struct {
	Path    string
	Account state.Account
	// Policy is what the spec says about how to reconcile Account: prune,
	// protect and ignore.
	Policy Policy
	// AccountIDPos is the account_id value, or the top of the file when the
	// id came from Options.DefaultAccountID.
	AccountIDPos Pos
	// BehaviorPos holds the position of each behavior key.
	BehaviorPos map[string]Pos
	// IntegrationPos holds, per reference_id, the position of its value.
	IntegrationPos map[string]Pos
}

// Options are the inputs a spec may draw on besides its own text.
type Options struct {
	// LookupEnv resolves ${VAR}; nil means os.LookupEnv.
	LookupEnv func(string) (string, bool)
	// DefaultAccountID fills an empty account_id (from --account-id or
	// CLOUDFLARE_ACCOUNT_ID).
	DefaultAccountID string
	// Secrets are the credential values of the run. A variable whose value
	// holds one is refused, and so is any value that holds one, however it
	// got there: credentials never enter a spec. nil holds none.
	Secrets *redact.Set
}

// Load reads and parses every file, then checks that no two files declare
// one account. A path that is a directory stands for its spec files (see
// Expand). It reports the problems of all files together, as Errors.
func Load(paths []string, opts Options) ([]*File, error) {
	files, errs := LoadAll(paths, opts)
	if len(errs) > 0 {
		return nil, errs
	}
	return files, nil
}

// LoadAll is Load that also returns the files that parsed when others did
// not (validate --format json lists both). A file it returns may still
// have a problem in errs: its account declared again.
func LoadAll(paths []string, opts Options) ([]*File, Errors) {
	var files []*File
	expanded, err := Expand(paths)
	errs, _ := err.(Errors) // Expand returns no other error
	for _, path := range expanded {
		data, msg := readSpec(path)
		if msg != "" {
			errs = append(errs, &Error{Pos: Pos{File: path}, Msg: msg})
			continue
		}
		f, err := Parse(path, data, opts)
		if err != nil {
			errs = append(errs, err.(Errors)...) // Parse returns no other error
			continue
		}
		files = append(files, f)
	}
	errs = append(errs, duplicateAccounts(files)...)
	errs.sort()
	return files, errs
}

// MaxSpecBytes is the largest spec file Load reads: 4 MiB, hundreds of
// times a spec for thousands of integrations. A larger file is refused
// before it is read, and reading stops one byte past the limit whatever the
// file's size claimed to be, so a spec path cannot make riskctl read without
// end.
const MaxSpecBytes = 4 << 20

// readSpec reads one spec file, or says why it may not be read, with
// safefile's bounded read: only a regular file (a named pipe would block
// the open, a device such as /dev/zero would never end), at most
// MaxSpecBytes. It reads through a root (safefile.ReadConfined): the
// working directory, or the directory of a path named outside it, so a
// symbolic link that leaves it (a committed riskscoring/x.yaml ->
// /etc/passwd) is refused without being read.
func readSpec(path string) (data []byte, problem string) {
	data, err := safefile.ReadConfined(path, MaxSpecBytes)
	if err == nil {
		return data, ""
	}
	var tl *safefile.TooLargeError
	if errors.As(err, &tl) {
		return nil, tooLarge()
	}
	if errors.Is(err, safefile.ErrEscapes) {
		return nil, "cannot read spec file: it is reached through a symbolic link that leaves " + rootOf(path) + " (or is absolute); riskctl reads no spec through such a link"
	}
	return nil, "cannot read spec file: " + pathErrorReason(err)
}

// rootOf names the directory a spec path is read from, for an error.
func rootOf(path string) string {
	if safefile.InWorkingDir(path) {
		return "the working directory"
	}
	return "its directory " + filepath.Dir(path)
}

func tooLarge() string {
	return fmt.Sprintf("cannot read spec file: it is larger than the limit of %d bytes (%d MiB)", MaxSpecBytes, MaxSpecBytes>>20)
}

// Expand replaces each path that is a directory by the spec files in it:
// its *.yaml and *.yml entries, sorted by name, leaving out subdirectories
// (it does not recurse) and hidden files (".#spec.yaml" editor lock files,
// as a shell's * would). Other paths are kept as given, even when they do
// not exist: reading them is Load's job, and its error names them. A path
// listed twice, or a file also reached through its directory, is kept once,
// where it first appears. A directory that holds no spec file, or that
// cannot be listed, is an error naming it; the error is Errors, like Load's.
//
// Load calls Expand itself; callers use it to learn which files a set of
// paths means (a saved plan records them).
func Expand(paths []string) ([]string, error) {
	var out []string
	var errs Errors
	seen := make(map[string]bool)
	add := func(path string) {
		if key := filepath.Clean(path); !seen[key] {
			seen[key] = true
			out = append(out, path)
		}
	}
	for _, path := range paths {
		info, err := os.Stat(path)
		if err != nil || !info.IsDir() {
			add(path)
			continue
		}
		files, err := specFiles(path)
		switch {
		case err != nil:
			errs = append(errs, &Error{Pos: Pos{File: path}, Msg: "cannot list spec directory: " + pathErrorReason(err)})
		case len(files) == 0:
			errs = append(errs, &Error{Pos: Pos{File: path}, Msg: "directory holds no spec file (*.yaml or *.yml)"})
		}
		for _, f := range files {
			add(f)
		}
	}
	if len(errs) > 0 {
		errs.sort()
		return out, errs
	}
	return out, nil
}

// specFiles lists dir's spec files, sorted by name.
func specFiles(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir) // sorted by name
	if err != nil {
		return nil, err
	}
	var files []string
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, ".") || !(strings.HasSuffix(name, ".yaml") || strings.HasSuffix(name, ".yml")) {
			continue
		}
		path := filepath.Join(dir, name)
		// A symlink counts as what it points to; a broken one stays, so
		// that Load reports it instead of silently skipping a spec.
		if info, err := os.Stat(path); err == nil && info.IsDir() {
			continue
		}
		files = append(files, path)
	}
	return files, nil
}

// pathErrorReason drops the "open PATH:" prefix: the Error's position
// already names the file.
func pathErrorReason(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// duplicateAccounts reports each file whose account an earlier file already
// declared: plans are per account, and two desired states for one account
// would fight.
func duplicateAccounts(files []*File) Errors {
	var errs Errors
	first := make(map[string]*File)
	for _, f := range files {
		id := f.Account.AccountID
		if prev, dup := first[id]; dup {
			errs = append(errs, &Error{Pos: f.AccountIDPos, Msg: fmt.Sprintf(
				"account %s is already declared at %s: one spec file per account", id, prev.AccountIDPos)})
			continue
		}
		first[id] = f
	}
	return errs
}

// Parse parses one spec. path only labels positions. It returns Errors,
// listing every problem in the file, when the spec is invalid.
func Parse(path string, data []byte, opts Options) (*File, error) {
	lookup := opts.LookupEnv
	if lookup == nil {
		lookup = os.LookupEnv
	}
	p := &parser{path: path, lookup: envLookup(lookup, opts.Secrets), secrets: opts.Secrets, defaultAccountID: opts.DefaultAccountID}
	f := p.run(data)
	if len(p.errs) > 0 {
		p.errs.sort()
		return nil, p.errs
	}
	return f, nil
}

// The keys of each mapping, in the order the messages list them and
// Format writes them. An object's keys are its fields from the field table
// (state.Fields) that a spec sets, in table order, then its policy keys.
var (
	topKeys = []string{"version", "account_id", "behaviors", "integrations", keyPrune, keyUnmanagedIntegrations}

	behaviorFields      = specFields(state.KindBehavior)
	behaviorKeys        = append(state.Names(behaviorFields), keyIgnore)
	behaviorRequired    = state.Names(state.FieldsOf(state.KindBehavior, func(f state.Field) bool { return f.Required }))
	behaviorComputed    = state.Names(state.FieldsOf(state.KindBehavior, func(f state.Field) bool { return f.Role == state.Computed }))
	integrationFields   = specFields(state.KindIntegration)
	integrationKeys     = append(state.Names(integrationFields), keyLabel, keyProtect, keyIgnore)
	integrationRequired = state.Names(state.FieldsOf(state.KindIntegration, func(f state.Field) bool { return f.Required }))
	integrationComputed = state.Names(state.FieldsOf(state.KindIntegration, func(f state.Field) bool { return f.Role == state.Computed }))
)

// The fields an ignore list may name: those a plan compares. A behavior's
// name and description, and an integration's computed fields, are never
// compared; reference_id is what an integration is matched on.
var (
	behaviorIgnorable    = state.Names(state.FieldsOf(state.KindBehavior, func(f state.Field) bool { return f.Ignorable }))
	integrationIgnorable = state.Names(state.FieldsOf(state.KindIntegration, func(f state.Field) bool { return f.Ignorable }))
)

// specFields are the fields of kind a spec sets: all but the computed ones.
func specFields(kind state.Kind) []state.Field {
	return state.FieldsOf(kind, func(f state.Field) bool { return f.Role != state.Computed })
}

var behaviorIDPattern = regexp.MustCompile(`^[a-z0-9_]+$`)

// parser walks one file's node tree and collects its errors.
type parser struct {
	path             string
	lookup           lookupFunc
	secrets          *redact.Set
	defaultAccountID string
	errs             Errors
	// expandedBytes is the text interpolation has produced so far;
	// expansionCapped, that it passed maxExpandedBytes and said so.
	expandedBytes   int
	expansionCapped bool
}

// field is one key: value pair of a mapping, aliases already followed.
type field struct{ key, val *yaml.Node }

func (p *parser) pos(n *yaml.Node) Pos { return Pos{File: p.path, Line: n.Line, Col: n.Column} }

func (p *parser) errorAt(pos Pos, format string, args ...any) {
	if len(p.errs) >= maxFileErrors {
		p.errs = append(p.errs, &Error{Pos: Pos{File: p.path}, Msg: fmt.Sprintf("too many errors: stopped checking the file after %d", maxFileErrors)})
		panic(stopParse{})
	}
	p.errs = append(p.errs, &Error{Pos: pos, Msg: fmt.Sprintf(format, args...)})
}

// maxFileErrors bounds the errors collected for one file; past it, Parse
// stops checking. Errors.Error lists fewer still (MaxReportedErrors).
const maxFileErrors = 1000

// stopParse is the panic that unwinds a parse that has collected
// maxFileErrors; Parse recovers it.
type stopParse struct{}

func (p *parser) errorf(n *yaml.Node, format string, args ...any) {
	p.errorAt(p.pos(n), format, args...)
}

// run is file, stopped early once it has found too many errors.
func (p *parser) run(data []byte) (f *File) {
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(stopParse); !ok {
				panic(r)
			}
			f = nil
		}
	}()
	return p.file(data)
}

func (p *parser) file(data []byte) *File {
	f := &File{
		Path:           p.path,
		Account:        state.Account{Behaviors: map[string]state.Behavior{}},
		BehaviorPos:    map[string]Pos{},
		IntegrationPos: map[string]Pos{},
	}
	root, ok := p.decode(data)
	switch {
	case !ok:
		return nil
	case root == nil: // empty, or only comments: most likely the wrong file, or a truncated one
		p.errorAt(Pos{File: p.path, Line: 1, Col: 1}, `missing version: the file is empty or holds only comments (a spec starts with "version: 1")`)
		return nil
	case root.Kind != yaml.MappingNode:
		// The kind only, never the text: a file that is not a spec may be
		// anything (a linked /etc/passwd is one long scalar), and the error
		// may be posted where others read it.
		p.errorf(root, "a spec must be a YAML mapping with the keys %s, got %s", strings.Join(topKeys, ", "), kindOf(root))
		return nil
	}
	fields := p.pairs(root)
	if !p.version(root, fields) {
		return nil
	}
	known := p.known(fields, "at the top level", topKeys, nil)
	p.accountID(f, known.get("account_id"), p.pos(root))
	p.behaviors(f, known.get("behaviors"))
	p.integrations(f, known.get("integrations"))
	if v := known.get(keyPrune); v != nil {
		f.Policy.Prune, _ = p.boolean(v, keyPrune)
	}
	if v := known.get(keyUnmanagedIntegrations); v != nil {
		mode, _ := p.enum(v, keyUnmanagedIntegrations, UnmanagedReport+" or "+UnmanagedAllow, UnmanagedReport, UnmanagedAllow)
		f.Policy.AllowUnmanaged = mode == UnmanagedAllow
	}
	return f
}

// decode parses the YAML and returns the top node, nil for a file with no
// content. ok is false when there is nothing to check.
func (p *parser) decode(data []byte) (root *yaml.Node, ok bool) {
	doc, ok := p.decodeDocument(data)
	if doc == nil {
		return nil, ok
	}
	root = deref(doc.Content[0])
	if root.Kind == yaml.ScalarNode && root.ShortTag() == nullTag {
		return nil, true
	}
	// The walk follows aliases, so a few lines of anchors and aliases could
	// stand for billions of nodes (and as many errors). Count what the walk
	// could reach, which is cheap, before walking. An alias is written with
	// "*" (a 0x2A byte in UTF-16 too): a file without one has none to count.
	if bytes.IndexByte(data, '*') < 0 {
		return root, true
	}
	plain, expanded := countNodes(doc.Content[0])
	if limit := plain + maxAliasedNodes; expanded > limit {
		p.errorf(root, "YAML aliases expand this file to more than %d nodes (the limit is %d more than the file writes out): write the content out instead of aliasing it", limit, maxAliasedNodes)
		return nil, false
	}
	return root, true
}

// decodeDocument parses data's one YAML document: nil when there is no
// content (ok true) or the first document does not parse (ok false). A
// second document is an error, recorded in p.errs; the first is still
// returned, so the rest of the file is checked too.
func (p *parser) decodeDocument(data []byte) (doc *yaml.Node, ok bool) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	doc = &yaml.Node{}
	if err := dec.Decode(doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, true
		}
		p.syntaxError(err)
		return nil, false
	}
	// A second document would be ignored by a plain decode; one file, one
	// document, so nothing in the file goes unchecked.
	var next yaml.Node
	switch err := dec.Decode(&next); {
	case errors.Is(err, io.EOF):
	case err != nil:
		p.syntaxError(err)
	default:
		p.errorf(&next, "a spec file holds one YAML document, found another one here")
	}
	if len(doc.Content) == 0 {
		return nil, true
	}
	return doc, true
}

// maxAliasedNodes bounds how many nodes aliases may add to a file, beyond
// those it writes out: far more than sharing a few settings needs, and few
// enough that checking them takes a fraction of a second.
const maxAliasedNodes = 100_000

// countNodes counts the nodes under n as written (plain) and as the walk
// sees them with every alias followed (expanded, saturating well past any
// limit). An alias into the node that holds it counts once: the walk
// checks each level's kind, so it never follows such a loop.
func countNodes(n *yaml.Node) (plain, expanded int) {
	const saturated = 1 << 40
	var targets map[*yaml.Node]bool // the nodes aliases name
	var count func(n *yaml.Node) int
	count = func(n *yaml.Node) int {
		if n.Kind == yaml.AliasNode && n.Alias != nil {
			if targets == nil {
				targets = make(map[*yaml.Node]bool)
			}
			targets[n.Alias] = true
		}
		total := 1
		for _, c := range n.Content {
			total += count(c)
		}
		return total
	}
	plain = count(n)
	if targets == nil {
		return plain, plain // the common case: nothing to follow
	}
	// Only an alias reaches a node twice: memoizing the nodes aliases name
	// walks every subtree once, and marking them while counting stops a
	// loop (an alias into the node that holds it).
	sizes := make(map[*yaml.Node]int) // expanded size; -1 while counting
	var size func(n *yaml.Node) int
	size = func(n *yaml.Node) int {
		if n.Kind == yaml.AliasNode {
			if n.Alias == nil {
				return 1
			}
			n = n.Alias
		}
		if targets[n] {
			switch s, seen := sizes[n]; {
			case seen && s < 0:
				return 1
			case seen:
				return s
			}
			sizes[n] = -1
		}
		total := 1
		for _, c := range n.Content {
			total = min(total+size(c), saturated)
		}
		if targets[n] {
			sizes[n] = total
		}
		return total
	}
	return plain, size(n)
}

var yamlLine = regexp.MustCompile(`^line (\d+): `)

// syntaxError turns "yaml: line 3: msg" into an Error at line 3. yaml gives
// no column, and for problems on its first line sometimes no line either.
func (p *parser) syntaxError(err error) {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	pos := Pos{File: p.path}
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		pos.Line, _ = strconv.Atoi(m[1])
		msg = msg[len(m[0]):]
	}
	p.errorAt(pos, "invalid YAML: %s", msg)
}

// version checks the version key. It returns false for a version this
// riskctl does not read: the rest of the file may follow other rules, so
// judging it would only add noise.
func (p *parser) version(root *yaml.Node, fields []field) bool {
	var v *yaml.Node
	for _, f := range fields {
		if f.key.Value == "version" {
			v = f.val
		}
	}
	if v == nil {
		p.errorf(root, `missing required key "version": add "version: 1" to the top of the file`)
		return true
	}
	val, ok := p.scalar(v, "version", "the integer 1")
	if !ok {
		return true
	}
	if val.tag != intTag {
		p.errorf(v, "version must be the integer 1, got %s", val.describe())
		return true
	}
	if n, err := strconv.ParseInt(strings.ReplaceAll(val.text, "_", ""), 0, 64); err != nil || n != 1 {
		p.errorf(v, "unsupported version %s: this riskctl reads version 1", val.text)
		return false
	}
	return true
}

// accountID settles the account: the file's account_id (v, nil when
// absent), else Options.DefaultAccountID. top is where to point when the
// key is absent.
func (p *parser) accountID(f *File, v *yaml.Node, top Pos) {
	f.AccountIDPos = top
	var id string
	if v != nil {
		f.AccountIDPos = p.pos(v)
		// "account_id:" with no value is as empty as account_id: "".
		if !isNull(v) {
			s, ok := p.str(v, "account_id")
			if !ok {
				return
			}
			id = s
		}
	}
	what := "account_id"
	if id == "" {
		if p.defaultAccountID == "" {
			p.errorAt(f.AccountIDPos, "account_id is empty: set it in the file, or set CLOUDFLARE_ACCOUNT_ID / --account-id")
			return
		}
		id, what = p.defaultAccountID, "account id from CLOUDFLARE_ACCOUNT_ID / --account-id"
	}
	if !isAccountID(id) {
		p.errorAt(f.AccountIDPos, "%s %s is not a Cloudflare account id: expected 32 lower-case hex characters", what, quote(id))
		return
	}
	f.Account.AccountID = id
}

func (p *parser) behaviors(f *File, v *yaml.Node) {
	if v == nil || isNull(v) {
		return
	}
	if v.Kind != yaml.MappingNode {
		p.errorf(v, "behaviors must be a mapping of behavior id to {enabled, risk_level}, got %s", describe(v))
		return
	}
	for _, b := range p.pairs(v) {
		id := b.key.Value
		if !behaviorIDPattern.MatchString(id) {
			p.errorf(b.key, "invalid behavior id %s: expected lower-case letters, digits and underscores, such as imp_travel", quote(id))
		}
		behavior, policy := p.behavior(id, b)
		f.Account.Behaviors[id] = behavior
		if policy.Ignore != nil {
			if f.Policy.Behaviors == nil {
				f.Policy.Behaviors = map[string]ObjectPolicy{}
			}
			f.Policy.Behaviors[id] = policy
		}
		f.BehaviorPos[id] = p.pos(b.key)
	}
}

func (p *parser) behavior(id string, b field) (out state.Behavior, policy ObjectPolicy) {
	if b.val.Kind != yaml.MappingNode {
		p.errorf(b.val, "behavior %s must be a mapping with %s, got %s", quote(id), andList(behaviorRequired), describe(b.val))
		return out, policy
	}
	known := p.known(p.pairs(b.val), "in behavior "+quote(id), behaviorKeys, behaviorComputed)
	// Both are required because the API's update takes both for every key
	// it is given; a spec cannot say "only enable it".
	for _, name := range behaviorRequired {
		if known.get(name) == nil {
			p.errorf(b.key, "behavior %s is missing required key %q", quote(id), name)
		}
	}
	for _, f := range behaviorFields {
		setField(p, f, &out, known.get(f.Name))
	}
	if v := known.get(keyIgnore); v != nil {
		policy.Ignore = p.ignore(v, "behavior "+quote(id), behaviorIgnorable, behaviorComputed)
	}
	return out, policy
}

// setField sets f in obj from its node v: the field's default when v is
// nil (absent), else the value v holds once read and checked as f's type
// and rules require. A value that fails its check leaves the field's zero
// value; the error is recorded.
func setField[T state.Object](p *parser, f state.Field, obj *T, v *yaml.Node) {
	if v == nil {
		if f.Default != "" {
			if err := state.Set(f, obj, f.Default); err != nil {
				panic("spec: " + err.Error()) // the table's defaults are tested
			}
		}
		return
	}
	if text, ok := p.fieldValue(f, v); ok {
		if err := state.Set(f, obj, text); err != nil {
			p.errorf(v, "%s", err) // a reader returned text of the wrong type: a bug
		}
	}
}

// fieldValue reads v as field f's value, as text.
func (p *parser) fieldValue(f state.Field, v *yaml.Node) (string, bool) {
	if read, ok := fieldReaders[f.Name]; ok {
		return read(p, v)
	}
	if f.Type == state.Bool {
		b, ok := p.boolean(v, f.Name)
		return strconv.FormatBool(b), ok
	}
	return p.str(v, f.Name)
}

// fieldReaders are the fields whose values have rules beyond their type.
// reference_id is read on its own (integration), since its node is kept.
var fieldReaders = map[string]func(*parser, *yaml.Node) (string, bool){
	state.FieldRiskLevel:       (*parser).riskLevel,
	state.FieldIntegrationType: (*parser).integrationType,
	state.FieldTenantURL:       (*parser).tenantURL,
}

func (p *parser) integrations(f *File, v *yaml.Node) {
	if v == nil || isNull(v) {
		return
	}
	if v.Kind != yaml.SequenceNode {
		p.errorf(v, "integrations must be a sequence of mappings (- reference_id: ...), got %s", describe(v))
		return
	}
	f.Account.Integrations = slices.Grow(f.Account.Integrations, len(v.Content))
	if len(f.IntegrationPos) == 0 {
		f.IntegrationPos = make(map[string]Pos, len(v.Content))
	}
	for _, item := range v.Content {
		// Read in place, so that reading fields through the field table
		// (which takes a pointer) copies no integration to the heap.
		f.Account.Integrations = append(f.Account.Integrations, state.Integration{})
		in := &f.Account.Integrations[len(f.Account.Integrations)-1]
		policy, ref := p.integration(in, deref(item))
		if ref != nil {
			if prev, dup := f.IntegrationPos[in.ReferenceID]; dup {
				p.errorf(ref, "duplicate reference_id %s (first defined at line %d): reference_id identifies an integration", quote(in.ReferenceID), prev.Line)
				f.Account.Integrations = f.Account.Integrations[:len(f.Account.Integrations)-1]
				continue
			}
			f.IntegrationPos[in.ReferenceID] = p.pos(ref)
			if policy.Protect || policy.Ignore != nil || policy.Label != "" {
				if f.Policy.Integrations == nil {
					f.Policy.Integrations = map[string]ObjectPolicy{}
				}
				f.Policy.Integrations[in.ReferenceID] = policy
			}
		}
	}
}

// integration reads one integration into in, which is zero, and returns
// its policy; ref is its reference_id node, nil when that is missing or
// invalid.
func (p *parser) integration(in *state.Integration, item *yaml.Node) (policy ObjectPolicy, ref *yaml.Node) {
	if item.Kind != yaml.MappingNode {
		// Defaults still apply, as for a mapping that lacks the keys.
		for _, f := range integrationFields {
			setField(p, f, in, nil)
		}
		p.errorf(item, "each integration must be a mapping with %s, got %s", andList(integrationRequired), describe(item))
		return policy, nil
	}
	known := p.known(p.pairs(item), "in integration", integrationKeys, integrationComputed)
	for _, name := range integrationRequired {
		if known.get(name) == nil {
			p.errorf(item, "integration is missing required key %q", name)
		}
	}
	for _, f := range integrationFields {
		v := known.get(f.Name)
		if f.Role != state.Identity {
			setField(p, f, in, v)
			continue
		}
		if v == nil {
			continue
		}
		if s, ok := p.str(v, f.Name); ok {
			if strings.TrimSpace(s) == "" {
				p.errorf(v, "%s must not be empty", f.Name)
			} else if problem := referenceIDProblem(s); problem != "" {
				p.errorf(v, "%s", problem)
			} else {
				in.ReferenceID, ref = s, v
			}
		}
	}
	if v := known.get(keyLabel); v != nil {
		policy.Label, _ = p.label(v)
	}
	if v := known.get(keyProtect); v != nil {
		policy.Protect, _ = p.boolean(v, keyProtect)
	}
	if v := known.get(keyIgnore); v != nil {
		policy.Ignore = p.ignore(v, "integration", integrationIgnorable, append([]string{keyLabel, keyProtect}, integrationComputed...))
	}
	return policy, ref
}

// andList is "a, b and c".
func andList(names []string) string {
	if len(names) <= 1 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// ignore reads an ignore list: field names, each at most once, from
// allowed. where names the object in messages; uncompared lists keys a
// reader might try that plans never compare (computed fields, protect), so
// the message can say why rather than "unknown". A null list ("ignore:"
// with its entries commented out) ignores nothing.
func (p *parser) ignore(n *yaml.Node, where string, allowed, uncompared []string) []string {
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		p.errorf(n, "ignore in %s must be a list of field names such as [%s], got %s", where, allowed[0], describe(n))
		return nil
	}
	var out []string
	first := make(map[string]*yaml.Node)
	for _, item := range n.Content {
		item = deref(item)
		name, ok := p.str(item, "each ignore entry")
		if !ok {
			continue
		}
		switch {
		case slices.Contains(allowed, name):
		case name == state.FieldReferenceID:
			p.errorf(item, "reference_id cannot be ignored: integrations are matched on it (fields that can be ignored: %s)", strings.Join(allowed, ", "))
			continue
		case slices.Contains(uncompared, name):
			p.errorf(item, "%s cannot be ignored in %s: plans never compare it (fields that can be ignored: %s)", quote(name), where, strings.Join(allowed, ", "))
			continue
		default:
			p.errorf(item, "unknown field %s in ignore of %s%s (fields that can be ignored: %s)", quote(name), where, didYouMean(name, allowed), strings.Join(allowed, ", "))
			continue
		}
		if prev, dup := first[name]; dup {
			p.errorf(item, "duplicate field %s in ignore (first listed at line %d)", quote(name), prev.Line)
			continue
		}
		first[name] = item
		out = append(out, name)
	}
	return out
}

// pairs lists a mapping's key: value pairs, reporting keys that are not
// scalars and keys given twice. yaml.v3 node trees keep both copies of a
// duplicate (decoding would silently keep the last); only the first counts.
func (p *parser) pairs(m *yaml.Node) []field {
	n := len(m.Content) / 2
	fields := make([]field, 0, n)
	// A small mapping (an integration's) is searched for a repeat in
	// place: a map for each of thousands of them costs more than it saves.
	var first map[string]*yaml.Node
	if n > smallMapping {
		first = make(map[string]*yaml.Node, n)
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := deref(m.Content[i]), deref(m.Content[i+1])
		if k.Kind != yaml.ScalarNode {
			p.errorf(k, "a key must be a string, got %s", describe(k))
			continue
		}
		prev, dup := first[k.Value]
		if first == nil {
			if j := slices.IndexFunc(fields, func(f field) bool { return f.key.Value == k.Value }); j >= 0 {
				prev, dup = fields[j].key, true
			}
		}
		if dup {
			p.errorf(k, "duplicate key %s (first defined at line %d)", quote(k.Value), prev.Line)
			continue
		}
		if first != nil {
			first[k.Value] = k
		}
		fields = append(fields, field{key: k, val: v})
	}
	return fields
}

// smallMapping is the most pairs pairs searches without a map.
const smallMapping = 16

// known indexes the fields whose keys are allowed and reports the others:
// computed keys get their own message, since they are not typos but values
// copied from an API response. where places the mapping in the message.
func (p *parser) known(fields []field, where string, allowed, computed []string) knownFields {
	out := make(knownFields, 0, len(fields))
	for _, f := range fields {
		name := f.key.Value
		switch {
		case slices.Contains(allowed, name):
			out = append(out, f)
		case slices.Contains(computed, name):
			p.errorf(f.key, "%q is computed by Cloudflare and cannot be set in a spec", name)
		default:
			p.errorf(f.key, "unknown key %s %s%s (allowed keys: %s)", quote(name), where, didYouMean(name, allowed), strings.Join(allowed, ", "))
		}
	}
	return out
}

// knownFields are a mapping's pairs whose keys are allowed, each key once
// (pairs reports repeats). A mapping has a handful: a list is searched
// faster than a map is built.
type knownFields []field

// get returns the value of the key name, nil when it is absent.
func (k knownFields) get(name string) *yaml.Node {
	for _, f := range k {
		if f.key.Value == name {
			return f.val
		}
	}
	return nil
}

// deref follows an alias to the node it names.
func deref(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.ShortTag() == nullTag }
