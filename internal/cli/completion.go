package cli

import (
	"fmt"

	ucli "github.com/urfave/cli/v2"
)

// The bash and zsh scripts are urfave/cli's own (autocomplete/ in its
// repository), fixed to the name riskctl; they ask the binary itself for
// candidates through --generate-bash-completion, so they never go stale.
const bashCompletion = `# riskctl bash completion: source <(riskctl completion bash)
_riskctl_complete() {
  if [[ "${COMP_WORDS[0]}" != "source" ]]; then
    local cur opts
    COMPREPLY=()
    cur="${COMP_WORDS[COMP_CWORD]}"
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
		ArgsUsage: "bash|zsh|fish",
		Description: "Load it in the current shell, e.g.:\n" +
			"  source <(riskctl completion bash)\n" +
			"  riskctl completion fish > ~/.config/fish/completions/riskctl.fish",
		Action: func(c *ucli.Context) error {
			if c.NArg() != 1 {
				return usageErrorf("completion needs one shell: bash, zsh or fish")
			}
			out := c.App.Writer
			switch shell := c.Args().First(); shell {
			case "bash":
				_, err := fmt.Fprint(out, bashCompletion)
				return err
			case "zsh":
				_, err := fmt.Fprint(out, zshCompletion)
				return err
			case "fish":
				script, err := c.App.ToFishCompletion()
				if err != nil {
					return err
				}
				_, err = fmt.Fprint(out, script)
				return err
			default:
				return usageErrorf("completion: unknown shell %q: expected bash, zsh or fish", shell)
			}
		},
	}
}
