package textutil

import "testing"

func TestMarkdownCodeSpan(t *testing.T) {
	for in, want := range map[string]string{
		"a":       "`a`",
		"a`b":     "``a`b``",
		"``x":     "``` ``x ```",
		" a ":     "`  a  `", // one space each side is stripped again
		"   ":     "`   `",
		"x ``` y": "````x ``` y````",
	} {
		if got := MarkdownCodeSpan(in); got != want {
			t.Errorf("MarkdownCodeSpan(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{"": "```", "a``b": "```", "a````b": "`````"} {
		if got := MarkdownFence(in); got != want {
			t.Errorf("MarkdownFence(%q) = %q, want %q", in, got, want)
		}
	}
}
