package cli

import (
	"strconv"
	"strings"

	ucli "github.com/urfave/cli/v2"
)

// docsURL is where the docs pages are read: the repository on GitHub, as
// README.md links it.
const docsURL = "https://github.com/riskctl/riskctl/blob/main/docs/"

// docPages is the docs page that explains each command (by its top-level
// name); a command not listed points to the command reference.
var docPages = map[string]string{
	"validate":     "spec.md",
	"fmt":          "spec.md",
	"schema":       "spec.md#editors-and-shell-completion",
	"completion":   "spec.md#editors-and-shell-completion",
	"plan":         "plan-and-apply.md",
	"apply":        "plan-and-apply.md",
	"drift":        "saved-plans-and-safety.md",
	"import":       "terraform.md",
	"users":        "users.md",
	"emulator":     "emulator.md",
	"behaviors":    "plan-and-apply.md#commands",
	"integrations": "plan-and-apply.md#commands",
	"export":       "plan-and-apply.md#commands",
	"version":      "commands.md",
}

// setHelpTemplates gives every command's help, at any depth, what
// urfave/cli's leaves out: the global flags it accepts (they may come
// anywhere on the line, see normalizeArgs), under the heading `riskctl
// --help` lists them with, and a last line saying where to read more. The
// app's own help gets the last line too.
func setHelpTemplates(app *ucli.App) {
	var global strings.Builder
	for _, f := range app.Flags {
		if v, ok := f.(ucli.VisibleFlag); ok && !v.IsVisible() {
			continue
		}
		global.WriteString("\n   " + f.String())
	}
	globals := "\n\nGLOBAL OPTIONS:" + global.String()
	app.CustomAppHelpTemplate = ucli.AppHelpTemplate + templateText(learnMore("https://github.com/riskctl/riskctl#readme"))
	var walk func(cmds []*ucli.Command, page string)
	walk = func(cmds []*ucli.Command, page string) {
		for _, c := range cmds {
			p := page
			if p == "" {
				p = docPages[c.Name]
				if p == "" {
					p = "commands.md"
				}
			}
			base := ucli.CommandHelpTemplate
			if len(c.Subcommands) > 0 {
				base = ucli.SubcommandHelpTemplate
			}
			// The base ends with a newline; the globals follow OPTIONS.
			c.CustomHelpTemplate = strings.TrimSuffix(base, "\n") + templateText(globals+"\n"+learnMore(docsURL+p))
			walk(c.Subcommands, p)
		}
	}
	walk(app.Commands, "")
}

// learnMore is the last section of a help page.
func learnMore(url string) string {
	return "\nLEARN MORE:\n   " + url + "\n"
}

// templateText is s as a text/template string constant, so no "{{" in a
// flag's usage is taken for an action.
func templateText(s string) string {
	return "{{" + strconv.Quote(s) + "}}"
}
