package kit_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/renderer/html"

	"github.com/riskctl/riskctl/internal/cli"
)

// A delete-limit refusal must stay readable wherever it goes: a few short
// lines from riskctl (text, Markdown, JSON, the GitHub output), and in the
// kit's PR comment once, inside a fence, with the whole comment under
// GitHub's limit and riskctl's own truncation note intact. These tests run
// riskctl in-process against its embedded emulator, and the kit's comment
// script (riskctl-pr.yml's actions/github-script step) under node on
// riskctl's real output.

const (
	refusalAccount = "0123456789abcdef0123456789abcdef"
	// githubCommentLimit is GitHub's limit for a comment, in characters.
	githubCommentLimit = 65536
)

// hostileRefs are live reference ids that would render as Markdown or
// HTML, or move the terminal, if printed raw. They sort before the
// "ref-" ones, so the refusal names them among its first ten.
var hostileRefs = []string{
	"<!-- hidden",
	"@octocat",
	"<img src=x onerror=alert(1)>",
	"`x`` ```` y",
	"[click](https://evil.test)",
}

// Set in the emulator's state after the seed: a spec refuses them.
const (
	newlineRef = "-nl\n### injected"
	ansiRef    = "-ansi\x1b[2J\x1b[31m"
)

// refusalRun is riskctl's output for a plan that deletes n integrations
// (prune, with one integration left in the spec).
type refusalRun struct {
	dir     string // the work directory: plan.md, plan.err
	pr      string // riskctl-pr.yml's absolute path (the test runs in dir)
	code    int
	stdout  string
	stderr  string
	outputs map[string]string // GITHUB_OUTPUT
}

// riskctlIn runs riskctl in-process in the current directory.
func riskctlIn(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = cli.Main(context.Background(), append([]string{"riskctl", "--emulate"}, args...), cli.Streams{
		In: strings.NewReader(""), Out: &out, Err: &errOut,
		InteractiveInput: func() bool { return false },
		OutIsTerminal:    func() bool { return false },
	})
	return code, out.String(), errOut.String()
}

// seedDeletes makes a work directory (the test's working directory from
// then on) whose emulated account holds n+1 integrations, n of them not in
// riskscoring/spec.yaml (which prunes): the hostile ones first, then
// ref-NNN with long tenant URLs. It returns the work directory and
// riskctl-pr.yml's absolute path.
func seedDeletes(t *testing.T, n int) (work, pr string) {
	t.Helper()
	pr, err := filepath.Abs(kitWorkflows[0])
	if err != nil {
		t.Fatal(err)
	}
	work = t.TempDir()
	t.Chdir(work)
	t.Setenv("GITHUB_OUTPUT", "")
	t.Setenv("GITHUB_STEP_SUMMARY", "")
	refs := append([]string{}, hostileRefs...)
	refs = append(refs, "ref-nl", "ref-ansi")
	for i := len(refs); i < n; i++ {
		refs = append(refs, fmt.Sprintf("ref-%04d", i))
	}
	var seed strings.Builder
	fmt.Fprintf(&seed, "version: 1\naccount_id: %q\nintegrations:\n  - {reference_id: keep, integration_type: Okta, tenant_url: https://keep.okta.com}\n", refusalAccount)
	for i, ref := range refs {
		fmt.Fprintf(&seed, "  - {reference_id: %q, integration_type: Okta, tenant_url: \"https://tenant-%04d.example-long-okta-domain.okta.com\"}\n", ref, i)
	}
	write(t, "seed.yaml", seed.String())
	if code, _, errOut := riskctlIn(t, "apply", "-f", "seed.yaml", "--auto-approve", "--max-deletes", "0"); code != 0 {
		t.Fatalf("seeding: exit %d\n%s", code, errOut)
	}
	// Live reference ids a spec cannot hold: a line break and ANSI escapes.
	state := filepath.Join(".riskctl", "emulator.json")
	data, err := os.ReadFile(state)
	if err != nil {
		t.Fatal(err)
	}
	for ref, hostile := range map[string]string{"ref-nl": newlineRef, "ref-ansi": ansiRef} {
		enc, _ := json.Marshal(hostile)
		data = bytes.Replace(data, []byte(`"reference_id": "`+ref+`"`), []byte(`"reference_id": `+string(enc)), 1)
	}
	if err := os.WriteFile(state, data, 0o600); err != nil {
		t.Fatal(err)
	}
	write(t, "riskscoring/spec.yaml", fmt.Sprintf("version: 1\naccount_id: %q\nintegrations:\n  - {reference_id: keep, integration_type: Okta, tenant_url: https://keep.okta.com}\nprune: true\n", refusalAccount))
	return work, pr
}

