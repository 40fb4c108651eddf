package riskreport

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	gmhtml "github.com/yuin/goldmark/renderer/html"
	"golang.org/x/net/html"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// goldenCases are the reports kept as golden files in testdata/, a
// Markdown and an HTML file each, named after the case; the Mermaid
// parser and Chromium tests check them too.
var goldenCases = []struct {
	name string
	api  func() *fakeAPI
	opts Options
}{
	{"demo", demo, Options{Days: 7, MaxUsers: 10}},
	{"demo-users", demo, Options{Days: 7, MaxUsers: 10, ShowUsers: true}},
	{"cut", demo, Options{Days: 30, MaxUsers: 1}},
	{"quiet", demo, Options{Days: 1, MaxUsers: 10, Now: now.AddDate(0, 1, 0)}}, // no event in the window
	{"empty", func() *fakeAPI { return fixture() }, Options{Days: 30, MaxUsers: 10}},
	{"hostile", hostileAPI, Options{Days: 7, MaxUsers: 10, ShowUsers: true}},
	{"hostile-hidden", hostileAPI, Options{Days: 7, MaxUsers: 10}},
}

// render is the Markdown and the HTML of a golden case.
func render(t *testing.T, api *fakeAPI, opts Options) (md, page string) {
	t.Helper()
	r := collect(t, api, opts)
	var m, h bytes.Buffer
	if err := WriteMarkdown(&m, r); err != nil {
		t.Fatal(err)
	}
	if err := WriteHTML(&h, r); err != nil {
		t.Fatal(err)
	}
	return m.String(), h.String()
}

func TestGolden(t *testing.T) {
	for _, tc := range goldenCases {
		t.Run(tc.name, func(t *testing.T) {
			md, page := render(t, tc.api(), tc.opts)
			golden(t, tc.name+".md", md)
			golden(t, tc.name+".html", page)
		})
	}
}

// docsExample is the example report docs/users.md links to: the demo
// case's Markdown, kept current like a golden file.
const docsExample = "../../docs/users-report-example.md"

func TestDocsExample(t *testing.T) {
	md, _ := render(t, demo(), Options{Days: 7, MaxUsers: 10})
	goldenPath(t, docsExample, "<!-- The output of `riskctl users report --days 7` for four made-up users, "+
		"kept current by `go test ./internal/riskreport -update` (internal/riskreport/golden_test.go). -->\n\n"+md)
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	goldenPath(t, filepath.Join("testdata", name), got)
}

func goldenPath(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test ./internal/riskreport -update writes it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs (go test ./internal/riskreport -update, then review the diff):\n%s", path, got)
	}
}

// mermaidLine is the whole grammar of the Mermaid riskctl writes: a label
// is a double-quoted string of mermaidLabel's characters, nothing else
// from outside appears in a chart.
var mermaidLine = regexp.MustCompile(`^(` +
	`pie showData title [\p{L}\p{M}\p{N} .,_:/@'+()-]+` +
	`|    "` + labelChars + `" : \d+` +
	`|xychart-beta( horizontal)?` +
	`|    title "` + labelChars + `"` +
	`|    x-axis \[("` + labelChars + `"(, "` + labelChars + `")*)\]` +
	`|    y-axis "Events" 0 --> \d+` +
	`|    bar \[\d+(, \d+)*\]` +
	`)$`)

const labelChars = `[\p{L}\p{M}\p{N} .,_:/@'+()-]*`

// mermaidBlocks returns the Mermaid blocks of md, each as its lines.
func mermaidBlocks(t *testing.T, md string) [][]string {
	t.Helper()
	var blocks [][]string
	var cur []string
	in := false
	for _, l := range strings.Split(md, "\n") {
		switch {
		case l == "```mermaid":
			in, cur = true, nil
		case in && l == "```":
			in = false
			blocks = append(blocks, cur)
		case in:
			cur = append(cur, l)
		}
	}
	if in {
		t.Fatalf("an unclosed Mermaid block")
	}
	return blocks
}

// Hostile names (HTML, SVG, Mermaid, Markdown, a line break) stay text in
// every context: the Mermaid blocks keep their grammar, the Markdown
// renders no element of theirs and no extra table cell, the page parses
// to the same elements as a harmless one, the text shown as written.
func TestHostileNames(t *testing.T) {
	for _, show := range []bool{true, false} {
		md, page := render(t, hostileAPI(), Options{Days: 7, MaxUsers: 10, ShowUsers: show})
		blocks := mermaidBlocks(t, md)
		if len(blocks) != 3 {
			t.Errorf("%d Mermaid blocks, want 3 (levels, behaviors, days)", len(blocks))
		}
		for _, b := range blocks {
			for _, l := range b {
				if !mermaidLine.MatchString(l) {
					t.Errorf("Mermaid line outside the grammar: %q", l)
				}
			}
		}
		if strings.Contains(md, "\nINJECTED") || strings.Contains(page, "\nINJECTED") {
			t.Errorf("a name's line break starts a line")
		}
		checkMarkdownHTML(t, md)
		checkPage(t, page, show)
	}
}

