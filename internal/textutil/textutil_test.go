package textutil

import "testing"

func TestJoinLines(t *testing.T) {
	for _, tt := range []struct{ in, sep, want string }{
		{"", " ", ""},
		{"no break", " · ", "no break"},
		{"a\nb", " ", "a b"},
		{"a\r\nb", " ", "a b"},
		{"a\rb", " ", "a b"},
		{"a\r\r\nb\n\n", " · ", "a ·  · b ·  · "},
		{"a\r\nb\rc", "\n", "a\nb\nc"},
	} {
		if got := JoinLines(tt.in, tt.sep); got != tt.want {
			t.Errorf("JoinLines(%q, %q) = %q, want %q", tt.in, tt.sep, got, tt.want)
		}
	}
	if got, want := OneLine("x\r\ny\nz"), "x y z"; got != want {
		t.Errorf("OneLine = %q, want %q", got, want)
	}
}
