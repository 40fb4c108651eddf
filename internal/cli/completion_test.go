package cli

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	ucli "github.com/urfave/cli/v2"

	"github.com/riskctl/riskctl/internal/spec"
)

func TestCompletionOptions(t *testing.T) {
	for _, tc := range []struct {
		args string
		want completionOptions
		err  string
	}{
		{args: "bash", want: completionOptions{Shell: "bash"}},
		{args: "zsh --debug", want: completionOptions{Shell: "zsh"}},
		{args: "--no-color fish", want: completionOptions{Shell: "fish"}},
		{args: "", err: "completion needs one shell: bash, zsh or fish"},
		{args: "bash zsh", err: "completion needs one shell: bash, zsh or fish"},
		{args: "tcsh", err: `completion: unknown shell "tcsh": expected bash, zsh or fish`},
		{args: "Bash", err: `unknown shell "Bash"`},
	} {
		t.Run(tc.args, func(t *testing.T) {
			checkBuilt(t, "completion", completionOptionsFrom, tc.args, tc.want, tc.err)
		})
	}
}

// TestFlaglessCommands: schema and version have no flags of their own and
// no options to map; they print what they print.
func TestFlaglessCommands(t *testing.T) {
	app := testApp()
	for _, path := range []string{"schema", "version"} {
		if f := findCommand(t, app, path).Flags; len(f) != 0 {
			t.Errorf("%s has flags %v: give it an options struct and a builder", path, f)
		}
	}
	if got := runMain(t, "schema"); got != string(spec.JSONSchema()) {
		t.Errorf("schema printed %.80q...", got)
	}
	if got := runMain(t, "version --debug"); !strings.HasPrefix(got, "riskctl "+Version()) {
		t.Errorf("version printed %q", got)
	}
}

// runMain runs riskctl in-process and returns its stdout; it must succeed.
func runMain(t *testing.T, args string) string {
	t.Helper()
	clearEnv(t)
	var out, errOut bytes.Buffer
	if code := Main(context.Background(), argv(args), Streams{In: strings.NewReader(""), Out: &out, Err: &errOut}); code != ExitOK {
		t.Fatalf("riskctl %s: exit %d, stderr %q", args, code, errOut.String())
	}
	return out.String()
}

// TestCompletionScriptsGuardDashDash: the bash and zsh scripts check for a
// "--" word before they ever run riskctl (after "--", riskctl would take
// --generate-bash-completion for an argument and run the command), and the
// fish script never runs riskctl at all.
func TestCompletionScriptsGuardDashDash(t *testing.T) {
	for shell, guard := range map[string]string{
		"bash": `if [[ "$word" == "--" ]]; then`,
		"zsh":  `if (( ${words[(Ie)--]} )); then`,
	} {
		script := runMain(t, "completion "+shell)
		at := strings.Index(script, guard)
		run := strings.Index(script, completionFlag)
		if at < 0 || run < 0 || at > run {
			t.Errorf("%s script: the guard %q is not before the first %s:\n%s", shell, guard, completionFlag, script)
		}
	}
	fish := runMain(t, "completion fish")
	if strings.Contains(fish, completionFlag) || strings.Contains(fish, "(riskctl") || strings.Contains(fish, "eval") {
		t.Errorf("the fish script runs riskctl:\n%s", fish)
	}
}

// completionCase is a command line being completed: the words up to and
// including the one under the cursor (the last, possibly "").
type completionCase struct {
	words []string
	ask   []string // the arguments riskctl is run with, nil when it must not run
	want  []string // the candidates offered
}

