// Package cli is riskctl's command line, on urfave/cli/v2. Each command
// is one small file that does four things, in this order:
//
//  1. flags → options: its optionsFrom function reads and checks the flags
//     into a plain struct; a usage error (exit 3) stops it there, before
//     any file is read or request sent;
//  2. one call into the package that does the work: plan, apply and drift
//     call their reconcile entry (reconcile.Plan, Apply, Drift) once, which
//     returns a reconcile.Outcome; validate calls spec.Load, fmt
//     spec.FormatFiles, `import terraform` tfimport.Import, export,
//     `emulator catalogue` and the list and show commands one remote
//     fetch, `users report` riskreport.Collect (the summary, then the
//     events of at most --max-users users), `emulator serve`
//     emulator.Serve, init kitinit.Init (--check: kitinit.Check); schema,
//     version and completion print what the binary holds; `users reset`
//     is the exception, one reset per user, each reported as it lands;
//  3. render: reports through package report (text, JSON, Markdown and the
//     GitHub Actions outputs), listings as a table or JSON; fmt -w and
//     `import terraform` write the files their call returned, checked,
//     through safefile.WriteTarget, which checks the path's links again,
//     and `emulator catalogue -o` its file through safefile.Write;
//  4. exit: the outcome's reconcile.Status becomes the exit code through
//     the one status table (exitcode.go), which also gives the exit reason
//     of the GitHub outputs and the "Exit codes:" lines of each command's
//     help.
//
// It holds no rule about what to change, refuse, save or how a run ends:
// those live in plan (diff, protect, targets), reconcile (the delete
// limit, saved plans, the statuses: partial once anything was applied
// (StatusOfResults, which `users reset` uses too), the worst account
// wins), planfile (saved-plan binding and staleness), spec (input, and
// the layout fmt writes), tfimport (what an import writes, and where it
// may) and apply (execution). What is the CLI's: flags and environment
// variables, credentials and their redaction (see Main), signals and
// --timeout, the terminal (colour, and the approval prompt, which reconcile
// asks through ApplyOptions.Approve), and the status table.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	ucli "github.com/urfave/cli/v2"
	"golang.org/x/term"

	"github.com/riskctl/riskctl/internal/redact"
	"github.com/riskctl/riskctl/internal/textutil"
)

// Streams are the process's standard streams, injected so tests can drive
// commands in-process.
type Streams struct {
	In  io.Reader
	Out io.Writer
	Err io.Writer
	// InteractiveInput reports whether In is a terminal a person can answer
	// prompts on. Confirmation prompts refuse to run without one.
	InteractiveInput func() bool
	// OutIsTerminal reports whether Out is a terminal (colour is allowed).
	OutIsTerminal func() bool
	// ErrIsTerminal reports whether Err is a terminal: progress bars are
	// drawn there only, never into a CI log or a file.
	ErrIsTerminal func() bool
}

// OSStreams returns the real standard streams.
func OSStreams() Streams {
	return Streams{
		In:               os.Stdin,
		Out:              os.Stdout,
		Err:              os.Stderr,
		InteractiveInput: func() bool { return term.IsTerminal(int(os.Stdin.Fd())) },
		OutIsTerminal:    func() bool { return term.IsTerminal(int(os.Stdout.Fd())) },
		ErrIsTerminal:    func() bool { return term.IsTerminal(int(os.Stderr.Fd())) },
	}
}

// Main runs riskctl with args (args[0] is the program name) and returns the
// process exit code. It never calls os.Exit, so tests can call it directly.
//
// Everything riskctl prints passes through one redacting writer per
// stream, which removes every secret value of the run (see package
// redact): the credentials in the environment from the start, and those
// given as flags once they are parsed.
func Main(ctx context.Context, args []string, streams Streams) int {
	secrets := redact.New(redact.EnvSecrets(os.Getenv)...)
	out, errOut := redact.NewWriter(streams.Out, secrets), redact.NewWriter(streams.Err, secrets)
	streams.Out, streams.Err = out, errOut
	ctx, stop := interruptible(ctx, errOut, os.Exit)
	defer stop()
	limit := &runTimeout{} // --timeout, armed once the flags are parsed
	defer limit.stop()
	app := newApp(streams, secrets, limit)
	if words, ok := completionRequest(app, args); ok {
		// A shell asks for candidates: nothing is loaded or checked.
		for _, c := range completeWords(app, words) {
			fmt.Fprintln(streams.Out, c)
		}
		_ = out.Flush()
		return ExitOK
	}
	args, err := normalizeArgs(app, args) // flags anywhere; --version
	if err == nil {
		err = app.RunContext(ctx, args)
	}
	err = limit.explain(err) // "timed out after 30m (--timeout)"
	var ee *exitError
	if err != nil && !(errors.As(err, &ee) && ee.quiet) {
		fmt.Fprintf(streams.Err, "Error: %s\n", errorText(err))
	}
	_ = out.Flush()
	_ = errOut.Flush()
	return ExitCode(err)
}

