package process_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// Fixed identities of the emulated account. The token is fake.
const (
	scriptAccount = "5b5e6c8a1f2d4e3b9a7c6d5e4f3a2b1c"
	scriptToken   = "test-token-3f9c2a7e51"
)

var (
	binDir    string // holds the binary; removed when the tests end
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// riskctlBinary builds riskctl (the module's main package, by import path,
// so from any directory) once per test run.
func riskctlBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		binDir, buildErr = os.MkdirTemp("", "riskctl-bin-")
		if buildErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "riskctl")
		out, err := exec.Command("go", "build", "-o", binPath, "github.com/riskctl/riskctl").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}
