package remote

import (
	"os"
	"slices"
	"strings"
	"testing"
)

// TestModuleRequirements keeps out of the main module what riskctl does not
// use: cloudflare-go (with every Cloudflare service package) is needed only
// by the SDK conformance test, which is its own module in test/sdk, and
// golang.org/x/time only by a rate cap the Budget made redundant.
func TestModuleRequirements(t *testing.T) {
	required := requirements(t, "../../go.mod")
	if !slices.Contains(required, "github.com/hashicorp/go-retryablehttp") {
		t.Fatalf("go.mod parsed to %q, which lacks go-retryablehttp: is the parser wrong?", required)
	}
	banned := []struct{ path, why string }{
		{"github.com/cloudflare/cloudflare-go", "the SDK is required by test/sdk/go.mod only"},
		{"golang.org/x/time", "the Budget paces requests"},
	}
	for _, path := range required {
		for _, b := range banned {
			if path == b.path || strings.HasPrefix(path, b.path+"/") {
				t.Errorf("go.mod requires %s: %s", path, b.why)
			}
		}
	}
	// The conformance test did not just disappear.
	sdk := requirements(t, "../../test/sdk/go.mod")
	if !slices.Contains(sdk, "github.com/cloudflare/cloudflare-go/v7") {
		t.Errorf("test/sdk/go.mod requires %q, not cloudflare-go/v7", sdk)
	}
}

// requirements returns the module paths of a go.mod's require directives,
// in blocks or on one line, direct or indirect.
func requirements(t *testing.T, name string) []string {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	inBlock := false
	for line := range strings.Lines(string(data)) {
		if i := strings.Index(line, "//"); i >= 0 {
			line = line[:i]
		}
		f := strings.Fields(line)
		switch {
		case len(f) == 0:
		case inBlock && f[0] == ")":
			inBlock = false
		case inBlock:
			paths = append(paths, strings.Trim(f[0], `"`))
		case f[0] == "require" && len(f) == 2 && f[1] == "(":
			inBlock = true
		case f[0] == "require" && len(f) >= 3:
			paths = append(paths, strings.Trim(f[1], `"`))
		}
	}
	return paths
}
