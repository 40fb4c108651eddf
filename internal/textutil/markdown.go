package textutil

import "strings"

// MarkdownCodeSpan wraps s, already escaped for where it goes, in a
// Markdown code span: a fence of one backtick more than the longest run of
// backticks inside, and a space each side where s begins or ends with a
// backtick or is padded with spaces (CommonMark strips one space each side
// again). Inside a code span nothing is markup.
func MarkdownCodeSpan(s string) string {
	fence := strings.Repeat("`", longestBacktickRun(s)+1)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") ||
		(strings.HasPrefix(s, " ") && strings.HasSuffix(s, " ") && strings.Trim(s, " ") != "") {
		s = " " + s + " "
	}
	return fence + s + fence
}

// MarkdownFence is the fence of a fenced code block holding text: at
// least three backticks, and more than the longest run inside.
func MarkdownFence(text string) string {
	return strings.Repeat("`", max(longestBacktickRun(text), 2)+1)
}

func longestBacktickRun(s string) int {
	longest, run := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	return longest
}