func write(t *testing.T, path, s string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

// planAsTheKit runs the riskctl command of riskctl-pr.yml's plan step, as
// the step does (stdout to plan.md, stderr to plan.err), with the GitHub
// output file.
func planAsTheKit(t *testing.T, work, pr string) refusalRun {
	t.Helper()
	var args []string
	for _, st := range workflowSteps(t, pr) {
		if id := mapValue(st.node, "id"); id == nil || id.Value != "plan" {
			continue
		}
		rs, _ := scriptOf(pr, st)
		calls := riskctlCommands(rs.text)
		if len(calls) != 1 {
			t.Fatalf("%s: the plan step runs %d riskctl commands, want 1", pr, len(calls))
		}
		for _, a := range calls[0].args {
			args = append(args, os.Expand(a, func(k string) string {
				if k == "RISKCTL_ACCOUNT_DIR" {
					return "riskscoring"
				}
				t.Fatalf("the plan step's riskctl command reads $%s", k)
				return ""
			}))
		}
	}
	if len(args) == 0 {
		t.Fatalf("%s: no step with id plan", pr)
	}
	ghOut := filepath.Join(work, "github_output")
	t.Setenv("GITHUB_OUTPUT", ghOut)
	code, stdout, stderr := riskctlIn(t, args...)
	t.Setenv("GITHUB_OUTPUT", "")
	write(t, "plan.md", stdout)
	write(t, "plan.err", stderr)
	data, err := os.ReadFile(ghOut)
	if err != nil {
		t.Fatal(err)
	}
	outputs := map[string]string{}
	for _, line := range strings.Split(strings.TrimRight(string(data), "\n"), "\n") {
		k, v, _ := strings.Cut(line, "=")
		outputs[k] = v
	}
	return refusalRun{dir: work, pr: pr, code: code, stdout: stdout, stderr: stderr, outputs: outputs}
}

// accountMarker starts riskctl's section of an account in its Markdown.
const accountMarker = "<!-- riskctl:plan account="

var refusalSentence = regexp.MustCompile(`the plan deletes (\d+) integrations, more than --max-deletes 3 allows; raise --max-deletes to (\d+) if these deletes are intended, or fix the spec\.`)

// checkShortRefusal checks one rendering of a refusal of n deletes: the
// sentence once, at most 10 names and "… and N more" once, no line over
// maxLine bytes, and nothing of the live values raw.
func checkShortRefusal(t *testing.T, what, s string, n, maxLine int) {
	t.Helper()
	if got := refusalSentence.FindAllStringSubmatch(s, -1); len(got) != 1 || got[0][1] != fmt.Sprint(n) || got[0][2] != fmt.Sprint(n) {
		t.Errorf("%s: the refusal sentence for %d deletes appears %d times (%v), want once", what, n, len(got), got)
	}
	if more := fmt.Sprintf("… and %d more", n-10); strings.Count(s, more) != 1 {
		t.Errorf("%s: %q appears %d times, want once", what, more, strings.Count(s, more))
	}
	if c := strings.Count(s, "ref-0"); c > 10-len(hostileRefs)-2 {
		t.Errorf("%s: names %d ref-NNN integrations; the refusal names 10 in all", what, c)
	}
	for _, line := range strings.Split(s, "\n") {
		if len(line) > maxLine {
			t.Errorf("%s: a %d-byte line: %.120q…", what, len(line), line)
		}
	}
	for _, raw := range []string{"\x1b", "\n### injected"} {
		if strings.Contains(s, raw) {
			t.Errorf("%s: holds %q raw", what, raw)
		}
	}
}

// weakeningBanner starts riskctl's weakening banner in Markdown, which
// follows the refusal's caution (internal/report/markdown.go).
const weakeningBanner = "\n\n> [!WARNING]\n> **This plan weakens"

// TestDeleteLimitRefusalIsShort: a plan deleting 200 integrations is
// refused in a few short lines on stderr, in the Markdown caution, in the
// JSON report (apply_refusal and delete_limit) and in the GitHub output
// apply_refusal, the same sentence and names in each.
func TestDeleteLimitRefusalIsShort(t *testing.T) {
	const n = 200
	work, pr := seedDeletes(t, n)
	run := planAsTheKit(t, work, pr)
	if run.code != 4 {
		t.Fatalf("plan: exit %d, want 4\n%s", run.code, run.stderr)
	}
	// Short lines, except on one line (a step output, a JSON string): the
	// sentence and 10 names.
	const short, oneLine = 300, 1500
	checkShortRefusal(t, "stderr", run.stderr, n, short)
	checkShortRefusal(t, "GitHub output apply_refusal", run.outputs["apply_refusal"], n, oneLine)
	caution, _, _ := strings.Cut(run.stdout, accountMarker)
	// The weakening banner (the deleted integrations were active) follows
	// the caution: it is not the refusal.
	caution, _, _ = strings.Cut(caution, weakeningBanner)
	checkShortRefusal(t, "Markdown caution", caution, n, short)

	code, stdout, _ := riskctlIn(t, "plan", "-f", "riskscoring/", "--format", "json")
	if code != 4 {
		t.Fatalf("plan --format json: exit %d", code)
	}
	var rep struct {
		ApplyRefusal string `json:"apply_refusal"`
		DeleteLimit  struct {
			Message string   `json:"message"`
			Deletes int      `json:"deletes"`
			Limit   int      `json:"limit"`
			Names   []string `json:"names"`
			More    int      `json:"more"`
		} `json:"delete_limit"`
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatal(err)
	}
	checkShortRefusal(t, "JSON apply_refusal", rep.ApplyRefusal, n, oneLine)
	if rep.ApplyRefusal != run.outputs["apply_refusal"] {
		t.Errorf("JSON apply_refusal differs from the GitHub output:\n%s\n%s", rep.ApplyRefusal, run.outputs["apply_refusal"])
	}
	dl := rep.DeleteLimit
	if !refusalSentence.MatchString(dl.Message) || dl.Deletes != n || dl.Limit != 3 || len(dl.Names) != 10 || dl.More != n-10 {
		t.Errorf("JSON delete_limit = %+v; want the sentence, deletes %d, limit 3, 10 names, more %d", dl, n, n-10)
	}
	for _, name := range dl.Names {
		if !strings.Contains(run.stderr, name) || !strings.Contains(caution, name) || !strings.Contains(rep.ApplyRefusal, name) {
			t.Errorf("name %q is not in every output", name)
		}
	}
}

// prCommentEnv is the env of riskctl-pr.yml's comment step for a plan
// run: the step's outputs as GitHub passes them, and the job's env.
func prCommentEnv(run refusalRun) map[string]string {
	return map[string]string{
		"VALIDATE_RC":         "0",
		"NO_SECRETS":          "",
		"FMT_RC":              "0",
		"PLAN_RC":             fmt.Sprint(run.code),
		"EXIT_REASON":         run.outputs["exit_reason"],
		"APPLY_REFUSAL":       run.outputs["apply_refusal"],
		"HAS_CHANGES":         run.outputs["has_changes"],
		"WEAKENING":           run.outputs["weakening"],
		"HEAD_SHA":            "0123456789abcdef0123456789abcdef01234567",
		"RISKCTL_ACCOUNT":     "default",
		"RISKCTL_ACCOUNT_DIR": "riskscoring",
		"RISKCTL_ARTIFACT":    "riskctl-plan-pr-7-default",
	}
}

// githubScript returns the script: of the actions/github-script step
// named name in file, and the names of its env.
func githubScript(t *testing.T, file, name string) (script string, env []string) {
	t.Helper()
	for _, st := range workflowSteps(t, file) {
		if n := mapValue(st.node, "name"); n == nil || n.Value != name {
			continue
		}
		if u := mapValue(st.node, "uses"); u == nil || !strings.HasPrefix(u.Value, "actions/github-script@") {
			t.Fatalf("%s: step %q does not use actions/github-script", file, name)
		}
		s := mapValue(mapValue(st.node, "with"), "script")
		if s == nil {
			t.Fatalf("%s: step %q has no script", file, name)
		}
		for k := range envOf(st.node) {
			env = append(env, k)
		}
		return s.Value, env
	}
	t.Fatalf("%s: no step %q", file, name)
	return "", nil
}

// githubScriptHarness runs a github-script script as the action does: an
// async function of require, github, context and core. The comment it
// creates or updates is written to the file named by its second argument.
const githubScriptHarness = `
const fs = require('fs');
const [scriptFile, outFile] = process.argv.slice(2);
const AsyncFunction = Object.getPrototypeOf(async function () {}).constructor;
const save = async (args) => { fs.writeFileSync(outFile, args.body); return {data: {html_url: 'https://github.test/o/r/pull/7#c'}}; };
const github = {
  paginate: async () => [],
  rest: {issues: {listComments: {}, createComment: save, updateComment: save}},
};
const context = {
  repo: {owner: 'o', repo: 'r'}, serverUrl: 'https://github.test', runId: 99, issue: {number: 7},
  payload: {pull_request: {base: {ref: 'main'}}},
};
const core = {info() {}, warning() {}, setOutput() {}, setFailed(m) { console.error(m); process.exitCode = 1; }};
new AsyncFunction('require', 'github', 'context', 'core', fs.readFileSync(scriptFile, 'utf8'))(require, github, context, core)
  .catch((e) => { console.error(e); process.exit(1); });
`

// prComment runs riskctl-pr.yml's comment step in run's directory with
// env and returns the comment's body.
func prComment(t *testing.T, run refusalRun, env map[string]string) string {
	t.Helper()
	return commentOf(t, run.pr, "Update the sticky PR comment", run.dir, env)
}

// commentOf runs the github-script step named step of workflow in dir
// with env and returns the body of the comment it posts.
func commentOf(t *testing.T, workflow, step, dir string, env map[string]string) string {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		// CI installs node (.ci/shells): there a missing node is a failure,
		// not a reason to skip the kit's comment checks.
		if os.Getenv("CI") == "true" {
			t.Fatal("no node on CI: the kit's comment script runs in actions/github-script (Node.js); .ci/shells installs it")
		}
		t.Skip("no node: the kit's comment script runs in actions/github-script (Node.js)")
	}
	script, names := githubScript(t, workflow, step)
	for _, k := range names {
		if _, ok := env[k]; !ok {
			t.Fatalf("the comment step reads %s: give the test a value for it", k)
		}
	}
	tmp := t.TempDir()
	harness, scriptFile, out := filepath.Join(tmp, "harness.js"), filepath.Join(tmp, "script.js"), filepath.Join(tmp, "comment.md")
	write(t, harness, githubScriptHarness)
	write(t, scriptFile, script)
	cmd := exec.Command(node, harness, scriptFile, out)
	cmd.Dir = dir
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	if log, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("the comment script: %v\n%s", err, log)
	}
	body, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return string(body)
}