var completionCases = []completionCase{
	// The word under the cursor is always passed, "" too: riskctl tells
	// `plan -f <TAB>` (a file) from `plan -f<TAB>` (a flag) by it.
	{words: []string{"riskctl", "users", ""}, ask: []string{"users", "", completionFlag}, want: []string{"--format", "--yes", "list", "reset", "show"}},
	{words: []string{"riskctl", "users", "re"}, ask: []string{"users", "re", completionFlag}, want: []string{"reset"}},
	{words: []string{"riskctl", "users", "reset", "--y"}, ask: []string{"users", "reset", "--y", completionFlag}, want: []string{"--yes"}},
	{words: []string{"riskctl", "plan", "-f", ""}, ask: []string{"plan", "-f", "", completionFlag}, want: []string{"--format", "--yes", "list", "reset", "show"}},
	// The hazard found in review: TAB right after "--".
	{words: []string{"riskctl", "--emulate", "users", "reset", "--yes", "x", "--"}},
	{words: []string{"riskctl", "users", "reset", "--yes", "x", "--", ""}},
	{words: []string{"riskctl", "users", "reset", "--", "x", "--y"}},
	{words: []string{"riskctl", "plan", "-f", "--", "re"}},
}

// fakeRiskctl puts on PATH a riskctl that logs its arguments to log and
// offers a fixed list of candidates.
func fakeRiskctl(t *testing.T) (log string) {
	t.Helper()
	dir := t.TempDir()
	log = filepath.Join(dir, "calls.log")
	// Each argument logged as <arg>, so an empty one shows.
	script := "#!/bin/sh\nfor a in \"$@\"; do printf '<%s>' \"$a\"; done >> '" + log + "'\necho >> '" + log + "'\n" +
		"printf '%s\\n' list show reset --yes --format\n"
	if err := os.WriteFile(filepath.Join(dir, "riskctl"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	return log
}

// shellQuote quotes words for bash and zsh.
func shellQuote(words []string) string {
	q := make([]string, len(words))
	for i, w := range words {
		q[i] = "'" + strings.ReplaceAll(w, "'", `'\''`) + "'"
	}
	return strings.Join(q, " ")
}

// checkCompletion checks what a completion run asked riskctl (from the
// fake's log) and the candidates it printed, one a line.
func checkCompletion(t *testing.T, tc completionCase, log string, out []byte) {
	t.Helper()
	asked, _ := os.ReadFile(log)
	_ = os.Remove(log)
	wantAsked := ""
	if tc.ask != nil {
		wantAsked = "<" + strings.Join(tc.ask, "><") + ">\n"
	}
	if string(asked) != wantAsked {
		t.Errorf("completing %q ran riskctl with %q, want %q", tc.words, asked, wantAsked)
	}
	if got := strings.Fields(string(out)); !slices.Equal(got, tc.want) {
		t.Errorf("completing %q offered %q, want %q", tc.words, got, tc.want)
	}
}

// shellFor finds shell on PATH. Where it is missing the test skips, but not
// in CI (CI=true): .ci/shells installs zsh and fish (bash is on every
// runner), so there a missing shell fails rather than leave its script
// untested unnoticed.
func shellFor(t *testing.T, shell string) string {
	t.Helper()
	path, err := exec.LookPath(shell)
	switch {
	case err == nil:
		return path
	case os.Getenv("CI") == "true":
		t.Fatalf("no %s on PATH with CI=true: .ci/run installs it (apt-get install %s)", shell, shell)
	default:
		t.Skipf("no %s on PATH (with CI=true this fails)", shell)
	}
	return ""
}

// TestBashCompletionScript runs the bash script's function on command
// lines, with a fake riskctl on PATH.
func TestBashCompletionScript(t *testing.T) {
	bash := shellFor(t, "bash")
	log := fakeRiskctl(t)
	script := filepath.Join(t.TempDir(), "riskctl.bash")
	if err := os.WriteFile(script, []byte(runMain(t, "completion bash")), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range completionCases {
		t.Run(strings.Join(tc.words, " "), func(t *testing.T) {
			prog := "source '" + script + "'\n" +
				"COMP_WORDS=(" + shellQuote(tc.words) + ")\n" +
				"COMP_CWORD=" + strconv.Itoa(len(tc.words)-1) + "\n" +
				"_riskctl_complete\n" +
				`printf '%s\n' "${COMPREPLY[@]}" | sort` + "\n"
			out, err := exec.Command(bash, "--norc", "--noprofile", "-c", prog).CombinedOutput()
			if err != nil {
				t.Fatalf("bash: %v\n%s", err, out)
			}
			checkCompletion(t, tc, log, out)
		})
	}
}

// TestZshCompletionScript runs the zsh script's function on command lines,
// with a fake riskctl on PATH and compsys's _describe and _files stubbed.
func TestZshCompletionScript(t *testing.T) {
	zsh := shellFor(t, "zsh")
	log := fakeRiskctl(t)
	script := filepath.Join(t.TempDir(), "riskctl.zsh")
	if err := os.WriteFile(script, []byte(runMain(t, "completion zsh")), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range completionCases {
		t.Run(strings.Join(tc.words, " "), func(t *testing.T) {
			// _describe offers the candidates that match the current word,
			// as compsys would; _files offers none here.
			prog := "compdef() { :; }\n" +
				`_describe() { local c; for c in "${(@P)2}"; do [[ "$c" == "${words[-1]}"* ]] && print -r -- "$c"; done | sort; }` + "\n" +
				"_files() { :; }\n" +
				"source '" + script + "'\n" +
				"words=(" + shellQuote(tc.words) + ")\n" +
				"CURRENT=" + strconv.Itoa(len(tc.words)) + "\n" +
				"_riskctl_complete\n"
			out, err := exec.Command(zsh, "-f", "-c", prog).CombinedOutput()
			if err != nil {
				t.Fatalf("zsh: %v\n%s", err, out)
			}
			checkCompletion(t, tc, log, out)
		})
	}
}

// TestFishCompletionScript loads the fish script in fish and asks fish
// itself what it completes (complete -C), in a directory holding one spec
// file: commands and flags from the command tree, file names where a flag
// or argument takes a path, and never a run of riskctl.
func TestFishCompletionScript(t *testing.T) {
	fish := shellFor(t, "fish")
	log := fakeRiskctl(t)
	script := filepath.Join(t.TempDir(), "riskctl.fish")
	if err := os.WriteFile(script, []byte(runMain(t, "completion fish")), 0o644); err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	if err := os.WriteFile(filepath.Join(work, "spec.yaml"), []byte("version: 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// fish keeps its own files under these; the test's are empty.
	for _, v := range []string{"HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"} {
		t.Setenv(v, t.TempDir())
	}
	// complete returns fish's candidates for line, sorted, without their
	// descriptions.
	complete := func(t *testing.T, line string) []string {
		t.Helper()
		cmd := exec.Command(fish, "--no-config", "-c", "source $RISKCTL_SCRIPT; and complete -C $RISKCTL_LINE")
		cmd.Dir = work
		cmd.Env = append(os.Environ(), "RISKCTL_SCRIPT="+script, "RISKCTL_LINE="+line)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("fish: %v\n%s", err, out)
		}
		if asked, _ := os.ReadFile(log); len(asked) != 0 {
			t.Errorf("completing %q ran riskctl: %q", line, asked)
		}
		var got []string
		for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			if c, _, _ := strings.Cut(l, "\t"); c != "" {
				got = append(got, c)
			}
		}
		slices.Sort(got)
		return got
	}
	for _, tc := range []struct {
		line string
		want []string
	}{
		{"riskctl pl", []string{"plan"}},
		{"riskctl dr", []string{"drift"}},
		{"riskctl users ", []string{"list", "report", "reset", "show"}},
		{"riskctl users re", []string{"report", "reset"}},
		{"riskctl users reset --y", []string{"--yes"}},
		{"riskctl plan --for", []string{"--format"}},
		{"riskctl --emu", []string{"--emulate", "--emulator-state"}},
		{"riskctl import ", []string{"terraform"}},
		// Flags and arguments that take a path complete file names.
		{"riskctl validate -f ", []string{"spec.yaml"}},
		{"riskctl plan --file sp", []string{"spec.yaml"}},
		{"riskctl plan --out ", []string{"spec.yaml"}},
		{"riskctl apply ", []string{"spec.yaml"}},
		{"riskctl fmt ", []string{"spec.yaml"}},
		{"riskctl --emulator-state ", []string{"spec.yaml"}},
		{"riskctl emulator serve --state ", []string{"spec.yaml"}},
		// A flag that takes a word, not a path, completes nothing.
		{"riskctl plan --max-deletes ", nil},
		// Values of the flags that take one of a list, as each command
		// accepts them (issue 20).
		{"riskctl plan --format ", []string{"json", "markdown", "text"}},
		{"riskctl apply --format ", []string{"json", "text"}},
		{"riskctl plan --format=", []string{"--format=json", "--format=markdown", "--format=text"}},
		{"riskctl drift --access-impact ", []string{"off", "on"}},
		{"riskctl users list --format ", []string{"json", "table"}},
		{"riskctl users list --risk-level ", []string{"high", "low", "medium"}},
		{"riskctl users report --format ", []string{"html", "markdown"}},
		{"riskctl emulator catalogue --format ", []string{"json", "yaml"}},
		{"riskctl completion ", []string{"bash", "fish", "zsh"}},
		{"riskctl emulator catalogue -o ", []string{"spec.yaml"}},
	} {
		t.Run(tc.line, func(t *testing.T) {
			if got := complete(t, tc.line); !slices.Equal(got, tc.want) {
				t.Errorf("fish completes %q with %q, want %q", tc.line, got, tc.want)
			}
		})
	}
	// The commands, and no file names: riskctl itself takes no argument.
	t.Run("riskctl ", func(t *testing.T) {
		got := complete(t, "riskctl ")
		if !slices.Contains(got, "plan") || !slices.Contains(got, "users") || slices.Contains(got, "spec.yaml") {
			t.Errorf("fish completes %q with %q, want the commands", "riskctl ", got)
		}
		// urfave/cli's help command is no candidate (issue 20).
		if slices.Contains(got, "help") || slices.Contains(got, "h") {
			t.Errorf("fish completes %q with %q: help h among them", "riskctl ", got)
		}
	})
}

// TestCompleteWords: the candidates riskctl offers the bash and zsh
// scripts for the word under the cursor (the last word), from the command
// tree. None means the scripts offer file names.
func TestCompleteWords(t *testing.T) {
	app := testApp()
	planFlags := []string{"--file", "-f", "--out", "--format", "--detailed-exitcode", "--max-deletes", "--target",
		"--dedupe", "--access-impact", "--audit-window", "--notify", "--notify-state", "--help", "-h"}
	for _, tc := range []struct {
		words string // the line after "riskctl", the cursor at its end
		want  []string
	}{
		// Commands, without urfave/cli's "help h" (issue 20).
		{"", []string{"init", "validate", "plan", "apply", "drift", "fmt", "export", "import", "schema", "users",
			"behaviors", "integrations", "emulator", "completion", "version"}},
		{"p", []string{"plan"}},
		{"users ", []string{"list", "show", "report", "reset"}},
		{"--debug users re", []string{"report", "reset"}},
		{"emulator ", []string{"serve", "catalogue"}},
		{"help ", []string{"init", "validate", "plan", "apply", "drift", "fmt", "export", "import", "schema", "users",
			"behaviors", "integrations", "emulator", "completion", "version"}},
		{"users help ", []string{"list", "show", "report", "reset"}},
		// A flag and its value: file names after a flag that takes a path
		// (issue 20: `plan -f <TAB>` offered flags).
		{"plan -f ", nil},
		{"validate --file ", nil},
		{"plan --out ", nil},
		{"plan -f a.yaml --out ", nil},
		{"--emulator-state ", nil},
		{"emulator serve --state ", nil},
		{"emulator catalogue -o ", nil},
		{"users report -o ", nil},
		{"plan --max-deletes ", nil},
		// A partial flag: the command's own, then the global ones.
		{"plan -f", []string{"-f"}},
		{"plan --fo", []string{"--format"}},
		{"plan --e", []string{"--emulate", "--emulator-state"}},
		{"users reset --y", []string{"--yes"}},
		{"--ver", []string{"--version"}},
		{"users list --", []string{"--risk-level", "--format", "--help", "--account-id", "--api-token", "--api-key",
			"--api-email", "--base-url", "--insecure-http", "--emulate", "--emulator-state", "--debug", "--no-color",
			"--timeout"}},
		// A command that takes no argument: its flags, not file names.
		{"plan ", planFlags},
		{"plan -f x.yaml ", planFlags},
		// Values of the flags that take one of a list (issue 20:
		// `--format <TAB>` offered nothing), as each command accepts.
		{"plan --format ", []string{"text", "json", "markdown"}},
		{"drift --format ", []string{"text", "json", "markdown"}},
		{"apply --format ", []string{"text", "json"}},
		{"plan --format j", []string{"json"}},
		{"plan --format = ", []string{"text", "json", "markdown"}}, // bash splits --format=
		{"plan --format=m", []string{"--format=markdown"}},         // zsh does not
		{"plan -f x --access-impact ", []string{"on", "off"}},
		{"apply --access-impact ", []string{"on", "off"}},
		{"drift --access-impact ", []string{"on", "off"}},
		{"users list --format ", []string{"table", "json"}},
		{"users list --risk-level ", []string{"low", "medium", "high"}},
		{"users show --format ", []string{"table", "json"}},
		{"users report --format ", []string{"markdown", "html"}},
		{"behaviors list --format ", []string{"table", "json"}},
		{"integrations list --format ", []string{"table", "json"}},
		{"emulator catalogue --format ", []string{"yaml", "json"}},
		{"completion ", []string{"bash", "zsh", "fish"}},
		{"completion z", []string{"zsh"}},
		// Arguments that are paths or ids: file names.
		{"apply ", nil},
		{"apply --auto-approve ", nil},
		{"fmt ", nil},
		{"import terraform ", nil},
		{"users show ", nil},
		{"completion bash ", nil},
	} {
		t.Run(tc.words, func(t *testing.T) {
			words := strings.Split(tc.words, " ")
			if got := completeWords(app, words); !slices.Equal(got, tc.want) {
				t.Errorf("completing %q offered %q, want %q", tc.words, got, tc.want)
			}
		})
	}
}

// TestMainCompletes: Main answers a completion request itself, before
// anything is loaded or checked, and a bad word in it is no error.
func TestMainCompletes(t *testing.T) {
	clearEnv(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"plan", "--format", ""}, "text\njson\nmarkdown\n"},
		{[]string{"plna", "--bogus", ""}, ""},
		{[]string{"--emulate", "users", "reset", "--yes", "x", "--y"}, "--yes\n"},
	} {
		var out, errOut bytes.Buffer
		args := append(append([]string{"riskctl"}, tc.args...), completionFlag)
		code := Main(context.Background(), args, Streams{In: strings.NewReader(""), Out: &out, Err: &errOut})
		if code != ExitOK || out.String() != tc.want || errOut.Len() > 0 {
			t.Errorf("completing %q: exit %d, stdout %q, stderr %q; want exit 0, stdout %q", tc.args, code, out.String(), errOut.String(), tc.want)
		}
	}
}

// TestCompletionValues: the values completion offers for a flag (from its
// command's usage line) are the ones its own usage text names, and
// include its default, so the usage line cannot drift from the flag.
func TestCompletionValues(t *testing.T) {
	var walk func(cmds []*ucli.Command, path string)
	found := 0
	walk = func(cmds []*ucli.Command, path string) {
		for _, c := range cmds {
			name := strings.TrimSpace(path + " " + c.Name)
			for _, f := range c.Flags {
				vals := enumValues(c.UsageText, f)
				if vals == nil {
					continue
				}
				found++
				usage := f.(ucli.DocGenerationFlag).GetUsage()
				for _, v := range vals {
					if !regexp.MustCompile(`\b` + v + `\b`).MatchString(usage) {
						t.Errorf("%s --%s: completes %q, which its usage %q does not name", name, f.Names()[0], v, usage)
					}
				}
				if sf, ok := f.(*ucli.StringFlag); ok && sf.Value != "" && !slices.Contains(vals, sf.Value) {
					t.Errorf("%s --%s: the default %q is not among the values %q", name, f.Names()[0], sf.Value, vals)
				}
			}
			walk(c.Subcommands, name)
		}
	}
	walk(testApp().Commands, "")
	if found < 12 {
		t.Errorf("only %d flags with values found: is the usage line's form (--flag a|b) still parsed?", found)
	}
}
