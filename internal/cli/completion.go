package cli

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	ucli "github.com/urfave/cli/v2"
)

// The bash and zsh scripts are urfave/cli's own (autocomplete/ in its
// repository), fixed to the name riskctl; they ask the binary itself for
// candidates through --generate-bash-completion, so they never go stale.
//
// Two changes. They always pass the word under the cursor, "" too, so
// riskctl can tell `plan -f <TAB>` (a file) from `plan -f<TAB>` (a flag);
// riskctl answers (completeWords), not urfave/cli. And they never ask
// when a word on the line is "--". After "--" riskctl takes every word
// for an argument, --generate-bash-completion too, so asking would run the
// command for real (`users reset --yes ID -- <TAB>` would reset ID and a
// user called --generate-bash-completion). The bash script then offers no
// candidates (bash falls back to file names, -o default); zsh offers
// files, as it does whenever riskctl has nothing to offer.
const bashCompletion = `# riskctl bash completion: source <(riskctl completion bash)
_riskctl_complete() {
  if [[ "${COMP_WORDS[0]}" != "source" ]]; then
    local cur opts word
    COMPREPLY=()
    cur="${COMP_WORDS[COMP_CWORD]}"
    # After "--" riskctl would run the command: never ask it.
    for word in "${COMP_WORDS[@]:1:$COMP_CWORD}"; do
      if [[ "$word" == "--" ]]; then
        return 0
      fi
    done
    opts=$("${COMP_WORDS[@]:0:$COMP_CWORD}" "${cur}" --generate-bash-completion 2>/dev/null)
    mapfile -t COMPREPLY < <(compgen -W "${opts}" -- "${cur}")
    return 0
  fi
}
complete -o bashdefault -o default -F _riskctl_complete riskctl
`

const zshCompletion = `#compdef riskctl
# riskctl zsh completion: source <(riskctl completion zsh)
_riskctl_complete() {
  local -a opts
  local cur
  # After "--" riskctl would run the command: never ask it.
  if (( ${words[(Ie)--]} )); then
    _files
    return
  fi
  cur=${words[-1]}
  opts=("${(@f)$(${words[@]:0:#words[@]-1} "${cur}" --generate-bash-completion 2>/dev/null)}")
  if [[ "${opts[1]}" != "" ]]; then
    _describe 'values' opts
  else
    _files
  fi
}
compdef _riskctl_complete riskctl
`

func completionCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "completion",
		Usage:     "print a shell completion script: bash, zsh or fish",
		UsageText: "riskctl completion bash|zsh|fish",
		Description: "Prints the script; load it in the shell. The bash and zsh scripts ask\n" +
			"riskctl for candidates (never after a \"--\"); the fish one lists them.\n\n" +
			"Examples:\n" +
			"  source <(riskctl completion bash)\n" +
			"  source <(riskctl completion zsh)\n" +
			"  riskctl completion fish > ~/.config/fish/completions/riskctl.fish",
		ArgsUsage: "bash|zsh|fish",
		Action:    completion,
	}
}

// completionOptions are the options of `completion`.
type completionOptions struct {
	Shell string // bash, zsh or fish
}

// completionOptionsFrom builds and checks the options of `completion`.
func completionOptionsFrom(c *ucli.Context) (completionOptions, error) {
	if c.NArg() != 1 {
		return completionOptions{}, usageErrorf("completion needs one shell: bash, zsh or fish")
	}
	switch shell := c.Args().First(); shell {
	case "bash", "zsh", "fish":
		return completionOptions{Shell: shell}, nil
	default:
		return completionOptions{}, usageErrorf("completion: unknown shell %q: expected bash, zsh or fish", shell)
	}
}

func completion(c *ucli.Context) error {
	opts, err := completionOptionsFrom(c)
	if err != nil {
		return err
	}
	script, err := completionScript(c.App, opts.Shell)
	if err != nil {
		return err
	}
	_, err = fmt.Fprint(c.App.Writer, script)
	return err
}

// completionScript returns the completion script of shell for app. The
// fish one is generated from the command tree: static completions that
// never run riskctl.
func completionScript(app *ucli.App, shell string) (string, error) {
	switch shell {
	case "bash":
		return bashCompletion, nil
	case "zsh":
		return zshCompletion, nil
	case "fish":
		return fishCompletion(app)
	default:
		return "", usageErrorf("completion: unknown shell %q: expected bash, zsh or fish", shell)
	}
}

