package cli

import (
	"fmt"
	"strings"

	ucli "github.com/urfave/cli/v2"
)

// The bash and zsh scripts are urfave/cli's own (autocomplete/ in its
// repository), fixed to the name riskctl; they ask the binary itself for
// candidates through --generate-bash-completion, so they never go stale.
//
// One change: they never ask when a word on the line is "--". After "--"
// urfave/cli completes nothing and riskctl takes every word for an
// argument, --generate-bash-completion too, so asking would run the
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
    if [[ "$cur" == "-"* ]]; then
      opts=$("${COMP_WORDS[@]:0:$COMP_CWORD}" "${cur}" --generate-bash-completion 2>/dev/null)
    else
      opts=$("${COMP_WORDS[@]:0:$COMP_CWORD}" --generate-bash-completion 2>/dev/null)
    fi
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
  if [[ "$cur" == "-"* ]]; then
    opts=("${(@f)$(${words[@]:0:#words[@]-1} ${cur} --generate-bash-completion)}")
  else
    opts=("${(@f)$(${words[@]:0:#words[@]-1} --generate-bash-completion)}")
  fi
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

// fishCompletion is urfave/cli's fish script, plus what it leaves out:
// fish offers file names unless told not to, so where a command expects a
// subcommand (riskctl itself, users, emulator, ...) it is told not to.
// Past the subcommand, file names are offered again (apply's PLANFILE,
// import terraform's state file).
func fishCompletion(app *ucli.App) (string, error) {
	script, err := app.ToFishCompletion()
	if err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString(script)
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
	return b.String(), nil
}
