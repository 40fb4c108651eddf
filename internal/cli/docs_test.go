package cli

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the generated command reference: docs/commands.md and docs/riskctl.1")

// The command reference and the man page are generated from the command
// tree (urfave/cli's ToMarkdown and ToManWithSection), and committed so
// they can be read on GitHub and installed with the binary. This test fails
// when they no longer match the tree; `go test ./internal/cli -run
// TestGeneratedDocs -update` regenerates them (review the diff).
func TestGeneratedDocs(t *testing.T) {
	if filepath.Separator != '/' {
		t.Skip("the committed docs name the default --emulator-state with '/'")
	}
	app := NewApp(Streams{})
	md, err := app.ToMarkdown()
	if err != nil {
		t.Fatal(err)
	}
	man, err := app.ToManWithSection(1) // section 1: user commands
	if err != nil {
		t.Fatal(err)
	}
	for _, doc := range []struct{ path, content string }{
		{filepath.Join("..", "..", "docs", "commands.md"), commandsHeader + md},
		{filepath.Join("..", "..", "docs", "riskctl.1"), man},
	} {
		checkGeneratedDoc(t, doc.path, doc.content)
	}
}

// commandsHeader opens docs/commands.md, so a reader who lands on it knows
// not to edit it by hand.
const commandsHeader = "<!-- Generated from the command tree by `go test ./internal/cli -run TestGeneratedDocs -update`; do not edit. -->\n\n"

func checkGeneratedDoc(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v; run go test ./internal/cli -run TestGeneratedDocs -update", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		name := filepath.ToSlash(strings.TrimPrefix(path, filepath.Join("..", "..")+string(filepath.Separator)))
		t.Errorf("%s is stale: run go test ./internal/cli -run TestGeneratedDocs -update and review the diff (-committed +generated):\n%s", name, diff)
	}
}
