package main

import (
	"fmt"
	"io"
	"os"
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

// runScripts returns the run: scripts of every step of every job in file.
func runScripts(t *testing.T, file string) []runScript {
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
	var out []runScript
	jobs := mapValue(doc.Content[0], "jobs")
	if jobs == nil || jobs.Kind != yaml.MappingNode {
		t.Fatalf("%s: no jobs mapping", file)
	}
	for i := 0; i+1 < len(jobs.Content); i += 2 {
		job := jobs.Content[i].Value
		steps := mapValue(jobs.Content[i+1], "steps")
		if steps == nil {
			continue // a job calling a reusable workflow
		}
		for n, step := range steps.Content {
			run := mapValue(step, "run")
			if run == nil || run.Kind != yaml.ScalarNode {
				continue
			}
			line := run.Line
			if run.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
				line++ // the text starts below the | or > indicator
			}
			out = append(out, runScript{file: file, job: job, step: n, line: line, text: run.Value})
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
func riskctlCommands(script string) []riskctlCall {
	var (
		calls []riskctlCall
		words []token
	)
	end := func() {
		i := 0
		for i < len(words) && (leadingWords[words[i].text] || assignment.MatchString(words[i].text)) {
			i++
		}
		if i < len(words) && words[i].text == "riskctl" {
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
