package state

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The field table is the one place a field's name is spelled: the rest of
// riskctl reaches fields through it (or through its Field* constants), so
// adding a field is one row. This walks the module's non-test Go files
// for a string literal that is the name of a field a spec sets. Wire
// types (internal/remote, the emulator) spell the API's JSON, which is
// theirs, in struct tags, which are not literals here.
func TestFieldNamesAreSpelledOnce(t *testing.T) {
	names := map[string]bool{}
	for _, f := range Fields {
		if f.Role != Computed {
			names[f.Name] = true
		}
	}
	// Packages that speak the wire format or render text, where a name is
	// a word of the output; the text renderers move to internal/report.
	skip := map[string]bool{
		"internal/state": true, "internal/remote": true, "internal/emulator": true,
	}
	root := filepath.Join("..", "..")
	checked := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if rel != "." && (skip[rel] || strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || fileExists(filepath.Join(path, "go.mod"))) {
				return filepath.SkipDir // another module's, or not Go source
			}
			return nil
		}
		if !strings.HasSuffix(rel, ".go") || strings.HasSuffix(rel, "_test.go") || skip[rel] {
			return nil
		}
		checked++
		file, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		ast.Inspect(file, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.Field:
				// A struct tag is a literal, but a wire format's: look at
				// the field's type only.
				ast.Inspect(n.Type, func(m ast.Node) bool { return checkLit(t, rel, m, names) })
				return false
			case *ast.BasicLit:
				checkLit(t, rel, n, names)
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 50 {
		t.Fatalf("looked at %d Go files: the walk is not finding the module", checked)
	}
}

func checkLit(t *testing.T, file string, n ast.Node, names map[string]bool) bool {
	t.Helper()
	lit, ok := n.(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return true
	}
	if s, err := strconv.Unquote(lit.Value); err == nil && names[s] {
		t.Errorf("%s: the field name %s is spelled out; use state.Fields or its Field* constants", file, lit.Value)
	}
	return true
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
