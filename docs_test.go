package main

import (
	"go/parser"
	gotoken "go/token"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// A code comment says where a fact or a rule comes from, and a contributor
// must be able to follow it: every Markdown file a comment cites (a docs/ page,
// README.md, BENCHMARKS.md, ...) must exist in this repository, and a cited
// #section must be a heading of that file. Notes kept outside the
// repository may not be cited at all: their facts are restated, with their
// public sources, in docs/api.md.

// citedDoc matches a cited Markdown file of the repository, with an
// optional section: docs/api.md#rate-limits, BENCHMARKS.md.
var citedDoc = regexp.MustCompile(`(?:^|[^\w/.-])((?:docs/[\w.-]+|[A-Z][A-Z_]*)\.md)(#[\w-]+)?`)

// outsideNotes are citations of files that are not in the repository.
var outsideNotes = regexp.MustCompile(`notes ?§|\bnotes\.md\b|\bdesign\.md\b|\bterraform-state\.md\b`)

// section is a numbered-section sign; after "RFC NNNN " it cites a public
// RFC, anywhere else the numbering of notes outside the repository,
// whatever comes before it (a comma after "notes", or "notes" ending the
// line above).
var (
	section    = regexp.MustCompile(`§`)
	rfcSection = regexp.MustCompile(`RFC \d+ $`)
)

// notesSection returns text from its first section sign that is not an
// RFC's, or "".
func notesSection(text string) string {
	for _, loc := range section.FindAllStringIndex(text, -1) {
		if !rfcSection.MatchString(text[:loc[0]]) {
			end := min(loc[1]+8, len(text))
			return text[loc[0]:end]
		}
	}
	return ""
}

func TestCommentsCiteRepositoryFiles(t *testing.T) {
	headings := map[string]map[string]bool{} // file → its section anchors
	fset := gotoken.NewFileSet()
	err := filepath.WalkDir(".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != "." && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") {
			return nil
		}
		f, err := parser.ParseFile(fset, p, nil, parser.ParseComments)
		if err != nil {
			return err
		}
		for _, group := range f.Comments {
			for _, c := range group.List {
				where := fset.Position(c.Slash)
				if m := outsideNotes.FindString(c.Text); m != "" {
					t.Errorf("%s:%d: cites %q, which is not in this repository: cite the docs/ page that states the fact (docs/api.md)", where.Filename, where.Line, m)
				} else if m := notesSection(c.Text); m != "" {
					t.Errorf("%s:%d: cites a section %q of notes that are not in this repository: cite the docs/ page that states the fact (docs/api.md#…)", where.Filename, where.Line, m)
				}
				for _, m := range citedDoc.FindAllStringSubmatch(c.Text, -1) {
					checkCitation(t, headings, where, m[1], strings.TrimPrefix(m[2], "#"))
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestDocLinks: the relative links of README.md, the root *.md files and
// docs/*.md lead to files of the repository and, with a #section, to a
// heading of the file.
func TestDocLinks(t *testing.T) {
	docs, _ := filepath.Glob("*.md")
	more, _ := filepath.Glob(filepath.Join("docs", "*.md"))
	docs = append(docs, more...)
	headings := map[string]map[string]bool{}
	link := regexp.MustCompile(`\]\(([^)\s]+)\)`)
	for _, doc := range docs {
		text, err := os.ReadFile(doc)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(text), "\n") {
			for _, m := range link.FindAllStringSubmatch(line, -1) {
				target := m[1]
				if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
					continue
				}
				file, anchor, _ := strings.Cut(target, "#")
				if file == "" {
					file = doc
				} else {
					file = path.Join(path.Dir(filepath.ToSlash(doc)), file)
				}
				checkCitation(t, headings, gotoken.Position{Filename: doc, Line: i + 1}, file, anchor)
			}
		}
	}
}

// checkCitation reports a cited file that does not exist, or a section
// that is not one of its headings' anchors.
func checkCitation(t *testing.T, headings map[string]map[string]bool, where gotoken.Position, file, anchor string) {
	t.Helper()
	if _, err := os.Stat(filepath.FromSlash(file)); err != nil {
		t.Errorf("%s:%d: cites %s, which does not exist", where.Filename, where.Line, file)
		return
	}
	if anchor == "" || !strings.HasSuffix(file, ".md") {
		return
	}
	if headings[file] == nil {
		text, err := os.ReadFile(filepath.FromSlash(file))
		if err != nil {
			t.Fatal(err)
		}
		headings[file] = anchors(string(text))
	}
	if !headings[file][anchor] {
		t.Errorf("%s:%d: cites %s#%s, but %s has no such heading", where.Filename, where.Line, file, anchor, file)
	}
}

// anchors returns the anchors GitHub gives a Markdown file's headings:
// lower case, punctuation dropped, spaces as hyphens, "-1", "-2" on
// repeats. Headings inside fenced code blocks do not count.
func anchors(markdown string) map[string]bool {
	got := map[string]bool{}
	seen := map[string]int{}
	fenced := false
	for _, line := range strings.Split(markdown, "\n") {
		if strings.HasPrefix(line, "```") {
			fenced = !fenced
			continue
		}
		if fenced || !strings.HasPrefix(line, "#") {
			continue
		}
		title := strings.TrimSpace(strings.TrimLeft(line, "#"))
		var b strings.Builder
		for _, r := range strings.ToLower(title) {
			switch {
			case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-', r == '_':
				b.WriteRune(r)
			case r == ' ':
				b.WriteRune('-')
			}
		}
		slug := b.String()
		if n := seen[slug]; n > 0 {
			got[slug+"-"+strconv.Itoa(n)] = true
		} else {
			got[slug] = true
		}
		seen[slug]++
	}
	return got
}