var (
	gfm         = goldmark.New(goldmark.WithExtensions(extension.GFM), goldmark.WithRendererOptions(html.WithUnsafe()))
	codeRe      = regexp.MustCompile(`(?s)<pre><code[^>]*>.*?</code></pre>|<code>.*?</code>`)
	ownMarkerRe = regexp.MustCompile(`<!-- riskctl:(plan|drift|apply) [A-Za-z0-9=._/ -]+ -->`)
)

// checkInert renders md as GitHub would (GFM, raw HTML passed through)
// and checks that no hostile reference id became anything but code.
func checkInert(t *testing.T, what, md string) {
	t.Helper()
	var b bytes.Buffer
	if err := gfm.Convert([]byte(md), &b); err != nil {
		t.Fatal(err)
	}
	outside := ownMarkerRe.ReplaceAllString(codeRe.ReplaceAllString(b.String(), ""), "")
	for _, live := range []string{"<!--", "octocat", "<img", "onerror", "evil.test", "injected", "\x1b"} {
		if strings.Contains(outside, live) {
			i := strings.Index(outside, live)
			t.Errorf("%s: %q is live outside code: …%s…", what, live, outside[max(0, i-80):min(len(outside), i+80)])
		}
	}
}

// utf16Len is a string's length as JavaScript (and GitHub's limit)
// counts it.
func utf16Len(s string) int { return len(utf16.Encode([]rune(s))) }

