package kit_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// mapRow is a row of the package map: its first cell names a directory,
// e.g. "| `internal/cli` | ...".
var mapRow = regexp.MustCompile("^\\| `((?:internal|cmd|test)/[^`]+)`")

// TestDevelopmentPackageMap keeps docs/development.md's package map true:
// every directory under internal/, cmd/ and test/ that holds Go code has
// a row, and every row names such a directory. A new package, a moved
// one or a removed one fails here until the map says so.
func TestDevelopmentPackageMap(t *testing.T) {
	data, err := os.ReadFile("docs/development.md")
	if err != nil {
		t.Fatal(err)
	}
	mapped, err := packageMap(string(data))
	if err != nil {
		t.Fatal(err)
	}
	var dirs []string
	for _, top := range []string{"internal", "cmd", "test"} {
		found, err := goPackageDirs(top)
		if err != nil {
			t.Fatal(err)
		}
		dirs = append(dirs, found...)
	}
	for _, d := range dirs {
		if !slices.Contains(mapped, d) {
			t.Errorf("docs/development.md's package map has no row for %s: add one with its one job (from its package doc)", d)
		}
	}
	for _, m := range mapped {
		if !slices.Contains(dirs, m) {
			t.Errorf("docs/development.md's package map names %s, which is no directory with Go code: remove or rename the row", m)
		}
	}
}

// TestPackageMapParse checks that the map is found and read row by row, so
// that TestDevelopmentPackageMap cannot pass by reading nothing.
func TestPackageMapParse(t *testing.T) {
	doc := "# x\n\n## Package map\n\n| Package | Job |\n|---|---|\n" +
		"| `.` (`main.go`) | main |\n| `internal/cli` | cli |\n| `test/kit` | kit |\n\n## Next\n\n| `internal/other` | not in the map |\n"
	got, err := packageMap(doc)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"internal/cli", "test/kit"}; !slices.Equal(got, want) {
		t.Errorf("packageMap = %q, want %q", got, want)
	}
	if _, err := packageMap("# no map here\n"); err == nil {
		t.Error("packageMap of a page without the section: no error")
	}
}

// packageMap returns the directories named in the first cell of the rows
// of the "## Package map" section, in order.
func packageMap(doc string) ([]string, error) {
	_, section, ok := strings.Cut(doc, "\n## Package map\n")
	if !ok {
		return nil, fs.ErrNotExist
	}
	if end := strings.Index(section, "\n## "); end >= 0 {
		section = section[:end]
	}
	var dirs []string
	for line := range strings.Lines(section) {
		if m := mapRow.FindStringSubmatch(line); m != nil {
			dirs = append(dirs, m[1])
		}
	}
	if len(dirs) == 0 {
		return nil, fs.ErrNotExist
	}
	return dirs, nil
}

// goPackageDirs lists the directories under top (slash-separated, from
// the repository root) that hold a .go file, skipping testdata, as the go
// tool does.
func goPackageDirs(top string) ([]string, error) {
	var dirs []string
	err := filepath.WalkDir(top, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); name == "testdata" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(path, ".go") {
			dir := filepath.ToSlash(filepath.Dir(path))
			if !slices.Contains(dirs, dir) {
				dirs = append(dirs, dir)
			}
		}
		return nil
	})
	return dirs, err
}
