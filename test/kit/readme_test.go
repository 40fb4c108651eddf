package kit_test

import (
	"os"
	"regexp"
	"strings"
	"testing"

	ucli "github.com/urfave/cli/v2"

	"github.com/riskctl/riskctl/internal/cli"
)

// maxReadmeLines keeps the README a front page: what riskctl is, the two
// first-screen commands, install, a first account, and where to read next.
// Everything else lives in docs/, one page per task.
const maxReadmeLines = 200

// firstScreen is how many lines a newcomer sees before scrolling.
const firstScreen = 40

func TestReadmeIsAFrontPage(t *testing.T) {
	readme := readFile(t, "README.md")
	if n := strings.Count(readme, "\n"); n > maxReadmeLines {
		t.Errorf("README.md has %d lines, more than %d: move task detail into docs/", n, maxReadmeLines)
	}
	lines := strings.SplitN(readme, "\n", firstScreen+1)
	screen := strings.Join(lines[:min(len(lines), firstScreen)], "\n")
	commands := firstShellBlock(screen)
	want := []string{
		"go run . --emulate plan -f examples/riskscoring.yaml",
		"go test -race ./...",
	}
	if strings.Join(commands, "\n") != strings.Join(want, "\n") {
		t.Errorf("README's first screen gives commands %q, want exactly %q", commands, want)
	}
	// .ci/run must run the test command the README gives.
	if run := readFile(t, ".ci/run"); !regexp.MustCompile(`(?m)^go test -race \./\.\.\.$`).MatchString(run) {
		t.Errorf(".ci/run does not run the README's test command %q", want[1])
	}
}

// firstShellBlock holds the commands of the first ```sh block in text, their
// trailing comments dropped.
func firstShellBlock(text string) []string {
	_, block, ok := strings.Cut(text, "```sh\n")
	if !ok {
		return nil
	}
	block, _, _ = strings.Cut(block, "```")
	var out []string
	for _, line := range strings.Split(block, "\n") {
		line, _, _ = strings.Cut(line, "#")
		if line = strings.TrimSpace(line); line != "" {
			out = append(out, line)
		}
	}
	return out
}

// The pages a reader looks for by task, and the project files GitHub shows.
func TestDocsByTask(t *testing.T) {
	for _, name := range []string{
		"SECURITY.md", "CONTRIBUTING.md",
		"docs/spec.md", "docs/plan-and-apply.md", "docs/saved-plans-and-safety.md",
		"docs/ci-kit.md", "docs/terraform.md", "docs/security.md", "docs/emulator.md",
		"docs/users.md", "docs/exit-codes.md", "docs/troubleshooting.md",
		"docs/development.md", "docs/api.md", "docs/commands.md", "docs/riskctl.1",
	} {
		if text := readFile(t, name); len(strings.TrimSpace(text)) == 0 {
			t.Errorf("%s is empty", name)
		}
	}
}

// Every global flag is in docs/plan-and-apply.md's table (the README's
// command list once omitted --timeout).
func TestGlobalFlagsDocumented(t *testing.T) {
	page := readFile(t, "docs/plan-and-apply.md")
	_, table, _ := strings.Cut(page, "## Global flags")
	table, _, _ = strings.Cut(table, "\n## ")
	for _, f := range cli.NewApp(cli.Streams{}).Flags {
		for _, name := range f.Names() {
			dashes := "--"
			if len(name) == 1 {
				dashes = "-"
			}
			if !strings.Contains(table, "`"+dashes+name) {
				t.Errorf("global flag %s%s is not in docs/plan-and-apply.md's Global flags table", dashes, name)
			}
		}
	}
	// Every command has a section in the generated reference.
	ref := readFile(t, "docs/commands.md")
	var walk func([]*ucli.Command)
	walk = func(cmds []*ucli.Command) {
		for _, c := range cmds {
			if !c.Hidden && !strings.Contains(ref, "## "+c.Name) && !strings.Contains(ref, "### "+c.Name) {
				t.Errorf("command %q is not in docs/commands.md", c.Name)
			}
			walk(c.Subcommands)
		}
	}
	walk(cli.NewApp(cli.Streams{}).Commands)
}

func readFile(t *testing.T, name string) string {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