// TestPRCommentShowsRefusalOnce runs the kit's comment script on riskctl's
// real output for a refused plan: the refusal once, fenced, hostile
// reference ids inert, the whole comment within GitHub's limit and ending
// with riskctl's Markdown, its truncation note intact when it cut.
func TestPRCommentShowsRefusalOnce(t *testing.T) {
	for _, tc := range []struct {
		name     string
		deletes  int
		fmtOut   int  // bytes of a failed riskctl fmt --check's output (0: formatted)
		truncate bool // riskctl's Markdown is cut at its cap
	}{
		// Each row names its integration's tenant URL too, so 200 deletes
		// pass riskctl's Markdown cap: cut, with the note; 100 fit whole.
		{name: "100 deletes", deletes: 100},
		{name: "200 deletes, riskctl truncates", deletes: 200, truncate: true},
		{name: "400 deletes, riskctl truncates, fmt fails", deletes: 400, fmtOut: 100000, truncate: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			work, pr := seedDeletes(t, tc.deletes)
			run := planAsTheKit(t, work, pr)
			if run.code != 4 {
				t.Fatalf("plan: exit %d, want 4\n%s", run.code, run.stderr)
			}
			if cut := strings.Contains(run.stdout, "… output truncated:"); cut != tc.truncate {
				t.Fatalf("riskctl's Markdown (%d bytes) truncated: %t, want %t", len(run.stdout), cut, tc.truncate)
			}
			env := prCommentEnv(run)
			if tc.fmtOut > 0 {
				env["FMT_RC"] = "3"
				write(t, "fmt.out", strings.Repeat("riskscoring/spec.yaml: not formatted ``` <img src=x>\n", tc.fmtOut/50))
			}
			body := prComment(t, run, env)
			if n := utf16Len(body); n > githubCommentLimit {
				t.Errorf("the comment is %d characters, over GitHub's %d", n, githubCommentLimit)
			} else {
				t.Logf("the comment: %d characters; riskctl's Markdown: %d bytes", n, len(run.stdout))
			}
			// The refusal is shown once, before riskctl's account section;
			// the plan itself names every integration it deletes.
			head, _, _ := strings.Cut(body, accountMarker)
			head, _, _ = strings.Cut(head, weakeningBanner)
			checkShortRefusal(t, "the PR comment before the plan", head, tc.deletes, 300)
			if c := len(refusalSentence.FindAllString(body, -1)); c != 1 {
				t.Errorf("the PR comment shows the refusal %d times, want once", c)
			}
			if !strings.HasSuffix(strings.TrimRight(body, "\n"), strings.TrimRight(run.stdout, "\n")) {
				t.Errorf("the comment does not end with riskctl's whole Markdown; it ends:\n%s", body[max(0, len(body)-400):])
			}
			checkInert(t, "the PR comment", body)
			if tc.fmtOut > 0 && !strings.Contains(body, "**Not formatted**") {
				t.Errorf("the comment does not say the specs are not formatted")
			}
		})
	}
}