// NewApp builds the command tree, with no secret to redact (Main's app
// redacts; tests use NewApp to inspect commands and flags).
func NewApp(streams Streams) *ucli.App { return newApp(streams, redact.New(), &runTimeout{}) }

func newApp(streams Streams, secrets *redact.Set, limit *runTimeout) *ucli.App {
	g := &globals{streams: streams, secrets: secrets}
	app := &ucli.App{
		Name:    "riskctl",
		Usage:   "keep Cloudflare Zero Trust risk scoring in git",
		Version: Version(),
		Description: "riskctl reconciles Cloudflare Zero Trust risk behaviors and Okta risk-score\n" +
			"integrations from YAML, and inspects and resets user risk.\n" +
			"Use --emulate to run any command against the embedded emulator.",
		Flags:                g.flags(),
		Before:               g.beforeRun(limit), // load, then arm --timeout
		After:                g.stopEmulator,
		Reader:               streams.In,
		Writer:               streams.Out,
		ErrWriter:            streams.Err,
		EnableBashCompletion: true,
		HideVersion:          false, // --version/-v: listed in help; normalizeArgs runs them as `version`
		// urfave/cli would otherwise call os.Exit from inside Run for any
		// error with an ExitCode method; Main maps errors to codes itself.
		ExitErrHandler: func(*ucli.Context, error) {},
		OnUsageError:   onUsageError,
		Action:         showHelpOrUnknown,
		Commands: []*ucli.Command{
			initCommand(g),
			validateCommand(g),
			planCommand(g),
			applyCommand(g),
			driftCommand(g),
			fmtCommand(g),
			exportCommand(g),
			importCommand(g),
			schemaCommand(),
			usersCommand(g),
			behaviorsCommand(g),
			integrationsCommand(g),
			emulatorCommand(g),
			completionCommand(),
			versionCommand(),
		},
	}
	setUsageErrorHandler(app.Commands)
	setHelpTemplates(app) // global flags and a docs link in every command's help
	return app
}

// showHelpOrUnknown is the action of the app and of command groups: with no
// argument it prints help; with one it is an unknown command (exit 3).
func showHelpOrUnknown(c *ucli.Context) error {
	if c.Args().Present() {
		return unknownCommandError(c.Args().First(), c.Command.FullName(), c.Command.Subcommands, false)
	}
	return ucli.ShowSubcommandHelp(c)
}

// onUsageError turns flag-parsing failures into exit-3 usage errors.
// normalizeArgs reports unknown flags before urfave/cli parses; should one
// still reach here, it gets the same message, never Go's "flag provided
// but not defined".
func onUsageError(c *ucli.Context, err error, _ bool) error {
	if name, ok := strings.CutPrefix(err.Error(), "flag provided but not defined: -"); ok {
		var flags []ucli.Flag
		for _, l := range c.Lineage() {
			if l.Command != nil {
				flags = append(flags, l.Command.Flags...)
			}
		}
		return unknownFlagError(dashed(name), c.Command.HelpName, append(flags, c.App.Flags...), false)
	}
	return usageErrorf("%s (see '%s --help')", err, c.Command.HelpName)
}

func setUsageErrorHandler(cmds []*ucli.Command) {
	for _, cmd := range cmds {
		cmd.OnUsageError = onUsageError
		if len(cmd.Subcommands) > 0 && cmd.Action == nil {
			cmd.Action = showHelpOrUnknown
		}
		setUsageErrorHandler(cmd.Subcommands)
	}
}

// errorText is err's message as Main prints it: each of its lines through
// textutil.Visible. The places that put outside text into an error escape
// it there (spec.Error, remote.APIError), so a line break in data never
// reaches this point; this is the last guard for any other: a terminal
// sequence or a CR is shown escaped, and no line of the message can begin
// with "::", a GitHub workflow command (docs/security.md).
func errorText(err error) string {
	lines := strings.Split(strings.TrimRight(err.Error(), "\n"), "\n")
	for i, l := range lines {
		lines[i] = textutil.Visible(l)
	}
	return strings.Join(lines, "\n")
}
