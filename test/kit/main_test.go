package kit_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// The tests name the files they check as the repository spells them
// (".github/workflows/riskctl-pr.yml", "go.mod"), so they run in its root.
func TestMain(m *testing.M) {
	root, err := repoRoot()
	if err == nil {
		err = os.Chdir(root)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "test/kit:", err)
		os.Exit(2)
	}
	os.Exit(m.Run())
}

// repoRoot walks up from the working directory (go test runs a test in its
// package's directory) to the go.mod of module github.com/riskctl/riskctl.
// A nested module's go.mod on the way is passed over.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && bytes.HasPrefix(data, []byte("module github.com/riskctl/riskctl\n")) {
			return dir, nil
		}
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return "", err
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod of module github.com/riskctl/riskctl above the working directory")
		}
		dir = parent
	}
}
