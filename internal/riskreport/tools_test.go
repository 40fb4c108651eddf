package riskreport

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/riskctl/riskctl/internal/testwait"
)

// The charts are checked by the tools that draw them: Mermaid's own parser
// (test/mermaid/check.mjs, under node) for the Markdown, headless Chromium
// for the HTML page. Where a tool is missing the test skips, but not in CI
// (CI=true): .ci/report-tools installs them (Debian's chromium, and
// `npm ci` in test/mermaid), so there a missing tool fails rather than
// leave the charts unchecked unnoticed.

// missing skips or, with CI=true, fails for a tool that is not there.
func missing(t *testing.T, what string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is missing with CI=true: .ci/report-tools installs it", what)
	}
	t.Skipf("%s is missing (with CI=true this fails; .ci/report-tools installs it)", what)
}

// mermaidDir is test/mermaid, from this package's directory.
const mermaidDir = "../../test/mermaid"

// writeCases renders every golden case into dir, named after the case,
// with the extension ext (".md" or ".html"), and returns their paths.
func writeCases(t *testing.T, dir, ext string) []string {
	t.Helper()
	var paths []string
	for _, tc := range goldenCases {
		md, page := render(t, tc.api(), tc.opts)
		out := map[string]string{".md": md, ".html": page}[ext]
		path := filepath.Join(dir, tc.name+ext)
		if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, path)
	}
	return paths
}

// TestMermaidParses parses every chart of every golden case, hostile
// names included, with Mermaid 11 (the version pinned in
// test/mermaid/package-lock.json), and checks the diagram types: a pie of
// levels, then the bars of behaviors and of days, where the report has
// them.
func TestMermaidParses(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		missing(t, "node")
	}
	if _, err := os.Stat(filepath.Join(mermaidDir, "node_modules", "mermaid", "package.json")); err != nil {
		missing(t, "test/mermaid/node_modules (npm ci in test/mermaid)")
	}
	paths := writeCases(t, t.TempDir(), ".md")
	out, err := exec.Command(node, append([]string{filepath.Join(mermaidDir, "check.mjs")}, paths...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("check.mjs: %v\n%s", err, out)
	}
	types := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		if len(f) != 4 || f[0] != "ok" {
			t.Errorf("check.mjs said %q", line)
			continue
		}
		name := strings.TrimSuffix(filepath.Base(f[1]), ".md")
		types[name] = append(types[name], f[3])
	}
	for _, tc := range goldenCases {
		want := "pie xychart xychart"
		switch tc.name {
		case "quiet":
			want = "pie xychart" // no event in the window: no chart of days
		case "empty":
			want = ""
		}
		if got := strings.Join(types[tc.name], " "); got != want {
			t.Errorf("%s: Mermaid diagrams %q, want %q", tc.name, got, want)
		}
	}
}

// chromium finds headless Chromium: Debian's package installs
// /usr/bin/chromium.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	missing(t, "chromium (apt-get install chromium)")
	return ""
}

// TestHTMLRendersInChromium loads each golden case's page in headless
// Chromium, from a file, with no network: the DOM Chromium built holds
// the charts as SVG (three, or fewer where the report has no data for
// one), each drawn (bars, slices), no script, and the hostile names as
// text; and Chromium reports no Content-Security-Policy violation (the
// style element matches its hash, nothing else is loaded).
func TestHTMLRendersInChromium(t *testing.T) {
	browser := chromium(t)
	dir := t.TempDir()
	paths := writeCases(t, dir, ".html")
	for i, tc := range goldenCases {
		t.Run(tc.name, func(t *testing.T) {
			cmd := exec.CommandContext(testwait.Context(t), browser, "--headless", "--no-sandbox", "--disable-gpu",
				"--disable-background-networking", "--no-first-run", "--user-data-dir="+t.TempDir(),
				"--enable-logging=stderr", "--v=0", "--dump-dom", "file://"+filepath.ToSlash(paths[i]))
			var stderr strings.Builder
			cmd.Stderr = &stderr
			dom, err := cmd.Output()
			if err != nil {
				t.Fatalf("chromium: %v\n%s", err, stderr.String())
			}
			for _, line := range strings.Split(stderr.String(), "\n") {
				if strings.Contains(line, "Content Security Policy") {
					t.Errorf("a Content-Security-Policy violation: %s", line)
				}
			}
			doc, err := html.Parse(strings.NewReader(string(dom)))
			if err != nil {
				t.Fatal(err)
			}
			count := map[string]int{}
			var text strings.Builder
			walk(doc, func(n *html.Node) {
				switch n.Type {
				case html.ElementNode:
					count[n.Data]++
					if n.Data == "svg" && n.Namespace != "svg" {
						t.Errorf("an <svg> outside the SVG namespace")
					}
				case html.TextNode:
					text.WriteString(n.Data)
				}
			})
			want := 3
			switch tc.name {
			case "quiet":
				want = 2
			case "empty":
				want = 0
			}
			if count["svg"] != want || count["script"] != 0 || count["img"] != 0 {
				t.Errorf("Chromium's DOM has %d svg, %d script, %d img; want %d svg and neither", count["svg"], count["script"], count["img"], want)
			}
			if want > 0 && count["path"]+count["circle"] == 0 || want > 1 && count["rect"] == 0 {
				t.Errorf("charts without marks: %v", count)
			}
			if strings.HasPrefix(tc.name, "hostile") && !strings.Contains(text.String(), outside(hostile)) {
				t.Errorf("the hostile name is not shown as written")
			}
		})
	}
}
