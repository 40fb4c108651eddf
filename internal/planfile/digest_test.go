package planfile

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"
)

func TestSpecDigest(t *testing.T) {
	dir := t.TempDir()
	a := writeSpec(t, dir, "a.yaml", "version: 1\n")
	b := writeSpec(t, dir, "b.yaml", "prune: false\n")
	base := specDigest(t, a, b)
	if !regexp.MustCompile(`^sha256:[0-9a-f]{64}$`).MatchString(base) {
		t.Fatalf("digest %q is not sha256:<hex>", base)
	}
	if again := specDigest(t, a, b); again != base {
		t.Errorf("digest not stable: %s then %s", base, again)
	}

	// Another path to the same content.
	c := writeSpec(t, dir, "c.yaml", "version: 1\n")
	if specDigest(t, c, b) == base {
		t.Errorf("renaming a file does not change the digest")
	}
	// The same file named another way is another path, as given.
	rel, err := filepath.Rel(".", a)
	if err == nil && rel != a {
		if specDigest(t, rel, b) == base {
			t.Errorf("the path as given is not hashed")
		}
	}
	if specDigest(t, b, a) == base {
		t.Errorf("reordering files does not change the digest")
	}
	if specDigest(t, a) == base {
		t.Errorf("dropping a file does not change the digest")
	}
	// Moving bytes from one file to the other is a change too.
	writeSpec(t, dir, "a.yaml", "version: 1\nprune: false")
	writeSpec(t, dir, "b.yaml", "\n")
	if specDigest(t, a, b) == base {
		t.Errorf("moving content between files does not change the digest")
	}

	writeSpec(t, dir, "a.yaml", "version: 1\n")
	writeSpec(t, dir, "b.yaml", "prune: true\n")
	if specDigest(t, a, b) == base {
		t.Errorf("changing content does not change the digest")
	}
	writeSpec(t, dir, "b.yaml", "prune: false\n")
	if specDigest(t, a, b) != base {
		t.Errorf("restoring the content does not restore the digest")
	}
	// The modification time is not part of it.
	if err := os.Chtimes(a, time.Unix(0, 0), time.Unix(0, 0)); err != nil {
		t.Fatal(err)
	}
	if specDigest(t, a, b) != base {
		t.Errorf("the modification time changes the digest")
	}
}

func TestSpecDigestErrors(t *testing.T) {
	if _, err := SpecDigest(nil); err == nil {
		t.Errorf("SpecDigest(nil) succeeded")
	}
	missing := filepath.Join(t.TempDir(), "missing.yaml")
	if _, err := SpecDigest([]string{missing}); err == nil {
		t.Errorf("SpecDigest of a missing file succeeded")
	}
	if _, err := SpecDigest([]string{t.TempDir()}); err == nil {
		t.Errorf("SpecDigest of a directory succeeded")
	}
}
