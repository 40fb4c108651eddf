package cli

import (
	"slices"
	"strconv"
	"strings"

	ucli "github.com/urfave/cli/v2"
)

// completionFlag is the last argument of a shell-completion request
// (urfave/cli's BashCompletionFlag, which it only recognises last).
const completionFlag = "--generate-bash-completion"

// argLevel is the app or one command on the command path, with the flag
// tokens that normalizeArgs places right after its name.
type argLevel struct {
	name     string        // the word that named the command, as typed ("" for the app)
	cmd      *ucli.Command // nil for the app and for the built-in help command
	flags    []ucli.Flag   // the flags urfave/cli parses at this level
	subs     []*ucli.Command
	helpSub  bool // urfave/cli adds a "help" ("h") subcommand here at run time
	skip     bool // SkipFlagParsing: every word after the name is an argument
	helpCmd  bool // urfave/cli's built-in help command
	help     bool // --help or -h was given to this command
	toks     []string
	fullName string // for messages: "riskctl users reset"
}

// normalizeArgs rewrites argv (args[0] is the program name) so that
// urfave/cli, which stops parsing flags at the first argument, gives it the
// meaning a gh or kubectl user expects: flags may come anywhere.
//
// It walks the command path the way urfave/cli resolves it (app, command,
// subcommand, by Names, aliases included), and moves each flag token (with
// its value, unless the flag is boolean or written --flag=value) to right
// after the name of the innermost command on the path that defines it: a
// command's own flag stays with it, a global flag given after the command
// moves before the command name. Arguments keep their order; after "--"
// every word is an argument (the result keeps a "--" before the
// arguments).
//
// Mistakes are reported here, where the whole line is known, before
// urfave/cli parses anything, the first on the line first, each with the
// nearest names (see suggest): an unknown flag before any argument (the
// word after it may be its value); else a word that names no command where
// one is expected (so `riskctl aply -f x` names "aply", not -f); else an
// unknown flag after an argument (it would otherwise silently become an
// argument).
//
// --help and -h work anywhere: the command they follow shows its help,
// and its arguments are dropped (urfave/cli would take the first for a help
// topic). --version and -v before the command run the version command, so
// they print what `riskctl version` prints. A shell-completion request
// never gets here: Main answers it (completeWords).
func normalizeArgs(app *ucli.App, args []string) ([]string, error) {
	if len(args) < 2 {
		return args, nil
	}
	in := args[1:]

	root := &argLevel{
		flags:    withHelpFlag(app.Flags, app.HideHelp),
		subs:     app.Commands,
		helpSub:  !app.HideHelp && !app.HideHelpCommand,
		fullName: app.Name,
	}
	levels := []*argLevel{root}
	var positional, afterDashes []string
	dashes := false
	var versionAt []int // indexes in root.toks of --version / -v asking for the version
	var unknown string  // the first unknown flag token
	unknownAfterArg := false

	for i := 0; i < len(in); i++ {
		tok := in[i]
		cur := levels[len(levels)-1]
		if cur.skip {
			positional = append(positional, in[i:]...)
			break
		}
		if tok == "--" {
			dashes, afterDashes = true, in[i+1:]
			break
		}
		if !isFlagToken(tok) {
			if len(positional) == 0 {
				if next := cur.subcommand(tok); next != nil {
					levels = append(levels, next)
					continue
				}
			}
			positional = append(positional, tok)
			continue
		}

		name, value, hasValue := flagName(tok)
		if len(levels) == 1 && !app.HideVersion && slices.Contains(ucli.VersionFlag.Names(), name) {
			// --version=false, or a bad value for urfave/cli to report, is
			// just another app flag.
			if boolOn(value, hasValue) {
				versionAt = append(versionAt, len(root.toks))
			}
			root.toks = append(root.toks, tok)
			continue
		}
		at, f := lookupFlag(levels, name)
		if f == nil {
			// Unknown here. Whether it takes a value is unknown too, so the
			// next word is not touched. It is reported below.
			if unknown == "" {
				unknown, unknownAfterArg = tok, len(positional) > 0
			}
			if len(positional) > 0 {
				positional = append(positional, tok)
			} else {
				cur.toks = append(cur.toks, tok)
			}
			continue
		}
		if hasValue || !takesValue(f) {
			at.toks = append(at.toks, tok)
			at.help = at.help || (f == ucli.HelpFlag && boolOn(value, hasValue))
			continue
		}
		if i+1 < len(in) {
			// The next word is the value, whatever it looks like: Go's flag
			// package takes it so (--api-token -x, --max-deletes -1).
			at.toks = append(at.toks, tok, in[i+1])
			i++
			continue
		}
		// A value flag last, with no value. Moved, it would take the next
		// word for its value (a command name, an argument).
		switch {
		case at == cur && len(positional) == 0:
			at.toks = append(at.toks, tok) // still last: urfave/cli says it needs a value
		default:
			return nil, usageErrorf("flag needs an argument: %s (see '%s --help')", tok, at.fullName)
		}
	}

	if versionAt != nil && app.Command("version") != nil {
		// The version wins over the rest, as urfave/cli's own --version
		// does; other app flags stay, so --help still wins over it.
		out := []string{args[0]}
		for i, tok := range root.toks {
			if !slices.Contains(versionAt, i) {
				out = append(out, tok)
			}
		}
		return append(out, "version"), nil
	}
	leaf := levels[len(levels)-1]
	// The first mistake on the line is reported; --help wins over both,
	// and shows the help of the command reached.
	help := leaf.help && !leaf.helpCmd
	var flags []ucli.Flag
	for _, l := range levels {
		flags = append(flags, l.flags...)
	}
	if !help && unknown != "" && !unknownAfterArg {
		// Before any argument: the word after it may be its value.
		return nil, unknownFlagError(unknown, leaf.fullName, flags, false)
	}
	if !help && len(leaf.subs) > 0 && !leaf.helpCmd && len(positional) > 0 && !isFlagToken(positional[0]) {
		// A command group (the app, users, emulator, ...) takes no
		// argument: the word is a mistyped command.
		return nil, unknownCommandError(positional[0], leaf.fullName, leaf.subs, leaf.helpSub)
	}
	if parent := levels[max(len(levels)-2, 0)]; leaf.helpCmd && len(positional) > 0 && !isFlagToken(positional[0]) && !namesCommand(parent.subs, positional[0]) {
		// "help plna": the topic is a mistyped command of the help
		// command's parent, said as one (not urfave/cli's "No help topic").
		return nil, unknownCommandError(positional[0], parent.fullName, parent.subs, false)
	}
	if !help && unknown != "" {
		return nil, unknownFlagError(unknown, leaf.fullName, flags, true)
	}
	if help {
		// urfave/cli would take the first argument for a help topic ("No
		// help topic for 'ID'"); help ignores them, as gh's does.
		dashes, positional, afterDashes = false, nil, nil
	}
	out := make([]string, 0, len(args)+2)
	out = append(out, args[0])
	for _, l := range levels {
		if l != root {
			out = append(out, l.name)
		}
		out = append(out, l.toks...)
	}
	if dashes {
		// Before the arguments, not where it was: urfave/cli keeps a "--"
		// that follows an argument as an argument itself.
		out = append(out, "--")
	}
	out = append(out, positional...)
	out = append(out, afterDashes...)
	return out, nil
}

