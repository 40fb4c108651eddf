package cli

import (
	"bytes"
	"context"
	"io"
	"slices"
	"strings"
	"testing"

	ucli "github.com/urfave/cli/v2"
)

func testApp() *ucli.App {
	return NewApp(Streams{
		In:               strings.NewReader(""),
		Out:              io.Discard,
		Err:              io.Discard,
		InteractiveInput: func() bool { return false },
		OutIsTerminal:    func() bool { return false },
	})
}

func argv(s string) []string { return append([]string{"riskctl"}, strings.Fields(s)...) }

// TestNormalizeArgs: flags move to just after the name of the command that
// defines them (global ones to before the command), with their values;
// nothing else moves.
func TestNormalizeArgs(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		err      string // a substring of the usage error, instead of want
	}{
		// A command's flags after its arguments.
		{in: "users reset ID --yes", want: "users reset --yes ID"},
		{in: "users reset --yes ID ID2", want: "users reset --yes ID ID2"},
		{in: "users reset ID -y ID2", want: "users reset -y ID ID2"},
		{in: "users reset ID --yes=false", want: "users reset --yes=false ID"},
		{in: "users reset A --yes B C", want: "users reset --yes A B C"},
		{in: "users show ID --format json", want: "users show --format json ID"},
		{in: "users show ID --format=json", want: "users show --format=json ID"},
		{in: "apply plan.json --format json --auto-approve", want: "apply --format json --auto-approve plan.json"},
		{in: "apply plan.json --max-deletes 5", want: "apply --max-deletes 5 plan.json"},
		{in: "apply plan.json --max-deletes -1", want: "apply --max-deletes -1 plan.json"},
		{in: "apply - --auto-approve", want: "apply --auto-approve -"}, // a lone "-" is an argument
		// Repeated flags keep their order.
		{in: "plan -f a.yaml x -f b.yaml --target behavior:k", want: "plan -f a.yaml -f b.yaml --target behavior:k x"},

		// Global flags after the command go before it, with their values.
		{in: "plan -f a.yaml --emulate --debug", want: "--emulate --debug plan -f a.yaml"},
		{in: "plan --no-color -f a.yaml", want: "--no-color plan -f a.yaml"},
		{in: "users list --debug", want: "--debug users list"},
		{in: "users --debug list", want: "--debug users list"},
		{in: "users list --api-token T", want: "--api-token T users list"},
		{in: "users list --api-token=T --format json", want: "--api-token=T users list --format json"},
		{in: "users list --api-token -T-", want: "--api-token -T- users list"}, // a value may start with "-"
		{in: "--emulate plan -f a.yaml --debug", want: "--emulate --debug plan -f a.yaml"},
		{in: "frobnicate --debug", err: `unknown command "frobnicate" for "riskctl"`},
		// Already in place: unchanged.
		{in: "--emulate users list --format=json", want: "--emulate users list --format=json"},
		{in: "--account-id users list", err: `unknown command "list" for "riskctl"`}, // "users" is the value
		{in: "completion bash", want: "completion bash"},
		{in: "version", want: "version"},

		// A command's own flag shadows the global flag of the same name.
		{in: "export --account-id X", want: "export --account-id X"},
		{in: "--account-id A export --account-id B", want: "--account-id A export --account-id B"},
		{in: "emulator serve --api-key K --debug --addr :0", want: "--debug emulator serve --api-key K --addr :0"},

		// "--" ends the flags; the arguments after it stay after a "--",
		// which goes before every argument (after one, urfave/cli would
		// take "--" itself for an argument).
		{in: "plan -f a.yaml -- -weird.yaml", want: "plan -f a.yaml -- -weird.yaml"},
		{in: "users reset ID --yes -- -weird --debug", want: "users reset --yes -- ID -weird --debug"},
		{in: "users reset -- --yes", want: "users reset -- --yes"},

		// Help works anywhere, for the command it follows; that command's
		// arguments are dropped (urfave/cli would look them up as help
		// topics: "No help topic for 'ID'").
		{in: "users reset ID --help", want: "users reset --help"},
		{in: "users reset ID --bogus -h ID2", want: "users reset -h"},
		{in: "users reset ID --yes -- x --help", want: "users reset --yes -- ID x --help"},
		{in: "users reset ID --help=false --yes", want: "users reset --help=false --yes ID"},
		{in: "users show --format -h ID", want: "users show --format -h ID"}, // -h is the value
		{in: "users frobnicate --help", want: "users --help"},
		{in: "frobnicate -h", want: "-h"},
		{in: "users list -h --debug", want: "--debug users list -h"},
		{in: "plan -f a.yaml -h", want: "plan -f a.yaml -h"},
		{in: "users --help", want: "users --help"},
		{in: "help users reset", want: "help users reset"},
		{in: "help plan --debug", want: "--debug help plan"},
		{in: "users reset help", want: "users reset help"},

		// --version and -v before the command run the version command.
		{in: "--version", want: "version"},
		{in: "-v", want: "version"},
		{in: "--version=true", want: "version"},
		{in: "--debug -v users list", want: "--debug version"},
		{in: "-h --version", want: "-h version"},
		{in: "--version=false", want: "--version=false"},
		// After a command it is that command's flag, which none has (as
		// with gh).
		{in: "version --version", err: `unknown flag --version for "riskctl version"`},

		// Unknown flags are reported here, never as Go's "flag provided
		// but not defined", for the command reached, with the nearest
		// flags of the whole line (issue 20).
		{in: "users list --no-such-flag", err: `unknown flag --no-such-flag for "riskctl users list" (see 'riskctl users list --help')`},
		{in: "users reset --bogus ID --yes", err: `unknown flag --bogus for "riskctl users reset" (see`},
		{in: "users --bogus list", err: `unknown flag --bogus for "riskctl users list"`},
		{in: "--bogus users list --debug", err: `unknown flag --bogus for "riskctl users list"`},
		{in: "plan --detailed-exitcod", err: `unknown flag --detailed-exitcod for "riskctl plan"; did you mean --detailed-exitcode?`},
		{in: "plan -f a.yaml -detailed-exitcod", err: `unknown flag -detailed-exitcod for "riskctl plan"; did you mean --detailed-exitcode?`},
		{in: "users reset ID --yse", err: `unknown flag --yse for "riskctl users reset"; did you mean --yes?`},
		{in: "--emulat plan", err: `unknown flag --emulat for "riskctl plan"; did you mean --emulate?`},
		{in: "plan --DEBUG", err: `did you mean --debug?`},
		{in: "plan --form json", err: `did you mean --format?`},
		{in: "users list --api-tokne=secret", err: `unknown flag --api-tokne for "riskctl users list"; did you mean --api-token?`},
		// An unknown command is named before any flag error, with the
		// nearest commands (issue 20).
		{in: "aply -f x", err: "unknown command \"aply\" for \"riskctl\"\n\nDid you mean this?\n    apply"},
		{in: "plna", err: "unknown command \"plna\" for \"riskctl\"\n\nDid you mean this?\n    plan"},
		{in: "PLAN --bogus", err: "Did you mean this?\n    plan"},
		{in: "users lsit --bogus", err: "unknown command \"lsit\" for \"riskctl users\"\n\nDid you mean this?\n    list"},
		{in: "emulator serv", err: "unknown command \"serv\" for \"riskctl emulator\"\n\nDid you mean this?\n    serve"},
		{in: "import terafrom x.tfstate", err: "Did you mean this?\n    terraform"},
		{in: "frobnicate", err: `unknown command "frobnicate" for "riskctl"; run 'riskctl --help' for the list`},
		{in: "hlep", err: "Did you mean this?\n    help"},
		// The first mistake on the line: an unknown flag before the word
		// (which may be its value) is named first.
		{in: "--acount-id X plan", err: `unknown flag --acount-id for "riskctl"; did you mean --account-id?`},
		// A value flag without its value: urfave/cli says it needs one.
		{in: "validate -f", want: "validate -f"},
		// Moved, it would take the next word for its value.
		{in: "users list --debug --api-token", err: "flag needs an argument: --api-token (see 'riskctl --help')"},
		{in: "plan x -f", err: "flag needs an argument: -f (see 'riskctl plan --help')"},

		// An unknown flag after an argument would become an argument.
		{in: "users reset ID --bogus", err: `unknown flag --bogus for "riskctl users reset" (flags may come`},
		{in: "users reset ID --yes --bogus=secret", err: `unknown flag --bogus for "riskctl users reset" (flags may come`},
		{in: "users reset ID -v", err: `unknown flag -v for "riskctl users reset" (flags may come`},
		{in: "users show ID --format json -x", err: `unknown flag -x for "riskctl users show" (flags may come`},
		{in: "users frobnicate --x", err: `unknown command "frobnicate" for "riskctl users"`},
		{in: "users reset ID ---yes", err: "unknown flag ---yes"},

		// Main answers a shell-completion request before normalizeArgs
		// (TestMainCompletes). After "--" it is none: an ordinary word.
		{in: "users reset -- x --generate-bash-completion", want: "users reset -- x --generate-bash-completion"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := normalizeArgs(testApp(), argv(tc.in))
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) || ExitCode(err) != ExitInvalid {
					t.Fatalf("normalizeArgs(%s) = %q, %v; want a usage error (exit 3) containing %q", tc.in, got, err, tc.err)
				}
				if strings.Contains(err.Error(), "secret") {
					t.Errorf("the error shows the flag's value: %v", err)
				}
				if strings.Contains(tc.err, "(flags may come") && !strings.Contains(err.Error(), `after '--'`) {
					t.Errorf("the error does not say where flags go: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("normalizeArgs(%s): %v", tc.in, err)
			}
			if want := argv(tc.want); !slices.Equal(got, want) {
				t.Errorf("normalizeArgs(%s)\n got %q\nwant %q", tc.in, got[1:], want[1:])
			}
		})
	}
}

