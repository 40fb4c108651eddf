package cli

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// The package's structure, checked on its source: each command is flags →
// options → one engine call → render (see the package documentation).

// repoRoot is the module's root, from this package's directory.
const repoRoot = "../.."

// sourceFile is one non-test Go file of the module.
type sourceFile struct {
	path string // slash-separated, relative to repoRoot
	file *ast.File
}

// sources parses every non-test Go file under dir (relative to repoRoot).
func sources(t *testing.T, dir string) []sourceFile {
	t.Helper()
	var out []sourceFile
	fset := token.NewFileSet()
	err := filepath.WalkDir(filepath.Join(repoRoot, dir), func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && path != filepath.Join(repoRoot, dir) {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(repoRoot, path)
		out = append(out, sourceFile{filepath.ToSlash(rel), f})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// calls lists the package-qualified calls in n ("reconcile.Plan"), where
// the package is one that f imports under that name.
func calls(n ast.Node) []string {
	var out []string
	ast.Inspect(n, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok {
			return true
		}
		if sel, ok := call.Fun.(*ast.SelectorExpr); ok {
			if id, ok := sel.X.(*ast.Ident); ok {
				out = append(out, id.Name+"."+sel.Sel.Name)
			}
		}
		return true
	})
	return out
}

func imports(f *ast.File) []string {
	var out []string
	for _, imp := range f.Imports {
		p, _ := strconv.Unquote(imp.Path.Value)
		out = append(out, p)
	}
	return out
}

// engineEntries are reconcile's entries, one per command.
var engineEntries = []string{"reconcile.Plan", "reconcile.Apply", "reconcile.Drift"}

// A command calls the engine once: no function of the package calls more
// than one entry (or one entry twice), and the package calls nothing else
// of reconcile but StatusOf (the exit-code table's classification) and
// StatusOfResults (`users reset`'s partial rule, apply's).
func TestOneEngineCallPerCommand(t *testing.T) {
	entriesCalled := 0
	for _, src := range sources(t, "internal/cli") {
		for _, decl := range src.file.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			var entries []string
			for _, c := range calls(fn.Body) {
				switch {
				case slices.Contains(engineEntries, c):
					entries = append(entries, c)
				case strings.HasPrefix(c, "reconcile.") && c != "reconcile.StatusOf" && c != "reconcile.StatusOfResults":
					t.Errorf("%s: %s calls %s: commands call the engine through its entries only (%s)",
						src.path, fn.Name.Name, c, strings.Join(engineEntries, ", "))
				}
			}
			if len(entries) > 1 {
				t.Errorf("%s: %s makes %d engine calls (%s); a command makes one", src.path, fn.Name.Name, len(entries), strings.Join(entries, ", "))
			}
			entriesCalled += len(entries)
		}
	}
	if entriesCalled != len(engineEntries) {
		t.Errorf("%d calls of the engine's entries in the package; want one per entry (plan, apply, drift)", entriesCalled)
	}
}

// fmt and import terraform make one call each into the package that does
// their work, and the package calls none of the steps behind it: reading,
// formatting, converting, writing specs and the handoff, checking targets.
// What is left is theirs: rendering, and writing the outputs the call
// returned, checked (safefile.WriteTarget checks the links again).
func TestFmtAndImportCallOnce(t *testing.T) {
	entries := map[string]string{"fmt": "spec.FormatFiles", "importTerraform": "tfimport.Import"}
	steps := []string{
		"spec.Expand", "spec.ReadFile", "spec.Format", "spec.Write", "spec.Header",
		"tfimport.ReadFile", "tfimport.Parse", "tfimport.WriteHandoff", "safefile.CheckTargets",
	}
	called := map[string]int{}
	for _, src := range sources(t, "internal/cli") {
		for _, decl := range src.file.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			for _, c := range calls(fn.Body) {
				if slices.Contains(steps, c) && !(c == "spec.Write" && src.path == "internal/cli/export.go") {
					t.Errorf("%s: %s calls %s: a step of fmt's or import's work, behind %s or %s",
						src.path, fn.Name.Name, c, entries["fmt"], entries["importTerraform"])
				}
				for name, entry := range entries {
					if c == entry {
						if fn.Name.Name != name {
							t.Errorf("%s: %s calls %s, the entry of %s", src.path, fn.Name.Name, c, name)
						}
						called[name]++
					}
				}
			}
		}
	}
	for name, entry := range entries {
		if called[name] != 1 {
			t.Errorf("%s calls %s %d times; want once", name, entry, called[name])
		}
	}
}

