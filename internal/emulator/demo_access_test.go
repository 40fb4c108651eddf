package emulator

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// The demo Access objects --emulate serves are the documented example's,
// byte for byte, and parse.
func TestDemoAccessIsTheExample(t *testing.T) {
	example, err := os.ReadFile(filepath.Join("..", "..", "examples", "emulator", "access.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(example, demoAccess) {
		t.Fatal("internal/emulator/demo_access.yaml differs from examples/emulator/access.yaml: copy the example over it")
	}
	if a := DemoAccess(); len(a.IdentityProviders) == 0 || len(a.Policies) == 0 {
		t.Fatalf("DemoAccess() = %+v", a)
	}
}