func TestNormalizeArgsShortArgv(t *testing.T) {
	for _, in := range [][]string{nil, {}, {"riskctl"}} {
		got, err := normalizeArgs(testApp(), in)
		if err != nil || !slices.Equal(got, in) {
			t.Errorf("normalizeArgs(%q) = %q, %v", in, got, err)
		}
	}
}

// TestNormalizeArgsCommandPath: commands are found by any of their names,
// a flag of a middle command moves to that command, and a command that
// parses no flags gets every word after it untouched.
func TestNormalizeArgsCommandPath(t *testing.T) {
	app := &ucli.App{
		Name:  "t",
		Flags: []ucli.Flag{&ucli.BoolFlag{Name: "g"}},
		Commands: []*ucli.Command{
			{Name: "group", Aliases: []string{"gr"}, Flags: []ucli.Flag{&ucli.StringFlag{Name: "mid"}},
				Subcommands: []*ucli.Command{
					{Name: "leaf", Aliases: []string{"l"}, Flags: []ucli.Flag{&ucli.IntFlag{Name: "n", Aliases: []string{"N"}}}},
				}},
			{Name: "raw", SkipFlagParsing: true},
		},
	}
	for _, tc := range []struct{ in, want string }{
		{"gr l X --mid M -g -N 3", "-g gr --mid M l -N 3 X"},
		{"group leaf X --n=3 Y", "group leaf --n=3 X Y"},
		{"raw --x -g a -- b", "raw --x -g a -- b"},
		{"-g raw a", "-g raw a"},
	} {
		got, err := normalizeArgs(app, append([]string{"t"}, strings.Fields(tc.in)...))
		if want := append([]string{"t"}, strings.Fields(tc.want)...); err != nil || !slices.Equal(got, want) {
			t.Errorf("normalizeArgs(%s) = %q, %v; want %q", tc.in, got[1:], err, want[1:])
		}
	}
}

