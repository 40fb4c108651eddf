package textutil

import (
	"bytes"
	"testing"
)

// The one encoder leaves HTML characters as they are (terminals and CI
// logs are not HTML pages), indents by two spaces and ends in a newline;
// CompactJSON is the same on one line, without it.
func TestJSONEncoder(t *testing.T) {
	v := map[string]any{"url": "https://a.okta.com/?a=1&b=<2>", "n": []int{1}}
	var b bytes.Buffer
	if err := NewEncoder(&b).Encode(v); err != nil {
		t.Fatal(err)
	}
	want := "{\n  \"n\": [\n    1\n  ],\n  \"url\": \"https://a.okta.com/?a=1&b=<2>\"\n}\n"
	if b.String() != want {
		t.Errorf("NewEncoder wrote\n%s\nwant\n%s", b.String(), want)
	}
	if got, err := JSON(v); err != nil || string(got) != want {
		t.Errorf("JSON = %q, %v", got, err)
	}
	compact := `{"n":[1],"url":"https://a.okta.com/?a=1&b=<2>"}`
	if got, err := CompactJSON(v); err != nil || string(got) != compact {
		t.Errorf("CompactJSON = %q, %v; want %q", got, err, compact)
	}
}