// fishCompletion is urfave/cli's fish script, less its help command, plus
// what it leaves out: fish offers file names unless told not to, so where
// a command expects a subcommand (riskctl itself, users, emulator, ...) it
// is told not to. Past the subcommand, file names are offered again
// (apply's PLANFILE, import terraform's state file), except where the
// usage line lists the values (--format, --access-impact, completion's
// shell).
func fishCompletion(app *ucli.App) (string, error) {
	script, err := app.ToFishCompletion()
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for _, line := range strings.SplitAfter(script, "\n") {
		// urfave/cli's help command, which it adds to the app and the
		// running command, is no candidate: `riskctl help plan` still
		// works, but "help h" among every command's candidates is noise.
		if !strings.Contains(line, " -a 'help h' ") {
			b.WriteString(line)
		}
	}
	b.WriteString("\n# Where a subcommand is expected, no file names.\n")
	fmt.Fprintf(&b, "complete -c %s -n '__fish_%s_no_subcommand' -f\n", app.Name, app.Name)
	var walk func(cmds []*ucli.Command)
	walk = func(cmds []*ucli.Command) {
		for _, c := range cmds {
			if len(c.Subcommands) == 0 {
				continue
			}
			var names []string
			for _, sub := range c.Subcommands {
				names = append(names, sub.Names()...)
			}
			fmt.Fprintf(&b, "complete -c %s -n '__fish_seen_subcommand_from %s; and not __fish_seen_subcommand_from %s' -f\n",
				app.Name, c.Name, strings.Join(names, " "))
			walk(c.Subcommands)
		}
	}
	walk(app.Commands)

	// The values of flags that take one of a list, and of arguments that
	// are one of a list (completion's shell), where the usage line gives
	// them, as the bash and zsh scripts get them from completeWords.
	b.WriteString("\n# Values from a list: --format, --access-impact, ...\n")
	var values func(cmds []*ucli.Command, path []string)
	values = func(cmds []*ucli.Command, path []string) {
		for _, c := range cmds {
			p := append(slices.Clip(path), c.Name)
			var seen []string
			for _, name := range p {
				seen = append(seen, "__fish_seen_subcommand_from "+name)
			}
			cond := strings.Join(seen, "; and ")
			for _, f := range c.Flags {
				vals := enumValues(c.UsageText, f)
				if len(vals) == 0 {
					continue
				}
				for _, n := range f.Names() {
					opt := "-l"
					if len(n) == 1 {
						opt = "-s"
					}
					fmt.Fprintf(&b, "complete -c %s -n '%s' -f %s %s -x -a '%s'\n", app.Name, cond, opt, n, strings.Join(vals, " "))
				}
			}
			if vals := usageValues(c.ArgsUsage); len(vals) > 0 {
				fmt.Fprintf(&b, "complete -c %s -n '%s' -f -a '%s'\n", app.Name, cond, strings.Join(vals, " "))
			}
			values(c.Subcommands, p)
		}
	}
	values(app.Commands, nil)
	return b.String(), nil
}

// completionRequest reports whether args (args[0] is the program name)
// ask for shell-completion candidates, the test urfave/cli applies
// (checkShellCompleteFlag), and returns the words being completed.
func completionRequest(app *ucli.App, args []string) ([]string, bool) {
	if len(args) < 2 || !app.EnableBashCompletion || args[len(args)-1] != completionFlag || slices.Contains(args, "--") {
		return nil, false
	}
	return args[1 : len(args)-1], true
}