// parsed is what urfave/cli made of an argv: the command that ran, its
// arguments, and the flags set at each level of the command path.
type parsed struct {
	cmd   string
	args  []string
	flags map[string][]string // command name ("riskctl" for the app) -> flags set there
}

// parse runs the real command tree on argv with every action replaced by
// one that records what it got.
func parse(t *testing.T, args []string) parsed {
	t.Helper()
	for _, env := range []string{envAccountID, envAPIToken, envAPIKey, envAPIEmail, envBaseURL} {
		t.Setenv(env, "") // no flag set from the environment
	}
	app := testApp()
	var got parsed
	record := func(c *ucli.Context) error {
		got = parsed{cmd: strings.TrimPrefix(c.Command.HelpName, "riskctl "), args: c.Args().Slice(), flags: map[string][]string{}}
		for _, l := range c.Lineage() {
			if l.Command != nil {
				got.flags[l.Command.Name] = l.LocalFlagNames()
			}
		}
		return nil
	}
	var set func([]*ucli.Command)
	set = func(cmds []*ucli.Command) {
		for _, c := range cmds {
			c.Action = record
			set(c.Subcommands)
		}
	}
	app.Action = record
	set(app.Commands)
	if err := app.Run(args); err != nil {
		t.Fatalf("run %q: %v", args, err)
	}
	return got
}

