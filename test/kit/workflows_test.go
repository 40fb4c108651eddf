package kit_test

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	ucli "github.com/urfave/cli/v2"
	"go.yaml.in/yaml/v3"

	"github.com/riskctl/riskctl/internal/cli"
)

// The GitHub Actions workflows in .github/workflows are the CI kit users
// copy. These tests keep them honest: every `riskctl ...` command in a run:
// script must use a subcommand and flags the real CLI has, and secrets must
// reach scripts through env:, never as ${{ secrets.* }} inside the script.

// runScript is one step's run: script.
type runScript struct {
	file string // path of the workflow
	job  string
	step int    // index in the job's steps
	line int    // line of the script's first line in the file
	text string // the script as YAML decodes it
}

// riskctlCall is one riskctl command found in a script.
type riskctlCall struct {
	line int      // line in the workflow file
	args []string // the words after "riskctl", quotes removed, redirections dropped
}

func (c riskctlCall) String() string { return "riskctl " + strings.Join(c.args, " ") }

func workflowFiles(t *testing.T) []string {
	t.Helper()
	var files []string
	for _, pattern := range []string{".github/workflows/*.yml", ".github/workflows/*.yaml"} {
		m, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	sort.Strings(files)
	if len(files) == 0 {
		t.Fatal("no workflow in .github/workflows")
	}
	return files
}

// parseWorkflow parses file; it returns the top-level mapping, the jobs
// mapping and the file's raw lines (lines[n-1] is line n).
func parseWorkflow(t *testing.T, file string) (root, jobs *yaml.Node, lines []string) {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	if len(doc.Content) == 0 {
		t.Fatalf("%s: empty workflow", file)
	}
	root = doc.Content[0]
	jobs = mapValue(root, "jobs")
	if jobs == nil || jobs.Kind != yaml.MappingNode {
		t.Fatalf("%s: no jobs mapping", file)
	}
	return root, jobs, strings.Split(string(data), "\n")
}

// workflowStep is one step of a job.
type workflowStep struct {
	job  string
	n    int        // index in the job's steps
	node *yaml.Node // the step's mapping
}

// workflowSteps returns every step of every job in file.
func workflowSteps(t *testing.T, file string) []workflowStep {
	t.Helper()
	_, jobs, _ := parseWorkflow(t, file)
	var out []workflowStep
	for i := 0; i+1 < len(jobs.Content); i += 2 {
		steps := mapValue(jobs.Content[i+1], "steps")
		if steps == nil {
			continue // a job calling a reusable workflow
		}
		for n, step := range steps.Content {
			out = append(out, workflowStep{job: jobs.Content[i].Value, n: n, node: step})
		}
	}
	return out
}

// scriptOf returns the run: script of step, if it has one.
func scriptOf(file string, st workflowStep) (runScript, bool) {
	run := mapValue(st.node, "run")
	if run == nil || run.Kind != yaml.ScalarNode {
		return runScript{}, false
	}
	line := run.Line
	if run.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
		line++ // the text starts below the | or > indicator
	}
	return runScript{file: file, job: st.job, step: st.n, line: line, text: run.Value}, true
}

// runScripts returns the run: scripts of every step of every job in file.
func runScripts(t *testing.T, file string) []runScript {
	t.Helper()
	var out []runScript
	for _, st := range workflowSteps(t, file) {
		if rs, ok := scriptOf(file, st); ok {
			out = append(out, rs)
		}
	}
	return out
}

