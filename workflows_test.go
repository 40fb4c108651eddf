package main

import (
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"regexp"
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