// TestApplyCommentAfterRefusal runs riskctl-apply.yml's comment after a
// refused apply on riskctl's real output: the fresh plan (refused by the
// delete limit too) is shown whole and last, the apply's log is fenced and
// cut to fit, and the comment is within GitHub's limit.
func TestApplyCommentAfterRefusal(t *testing.T) {
	const n = 400
	work, pr := seedDeletes(t, n)
	// seedDeletes changed to the work directory: the kit's files are beside
	// riskctl-pr.yml.
	apply := filepath.Join(filepath.Dir(pr), filepath.Base(applyWorkflow))
	code, stdout, stderr := riskctlIn(t, "plan", "-f", "riskscoring/", "--max-deletes", "3", "--format", "markdown")
	if code != 4 || !strings.Contains(stdout, "… output truncated:") {
		t.Fatalf("plan: exit %d, want 4 and a truncated Markdown\n%s", code, stderr)
	}
	write(t, "fresh-plan.md", stdout)
	write(t, "fresh-plan.err", stderr)
	write(t, "apply.err", stderr+strings.Repeat("apply log line ``` <img src=x> @octocat\n", 3000))
	body := commentOf(t, apply, "Post the fresh plan on the merged PR", work, map[string]string{
		"PR_NUMBER":           "7",
		"PLAN_RUN_URL":        "https://github.test/o/r/actions/runs/1",
		"EXIT_REASON":         "refused",
		"REPLAN_RC":           "4",
		"RISKCTL_ACCOUNT_DIR": "riskscoring",
		"RISKCTL_BRANCH":      "main",
	})
	if n := utf16Len(body); n > githubCommentLimit {
		t.Errorf("the comment is %d characters, over GitHub's %d", n, githubCommentLimit)
	}
	if !strings.HasSuffix(strings.TrimRight(body, "\n"), strings.TrimRight(stdout, "\n")) {
		t.Errorf("the comment does not end with the fresh plan's whole Markdown; it ends:\n%s", body[max(0, len(body)-400):])
	}
	checkInert(t, "the apply comment", body)
}
