package safefile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// TestWriteTargetDirectorySwapped: a directory of the path swapped for a
// symbolic link between WriteTarget's look at it and its open, to a
// directory inside the working directory or outside it, makes the write
// fail with a *LinkError; nothing is written through the link.
func TestWriteTargetDirectorySwapped(t *testing.T) {
	for _, target := range []string{"inside", "OUTSIDE"} {
		t.Run(target, func(t *testing.T) {
			outside := t.TempDir()
			t.Chdir(t.TempDir())
			for _, d := range []string{"a/out", "inside"} {
				if err := os.MkdirAll(d, 0o755); err != nil {
					t.Fatal(err)
				}
			}
			link := filepath.Join("..", "inside") // from a/: ./inside
			if target == "OUTSIDE" {
				link = outside
			}
			testHookOpenDir = func(name string) {
				if name != "out" {
					return
				}
				if err := os.Remove("a/out"); err != nil {
					t.Error(err)
				}
				if err := os.Symlink(link, "a/out"); err != nil {
					t.Error(err)
				}
			}
			t.Cleanup(func() { testHookOpenDir = nil })
			err := WriteTarget("a/out/f.yaml", []byte("x"), 0o644, true)
			var le *LinkError
			if !errors.As(err, &le) || le.Link != filepath.Join("a", "out") {
				t.Errorf("WriteTarget = %v, want a LinkError naming a/out", err)
			}
			for _, d := range []string{"inside", outside} {
				if entries, _ := os.ReadDir(d); len(entries) != 0 {
					t.Errorf("written through the link into %s: %v", d, entries)
				}
			}
		})
	}
}

func TestWriteTargetCreatesAndReplaces(t *testing.T) {
	t.Chdir(t.TempDir())
	if err := WriteTarget("a/b/f.yaml", []byte("one"), 0o640, false); err != nil {
		t.Fatal(err)
	}
	if err := WriteTarget("a/b/f.yaml", []byte("two"), 0o640, false); !errors.Is(err, fs.ErrExist) {
		t.Errorf("WriteTarget over a file without replace = %v, want an exists error", err)
	}
	if err := WriteTarget("a/./b/../b/f.yaml", []byte("two"), 0o640, true); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile("a/b/f.yaml"); string(data) != "two" {
		t.Errorf("file holds %q", data)
	}
	if info, _ := os.Stat("a/b/f.yaml"); info.Mode().Perm() != 0o640 {
		t.Errorf("mode %v", info.Mode())
	}
	if entries, _ := os.ReadDir("a/b"); len(entries) != 1 {
		t.Errorf("a temporary file was left: %v", entries)
	}
	wd, _ := os.Getwd()
	if err := WriteTarget(filepath.Join(wd, "abs.yaml"), []byte("abs"), 0o644, false); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("a/b/f.yaml", "link.yaml"); err != nil {
		t.Fatal(err)
	}
	var le *LinkError
	if err := WriteTarget("link.yaml", []byte("x"), 0o644, true); !errors.As(err, &le) || !le.IsTarget() {
		t.Errorf("WriteTarget over a link = %v, want a LinkError for the file", err)
	}
}

func TestCheckTargets(t *testing.T) {
	t.Chdir(t.TempDir())
	if err := os.WriteFile("in.json", nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir("d", 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("d", "ld"); err != nil {
		t.Fatal(err)
	}
	var (
		le *LinkError
		se *SameFileError
		ee *ExistError
	)
	if err := CheckTargets([]string{"d/x", "ld/y"}, nil, true); !errors.As(err, &le) || le.Link != "ld" || le.Path != "ld/y" {
		t.Errorf("through a link: %v", err)
	}
	if err := CheckTargets([]string{"d/x", "d/../d/x"}, nil, true); !errors.As(err, &se) || se.Index != 1 || se.Other != 0 || se.Input {
		t.Errorf("two spellings: %v", err)
	}
	if err := CheckTargets([]string{"./in.json"}, []string{"in.json"}, true); !errors.As(err, &se) || !se.Input {
		t.Errorf("an input: %v", err)
	}
	if err := os.Symlink("in.json", "lin.json"); err != nil {
		t.Fatal(err)
	}
	// A link to an input is refused as the input: the more telling reason.
	if err := CheckTargets([]string{"lin.json"}, []string{"in.json"}, true); !errors.As(err, &se) || !se.Input {
		t.Errorf("a link to an input: %v", err)
	}
	if err := CheckTargets([]string{"ld/../in.json"}, []string{"in.json"}, true); !errors.As(err, &se) || !se.Input {
		t.Errorf("an input through a linked directory: %v", err)
	}
	if err := CheckTargets([]string{"in.json", "d/new"}, nil, false); !errors.As(err, &ee) || len(ee.Paths) != 1 || !errors.Is(err, fs.ErrExist) {
		t.Errorf("existing: %v", err)
	}
	if err := CheckTargets([]string{"d/new", "n/e/w"}, []string{"in.json"}, false); err != nil {
		t.Errorf("new files: %v", err)
	}
}

// OpenTarget opens in place, through no link: not the file's, not a
// directory's, even one swapped in after the look (as WriteTarget).
func TestOpenTarget(t *testing.T) {
	t.Chdir(t.TempDir())
	f, err := OpenTarget("a/b/lock", 0o644)
	if err != nil {
		t.Fatal(err)
	}
	_ = f.Close()
	if info, err := os.Lstat("a/b/lock"); err != nil || !info.Mode().IsRegular() {
		t.Fatalf("a/b/lock: %v %v", info, err)
	}
	if err := os.Symlink("a/b/lock", "link"); err != nil {
		t.Fatal(err)
	}
	var le *LinkError
	if f, err := OpenTarget("link", 0o644); !errors.As(err, &le) || !le.IsTarget() {
		if f != nil {
			_ = f.Close()
		}
		t.Errorf("OpenTarget(link) = %v, want a LinkError for the file", err)
	}
	if err := os.Mkdir("other", 0o755); err != nil {
		t.Fatal(err)
	}
	testHookOpenDir = func(name string) {
		if name != "b" {
			return
		}
		if err := os.RemoveAll("a/b"); err != nil {
			t.Error(err)
		}
		if err := os.Symlink("../other", "a/b"); err != nil {
			t.Error(err)
		}
	}
	t.Cleanup(func() { testHookOpenDir = nil })
	if f, err := OpenTarget("a/b/lock", 0o644); !errors.As(err, &le) || le.Link != filepath.Join("a", "b") {
		if f != nil {
			_ = f.Close()
		}
		t.Errorf("OpenTarget through a swapped directory = %v, want a LinkError naming a/b", err)
	}
	if entries, _ := os.ReadDir("other"); len(entries) != 0 {
		t.Errorf("opened through the link: %v", entries)
	}
}
