package cli

import (
	"github.com/google/go-cmp/cmp"

	"strings"
	"testing"

	ucli "github.com/urfave/cli/v2"
)

// optionsFrom runs the real command tree on args, normalised as Main does
// (so flags may come anywhere), with the action of the command at path
// replaced by one that calls build: it returns what build made of the
// command's real flags and arguments. A usage error from the normaliser
// or from urfave/cli's flag parsing is returned as build's error.
func optionsFrom[T any](t *testing.T, path string, build func(*ucli.Context) (T, error), args string) (T, error) {
	t.Helper()
	return optionsFromEnv(t, nil, path, build, args)
}

// optionsFromEnv is optionsFrom with the environment variables env set
// (and every other one riskctl reads unset).
func optionsFromEnv[T any](t *testing.T, env map[string]string, path string, build func(*ucli.Context) (T, error), args string) (T, error) {
	t.Helper()
	clearEnv(t)
	for k, v := range env {
		t.Setenv(k, v)
	}
	app := testApp()
	cmd := findCommand(t, app, path)
	var (
		got T
		err error
		ran bool
	)
	cmd.Action = func(c *ucli.Context) error {
		ran = true
		got, err = build(c)
		return nil
	}
	norm, nerr := normalizeArgs(app, argv(path+" "+args))
	if nerr != nil {
		return got, nerr
	}
	if rerr := app.Run(norm); rerr != nil {
		return got, rerr
	}
	if !ran {
		t.Fatalf("riskctl %s %s: the %q action did not run", path, args, path)
	}
	return got, err
}

// findCommand returns the command of the app at path ("users reset").
func findCommand(t *testing.T, app *ucli.App, path string) *ucli.Command {
	t.Helper()
	cmds := app.Commands
	var cmd *ucli.Command
	for _, name := range strings.Fields(path) {
		cmd = nil
		for _, c := range cmds {
			if c.Name == name {
				cmd = c
			}
		}
		if cmd == nil {
			t.Fatalf("no command %q", path)
		}
		cmds = cmd.Subcommands
	}
	return cmd
}

// clearEnv unsets every variable a flag of riskctl reads, so only the
// arguments set flags.
func clearEnv(t *testing.T) {
	t.Helper()
	for _, env := range []string{envAccountID, envAPIToken, envAPIKey, envAPIEmail, envBaseURL,
		"RISKCTL_EMULATOR_TOKEN", "RISKCTL_EMULATOR_API_KEY", "RISKCTL_EMULATOR_API_EMAIL", "NO_COLOR", envNotifyURL} {
		t.Setenv(env, "")
	}
}

// wantUsageError fails unless err is a usage error (exit 3) whose message
// contains want.
func wantUsageError(t *testing.T, err error, want string) {
	t.Helper()
	if err == nil || ExitCode(err) != ExitInvalid || !strings.Contains(err.Error(), want) {
		t.Errorf("got error %v (exit %d); want a usage error (exit 3) containing %q", err, ExitCode(err), want)
	}
}

// TestCommandsUsage: every command this file's tests cover has a USAGE line
// "riskctl <path> ..." and examples of itself at the end of its description.
func TestCommandsUsage(t *testing.T) {
	app := testApp()
	for _, path := range []string{"users list", "users show", "users report", "users reset", "behaviors list", "integrations list",
		"export", "emulator serve", "schema", "completion", "version"} {
		cmd := findCommand(t, app, path)
		if !strings.HasPrefix(cmd.UsageText, "riskctl "+path) {
			t.Errorf("%s: UsageText %q does not start with %q", path, cmd.UsageText, "riskctl "+path)
		}
		_, examples, ok := strings.Cut(cmd.Description, "\n\nExamples:\n")
		if !ok {
			t.Errorf("%s: the description has no Examples section:\n%s", path, cmd.Description)
			continue
		}
		lines := strings.Split(examples, "\n")
		if len(lines) < 2 || len(lines) > 3 {
			t.Errorf("%s: %d examples, want 2 or 3", path, len(lines))
		}
		for _, l := range lines {
			runs := strings.Contains(l, path) || path == "version" && strings.HasSuffix(l, "riskctl --version")
			if !strings.HasPrefix(l, "  ") || !strings.Contains(l, "riskctl ") || !runs {
				t.Errorf("%s: example %q is not an indented command line that runs riskctl %s", path, l, path)
			}
		}
	}
}

// checkBuilt runs optionsFrom and asserts the options built, or the
// usage error when wantErr is set.
func checkBuilt[T any](t *testing.T, path string, build func(*ucli.Context) (T, error), args string, want T, wantErr string) {
	t.Helper()
	got, err := optionsFrom(t, path, build, args)
	if wantErr != "" {
		wantUsageError(t, err, wantErr)
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("%s %s: options (-want +got):\n%s", path, args, diff)
	}
}