// The CLI neither executes plans nor renders them itself: no import of
// package apply, and none of plan's renderers.
func TestCLIRendersThroughReport(t *testing.T) {
	for _, src := range sources(t, "internal/cli") {
		if slices.Contains(imports(src.file), "github.com/riskctl/riskctl/internal/apply") {
			t.Errorf("%s imports internal/apply: execution is reconcile's (Apply)", src.path)
		}
		for _, c := range calls(src.file) {
			if c == "plan.RenderJSON" || c == "plan.RenderText" || c == "plan.RenderUnmanaged" {
				t.Errorf("%s calls %s: the CLI renders through package report", src.path, c)
			}
		}
		ast.Inspect(src.file, func(n ast.Node) bool {
			if sel, ok := n.(*ast.SelectorExpr); ok {
				if id, ok := sel.X.(*ast.Ident); ok && id.Name == "plan" && sel.Sel.Name == "TextOptions" {
					t.Errorf("%s uses plan.TextOptions: text is package report's", src.path)
				}
			}
			// What apply did, and a plan's notes, are worded by report
			// (WriteApplyResult, WritePartialWarning, WriteSaveNote).
			if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
				for _, words := range []string{"Apply complete", "Apply incomplete", "Warning: partial plan", "Saved the plan", "Not saving the plan"} {
					if strings.Contains(lit.Value, words) {
						t.Errorf("%s: %s: text about a plan or apply is package report's", src.path, lit.Value)
					}
				}
			}
			return true
		})
	}
}

// ANSI escape sequences are written by package report only: one set of
// colour constants, one text style.
func TestOnlyReportWritesANSI(t *testing.T) {
	for _, src := range sources(t, ".") {
		if strings.HasPrefix(src.path, "internal/report/") {
			continue
		}
		ast.Inspect(src.file, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			if s, err := strconv.Unquote(lit.Value); err == nil && strings.ContainsRune(s, 0x1b) {
				t.Errorf("%s: an ANSI escape sequence %s outside package report", src.path, lit.Value)
			}
			return true
		})
	}
}

// One JSON encoder for everything riskctl prints or saves: only package
// textutil constructs one, and the output packages marshal through it
// (plan's fingerprint hashes json.Marshal's bytes and stays as it is).
func TestOneJSONEncoder(t *testing.T) {
	output := []string{"internal/cli/", "internal/report/", "internal/planfile/", "internal/plan/render_json.go"}
	for _, src := range sources(t, ".") {
		isOutput := slices.ContainsFunc(output, func(p string) bool { return strings.HasPrefix(src.path, p) })
		for _, c := range calls(src.file) {
			switch {
			case (c == "json.NewEncoder" || strings.HasSuffix(c, ".SetEscapeHTML")) && !strings.HasPrefix(src.path, "internal/textutil/"):
				t.Errorf("%s: %s: the one JSON encoder is textutil.NewEncoder", src.path, c)
			case isOutput && (c == "json.Marshal" || c == "json.MarshalIndent"):
				t.Errorf("%s: %s: output is encoded with textutil.NewEncoder (JSON, CompactJSON)", src.path, c)
			}
		}
	}
}

// The emulator is started one way (emulator.Start, which emulator.Serve
// uses): --emulate, `emulator serve` and the bench build no server of
// their own.
func TestEmulatorStartsThroughStart(t *testing.T) {
	found := map[string]bool{}
	for _, dir := range []string{"internal/cli", "cmd/riskctl-bench"} {
		for _, src := range sources(t, dir) {
			for _, c := range calls(src.file) {
				switch c {
				case "emulator.New", "net.Listen", "httptest.NewServer":
					t.Errorf("%s calls %s: start the emulator with emulator.Start", src.path, c)
				case "emulator.Start", "emulator.Serve":
					found[src.path+" "+c] = true
				}
			}
			ast.Inspect(src.file, func(n ast.Node) bool {
				if lit, ok := n.(*ast.CompositeLit); ok {
					if sel, ok := lit.Type.(*ast.SelectorExpr); ok && sel.Sel.Name == "Server" {
						t.Errorf("%s builds a %s.Server: start the emulator with emulator.Start", src.path, sel.X)
					}
				}
				return true
			})
		}
	}
	for _, want := range []string{
		"internal/cli/globals.go emulator.Start",  // --emulate
		"internal/cli/emulator.go emulator.Serve", // emulator serve
		"cmd/riskctl-bench/main.go emulator.Start",
	} {
		if !found[want] {
			t.Errorf("no call %s", want)
		}
	}
	serve, err := os.ReadFile(filepath.Join(repoRoot, "internal/emulator/start.go"))
	if err != nil || !strings.Contains(string(serve), "s, err := Start(addr, opts)") {
		t.Errorf("emulator.Serve does not start through Start (%v)", err)
	}
}

// "Not the same file as an input" is judged in one place, safefile's
// output-target rule (CheckTargets): no other package compares files
// itself (plan --out's check goes through it too).
func TestOneSameFileRule(t *testing.T) {
	for _, src := range sources(t, ".") {
		if strings.HasPrefix(src.path, "internal/safefile/") {
			continue
		}
		for _, c := range calls(src.file) {
			if c == "os.SameFile" {
				t.Errorf("%s calls os.SameFile: whether an output is an input is safefile.CheckTargets' rule", src.path)
			}
		}
	}
}
