package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"testing"
)

var (
	codeHTML  = regexp.MustCompile(`(?s)<pre><code[^>]*>.*?</code></pre>|<code>.*?</code>`)
	ownMarker = regexp.MustCompile(`<!-- riskctl:(plan|drift|apply) account=[A-Za-z0-9._-]+ -->`)
)

// outsideCode is the HTML GitHub would show for md with every code block
// and span, and riskctl's own markers, taken out: what is left is live.
func outsideCode(t *testing.T, md string) string {
	t.Helper()
	return ownMarker.ReplaceAllString(codeHTML.ReplaceAllString(renderHTML(t, md), ""), "")
}

// The delete-limit refusal is the same short content in Markdown, JSON and
// the GitHub output: the sentence once, the first 10 names, "… and 9
// more"; its hostile names are inert in the Markdown.
func TestRefusalSameEverywhere(t *testing.T) {
	r := refusedReport(t)
	md := markdown(t, r, 0)
	caution, _, ok := strings.Cut(md, "<!-- riskctl:plan account=")
	if !ok || !strings.HasPrefix(caution, "> [!CAUTION]\n") {
		t.Fatalf("the Markdown does not open with the caution:\n%s", md)
	}
	// The weakening banner follows the caution: it is not the refusal.
	caution, _, _ = strings.Cut(caution, "\n\n> [!WARNING]\n")
	var js bytes.Buffer
	if err := WriteJSON(&js, r, exitCodes); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		ApplyRefusal string `json:"apply_refusal"`
		DeleteLimit  struct {
			Message string   `json:"message"`
			Deletes int      `json:"deletes"`
			Limit   int      `json:"limit"`
			Names   []string `json:"names"`
			More    int      `json:"more"`
		} `json:"delete_limit"`
	}
	if err := json.Unmarshal(js.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	outputs := Outputs(r, 4, "refused")
	_, gh, _ := strings.Cut(outputs, "\napply_refusal=")
	if strings.Count(gh, "\n") != 1 || !strings.HasSuffix(gh, "\n") {
		t.Fatalf("apply_refusal is not one line at the end:\n%s", outputs)
	}
	gh = strings.TrimSuffix(gh, "\n")

	dl := doc.DeleteLimit
	if dl.Deletes != 19 || dl.Limit != 3 || len(dl.Names) != 10 || dl.More != 9 {
		t.Errorf("delete_limit = %+v, want 19 deletes, limit 3, 10 names, 9 more", dl)
	}
	if doc.ApplyRefusal != gh {
		t.Errorf("JSON apply_refusal %q\n!= GitHub output %q", doc.ApplyRefusal, gh)
	}
	for what, s := range map[string]string{"Markdown": caution, "JSON": doc.ApplyRefusal, "GitHub output": gh} {
		if strings.Count(s, dl.Message) != 1 || !strings.HasPrefix(dl.Message, "the plan deletes 19 integrations") {
			t.Errorf("%s: the sentence %q is not there once:\n%s", what, dl.Message, s)
		}
		if strings.Count(s, "… and 9 more") != 1 {
			t.Errorf("%s: no \"… and 9 more\":\n%s", what, s)
		}
		for _, name := range dl.Names {
			if !strings.Contains(s, name) {
				t.Errorf("%s: does not name %q", what, name)
			}
		}
		for _, hidden := range []string{"idp-old-03", "\x1b", "\n### forged"} {
			if strings.Contains(s, hidden) {
				t.Errorf("%s: holds %q", what, hidden)
			}
		}
	}
	live := outsideCode(t, md)
	for _, s := range []string{"<!--", "octocat", "<img", "onerror", "forged", "idp-rep-00 (https"} {
		if strings.Contains(live, s) {
			t.Errorf("the Markdown shows %q outside code:\n%s", s, live)
		}
	}
	if !strings.Contains(renderHTML(t, md), "&lt;img src=x onerror=alert(1)&gt;") {
		t.Errorf("the hostile name is not shown as text")
	}
}

// A refusal other than the delete limit is shown the same way: fenced,
// its lines visible.
func TestRefusalOtherError(t *testing.T) {
	r := Report{Kind: KindPlan, ApplyRefusal: errors.New("refused: <img src=x>\n@octocat\x1b[31m")}
	md := markdown(t, r, 0)
	if live := outsideCode(t, md); strings.Contains(live, "<img") || strings.Contains(live, "octocat") {
		t.Errorf("shown outside code:\n%s", live)
	}
	if !strings.Contains(md, "> refused: <img src=x>\n> @octocat\\u001B[31m\n") {
		t.Errorf("the refusal's lines are not in the fence:\n%s", md)
	}
	if got := Outputs(r, 4, "refused"); !strings.HasSuffix(got, "\napply_refusal=refused: <img src=x> @octocat\\u001B[31m\n") {
		t.Errorf("Outputs:\n%q", got)
	}
}
