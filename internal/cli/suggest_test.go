package cli

import (
	"slices"
	"testing"
)

func TestEditDistance(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"plan", "plan", 0},
		{"plna", "plan", 1}, // a swapped pair counts one
		{"aply", "apply", 1},
		{"lsit", "list", 1},
		{"serv", "serve", 1},
		{"detailed-exitcod", "detailed-exitcode", 1},
		{"frobnicate", "fmt", 8},
		{"ça", "ac", 2}, // runes, not bytes
	} {
		if got := editDistance(tc.a, tc.b); got != tc.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestSuggest(t *testing.T) {
	commands := []string{"validate", "plan", "apply", "drift", "fmt", "export", "import", "schema", "users", "version", "help"}
	for _, tc := range []struct {
		typed      string
		candidates []string
		want       []string
	}{
		{"plna", commands, []string{"plan"}},
		{"PLAN", commands, []string{"plan"}},
		{"aply", commands, []string{"apply"}},
		{"valdate", commands, []string{"validate"}},
		{"frobnicate", commands, nil},
		{"p", commands, nil}, // one or two letters are near everything
		{"fm", commands, nil},
		{"F", []string{"f", "file"}, []string{"f"}},
		{"sch", commands, []string{"schema"}}, // a prefix
		// Ties: all of them, in the given order.
		{"form", []string{"file", "format", "formats"}, []string{"format", "formats"}},
		{"fromat", []string{"file", "format", "force"}, []string{"format"}},
		{"for", []string{"file", "format", "force"}, []string{"format", "force"}},
		{"lsit", []string{"list", "show", "list"}, []string{"list"}},
	} {
		if got := suggest(tc.typed, tc.candidates); !slices.Equal(got, tc.want) {
			t.Errorf("suggest(%q) = %q, want %q", tc.typed, got, tc.want)
		}
	}
}