// TestNormalizedArgsMeaning: urfave/cli parses the normalised argv with the
// meaning the user gave it: the right command, its arguments in order, and
// each flag at the level that defines it.
func TestNormalizedArgsMeaning(t *testing.T) {
	for _, tc := range []struct {
		in    string
		cmd   string
		args  []string
		flags map[string][]string
	}{
		{"users reset ID --yes", "users reset", []string{"ID"}, map[string][]string{"reset": {"yes"}}},
		{"users reset ID -y ID2", "users reset", []string{"ID", "ID2"}, map[string][]string{"reset": {"y"}}},
		{"users show ID --format json --debug", "users show", []string{"ID"},
			map[string][]string{"show": {"format"}, "riskctl": {"debug"}}},
		{"apply plan.json --format json --auto-approve --max-deletes 5", "apply", []string{"plan.json"},
			map[string][]string{"apply": {"format", "auto-approve", "max-deletes"}}},
		{"plan -f a.yaml --emulate --no-color --api-token T", "plan", nil,
			map[string][]string{"plan": {"file"}, "riskctl": {"emulate", "no-color", "api-token"}}},
		{"users reset A --yes -- -weird B", "users reset", []string{"A", "-weird", "B"}, map[string][]string{"reset": {"yes"}}},
		{"plan -f a.yaml -- -weird.yaml", "plan", []string{"-weird.yaml"}, map[string][]string{"plan": {"file"}}},
		{"export X --account-id B", "export", []string{"X"}, map[string][]string{"export": {"account-id"}}},
	} {
		t.Run(tc.in, func(t *testing.T) {
			norm, err := normalizeArgs(testApp(), argv(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			got := parse(t, norm)
			if got.cmd != tc.cmd || !slices.Equal(got.args, tc.args) {
				t.Errorf("ran %q with args %q; want %q with %q", got.cmd, got.args, tc.cmd, tc.args)
			}
			for level, names := range tc.flags {
				for _, n := range names {
					if !slices.Contains(got.flags[level], n) {
						t.Errorf("--%s not set on %s (flags set: %v)", n, level, got.flags)
					}
				}
			}
		})
	}
}

// TestVersionFlag: --version and -v print what the version command prints,
// and -v is no other flag of the app.
func TestVersionFlag(t *testing.T) {
	app := testApp()
	for _, f := range app.Flags {
		for _, n := range f.Names() {
			if slices.Contains(ucli.VersionFlag.Names(), n) {
				t.Errorf("global flag %q takes a name of --version", n)
			}
		}
	}
	if app.HideVersion {
		t.Error("HideVersion: --version is not listed in the help")
	}
	run := func(args ...string) string {
		t.Helper()
		var out, errOut bytes.Buffer
		code := Main(context.Background(), append([]string{"riskctl"}, args...), Streams{In: strings.NewReader(""), Out: &out, Err: &errOut})
		if code != ExitOK || errOut.Len() > 0 {
			t.Fatalf("riskctl %q: exit %d, stderr %q", args, code, errOut.String())
		}
		return out.String()
	}
	want := run("version")
	if !strings.HasPrefix(want, "riskctl "+Version()) {
		t.Fatalf("riskctl version printed %q", want)
	}
	for _, flag := range []string{"--version", "-v"} {
		if got := run(flag); got != want {
			t.Errorf("riskctl %s printed %q, want %q (as riskctl version)", flag, got, want)
		}
	}
	if got := run("--help"); !strings.Contains(got, "--version, -v") {
		t.Errorf("the help does not list --version, -v:\n%s", got)
	}
}

// TestMainUnknownFlagAfterArgument: Main reports the normaliser's error as
// a usage error, runs nothing, and never echoes the flag's value.
func TestMainUnknownFlagAfterArgument(t *testing.T) {
	var out, errOut bytes.Buffer
	code := Main(context.Background(), argv("users reset ID --yes --bogus=hunter2"), Streams{In: strings.NewReader(""), Out: &out, Err: &errOut})
	if code != ExitInvalid {
		t.Errorf("exit %d, want %d", code, ExitInvalid)
	}
	if got := errOut.String(); !strings.HasPrefix(got, `Error: unknown flag --bogus for "riskctl users reset"`) || strings.Contains(got, "hunter2") {
		t.Errorf("stderr %q", got)
	}
	if out.Len() > 0 {
		t.Errorf("stdout %q", out.String())
	}
}

// TestOnUsageErrorUnknownFlag: an unknown flag that reaches urfave/cli
// (run without normalizeArgs) gets riskctl's message with the nearest
// flag, not Go's "flag provided but not defined" (issue 20).
func TestOnUsageErrorUnknownFlag(t *testing.T) {
	app := testApp()
	err := app.Run(argv("plan --detailed-exitcod"))
	want := `unknown flag --detailed-exitcod for "riskctl plan"; did you mean --detailed-exitcode?`
	if err == nil || err.Error() != want || ExitCode(err) != ExitInvalid {
		t.Fatalf("got %v (exit %d), want %q (exit %d)", err, ExitCode(err), want, ExitInvalid)
	}
}