// subcommand returns the level of the subcommand tok names, or nil when tok
// is an argument.
func (l *argLevel) subcommand(tok string) *argLevel {
	if l.skip {
		return nil
	}
	for _, c := range l.subs {
		if c.HasName(tok) {
			return &argLevel{
				name:     tok,
				cmd:      c,
				flags:    withHelpFlag(c.Flags, c.HideHelp),
				subs:     c.Subcommands,
				helpSub:  !c.HideHelp && !c.HideHelpCommand,
				skip:     c.SkipFlagParsing,
				fullName: l.fullName + " " + c.Name,
			}
		}
	}
	if l.helpSub && (tok == "help" || tok == "h") {
		// urfave/cli's help command: its arguments are command names, and
		// it has only the help flag.
		return &argLevel{name: tok, flags: withHelpFlag(nil, false), helpCmd: true, fullName: l.fullName + " help"}
	}
	return nil
}

// boolOn reports whether a boolean flag given as --name or --name=value is
// on: --name=false and a bad value (urfave/cli reports it) are not.
func boolOn(value string, hasValue bool) bool {
	on, err := strconv.ParseBool(value)
	return !hasValue || (err == nil && on)
}

// withHelpFlag adds the --help/-h flag urfave/cli adds to every command at
// run time (unless hidden).
func withHelpFlag(flags []ucli.Flag, hideHelp bool) []ucli.Flag {
	if hideHelp || ucli.HelpFlag == nil {
		return flags
	}
	return append(slices.Clip(flags), ucli.HelpFlag)
}

// lookupFlag finds the flag called name on the innermost level that defines
// it: a command's own flag shadows a global one of the same name.
func lookupFlag(levels []*argLevel, name string) (*argLevel, ucli.Flag) {
	for i := len(levels) - 1; i >= 0; i-- {
		for _, f := range levels[i].flags {
			if slices.Contains(f.Names(), name) {
				return levels[i], f
			}
		}
	}
	return nil, nil
}

// takesValue reports whether a flag consumes the next word when given
// without "=": every urfave/cli flag but BoolFlag does.
func takesValue(f ucli.Flag) bool {
	if tv, ok := f.(interface{ TakesValue() bool }); ok {
		return tv.TakesValue()
	}
	return true
}

// isFlagToken reports whether Go's flag package would parse tok as a flag:
// it starts with "-" and is not a lone "-" (stdin, by convention) or "--".
func isFlagToken(tok string) bool {
	return len(tok) > 1 && tok[0] == '-' && tok != "--"
}

// flagName splits "-n", "--name" or "--name=value" as Go's flag package
// does. A malformed token ("---x", "-=x") gets a name no flag has.
func flagName(tok string) (name, value string, hasValue bool) {
	s := strings.TrimPrefix(tok, "-")
	s = strings.TrimPrefix(s, "-")
	return strings.Cut(s, "=")
}

// namesCommand reports whether word is the name or an alias of one of cmds.
func namesCommand(cmds []*ucli.Command, word string) bool {
	for _, c := range cmds {
		if slices.Contains(c.Names(), word) {
			return true
		}
	}
	return false
}
