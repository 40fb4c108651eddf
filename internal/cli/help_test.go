package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	ucli "github.com/urfave/cli/v2"
)

// helpPages runs `riskctl PATH --help` for the app and every command at
// any depth, and returns each help page by its path ("" for the app).
func helpPages(t *testing.T) map[string]string {
	t.Helper()
	clearEnv(t)
	pages := map[string]string{}
	help := func(path string) {
		var out, errOut bytes.Buffer
		args := append(argv(path), "--help")
		if code := Main(context.Background(), args, Streams{In: strings.NewReader(""), Out: &out, Err: &errOut}); code != ExitOK {
			t.Fatalf("riskctl %s --help: exit %d, stderr %q", path, code, errOut.String())
		}
		pages[path] = out.String()
	}
	help("")
	var walk func(cmds []*ucli.Command, path string)
	walk = func(cmds []*ucli.Command, path string) {
		for _, c := range cmds {
			p := strings.TrimSpace(path + " " + c.Name)
			help(p)
			walk(c.Subcommands, p)
		}
	}
	walk(testApp().Commands, "")
	return pages
}

// TestHelpGlobalFlagsAndLearnMore: every command's help lists the global
// flags it accepts (issue 20: subcommand help listed none) and ends with
// a link to the docs page about it, a page and heading that exist.
func TestHelpGlobalFlagsAndLearnMore(t *testing.T) {
	learn := regexp.MustCompile(`\n\nLEARN MORE:\n   (\S+)\n$`)
	for path, page := range helpPages(t) {
		if path != "" {
			_, globals, ok := strings.Cut(page, "\nGLOBAL OPTIONS:\n")
			if !ok {
				t.Errorf("riskctl %s --help has no GLOBAL OPTIONS:\n%s", path, page)
				continue
			}
			for _, f := range testApp().Flags {
				if !strings.Contains(globals, "   --"+f.Names()[0]+" ") {
					t.Errorf("riskctl %s --help does not list the global --%s", path, f.Names()[0])
				}
			}
		}
		m := learn.FindStringSubmatch(page)
		if m == nil {
			t.Errorf("riskctl %s --help does not end with a LEARN MORE link:\n%s", path, page)
			continue
		}
		if path == "" {
			if m[1] != "https://github.com/riskctl/riskctl#readme" {
				t.Errorf("riskctl --help links %s", m[1])
			}
			continue
		}
		doc, ok := strings.CutPrefix(m[1], docsURL)
		if !ok {
			t.Errorf("riskctl %s --help links %s, not a page under %s", path, m[1], docsURL)
			continue
		}
		file, anchor, _ := strings.Cut(doc, "#")
		text, err := os.ReadFile(filepath.Join("..", "..", "docs", file))
		if err != nil {
			t.Errorf("riskctl %s --help links %s: %v", path, m[1], err)
			continue
		}
		if anchor != "" && !hasHeading(string(text), anchor) {
			t.Errorf("riskctl %s --help links %s: docs/%s has no heading #%s", path, m[1], file, anchor)
		}
	}
}

// hasHeading reports whether markdown has a heading whose GitHub anchor is
// anchor.
func hasHeading(markdown, anchor string) bool {
	for _, line := range strings.Split(markdown, "\n") {
		if title, ok := strings.CutPrefix(strings.TrimLeft(line, "#"), " "); ok && strings.HasPrefix(line, "#") {
			slug := strings.Map(func(r rune) rune {
				switch {
				case r == ' ' || r == '-':
					return '-'
				case 'a' <= r && r <= 'z', '0' <= r && r <= '9', r == '_':
					return r
				case 'A' <= r && r <= 'Z':
					return r + 'a' - 'A'
				}
				return -1
			}, title)
			if slug == anchor {
				return true
			}
		}
	}
	return false
}

// twoDefaults matches a flag line of a help page that states a default
// twice: "(default: ...)" twice, or a "(0: ...)" that says what zero
// means followed by urfave/cli's "(default: 0)" (issue 20: emulator
// serve printed "(0: 100) (default: 0)").
var twoDefaults = regexp.MustCompile(`\(default.*\(default|\(0: .*\(default: 0`)

// TestHelpOneDefaultPerFlag: no flag in any command's help states two
// defaults.
func TestHelpOneDefaultPerFlag(t *testing.T) {
	for path, page := range helpPages(t) {
		for _, line := range strings.Split(page, "\n") {
			if twoDefaults.MatchString(line) {
				t.Errorf("riskctl %s --help: a flag with two defaults:\n%s", path, line)
			}
		}
	}
	if !twoDefaults.MatchString("--max-accounts value  ... answer new ones 403 (0: 100) (default: 0)") ||
		!twoDefaults.MatchString("--lock-out value  ... e.g. 5m (default: only while over the window) (default: 0s)") {
		t.Error("twoDefaults misses the lines of issue 20")
	}
}