// checkMarkdownHTML renders md as GitHub does (GFM, raw HTML allowed) and
// checks that it holds only the report's own elements, and that every
// table row has as many cells as its header.
func checkMarkdownHTML(t *testing.T, md string) {
	t.Helper()
	var out bytes.Buffer
	gfm := goldmark.New(goldmark.WithExtensions(extension.GFM), goldmark.WithRendererOptions(gmhtml.WithUnsafe()))
	if err := gfm.Convert([]byte(md), &out); err != nil {
		t.Fatal(err)
	}
	doc, err := html.Parse(&out)
	if err != nil {
		t.Fatal(err)
	}
	allowed := map[string]bool{"html": true, "head": true, "body": true, "h2": true, "h3": true, "p": true, "blockquote": true,
		"pre": true, "code": true, "table": true, "thead": true, "tbody": true, "tr": true, "th": true, "td": true, "br": true, "strong": true}
	cells := -1
	walk(doc, func(n *html.Node) {
		if n.Type != html.ElementNode {
			return
		}
		if !allowed[n.Data] {
			t.Errorf("the Markdown renders a <%s> element", n.Data)
		}
		if n.Data == "tr" {
			c, first := 0, ""
			for k := n.FirstChild; k != nil; k = k.NextSibling {
				if k.Type == html.ElementNode {
					if c == 0 {
						first = k.Data
					}
					c++
				}
			}
			if first == "th" {
				cells = c
			} else if c != cells {
				t.Errorf("a table row of %d cells under a header of %d", c, cells)
			}
		}
	})
}

// checkPage parses the HTML page: three SVG charts and the report's own
// elements only, no script, the hostile text shown as written (with
// textutil.Visible's escape of the line break) and identities only when
// shown.
func checkPage(t *testing.T, page string, show bool) {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	var text strings.Builder
	walk(doc, func(n *html.Node) {
		switch n.Type {
		case html.ElementNode:
			count[n.Data]++
			for _, a := range n.Attr {
				if strings.HasPrefix(a.Key, "on") || strings.Contains(a.Val, "javascript:") {
					t.Errorf("<%s %s=%q>", n.Data, a.Key, a.Val)
				}
			}
		case html.TextNode:
			text.WriteString(n.Data)
		}
	})
	if count["svg"] != 3 || count["script"] != 0 || count["img"] != 0 || count["a"] != 0 {
		t.Errorf("elements %v: want 3 svg, no script, img or a", count)
	}
	shown := outside(hostile)
	if !strings.Contains(text.String(), shown) {
		t.Errorf("the page's text lacks the hostile name as written, %q", shown)
	}
	if got := strings.Contains(text.String(), shown+"@example.com"); got != show {
		t.Errorf("the hostile email shown: %v, want %v", got, show)
	}
	if !strings.Contains(page, `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'sha256-`) {
		t.Errorf("no Content-Security-Policy")
	}
}

func walk(n *html.Node, f func(*html.Node)) {
	f(n)
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		walk(c, f)
	}
}

// Without ShowUsers no name, email or user id reaches either format;
// with it, they do.
func TestShowUsers(t *testing.T) {
	for _, show := range []bool{false, true} {
		md, page := render(t, demo(), Options{Days: 7, MaxUsers: 10, ShowUsers: show})
		for _, secret := range []string{"ada@example.com", "Ada Lovelace", "grace@example.com", "Grace Hopper", "00000000-0000-4000-8000-000000000001"} {
			for format, out := range map[string]string{"markdown": md, "html": page} {
				if strings.Contains(out, secret) && !show {
					t.Errorf("%s shows %q without ShowUsers", format, secret)
				}
			}
		}
		for _, id := range []string{"ada@example.com", "Grace Hopper"} {
			if show && (!strings.Contains(md, id) || !strings.Contains(page, id)) {
				t.Errorf("with ShowUsers, %q missing", id)
			}
		}
	}
}

func TestMermaidLabel(t *testing.T) {
	for in, want := range map[string]string{
		"Impossible Travel":     "Impossible Travel",
		`a"b`:                   "a_b",
		"x]y[z":                 "x_y_z",
		"%%{init:{}}%%":         "___init:_____",
		"#quot;":                "_quot_",
		"a`b<c>d":               "a_b_c_d",
		"line\nbreak":           "line break",
		"Zoë Ørsted":            "Zoë Ørsted",
		strings.Repeat("x", 50): strings.Repeat("x", maxLabel-1) + "_", // the ellipsis too
	} {
		if got := mermaidLabel(in); got != want {
			t.Errorf("mermaidLabel(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMDCode(t *testing.T) {
	for in, want := range map[string]string{
		"":          "-",
		"plain":     "`plain`",
		"a|b":       "`a\\|b`",
		"a`b":       "``a`b``",
		"`x":        "`` `x ``",
		"<b>\nnext": "`<b> next`",
	} {
		if got := mdCode(in); got != want {
			t.Errorf("mdCode(%q) = %q, want %q", in, got, want)
		}
	}
}

// Two behaviors whose labels come out alike get distinct labels, or the
// chart would draw their bars in one place.
func TestMermaidLabelsDistinct(t *testing.T) {
	got := mermaidBars("t", true, []string{"a_b", "a_b", "c", "a_b"}, []int{3, 2, 1, 1})
	if !strings.Contains(got, `x-axis ["a_b", "a_b (2)", "c", "a_b (3)"]`) {
		t.Errorf("labels not made distinct:\n%s", got)
	}
}