// mapValue returns the value of key in mapping node m, or nil.
func mapValue(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// token is a word or an operator of a shell script.
type token struct {
	text string
	op   bool // an operator: ; & && | || ( ) $( newline, or a redirection
	line int  // 0-based line in the script
}

// lexShell splits a bash script into words and operators, well enough to
// find simple commands: it knows comments, quotes, backslash escapes and
// line continuations, command separators, $( ... ) and redirections (with
// an fd number in front). Quotes are removed from words.
func lexShell(script string) []token {
	var (
		toks []token
		word strings.Builder
		in   bool // inside a word
		wl   int  // line the word started on
		line int
	)
	flush := func() {
		if in {
			toks = append(toks, token{text: word.String(), line: wl})
			word.Reset()
			in = false
		}
	}
	start := func() {
		if !in {
			in, wl = true, line
		}
	}
	op := func(s string) { toks = append(toks, token{text: s, op: true, line: line}) }
	rs := []rune(script)
	for i := 0; i < len(rs); i++ {
		c := rs[i]
		switch {
		case c == '\\' && i+1 < len(rs) && rs[i+1] == '\n': // line continuation
			i++
			line++
		case c == '\\' && i+1 < len(rs):
			start()
			i++
			word.WriteRune(rs[i])
		case c == '\'':
			start()
			for i++; i < len(rs) && rs[i] != '\''; i++ {
				if rs[i] == '\n' {
					line++
				}
				word.WriteRune(rs[i])
			}
		case c == '"':
			start()
			for i++; i < len(rs) && rs[i] != '"'; i++ {
				if rs[i] == '\\' && i+1 < len(rs) && strings.ContainsRune("\"\\$`\n", rs[i+1]) {
					i++
					if rs[i] == '\n' {
						line++
						continue
					}
				} else if rs[i] == '\n' {
					line++
				}
				word.WriteRune(rs[i])
			}
		case c == '#' && !in:
			for i < len(rs) && rs[i] != '\n' {
				i++
			}
			i-- // the newline is a separator
		case c == '\n':
			flush()
			op("\n")
			line++
		case c == ' ' || c == '\t':
			flush()
		case c == '$' && i+1 < len(rs) && rs[i+1] == '(' && !(i+2 < len(rs) && rs[i+2] == '('):
			flush()
			op("$(")
			i++
		case c == '<' || c == '>':
			// A word of digits right before is the fd: 2> 2>> 1>&2.
			fd := ""
			if in && isDigits(word.String()) {
				fd, in = word.String(), false
				word.Reset()
			}
			flush()
			r := fd + string(c)
			for i+1 < len(rs) && (rs[i+1] == '>' || rs[i+1] == '&') {
				i++
				r += string(rs[i])
			}
			op(r)
		case c == ';' || c == '&' || c == '|' || c == '(' || c == ')':
			flush()
			r := string(c)
			if (c == '&' || c == '|' || c == ';') && i+1 < len(rs) && rs[i+1] == c {
				i++
				r += string(c)
			} else if c == '&' && i+1 < len(rs) && rs[i+1] == '>' {
				i++
				r = "&>"
				for i+1 < len(rs) && rs[i+1] == '>' {
					i++
					r += ">"
				}
			}
			op(r)
		default:
			start()
			word.WriteRune(c)
		}
	}
	flush()
	return toks
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

func isRedirection(op string) bool { return strings.ContainsAny(op, "<>") }

// leadingWords are shell words that may stand before a command's name.
var leadingWords = map[string]bool{
	"if": true, "then": true, "else": true, "elif": true, "do": true, "while": true,
	"until": true, "!": true, "time": true, "{": true, "exec": true, "command": true,
}

var assignment = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*=`)

// riskctlCommands finds every simple command named riskctl in script.
func riskctlCommands(script string) []riskctlCall { return shellCommands(script, "riskctl") }

// shellCommands finds every simple command named name in script.
func shellCommands(script, name string) []riskctlCall {
	var (
		calls []riskctlCall
		words []token
	)
	end := func() {
		i := 0
		for i < len(words) && (leadingWords[words[i].text] || assignment.MatchString(words[i].text)) {
			i++
		}
		if i < len(words) && words[i].text == name {
			c := riskctlCall{line: words[i].line, args: []string{}}
			for _, w := range words[i+1:] {
				c.args = append(c.args, w.text)
			}
			calls = append(calls, c)
		}
		words = words[:0]
	}
	toks := lexShell(script)
	for i := 0; i < len(toks); i++ {
		tk := toks[i]
		switch {
		case tk.op && isRedirection(tk.text):
			if !strings.HasSuffix(tk.text, "&") || i+1 < len(toks) && !toks[i+1].op {
				i++ // skip the target
			}
		case tk.op:
			end()
		default:
			words = append(words, tk)
		}
	}
	end()
	return calls
}

// newTestApp builds the real command tree.
func newTestApp() *ucli.App {
	return cli.NewApp(cli.Streams{
		In:               strings.NewReader(""),
		Out:              io.Discard,
		Err:              io.Discard,
		InteractiveInput: func() bool { return false },
		OutIsTerminal:    func() bool { return false },
	})
}

func findFlag(flags []ucli.Flag, name string) ucli.Flag {
	for _, f := range flags {
		for _, n := range f.Names() {
			if n == name {
				return f
			}
		}
	}
	return nil
}

func findCommand(cmds []*ucli.Command, name string) *ucli.Command {
	for _, c := range cmds {
		if c.HasName(name) {
			return c
		}
	}
	return nil
}

// checkCall checks args (the words after "riskctl") against app the way
// urfave/cli parses them: global flags before the command, the command's own
// flags after it, and no flag after a positional argument (flag parsing
// stops at the first argument, so a later "--flag" would be an argument).
// It returns the problems, and what the CLI lacks as "command" or
// "command --flag" strings.
func checkCall(app *ucli.App, args []string) (problems, missing []string) {
	// parseFlag handles args[i], a flag of flags; it returns how many args it used.
	parseFlag := func(flags []ucli.Flag, where string, args []string, i int) int {
		name, _, hasValue := strings.Cut(strings.TrimLeft(args[i], "-"), "=")
		if name == "help" || name == "h" {
			return 1 // added by urfave/cli at run time
		}
		f := findFlag(flags, name)
		if f == nil {
			problems = append(problems, fmt.Sprintf("%s has no flag --%s", where, name))
			missing = append(missing, where+" --"+name)
			// Whether it would take a value is unknown: guess yes when a
			// word follows, so the value is not taken for an argument.
			if !hasValue && i+1 < len(args) && !strings.HasPrefix(args[i+1], "-") {
				return 2
			}
			return 1
		}
		tv, ok := f.(interface{ TakesValue() bool })
		if !ok || !tv.TakesValue() {
			return 1
		}
		used, value := 1, ""
		if hasValue {
			_, value, _ = strings.Cut(args[i], "=")
		} else if i+1 < len(args) {
			used, value = 2, args[i+1]
		} else {
			problems = append(problems, fmt.Sprintf("%s --%s needs a value", where, name))
			return 1
		}
		// --format values are not introspectable; every format flag lists
		// them in its usage ("output format: text, json, markdown").
		if name == "format" && !strings.Contains(value, "$") {
			usage := ""
			if u, ok := f.(interface{ GetUsage() string }); ok {
				usage = u.GetUsage()
			}
			if !regexp.MustCompile(`\b` + regexp.QuoteMeta(value) + `\b`).MatchString(usage) {
				problems = append(problems, fmt.Sprintf("%s --format %s: not a format its usage lists (%q)", where, value, usage))
				missing = append(missing, where+" --format "+value)
			}
		}
		return used
	}

	i := 0
	for i < len(args) && strings.HasPrefix(args[i], "-") {
		i += parseFlag(app.Flags, "riskctl (global)", args, i)
	}
	if i >= len(args) {
		return append(problems, "no command"), missing
	}
	cmd := findCommand(app.Commands, args[i])
	if cmd == nil {
		problems = append(problems, fmt.Sprintf("riskctl has no command %q", args[i]))
		return problems, append(missing, args[i])
	}
	path := cmd.Name
	positional := false
	for i++; i < len(args); {
		a := args[i]
		switch {
		case a == "--":
			return problems, missing
		case strings.HasPrefix(a, "-") && a != "-":
			if positional {
				problems = append(problems, fmt.Sprintf(
					"%s: flag %s comes after a positional argument; urfave/cli stops parsing flags there, so put flags first", path, a))
			}
			i += parseFlag(cmd.Flags, path, args, i)
		case !positional && len(cmd.Subcommands) > 0:
			sub := findCommand(cmd.Subcommands, a)
			if sub == nil {
				problems = append(problems, fmt.Sprintf("%s has no subcommand %q", path, a))
				return problems, append(missing, path+" "+a)
			}
			cmd, path = sub, path+" "+sub.Name
			i++
		default:
			positional = true
			i++
		}
	}
	return problems, missing
}

// TestWorkflowsUseRealCLI checks every riskctl command in the workflows'
// run: scripts against the real command tree.
func TestWorkflowsUseRealCLI(t *testing.T) {
	app := newTestApp()
	missing := map[string]bool{}
	for _, file := range workflowFiles(t) {
		found := 0
		for _, rs := range runScripts(t, file) {
			for _, call := range riskctlCommands(rs.text) {
				found++
				problems, miss := checkCall(app, call.args)
				for _, p := range problems {
					t.Errorf("%s:%d: %s\n\t%s", file, rs.line+call.line, p, call)
				}
				for _, m := range miss {
					missing[m] = true
				}
			}
		}
		if strings.HasPrefix(filepath.Base(file), "riskctl-") && found == 0 {
			t.Errorf("%s: found no riskctl command in its run: scripts", file)
		}
	}
	if len(missing) > 0 {
		var list []string
		for m := range missing {
			list = append(list, m)
		}
		sort.Strings(list)
		t.Errorf("the workflows use what the CLI lacks: %s", strings.Join(list, "; "))
	}
}

var secretsExpr = regexp.MustCompile(`\$\{\{[^}]*\bsecrets\.`)

// TestWorkflowsKeepSecretsOutOfRun checks that no run: script expands a
// secret itself: GitHub would paste the value into the script text (which
// then shows in process lists and can break quoting). Steps get secrets
// through env: and scripts read the variable.
func TestWorkflowsKeepSecretsOutOfRun(t *testing.T) {
	for _, file := range workflowFiles(t) {
		for _, rs := range runScripts(t, file) {
			for n, l := range strings.Split(rs.text, "\n") {
				if secretsExpr.MatchString(l) {
					t.Errorf("%s:%d: job %s step %d expands a secret inside run: (pass it through env: instead)\n\t%s",
						file, rs.line+n, rs.job, rs.step+1, strings.TrimSpace(l))
				}
			}
		}
	}
}

func TestRiskctlCommandsExtraction(t *testing.T) {
	script := `set -euo pipefail
# riskctl plan --in-a-comment
echo "riskctl plan failed" >&2
rc=0
riskctl plan -f riskscoring/ \
  --out riskctl.plan.json --format markdown > plan.md 2> plan.err || rc=$?
if riskctl --no-color drift -f "riskscoring/" --format=markdown; then :; fi
out=$(riskctl version)
X=1 riskctl apply --max-deletes "${N}" riskctl.plan.json 2>&1 | tee apply.log
go install "github.com/riskctl/riskctl@${RISKCTL_VERSION}"
`
	got := riskctlCommands(script)
	want := []riskctlCall{
		{line: 4, args: []string{"plan", "-f", "riskscoring/", "--out", "riskctl.plan.json", "--format", "markdown"}},
		{line: 6, args: []string{"--no-color", "drift", "-f", "riskscoring/", "--format=markdown"}},
		{line: 7, args: []string{"version"}},
		{line: 8, args: []string{"apply", "--max-deletes", "${N}", "riskctl.plan.json"}},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("riskctlCommands:\n got %v\nwant %v", got, want)
	}
	for i := range want {
		if got[i].line != want[i].line {
			t.Errorf("command %d: line %d, want %d", i, got[i].line, want[i].line)
		}
	}
}

func TestCheckCall(t *testing.T) {
	app := newTestApp()
	for _, tc := range []struct {
		args    []string
		missing string // "" when the call is fine
		problem string // a substring of the problem, when there is one
	}{
		{args: []string{"validate", "-f", "riskscoring/"}},
		{args: []string{"--no-color", "--account-id", "x", "validate", "--file=a.yaml"}},
		{args: []string{"users", "list", "--help"}},
		{args: []string{"nosuchcommand"}, missing: "nosuchcommand", problem: `no command "nosuchcommand"`},
		{args: []string{"validate", "--nosuchflag", "-f", "a"}, missing: "validate --nosuchflag", problem: "no flag --nosuchflag"},
		{args: []string{"validate", "--no-color", "-f", "a"}, missing: "validate --no-color", problem: "no flag --no-color"},
		{args: []string{"validate", "x.yaml", "-f", "a"}, problem: "after a positional argument"},
		{args: []string{"users", "nosuch"}, missing: "users nosuch", problem: "no subcommand"},
		{args: []string{"users", "list", "--format", "nosuchformat"}, missing: "users list --format nosuchformat", problem: "not a format"},
	} {
		problems, missing := checkCall(app, tc.args)
		if got := strings.Join(missing, ","); got != tc.missing {
			t.Errorf("%v: missing %q, want %q", tc.args, got, tc.missing)
		}
		all := strings.Join(problems, "\n")
		if (tc.problem == "") != (all == "") || !strings.Contains(all, tc.problem) {
			t.Errorf("%v: problems %q, want one with %q", tc.args, all, tc.problem)
		}
	}
}

func TestSecretsExpr(t *testing.T) {
	for line, want := range map[string]bool{
		`curl -H "Authorization: Bearer ${{ secrets.CLOUDFLARE_API_TOKEN }}"`: true,
		`echo ${{secrets.X}}`:                         true,
		`echo "${{ github.token }}"`:                  false,
		`riskctl plan -f riskscoring/ # uses secrets`: false,
		`echo "${CLOUDFLARE_API_TOKEN}"`:              false,
	} {
		if got := secretsExpr.MatchString(line); got != want {
			t.Errorf("secretsExpr.MatchString(%q) = %v, want %v", line, got, want)
		}
	}
}

// A third-party action pinned to a full commit SHA, with the release it is in
// a trailing comment (the form Dependabot and Renovate keep up to date).
var (
	pinnedAction  = regexp.MustCompile(`^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+(/[^@\s]+)?@[0-9a-f]{40}$`)
	versionRemark = regexp.MustCompile(`^["']?\s+#\s*v[0-9]+(\.[0-9]+)*(\s|$)`)
)

// usesNodes returns the value node of every uses: in the workflow: of each
// step, and of each job that calls a reusable workflow.
func usesNodes(jobs *yaml.Node) []*yaml.Node {
	var out []*yaml.Node
	for i := 0; i+1 < len(jobs.Content); i += 2 {
		job := jobs.Content[i+1]
		if u := mapValue(job, "uses"); u != nil {
			out = append(out, u)
		}
		if steps := mapValue(job, "steps"); steps != nil {
			for _, step := range steps.Content {
				if u := mapValue(step, "uses"); u != nil {
					out = append(out, u)
				}
			}
		}
	}
	return out
}

// TestWorkflowsPinActionsToCommitSHA checks that every third-party action
// (anything but ./local and docker:// ones) is used at a full commit SHA,
// so a moved or hijacked tag cannot change what runs with the secrets, and
// that the line names the release in a "# vX.Y.Z" comment.
func TestWorkflowsPinActionsToCommitSHA(t *testing.T) {
	for _, file := range workflowFiles(t) {
		_, jobs, lines := parseWorkflow(t, file)
		for _, u := range usesNodes(jobs) {
			ref := u.Value
			if strings.HasPrefix(ref, "./") || strings.HasPrefix(ref, "docker://") {
				continue
			}
			if !pinnedAction.MatchString(ref) {
				t.Errorf("%s:%d: uses: %s is not pinned to a full commit SHA (owner/repo[/path]@<40 lower-case hex> # vX.Y.Z)",
					file, u.Line, ref)
				continue
			}
			line := ""
			if u.Line-1 < len(lines) {
				line = lines[u.Line-1]
			}
			at := strings.Index(line, ref)
			if at < 0 || !versionRemark.MatchString(line[at+len(ref):]) {
				t.Errorf("%s:%d: uses: %s has no trailing \"# vX.Y.Z\" comment naming the release of that commit\n\t%s",
					file, u.Line, ref, strings.TrimSpace(line))
			}
		}
	}
}

var (
	exactGoVersion = regexp.MustCompile(`^[0-9]+\.[0-9]+\.[0-9]+$`)
	goModGoLine    = regexp.MustCompile(`(?m)^go\s+([0-9]+(?:\.[0-9]+)*)\s*$`)
)

// versionLess reports whether dotted version a is lower than b.
func versionLess(a, b string) bool {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(as) || i < len(bs); i++ {
		var x, y int
		if i < len(as) {
			fmt.Sscan(as[i], &x)
		}
		if i < len(bs) {
			fmt.Sscan(bs[i], &y)
		}
		if x != y {
			return x < y
		}
	}
	return false
}

// TestWorkflowsPinGoVersion checks that every actions/setup-go step pins
// Go: an exact release at least go.mod's go line (never stable or latest,
// which change under a pinned riskctl), or go-version-file.
func TestWorkflowsPinGoVersion(t *testing.T) {
	data, err := os.ReadFile("go.mod")
	if err != nil {
		t.Fatal(err)
	}
	m := goModGoLine.FindSubmatch(data)
	if m == nil {
		t.Fatal("go.mod has no go line")
	}
	goLine := string(m[1])
	for _, file := range workflowFiles(t) {
		for _, st := range workflowSteps(t, file) {
			u := mapValue(st.node, "uses")
			if u == nil || !strings.HasPrefix(u.Value, "actions/setup-go@") {
				continue
			}
			with := mapValue(st.node, "with")
			v, vf := mapValue(with, "go-version"), mapValue(with, "go-version-file")
			switch {
			case v != nil && vf != nil:
				t.Errorf("%s:%d: setup-go has both go-version and go-version-file", file, v.Line)
			case vf != nil:
				if strings.TrimSpace(vf.Value) == "" {
					t.Errorf("%s:%d: setup-go go-version-file is empty", file, vf.Line)
				}
			case v == nil:
				t.Errorf("%s:%d: setup-go pins no Go version (add go-version: \"%s\" or go-version-file: go.mod)",
					file, st.node.Line, goLine)
			case !exactGoVersion.MatchString(v.Value):
				t.Errorf("%s:%d: setup-go go-version: %q is not an exact release like \"%s\" (stable and latest move under a pinned riskctl)",
					file, v.Line, v.Value, goLine)
			case versionLess(v.Value, goLine):
				t.Errorf("%s:%d: setup-go go-version: %s is older than go.mod's go %s", file, v.Line, v.Value, goLine)
			}
		}
	}
}

const applyWorkflow = ".github/workflows/riskctl-apply.yml"

// commandArgs drops the global flags (and their values) from args, the words
// after "riskctl", so args[0] is the command.
func commandArgs(app *ucli.App, args []string) []string {
	for len(args) > 0 && strings.HasPrefix(args[0], "-") && args[0] != "-" {
		name, _, hasValue := strings.Cut(strings.TrimLeft(args[0], "-"), "=")
		args = args[1:]
		if f, ok := findFlag(app.Flags, name).(interface{ TakesValue() bool }); ok && f.TakesValue() && !hasValue && len(args) > 0 {
			args = args[1:]
		}
	}
	return args
}

// runnerTemp turns a shell spelling of the runner's temp directory into the
// expression spelling, so paths of run: scripts and with: inputs compare.
func runnerTemp(p string) (string, bool) {
	for _, prefix := range []string{"${RUNNER_TEMP}/", "$RUNNER_TEMP/"} {
		if rest, ok := strings.CutPrefix(p, prefix); ok {
			return "${{ runner.temp }}/" + rest, true
		}
	}
	return p, false
}

// TestApplyWorkflowKeepsPlanOutOfCheckout checks the chain of custody of the
// reviewed plan in riskctl-apply.yml: the artifact is downloaded into a
// directory of its own under the runner's temp directory, emptied before,
// never into the checkout (where it could overwrite riskscoring/*.yaml or
// anything else), and riskctl apply applies only that directory's
// riskctl.plan.json.
func TestApplyWorkflowKeepsPlanOutOfCheckout(t *testing.T) {
	file := applyWorkflow
	app := newTestApp()
	apply := findCommand(app.Commands, "apply")
	if apply == nil {
		t.Fatal("riskctl has no apply command")
	}
	downloads := map[string]int{} // download path -> line
	emptied := map[string]bool{}  // directories a run: script removed so far
	applies, downloadSteps := 0, 0
	for _, st := range workflowSteps(t, file) {
		if rs, ok := scriptOf(file, st); ok {
			for _, rm := range shellCommands(rs.text, "rm") {
				force := false
				for _, a := range rm.args {
					if strings.HasPrefix(a, "-") && strings.Contains(a, "r") && strings.Contains(a, "f") {
						force = true
					} else if p, ok := runnerTemp(a); ok && force {
						emptied[strings.TrimSuffix(p, "/")] = true
					}
				}
			}
			for _, call := range riskctlCommands(rs.text) {
				args := commandArgs(app, call.args)
				if len(args) == 0 || args[0] != "apply" {
					continue
				}
				applies++
				where := fmt.Sprintf("%s:%d", file, rs.line+call.line)
				if wd := mapValue(st.node, "working-directory"); wd != nil {
					t.Errorf("%s:%d: the riskctl apply step sets working-directory; it must run in the repository root, "+
						"the directory the plan's spec file names are relative to", file, wd.Line)
				}
				var positional []string
				for i := 1; i < len(args); i++ {
					a := args[i]
					if !strings.HasPrefix(a, "-") || a == "-" {
						positional = append(positional, a)
						continue
					}
					name, _, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
					if f, ok := findFlag(apply.Flags, name).(interface{ TakesValue() bool }); ok && f.TakesValue() && !hasValue {
						i++
					}
				}
				if len(positional) != 1 {
					t.Errorf("%s: riskctl apply takes one PLANFILE, got %q\n\t%s", where, positional, call)
					continue
				}
				plan := positional[0]
				dir, ok := runnerTemp(plan)
				switch {
				case !ok || path.Base(plan) != "riskctl.plan.json" || strings.Contains(plan, ".."):
					t.Errorf("%s: riskctl apply PLANFILE %q is not a riskctl.plan.json under ${RUNNER_TEMP} (the downloaded artifact)\n\t%s",
						where, plan, call)
				default:
					dir = path.Dir(dir)
					if _, ok := downloads[dir]; !ok {
						t.Errorf("%s: riskctl apply PLANFILE %q is not in a directory an earlier download-artifact step downloaded into (%v)\n\t%s",
							where, plan, downloads, call)
					}
				}
			}
		}
		u := mapValue(st.node, "uses")
		if u == nil || !strings.HasPrefix(u.Value, "actions/download-artifact@") {
			continue
		}
		downloadSteps++
		p := mapValue(mapValue(st.node, "with"), "path")
		if p == nil {
			t.Errorf("%s:%d: download-artifact has no path: it would download into the checkout; use path: ${{ runner.temp }}/<dir>",
				file, st.node.Line)
			continue
		}
		dir := strings.TrimSuffix(strings.TrimSpace(p.Value), "/")
		rest, ok := strings.CutPrefix(dir, "${{ runner.temp }}/")
		if !ok || rest == "" || strings.Contains(rest, "..") || strings.Contains(rest, "${{") {
			t.Errorf("%s:%d: download-artifact path: %q is not a directory of its own under ${{ runner.temp }} (never ., the checkout or ${{ github.workspace }})",
				file, p.Line, p.Value)
			continue
		}
		if !emptied[dir] {
			t.Errorf("%s:%d: download-artifact path: %s is not emptied first (no earlier run: step does rm -rf \"${RUNNER_TEMP}/%s\")",
				file, p.Line, p.Value, rest)
		}
		downloads[dir] = p.Line
	}
	if downloadSteps == 0 {
		t.Errorf("%s: found no actions/download-artifact step", file)
	}
	if applies == 0 {
		t.Errorf("%s: found no riskctl apply command", file)
	}
}

// TestPRWorkflowValidatesWithPlanEnv checks that in riskctl-pr.yml the
// riskctl validate step gets the same env: as the riskctl plan step, so a
// spec that interpolates a credential (or a variable holding a credential's
// value) fails at validate, which recognises them only when it sees them.
func TestPRWorkflowValidatesWithPlanEnv(t *testing.T) {
	file := ".github/workflows/riskctl-pr.yml"
	app := newTestApp()
	type found struct {
		line int
		env  map[string]string
	}
	steps := map[string]*found{}
	for _, st := range workflowSteps(t, file) {
		rs, ok := scriptOf(file, st)
		if !ok {
			continue
		}
		for _, call := range riskctlCommands(rs.text) {
			args := commandArgs(app, call.args)
			if len(args) == 0 || (args[0] != "validate" && args[0] != "plan") {
				continue
			}
			if steps[args[0]] != nil {
				t.Fatalf("%s:%d: a second riskctl %s step", file, rs.line+call.line, args[0])
			}
			f := &found{line: st.node.Line, env: map[string]string{}}
			if env := mapValue(st.node, "env"); env != nil {
				f.line = env.Line
				for i := 0; i+1 < len(env.Content); i += 2 {
					f.env[env.Content[i].Value] = env.Content[i+1].Value
				}
			}
			steps[args[0]] = f
		}
	}
	validate, plan := steps["validate"], steps["plan"]
	if validate == nil || plan == nil {
		t.Fatalf("%s: want a riskctl validate step and a riskctl plan step, found %v", file, steps)
	}
	if len(plan.env) == 0 {
		t.Errorf("%s:%d: the riskctl plan step has no env:", file, plan.line)
	}
	for k, v := range plan.env {
		if got, ok := validate.env[k]; !ok || got != v {
			t.Errorf("%s:%d: the riskctl validate step's env lacks %s: %s, which the plan step (line %d) has",
				file, validate.line, k, v, plan.line)
		}
	}
	for k := range validate.env {
		if _, ok := plan.env[k]; !ok {
			t.Errorf("%s:%d: the riskctl validate step's env has %s, which the plan step (line %d) lacks",
				file, validate.line, k, plan.line)
		}
	}
}

func TestWorkflowPinPatterns(t *testing.T) {
	for ref, want := range map[string]bool{
		"actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683":          true,
		"github/codeql-action/init@11bd71901bbe5b1630ceea73d27597364c9af683": true,
		"actions/checkout@v4":     false,
		"actions/checkout@v4.2.2": false,
		"actions/checkout@main":   false,
		"actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af68":  false, // 39 hex
		"actions/checkout@11BD71901BBE5B1630CEEA73D27597364C9AF683": false,
		"actions/checkout": false,
		"checkout@11bd71901bbe5b1630ceea73d27597364c9af683":                           false,
		"actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2":          false,
		"actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683cafe":               false,
		"owner/repo/.github/workflows/x.yml@11bd71901bbe5b1630ceea73d27597364c9af683": true,
	} {
		if got := pinnedAction.MatchString(ref); got != want {
			t.Errorf("pinnedAction.MatchString(%q) = %v, want %v", ref, got, want)
		}
	}
	for rest, want := range map[string]bool{
		" # v4.2.2":    true,
		"  #v5":        true,
		`" # v7.0.1`:   true,
		"":             false,
		" # 4.2.2":     false,
		" # latest":    false,
		"# v4.2.2":     false, // YAML needs a space before a comment
		" # v4.2.2abc": false,
	} {
		if got := versionRemark.MatchString(rest); got != want {
			t.Errorf("versionRemark.MatchString(%q) = %v, want %v", rest, got, want)
		}
	}
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"1.26.8", "1.26.8", false},
		{"1.26.7", "1.26.8", true},
		{"1.26.10", "1.26.8", false},
		{"1.26", "1.26.8", true},
		{"1.27.0", "1.26.8", false},
	} {
		if got := versionLess(tc.a, tc.b); got != tc.want {
			t.Errorf("versionLess(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}

// A pull request from a fork gets no secrets. The PR job must say so before
// anything else can fail on the missing values (an unset
// ${CLOUDFLARE_ACCOUNT_ID} at validate), and its comment must carry it.
func TestPRWorkflowSaysForksGetNoSecrets(t *testing.T) {
	file := ".github/workflows/riskctl-pr.yml"
	var checked, commented bool
	for _, st := range workflowSteps(t, file) {
		if rs, ok := scriptOf(file, st); ok {
			for _, call := range riskctlCommands(rs.text) {
				if len(call.args) > 0 && call.args[0] == "validate" {
					before := rs.text[:strings.Index(rs.text, "riskctl validate")]
					checked = strings.Contains(before, `-z "${CLOUDFLARE_API_TOKEN}"`) && strings.Contains(before, "forks get no secrets") &&
						strings.Contains(before, "no_secrets=true")
				}
			}
		}
		if with := mapValue(st.node, "with"); with != nil {
			if script := mapValue(with, "script"); script != nil && strings.Contains(script.Value, "riskctl:plan pr-comment") {
				commented = strings.Contains(script.Value, "env.NO_SECRETS === 'true'") && strings.Contains(script.Value, "forks get no secrets")
			}
		}
	}
	if !checked {
		t.Errorf("%s: the validate step does not check for an empty CLOUDFLARE_API_TOKEN before running riskctl, with the fork message and no_secrets=true", file)
	}
	if !commented {
		t.Errorf("%s: the PR comment does not say that forks get no secrets (NO_SECRETS)", file)
	}
}

// The CI kit: the three workflows users copy.
var kitWorkflows = []string{
	".github/workflows/riskctl-pr.yml",
	".github/workflows/riskctl-apply.yml",
	".github/workflows/riskctl-drift.yml",
}

// setupAction is how the kit installs riskctl: riskctl's own action.yml,
// as ./ in riskctl's repository (the kit's workflows run the action of
// their own commit) or as riskctl/riskctl@<full SHA> # vX.Y.Z in a copy.
var setupAction = regexp.MustCompile(`^(\./|riskctl/riskctl@[0-9a-f]{40})$`)

// jobNodes returns the jobs of a workflow by id, in file order.
func jobNodes(jobs *yaml.Node) (ids []string, nodes []*yaml.Node) {
	for i := 0; i+1 < len(jobs.Content); i += 2 {
		ids = append(ids, jobs.Content[i].Value)
		nodes = append(nodes, jobs.Content[i+1])
	}
	return ids, nodes
}

// envOf returns the env: mapping of node (a workflow, job or step).
func envOf(node *yaml.Node) map[string]string {
	out := map[string]string{}
	if env := mapValue(node, "env"); env != nil {
		for i := 0; i+1 < len(env.Content); i += 2 {
			out[env.Content[i].Value] = env.Content[i+1].Value
		}
	}
	return out
}

// TestWorkflowsUseSetupAction checks that every kit job that runs riskctl
// installs it with the setup action first, at the workflow's one
// RISKCTL_VERSION, and that no script installs riskctl itself.
func TestWorkflowsUseSetupAction(t *testing.T) {
	for _, file := range kitWorkflows {
		_, jobs, lines := parseWorkflow(t, file)
		ids, nodes := jobNodes(jobs)
		for j, job := range nodes {
			steps := mapValue(job, "steps")
			if steps == nil {
				continue
			}
			installed := false
			for n, step := range steps.Content {
				st := workflowStep{job: ids[j], n: n, node: step}
				if u := mapValue(step, "uses"); u != nil && setupAction.MatchString(u.Value) {
					if strings.HasPrefix(u.Value, "riskctl/") {
						line := lines[u.Line-1]
						if at := strings.Index(line, u.Value); at < 0 || !versionRemark.MatchString(line[at+len(u.Value):]) {
							t.Errorf("%s:%d: uses: %s has no \"# vX.Y.Z\" comment", file, u.Line, u.Value)
						}
					}
					v := mapValue(mapValue(step, "with"), "version")
					if v == nil || v.Value != "${{ env.RISKCTL_VERSION }}" {
						t.Errorf("%s:%d: job %s: the setup action's version must be ${{ env.RISKCTL_VERSION }} (the workflow's one pin)", file, u.Line, ids[j])
					}
					installed = true
				} else if u != nil && strings.Contains(u.Value, "riskctl") {
					t.Errorf("%s:%d: uses: %s: the kit installs riskctl with ./ or riskctl/riskctl@<full SHA> # vX.Y.Z", file, u.Line, u.Value)
				}
				rs, ok := scriptOf(file, st)
				if !ok {
					continue
				}
				for _, g := range shellCommands(rs.text, "go") {
					if len(g.args) > 0 && g.args[0] == "install" {
						t.Errorf("%s:%d: job %s installs with go install; use the setup action (it verifies releases and pins Go)", file, rs.line+g.line, ids[j])
					}
				}
				if calls := riskctlCommands(rs.text); len(calls) > 0 && !installed {
					t.Errorf("%s:%d: job %s runs riskctl before the setup action installed it", file, rs.line+calls[0].line, ids[j])
				}
			}
		}
	}
}

// TestWorkflowsKeepExpressionsOutOfRun checks that no run: script holds a
// ${{ }} expression: GitHub pastes its value into the script's text, so an
// input, a matrix value or a step output could inject shell. Steps pass
// values through env: and scripts quote the variable.
func TestWorkflowsKeepExpressionsOutOfRun(t *testing.T) {
	for _, file := range workflowFiles(t) {
		for _, rs := range runScripts(t, file) {
			for n, l := range strings.Split(rs.text, "\n") {
				if strings.Contains(l, "${{") {
					t.Errorf("%s:%d: job %s step %d has an expression inside run: (pass it through env: instead)\n\t%s",
						file, rs.line+n, rs.job, rs.step+1, strings.TrimSpace(l))
				}
			}
		}
	}
}

// scalars calls f with every scalar node under n (keys and values).
func scalars(n *yaml.Node, f func(*yaml.Node)) {
	if n == nil {
		return
	}
	if n.Kind == yaml.ScalarNode {
		f(n)
	}
	for _, c := range n.Content {
		scalars(c, f)
	}
}

// TestWorkflowsSetValuesOnce checks that each kit workflow sets the riskctl
// version, the spec directory and (riskctl-apply.yml) the branch in one
// place, its top-level env:, and uses them only through it. The one
// exception GitHub forces is on:, which it reads before any expression: its
// paths and branches filters must repeat the same values. The version and
// the spec directory are the same in the three files (the apply must run
// the version, and read the directory, that planned).
func TestWorkflowsSetValuesOnce(t *testing.T) {
	want := map[string]string{} // RISKCTL_VERSION, RISKCTL_SPEC_DIR -> value in the first file
	for _, file := range kitWorkflows {
		root, _, _ := parseWorkflow(t, file)
		env := envOf(root)
		required := []string{"RISKCTL_VERSION", "RISKCTL_SPEC_DIR"}
		if file == applyWorkflow {
			required = append(required, "RISKCTL_BRANCH")
		}
		values := map[string]string{}
		for _, k := range required {
			v := strings.TrimSpace(env[k])
			if v == "" {
				t.Errorf("%s: no %s in the workflow's top-level env:", file, k)
				continue
			}
			values[k] = v
			if k == "RISKCTL_BRANCH" {
				continue
			}
			if w, ok := want[k]; !ok {
				want[k] = v
			} else if v != w {
				t.Errorf("%s: %s is %s, but %s says %s: the kit's workflows must agree", file, k, v, kitWorkflows[0], w)
			}
		}
		if v := values["RISKCTL_VERSION"]; v != "" && !regexp.MustCompile(`^(v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?|[0-9a-f]{40})$`).MatchString(v) {
			t.Errorf("%s: RISKCTL_VERSION %q is neither a release tag nor a full commit SHA (what the setup action takes)", file, v)
		}

		// on: filters: the one place the values repeat.
		on := mapValue(root, "on")
		allowed := map[*yaml.Node]bool{}
		for _, event := range []string{"pull_request", "push"} {
			ev := mapValue(on, event)
			if ev == nil {
				continue
			}
			if paths := mapValue(ev, "paths"); paths != nil {
				if len(paths.Content) != 1 || paths.Content[0].Value != values["RISKCTL_SPEC_DIR"]+"/**" {
					t.Errorf("%s:%d: on.%s.paths must be exactly [\"%s/**\"] (RISKCTL_SPEC_DIR)", file, paths.Line, event, values["RISKCTL_SPEC_DIR"])
				}
				for _, p := range paths.Content {
					allowed[p] = true
				}
			} else if file != ".github/workflows/riskctl-drift.yml" {
				t.Errorf("%s: on.%s has no paths filter on the spec directory", file, event)
			}
			if branches := mapValue(ev, "branches"); branches != nil {
				if b := values["RISKCTL_BRANCH"]; b == "" || len(branches.Content) != 1 || branches.Content[0].Value != b {
					t.Errorf("%s:%d: on.%s.branches must be exactly [%s] (RISKCTL_BRANCH)", file, branches.Line, event, b)
				}
				for _, b := range branches.Content {
					allowed[b] = true
				}
			}
		}
		if file == applyWorkflow && mapValue(mapValue(on, "push"), "branches") == nil {
			t.Errorf("%s: on.push has no branches filter (RISKCTL_BRANCH)", file)
		}
		topEnv := mapValue(root, "env")
		for _, k := range required {
			if v := mapValue(topEnv, k); v != nil {
				allowed[v] = true
			}
		}

		// Nowhere else: not in scripts, step inputs or messages.
		patterns := map[string]*regexp.Regexp{}
		for k, v := range values {
			patterns[k] = regexp.MustCompile(`(^|[^A-Za-z0-9_.-])` + regexp.QuoteMeta(v) + `($|[^A-Za-z0-9_-])`)
		}
		scalars(root, func(n *yaml.Node) {
			if allowed[n] {
				return
			}
			for k, re := range patterns {
				if re.MatchString(n.Value) {
					t.Errorf("%s:%d: %q repeats %s's value %s; use the variable (${%s} in a script, env.%s in JavaScript or ${{ env.%s }} elsewhere)",
						file, n.Line, firstLine(n.Value, re), k, values[k], k, k, k)
				}
			}
		})
	}
}

// firstLine returns the first line of s that re matches, trimmed.
func firstLine(s string, re *regexp.Regexp) string {
	for _, l := range strings.Split(s, "\n") {
		if re.MatchString(l) {
			return strings.TrimSpace(l)
		}
	}
	return s
}

// accountsJob returns the id and the discovery script of the job whose
// outputs.matrix the riskctl jobs of file read.
func accountsJob(t *testing.T, file string) (id string, script runScript) {
	t.Helper()
	_, jobs, _ := parseWorkflow(t, file)
	ids, nodes := jobNodes(jobs)
	for j, job := range nodes {
		m := mapValue(mapValue(job, "outputs"), "matrix")
		if m == nil {
			continue
		}
		stepID, ok := strings.CutPrefix(m.Value, "${{ steps.")
		stepID, _, _ = strings.Cut(stepID, ".outputs.matrix }}")
		if !ok || stepID == "" {
			t.Fatalf("%s: job %s outputs.matrix %q is not ${{ steps.<id>.outputs.matrix }}", file, ids[j], m.Value)
		}
		for n, step := range mapValue(job, "steps").Content {
			if sid := mapValue(step, "id"); sid != nil && sid.Value == stepID {
				rs, ok := scriptOf(file, workflowStep{job: ids[j], n: n, node: step})
				if !ok {
					t.Fatalf("%s: job %s step %s has no run: script", file, ids[j], stepID)
				}
				return ids[j], rs
			}
		}
		t.Fatalf("%s: job %s has no step %s", file, ids[j], stepID)
	}
	t.Fatalf("%s: no job has outputs.matrix (the account discovery)", file)
	return "", runScript{}
}

// TestWorkflowsPlanAccountsAsMatrix checks the many-accounts layout: each
// kit workflow discovers the accounts in a job of its own (one script, the
// same in the three files), and every job that runs riskctl is a matrix
// over them, one account per job: fail-fast off, at most 4 at a time (they
// share the token's request budget), riskctl pointed at the job's account
// directory only. The apply jobs hold one concurrency group per account,
// never cancelled.
func TestWorkflowsPlanAccountsAsMatrix(t *testing.T) {
	var first runScript
	for _, file := range kitWorkflows {
		accounts, script := accountsJob(t, file)
		if first.file == "" {
			first = script
		} else if script.text != first.text {
			t.Errorf("%s:%d: the account discovery script differs from %s:%d's; keep the kit's three copies identical",
				file, script.line, first.file, first.line)
		}
		_, jobs, _ := parseWorkflow(t, file)
		ids, nodes := jobNodes(jobs)
		runsRiskctl := 0
		for j, job := range nodes {
			id := ids[j]
			var calls []riskctlCall
			var lines []int
			for n, step := range mapValue(job, "steps").Content {
				if rs, ok := scriptOf(file, workflowStep{job: id, n: n, node: step}); ok {
					for _, c := range riskctlCommands(rs.text) {
						calls = append(calls, c)
						lines = append(lines, rs.line+c.line)
					}
				}
			}
			if len(calls) == 0 {
				continue
			}
			runsRiskctl++
			where := fmt.Sprintf("%s: job %s", file, id)
			needs := mapValue(job, "needs")
			// The apply jobs also wait for the second approval of weakening
			// changes (TestApplyWorkflowWeakeningApproval).
			gate := file == applyWorkflow && needs != nil && needs.Kind == yaml.SequenceNode && len(needs.Content) == 2 &&
				needs.Content[0].Value == accounts && needs.Content[1].Value == weakeningGateJob
			if needs == nil || !(gate || needs.Value == accounts || (needs.Kind == yaml.SequenceNode && len(needs.Content) == 1 && needs.Content[0].Value == accounts)) {
				t.Errorf("%s: needs: must be %s (the account discovery)", where, accounts)
			}
			strategy := mapValue(job, "strategy")
			if m := mapValue(strategy, "matrix"); m == nil || m.Value != "${{ fromJSON(needs."+accounts+".outputs.matrix) }}" {
				t.Errorf("%s: strategy.matrix must be ${{ fromJSON(needs.%s.outputs.matrix) }}", where, accounts)
			}
			if ff := mapValue(strategy, "fail-fast"); ff == nil || ff.Value != "false" {
				t.Errorf("%s: strategy.fail-fast must be false: accounts are independent", where)
			}
			if mp := mapValue(strategy, "max-parallel"); mp == nil {
				t.Errorf("%s: no strategy.max-parallel: the accounts' jobs share the token's request budget", where)
			} else if n, err := fmt.Sscan(mp.Value, new(int)); err != nil || n != 1 {
				t.Errorf("%s: strategy.max-parallel %q is not a number", where, mp.Value)
			} else {
				var v int
				fmt.Sscan(mp.Value, &v)
				if v < 1 || v > 4 {
					t.Errorf("%s: strategy.max-parallel %d: keep it within 1..4 (docs/ci-kit.md's advice for one token)", where, v)
				}
			}
			if env := envOf(job); env["RISKCTL_ACCOUNT"] != "${{ matrix.account }}" || env["RISKCTL_ACCOUNT_DIR"] != "${{ matrix.dir }}" {
				t.Errorf("%s: job env must set RISKCTL_ACCOUNT: ${{ matrix.account }} and RISKCTL_ACCOUNT_DIR: ${{ matrix.dir }}", where)
			}
			for i, c := range calls {
				for k, a := range c.args {
					if (a == "-f" || a == "--file") && (k+1 >= len(c.args) || c.args[k+1] != "${RISKCTL_ACCOUNT_DIR}/") {
						t.Errorf("%s:%d: riskctl -f must name the job's account directory, \"${RISKCTL_ACCOUNT_DIR}/\"\n\t%s", file, lines[i], c)
					}
				}
				// fmt takes its paths as arguments.
				if len(c.args) > 0 && c.args[0] == "fmt" {
					for _, a := range c.args[1:] {
						if !strings.HasPrefix(a, "-") && a != "${RISKCTL_ACCOUNT_DIR}/" {
							t.Errorf("%s:%d: riskctl fmt must name the job's account directory, \"${RISKCTL_ACCOUNT_DIR}/\"\n\t%s", file, lines[i], c)
						}
					}
				}
			}
			if file == applyWorkflow {
				c := mapValue(job, "concurrency")
				if g := mapValue(c, "group"); g == nil || !strings.Contains(g.Value, "${{ matrix.account }}") {
					t.Errorf("%s: the apply job needs a concurrency group per account (group: ...${{ matrix.account }})", where)
				}
				if cip := mapValue(c, "cancel-in-progress"); cip == nil || cip.Value != "false" {
					t.Errorf("%s: the apply job's concurrency must say cancel-in-progress: false (never stop an apply half-way)", where)
				}
			}
		}
		if runsRiskctl == 0 {
			t.Errorf("%s: no job runs riskctl", file)
		}
	}
}

// TestWorkflowAccountDiscovery runs the kit's account discovery script on
// the layouts it must take and refuse.
func TestWorkflowAccountDiscovery(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash")
	}
	_, script := accountsJob(t, kitWorkflows[0])
	type account struct{ Account, Dir string }
	for _, tc := range []struct {
		name  string
		dir   string   // RISKCTL_SPEC_DIR
		files []string // created under the work directory
		want  []account
		fail  string // part of the error, when it must fail
	}{
		{name: "one account", dir: "riskscoring", files: []string{"riskscoring/prod.yaml", "riskscoring/.hidden/x.yaml", "riskscoring/notes/README.md"},
			want: []account{{"default", "riskscoring"}}},
		{name: "trailing slash", dir: "riskscoring/", files: []string{"riskscoring/prod.yml"},
			want: []account{{"default", "riskscoring"}}},
		{name: "one directory per account", dir: "specs/risk", files: []string{
			"specs/risk/prod/a.yaml", "specs/risk/prod/b.yaml", "specs/risk/staging-2/s.yml",
			"specs/risk/.git-crypt/k.yaml", "specs/risk/docs/README.md", "specs/risk/README.md"},
			want: []account{{"prod", "specs/risk/prod"}, {"staging-2", "specs/risk/staging-2"}}},
		{name: "both layouts", dir: "riskscoring", files: []string{"riskscoring/prod.yaml", "riskscoring/staging/s.yaml"},
			fail: "holds spec files and account directories (staging)"},
		{name: "empty", dir: "riskscoring", files: []string{"riskscoring/README.md"}, fail: "holds no spec file"},
		{name: "missing", dir: "riskscoring", files: []string{"other/x.yaml"}, fail: "does not exist"},
		{name: "bad account name", dir: "riskscoring", files: []string{"riskscoring/a b/x.yaml"}, fail: "name must be letters"},
		{name: "bad spec dir", dir: "../riskscoring", files: []string{"x/riskscoring/a.yaml"}, fail: "expected a relative path"},
		{name: "injection", dir: `riskscoring"; echo pwned; "`, files: []string{"riskscoring/a.yaml"}, fail: "expected a relative path"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			work := t.TempDir()
			for _, f := range tc.files {
				p := filepath.Join(work, filepath.FromSlash(f))
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, []byte("version: 1\n"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			out := filepath.Join(t.TempDir(), "github_output")
			cmd := exec.Command(bash, "-c", script.text)
			cmd.Dir = work
			cmd.Env = append(os.Environ(), "RISKCTL_SPEC_DIR="+tc.dir, "GITHUB_OUTPUT="+out)
			log, err := cmd.CombinedOutput()
			if tc.fail != "" {
				if err == nil || !strings.Contains(string(log), "::error::") || !strings.Contains(string(log), tc.fail) {
					t.Fatalf("want a failure saying %q, got err %v and\n%s", tc.fail, err, log)
				}
				if strings.Contains(string(log), "pwned") && !strings.Contains(string(log), "::error::") {
					t.Fatalf("the spec directory's value ran as shell:\n%s", log)
				}
				return
			}
			if err != nil {
				t.Fatalf("%v\n%s", err, log)
			}
			data, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			matrix, ok := strings.CutPrefix(strings.TrimSpace(string(data)), "matrix=")
			if !ok {
				t.Fatalf("GITHUB_OUTPUT holds %q, want matrix=...", data)
			}
			var got struct{ Include []account }
			if err := json.Unmarshal([]byte(matrix), &got); err != nil {
				t.Fatalf("matrix %s: %v", matrix, err)
			}
			if fmt.Sprint(got.Include) != fmt.Sprint(tc.want) {
				t.Errorf("matrix %s: accounts %v, want %v", matrix, got.Include, tc.want)
			}
		})
	}
}

// TestPRWorkflowChecksFormat checks that the PR job runs riskctl fmt
// --check, and that a later step (the one that fails the job) reads its
// exit code.
func TestPRWorkflowChecksFormat(t *testing.T) {
	file := kitWorkflows[0]
	id := ""
	consumed := false
	for _, st := range workflowSteps(t, file) {
		if id != "" {
			for _, v := range envOf(st.node) {
				if v == "${{ steps."+id+".outputs.rc }}" {
					if _, ok := scriptOf(file, st); ok {
						consumed = true
					}
				}
			}
		}
		rs, ok := scriptOf(file, st)
		if !ok {
			continue
		}
		for _, c := range riskctlCommands(rs.text) {
			if len(c.args) > 1 && c.args[0] == "fmt" && slices.Contains(c.args, "--check") {
				sid := mapValue(st.node, "id")
				if sid == nil {
					t.Fatalf("%s: the riskctl fmt --check step has no id", file)
				}
				id = sid.Value
			}
		}
	}
	if id == "" {
		t.Fatalf("%s: no step runs riskctl fmt --check", file)
	}
	if !consumed {
		t.Errorf("%s: no later run: step reads ${{ steps.%s.outputs.rc }}: an unformatted spec must fail the job", file, id)
	}
}