// completeWords returns the candidates for the last of words, the word
// under the cursor ("" when nothing is typed yet; the bash and zsh scripts
// always pass it). riskctl answers these itself rather than through
// urfave/cli, whose request leaves out an empty current word (so after
// `plan -f ` it offered flags starting with -f, not files), which offers
// nothing after --format, and its help command "help h" everywhere.
//
// No candidates makes the scripts offer file names: after a flag that
// takes a path (-f, --out, --state, -o, --emulator-state), and for a
// command's arguments that are not a fixed list (apply's PLANFILE, fmt's
// PATHs, import terraform's state file, a user id).
func completeWords(app *ucli.App, words []string) []string {
	if len(words) == 0 {
		words = []string{""}
	}
	done, cur := words[:len(words)-1], words[len(words)-1]
	root := &argLevel{
		flags:    withHelpFlag(app.Flags, app.HideHelp),
		subs:     app.Commands,
		helpSub:  !app.HideHelp && !app.HideHelpCommand,
		fullName: app.Name,
	}
	levels := []*argLevel{root}
	args := 0
	var pending ucli.Flag // a flag waiting for its value
	for _, tok := range done {
		if pending != nil {
			if tok != "=" { // bash splits --format=json into three words
				pending = nil
			}
			continue
		}
		if isFlagToken(tok) {
			name, _, hasValue := flagName(tok)
			if _, f := lookupFlag(levels, name); f != nil && !hasValue && takesValue(f) {
				pending = f
			}
			continue
		}
		if l := levels[len(levels)-1]; args == 0 && !l.helpCmd {
			if next := l.subcommand(tok); next != nil {
				levels = append(levels, next)
				continue
			}
		}
		args++
	}
	leaf := levels[len(levels)-1]
	var cands []string
	switch {
	case pending != nil:
		cands = flagValues(levels, pending)
	case isFlagToken(cur) && strings.Contains(cur, "="):
		// --format=j, as zsh and fish pass it: the values, written so.
		flag, _, _ := strings.Cut(cur, "=")
		name, _, _ := flagName(flag)
		if _, f := lookupFlag(levels, name); f != nil {
			for _, v := range flagValues(levels, f) {
				cands = append(cands, flag+"="+v)
			}
		}
	case strings.HasPrefix(cur, "-"):
		cands = flagNames(levels)
		if len(levels) == 1 && !app.HideVersion && ucli.VersionFlag != nil {
			// Before the command only: normalizeArgs runs it as `version`.
			for _, n := range ucli.VersionFlag.Names() {
				cands = append(cands, dashed(n))
			}
		}
	case leaf.helpCmd:
		if args == 0 {
			cands = commandNames(levels[len(levels)-2].subs)
		}
	case len(leaf.subs) > 0 && args == 0:
		cands = commandNames(leaf.subs)
	case leaf.cmd == nil:
	case usageValues(leaf.cmd.ArgsUsage) != nil:
		if args == 0 {
			cands = usageValues(leaf.cmd.ArgsUsage)
		}
	case leaf.cmd.ArgsUsage != "" && strings.TrimSpace(leaf.cmd.ArgsUsage) == "":
		// ArgsUsage " ": no arguments at all, so its own flags rather
		// than file names.
		cands = flagNames(levels[len(levels)-1:])
	}
	return withPrefix(cands, cur)
}

// commandNames are the names of the commands a user may type, without
// urfave/cli's help command.
func commandNames(cmds []*ucli.Command) []string {
	var names []string
	for _, c := range cmds {
		if !c.Hidden && c.Name != "help" {
			names = append(names, c.Name)
		}
	}
	return names
}

// flagNames are the flags accepted at the end of the command path,
// innermost command's first, written as typed (--file, -f).
func flagNames(levels []*argLevel) []string {
	var names []string
	for i := len(levels) - 1; i >= 0; i-- {
		for _, f := range levels[i].flags {
			for _, n := range f.Names() {
				if d := dashed(n); !slices.Contains(names, d) {
					names = append(names, d)
				}
			}
		}
	}
	return names
}

// withPrefix keeps the candidates that begin with prefix.
func withPrefix(cands []string, prefix string) []string {
	var out []string
	for _, c := range cands {
		if strings.HasPrefix(c, prefix) {
			out = append(out, c)
		}
	}
	return out
}

// flagValues are the values f takes, when its command's usage line lists
// them (--format text|json|markdown): nil otherwise, so the shell offers
// file names, which is right for a flag that takes a path.
func flagValues(levels []*argLevel, f ucli.Flag) []string {
	for i := len(levels) - 1; i >= 0; i-- {
		if cmd := levels[i].cmd; cmd != nil && slices.Contains(levels[i].flags, f) {
			return enumValues(cmd.UsageText, f)
		}
	}
	return nil
}

// enumRE matches a flag and its choices in a usage line: "--format
// text|json" or "--access-impact on|off".
var enumRE = regexp.MustCompile(`(?:^|[\s\[])--?([a-z][a-z0-9-]*)[ =]([a-z0-9]+(?:\|[a-z0-9]+)+)(?:$|[\s\]])`)

// enumValues are the choices usageText lists for f. The usage line is the
// one place a command states them; TestCompletionValuesAccepted checks
// that each is accepted.
func enumValues(usageText string, f ucli.Flag) []string {
	for _, m := range enumRE.FindAllStringSubmatch(usageText, -1) {
		if slices.Contains(f.Names(), m[1]) {
			return strings.Split(m[2], "|")
		}
	}
	return nil
}

// usageValuesRE matches an ArgsUsage that is a list of choices. Like
// enumRE it admits no quote or space: the fish script quotes the values.
var usageValuesRE = regexp.MustCompile(`^[a-z0-9]+(?:\|[a-z0-9]+)+$`)

// usageValues are the choices an ArgsUsage lists ("bash|zsh|fish").
func usageValues(argsUsage string) []string {
	if !usageValuesRE.MatchString(argsUsage) {
		return nil
	}
	return strings.Split(argsUsage, "|")
}
