package kit_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// The kit's apply is tied to its PR (docs/ci-kit.md#the-plan-is-bound-to-its-pr):
// riskctl-apply.yml applies a plan only when it is attested by the run it
// was downloaded from, for refs/pull/<merged PR>/merge, and when its spec
// files are the account directory's and its accounts the ones they declare.
// These tests run the apply workflow's github-script steps under node with
// the GitHub API stubbed, on riskctl's real plan and validate output, and
// the gh step with a fake gh on PATH.

const (
	bindAccount = "0123456789abcdef0123456789abcdef"
	bindOther   = "fedcba9876543210fedcba9876543210"
	bindRepo    = "https://github.test/o/r"
	bindHead    = "1111111111111111111111111111111111111111"
	bindMerge   = "2222222222222222222222222222222222222222"
)

// scriptHarness runs a github-script script as the action does, with the
// REST calls the kit makes answered from a stub (JSON file, argument 2);
// what the script sets (outputs, failure, warnings) goes to argument 3.
const scriptHarness = `
const fs = require('fs');
const [scriptFile, stubFile, outFile] = process.argv.slice(2);
const stub = JSON.parse(fs.readFileSync(stubFile, 'utf8')) || {};
const result = {outputs: {}, failed: null, warnings: [], infos: []};
const AsyncFunction = Object.getPrototypeOf(async function () {}).constructor;
const github = {
  paginate: async (fn, args) => (await fn(args)).data,
  rest: {
    repos: {
      listPullRequestsAssociatedWithCommit: async (a) => ({data: (stub.prs || {})[a.commit_sha] || []}),
    },
    actions: {
      listWorkflowRuns: async (a) => ({data: (stub.runs || []).filter((r) => r.head_sha === a.head_sha && r.status === a.status)}),
      listWorkflowRunArtifacts: async (a) => ({data: (stub.artifacts || {})[String(a.run_id)] || []}),
    },
  },
};
const summary = {addHeading() { return summary; }, addRaw() { return summary; }, addCodeBlock() { return summary; }, async write() {}};
const context = {
  repo: {owner: 'o', repo: 'r'}, serverUrl: 'https://github.test', runId: 99,
  sha: stub.sha || '', ref: stub.ref || '', payload: {},
};
const core = {
  info(m) { result.infos.push(m); }, warning(m) { result.warnings.push(m); },
  setOutput(k, v) { result.outputs[k] = v; }, setFailed(m) { result.failed = m; }, summary,
};
new AsyncFunction('require', 'github', 'context', 'core', fs.readFileSync(scriptFile, 'utf8'))(require, github, context, core)
  .then(() => fs.writeFileSync(outFile, JSON.stringify(result)))
  .catch((e) => { console.error(e); process.exit(1); });
`

type scriptResult struct {
	Outputs  map[string]string `json:"outputs"`
	Failed   *string           `json:"failed"`
	Warnings []string          `json:"warnings"`
	Infos    []string          `json:"infos"`
}

// runGitHubScript runs riskctl-apply.yml's github-script step named step in dir
// with env (which must give every variable the step's env: names) and
// the API answered from stub.
func runGitHubScript(t *testing.T, step, dir string, env map[string]string, stub any) scriptResult {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("no node on CI: the kit's scripts run in actions/github-script (Node.js); .ci/shells installs it")
		}
		t.Skip("no node: the kit's scripts run in actions/github-script (Node.js)")
	}
	script, names := githubScript(t, applyWorkflowAbs(t), step)
	for _, k := range names {
		if _, ok := env[k]; !ok {
			t.Fatalf("step %q reads %s: give the test a value for it", step, k)
		}
	}
	tmp := t.TempDir()
	harness, scriptFile, stubFile, out := filepath.Join(tmp, "harness.js"), filepath.Join(tmp, "script.js"),
		filepath.Join(tmp, "stub.json"), filepath.Join(tmp, "result.json")
	stubJSON, err := json.Marshal(stub)
	if err != nil {
		t.Fatal(err)
	}
	write(t, harness, scriptHarness)
	write(t, scriptFile, script)
	write(t, stubFile, string(stubJSON))
	cmd := exec.Command(node, harness, scriptFile, stubFile, out)
	cmd.Dir = dir
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	if log, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("step %q: %v\n%s", step, err, log)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var r scriptResult
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatal(err)
	}
	return r
}

var applyWorkflowPath string

// applyWorkflowAbs is riskctl-apply.yml's absolute path: the tests change
// to work directories of their own.
func applyWorkflowAbs(t *testing.T) string {
	t.Helper()
	if applyWorkflowPath == "" {
		p, err := filepath.Abs(applyWorkflow)
		if err != nil {
			t.Fatal(err)
		}
		applyWorkflowPath = p
	}
	return applyWorkflowPath
}

// bindWork is a checkout whose riskscoring/ declares integrations a and b
// of bindAccount, also live in the emulated account, and whose
// examples/demo.yaml (prune: true) declares neither: the observed
// failure's layout. It holds the reviewed plan of riskscoring/ and the
// plan of examples/demo.yaml that deletes a and b, both made by riskctl.
type bindWork struct {
	dir      string
	temp     string // RUNNER_TEMP
	good     []byte // riskctl plan -f riskscoring/ --out
	demo     []byte // riskctl plan -f examples/demo.yaml --out
	validate string // riskctl validate -f riskscoring/ --format json (stdout)
}

func newBindWork(t *testing.T) *bindWork {
	t.Helper()
	applyWorkflowAbs(t)
	w := &bindWork{dir: t.TempDir()}
	t.Chdir(w.dir)
	t.Setenv("GITHUB_OUTPUT", "")
	t.Setenv("GITHUB_STEP_SUMMARY", "")
	w.temp = filepath.Join(w.dir, "runner-temp")
	const integrations = "integrations:\n" +
		"  - {reference_id: a, integration_type: Okta, tenant_url: https://a.okta.com}\n" +
		"  - {reference_id: b, integration_type: Okta, tenant_url: https://b.okta.com}\n"
	write(t, "riskscoring/riskscoring.yaml", fmt.Sprintf("version: 1\naccount_id: %q\n%s", bindAccount, integrations))
	if code, _, errOut := riskctlIn(t, "apply", "-f", "riskscoring/", "--auto-approve"); code != 0 {
		t.Fatalf("seeding: exit %d\n%s", code, errOut)
	}
	write(t, "examples/demo.yaml", fmt.Sprintf("version: 1\naccount_id: %q\nintegrations:\n"+
		"  - {reference_id: demo, integration_type: Okta, tenant_url: https://demo.okta.com}\nprune: true\n", bindAccount))
	// riskscoring/ is in sync: its plan has no changes. Touch a to have one.
	write(t, "riskscoring/riskscoring.yaml", fmt.Sprintf("version: 1\naccount_id: %q\n%s", bindAccount,
		strings.Replace(integrations, "https://a.okta.com", "https://a2.okta.com", 1)))
	w.good = w.planOut(t, "riskscoring/")
	w.demo = w.planOut(t, "examples/demo.yaml")
	if !strings.Contains(string(w.demo), `"delete"`) {
		t.Fatalf("the demo plan deletes nothing:\n%s", w.demo)
	}
	w.revalidate(t)
	return w
}

func (w *bindWork) planOut(t *testing.T, spec string) []byte {
	t.Helper()
	out := filepath.Join(w.dir, "plan-"+strings.NewReplacer("/", "_", ".", "_").Replace(spec)+".json")
	if code, _, errOut := riskctlIn(t, "plan", "-f", spec, "--out", out, "--max-deletes", "10"); code != 0 {
		t.Fatalf("plan -f %s: exit %d\n%s", spec, code, errOut)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// revalidate runs riskctl validate -f riskscoring/ as step "Read the
// account directory" does.
func (w *bindWork) revalidate(t *testing.T) {
	t.Helper()
	code, stdout, errOut := riskctlIn(t, "validate", "-f", "riskscoring/", "--format", "json")
	if code != 0 {
		t.Fatalf("validate: exit %d\n%s", code, errOut)
	}
	w.validate = stdout
}

// attestation is one entry of gh attestation verify --format json, as
// sigstore-go summarises the certificate, for a plan of PR pr made by run
// run (the PR's run of riskctl-pr.yml unless edit changes it).
func attestation(pr, run int, digest string, edit func(cert map[string]any)) map[string]any {
	ref := fmt.Sprintf("refs/pull/%d/merge", pr)
	cert := map[string]any{
		"certificateIssuer":      "CN=sigstore-intermediate,O=sigstore.dev",
		"subjectAlternativeName": bindRepo + "/.github/workflows/riskctl-pr.yml@" + ref,
		"issuer":                 "https://token.actions.githubusercontent.com",
		"buildSignerURI":         bindRepo + "/.github/workflows/riskctl-pr.yml@" + ref,
		"buildSignerDigest":      bindMerge,
		"runnerEnvironment":      "github-hosted",
		"sourceRepositoryURI":    bindRepo,
		"sourceRepositoryDigest": bindMerge,
		"sourceRepositoryRef":    ref,
		"buildConfigURI":         bindRepo + "/.github/workflows/riskctl-pr.yml@" + ref,
		"buildTrigger":           "pull_request",
		"runInvocationURI":       fmt.Sprintf("%s/actions/runs/%d/attempts/1", bindRepo, run),
	}
	if edit != nil {
		edit(cert)
	}
	return map[string]any{
		"attestation": map[string]any{"bundle": map[string]any{}},
		"verificationResult": map[string]any{
			"mediaType": "application/vnd.dev.sigstore.verificationresult+json;version=0.1",
			"signature": map[string]any{"certificate": cert},
			"statement": map[string]any{
				"_type":         "https://in-toto.io/Statement/v1",
				"predicateType": "https://slsa.dev/provenance/v1",
				"subject":       []any{map[string]any{"name": "riskctl.plan.json", "digest": map[string]any{"sha256": digest}}},
			},
		},
	}
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// check runs step "Check the reviewed plan" for the merge of PR pr, with
// the plan downloaded from run run, gh's verified attestations (ghRC its
// exit code) and riskctl validate's output of w.
func (w *bindWork) check(t *testing.T, plan []byte, pr, run int, ghRC string, atts []any) scriptResult {
	t.Helper()
	write(t, filepath.Join(w.temp, "riskctl-plan", "riskctl.plan.json"), string(plan))
	attJSON, err := json.Marshal(atts)
	if err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(w.temp, "riskctl-check", "attestations.json"), string(attJSON))
	write(t, filepath.Join(w.temp, "riskctl-check", "validate.json"), w.validate)
	return runGitHubScript(t, "Check the reviewed plan", w.dir, map[string]string{
		"PR_NUMBER":           fmt.Sprint(pr),
		"PLAN_RUN_ID":         fmt.Sprint(run),
		"ATTESTATION_RC":      ghRC,
		"VALIDATE_RC":         "0",
		"RUNNER_TEMP":         w.temp,
		"RISKCTL_ACCOUNT_DIR": "riskscoring",
	}, nil)
}

// TestApplyChecksThePlanBinding runs the check on the cases the issue
// names: a plan of another directory (examples/demo.yaml, which prunes
// what riskscoring/ declares), another account, paths with ".." or
// absolute or through a symbolic link, a plan attested for PR 7 applied
// for the merge of PR 8, the run of a second PR with the same head
// commit, and the reviewed plan itself.
func TestApplyChecksThePlanBinding(t *testing.T) {
	edited := func(plan []byte, f func(a map[string]any)) []byte {
		var p map[string]any
		if err := json.Unmarshal(plan, &p); err != nil {
			t.Fatal(err)
		}
		for _, a := range p["accounts"].([]any) {
			f(a.(map[string]any))
		}
		out, err := json.MarshalIndent(p, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	specFiles := func(plan []byte, files ...any) []byte {
		return edited(plan, func(a map[string]any) { a["spec_files"] = files })
	}
	for _, tc := range []struct {
		name   string
		setup  func(t *testing.T, w *bindWork) // changes the checkout, before the plan is chosen
		plan   func(w *bindWork) []byte
		pr     int // the merged PR
		run    int // the run the plan was downloaded from
		ghRC   string
		atts   func(digest string) []any
		refuse string // "" : accepted
	}{
		{name: "the reviewed plan", refuse: ""},
		{name: "a plan of examples/demo.yaml (prune: true)",
			plan:   func(w *bindWork) []byte { return w.demo },
			refuse: `spec file "examples/demo.yaml" is not a *.yaml or *.yml file of riskscoring/`},
		{name: "another account",
			plan: func(w *bindWork) []byte {
				return edited(w.good, func(a map[string]any) { a["account_id"] = bindOther })
			},
			refuse: `the plan is for account "` + bindOther + `", but "riskscoring/riskscoring.yaml" declares account "` + bindAccount + `"`},
		{name: "a path through ..",
			plan:   func(w *bindWork) []byte { return specFiles(w.good, "riskscoring/../examples/demo.yaml") },
			refuse: `spec file "riskscoring/../examples/demo.yaml" is not`},
		{name: "a path through .. that stays inside",
			plan:   func(w *bindWork) []byte { return specFiles(w.good, "riskscoring/../riskscoring/riskscoring.yaml") },
			refuse: `spec file "riskscoring/../riskscoring/riskscoring.yaml" is not`},
		{name: "a ./ path",
			plan:   func(w *bindWork) []byte { return specFiles(w.good, "./riskscoring/riskscoring.yaml") },
			refuse: `spec file "./riskscoring/riskscoring.yaml" is not`},
		{name: "an absolute path",
			plan: func(w *bindWork) []byte {
				return specFiles(w.good, filepath.Join(w.dir, "riskscoring", "riskscoring.yaml"))
			},
			refuse: `/riskscoring/riskscoring.yaml" is not`},
		{name: "a file in a subdirectory",
			setup:  func(t *testing.T, w *bindWork) { write(t, "riskscoring/sub/x.yaml", "version: 1\n") },
			plan:   func(w *bindWork) []byte { return specFiles(w.good, "riskscoring/sub/x.yaml") },
			refuse: `spec file "riskscoring/sub/x.yaml" is not`},
		{name: "a symbolic link to examples/demo.yaml",
			setup: func(t *testing.T, w *bindWork) {
				if err := os.Symlink("../examples/demo.yaml", "riskscoring/demo.yaml"); err != nil {
					t.Skip(err)
				}
				if err := os.Remove("riskscoring/riskscoring.yaml"); err != nil {
					t.Fatal(err)
				}
				w.revalidate(t) // riskctl follows the link: the directory's one spec, of bindAccount
			},
			plan:   func(w *bindWork) []byte { return specFiles(w.good, "riskscoring/demo.yaml") },
			refuse: `spec file "riskscoring/demo.yaml": "riskscoring/demo.yaml" is a symbolic link`},
		{name: "a control character",
			plan:   func(w *bindWork) []byte { return specFiles(w.good, "riskscoring/x\n::error::y.yaml") },
			refuse: `spec file "riskscoring/x\n::error::y.yaml" is not`},
		{name: "a spec file of the directory left out",
			setup: func(t *testing.T, w *bindWork) {
				write(t, "riskscoring/other.yaml", fmt.Sprintf("version: 1\naccount_id: %q\n", bindOther))
				w.revalidate(t)
			},
			refuse: `the plan does not cover "riskscoring/other.yaml" (account "` + bindOther + `") of riskscoring/`},
		{name: "attested for PR 7, applied for the merge of PR 8", pr: 8, run: 701,
			atts:   func(d string) []any { return []any{attestation(7, 701, d, nil)} },
			refuse: `sourceRepositoryRef "refs/pull/7/merge", not "refs/pull/8/merge"`},
		{name: "the run of a second PR with the same head commit", pr: 7, run: 802,
			atts:   func(d string) []any { return []any{attestation(8, 802, d, nil)} },
			refuse: `sourceRepositoryRef "refs/pull/8/merge", not "refs/pull/7/merge"`},
		{name: "the same bytes attested by PR 7's run, downloaded from PR 8's run", pr: 7, run: 802,
			atts:   func(d string) []any { return []any{attestation(7, 701, d, nil), attestation(8, 802, d, nil)} },
			refuse: `run "` + bindRepo + `/actions/runs/701/attempts/1", not the plan's run`},
		{name: "PR 7's plan attested by its run and by a second PR's", pr: 7, run: 701,
			atts: func(d string) []any { return []any{attestation(8, 802, d, nil), attestation(7, 701, d, nil)} }},
		{name: "a re-run's attempt", pr: 7, run: 701,
			atts: func(d string) []any {
				return []any{attestation(7, 701, d, func(c map[string]any) { c["runInvocationURI"] = bindRepo + "/actions/runs/701/attempts/3" })}
			}},
		{name: "another workflow of the PR",
			atts: func(d string) []any {
				return []any{attestation(7, 701, d, func(c map[string]any) {
					c["buildSignerURI"] = bindRepo + "/.github/workflows/other.yml@refs/pull/7/merge"
				})}
			},
			refuse: `buildSignerURI "` + bindRepo + `/.github/workflows/other.yml@refs/pull/7/merge", not`},
		{name: "another repository",
			atts: func(d string) []any {
				return []any{attestation(7, 701, d, func(c map[string]any) { c["sourceRepositoryURI"] = "https://github.test/fork/r" })}
			},
			refuse: `sourceRepositoryURI "https://github.test/fork/r", not "` + bindRepo + `"`},
		{name: "a push run",
			atts: func(d string) []any {
				return []any{attestation(7, 701, d, func(c map[string]any) { c["buildTrigger"] = "push" })}
			},
			refuse: `buildTrigger "push", not "pull_request"`},
		{name: "a self-hosted runner",
			atts: func(d string) []any {
				return []any{attestation(7, 701, d, func(c map[string]any) { c["runnerEnvironment"] = "self-hosted" })}
			},
			refuse: `runnerEnvironment "self-hosted"`},
		{name: "an attestation of other bytes",
			atts:   func(string) []any { return []any{attestation(7, 701, strings.Repeat("ab", 32), nil)} },
			refuse: "no subject with the plan file's digest"},
		{name: "no attestation (gh fails)", ghRC: "1",
			atts:   func(string) []any { return nil },
			refuse: `no attestation of this plan file by a pull_request run of riskctl-pr.yml for refs/pull/7/merge (gh attestation verify exit "1")`},
		{name: "gh verified nothing",
			atts:   func(string) []any { return []any{} },
			refuse: "gh attestation verify returned no verified attestation"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newBindWork(t)
			if tc.setup != nil {
				tc.setup(t, w)
			}
			plan := w.good
			if tc.plan != nil {
				plan = tc.plan(w)
			}
			pr, run, ghRC := tc.pr, tc.run, tc.ghRC
			if pr == 0 {
				pr, run = 7, 701
			}
			if ghRC == "" {
				ghRC = "0"
			}
			atts := []any{attestation(7, 701, sha256Hex(plan), nil)}
			if tc.atts != nil {
				atts = tc.atts(sha256Hex(plan))
			}
			r := w.check(t, plan, pr, run, ghRC, atts)
			switch {
			case tc.refuse == "" && r.Failed != nil:
				t.Fatalf("refused:\n%s", *r.Failed)
			case tc.refuse == "":
				if len(r.Infos) == 0 || !strings.Contains(r.Infos[len(r.Infos)-1], "The plan is bound: PR #7") {
					t.Errorf("accepted without saying so: %q", r.Infos)
				}
			case r.Failed == nil:
				t.Fatalf("accepted; want a refusal saying %q", tc.refuse)
			case !strings.Contains(*r.Failed, tc.refuse):
				t.Fatalf("refused, but not saying %q:\n%s", tc.refuse, *r.Failed)
			default:
				for _, l := range strings.Split(*r.Failed, "\n") {
					if strings.HasPrefix(l, "::") || strings.ContainsAny(l, "\r\x1b") {
						t.Errorf("a refusal line a runner could read as a command: %q", l)
					}
				}
			}
		})
	}
}

// The observed failure, end to end: the merge of PR 7 (head bindHead),
// and a second PR, 8, from the same branch and commit whose run (with its
// own riskctl-pr.yml) saved an artifact named as PR 7's. GitHub lists no
// pull_requests on either run after the merge, so the selection cannot
// tell them apart and takes the newer run; the check then refuses its
// plan, attested for refs/pull/8/merge. With only PR 7's run, its plan is
// applied.
func TestApplyRefusesTheRunOfAnotherPR(t *testing.T) {
	pr7 := map[string]any{
		"number": 7, "merged_at": "2026-01-01T00:10:00Z", "merge_commit_sha": bindMerge,
		"base": map[string]any{"ref": "main"},
		"head": map[string]any{"sha": bindHead, "ref": "feature", "repo": map[string]any{"full_name": "o/r"}},
	}
	run := func(id int, created string) map[string]any {
		return map[string]any{
			"id": id, "html_url": fmt.Sprintf("%s/actions/runs/%d", bindRepo, id), "event": "pull_request",
			"path": ".github/workflows/riskctl-pr.yml", "head_sha": bindHead, "head_branch": "feature", "status": "success",
			"head_repository": map[string]any{"full_name": "o/r"}, "pull_requests": []any{}, "created_at": created,
		}
	}
	artifact := []any{map[string]any{"name": "riskctl-plan-pr-7-default", "expired": false}}
	for _, tc := range []struct {
		name    string
		runs    []any
		wantRun string
		refuse  string
	}{
		{name: "only PR 7's run", runs: []any{run(701, "2026-01-01T00:00:00Z")}, wantRun: "701"},
		{name: "PR 8's newer run from the same head commit",
			runs:    []any{run(701, "2026-01-01T00:00:00Z"), run(802, "2026-01-01T00:05:00Z")},
			wantRun: "802", refuse: `sourceRepositoryRef "refs/pull/8/merge", not "refs/pull/7/merge"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newBindWork(t)
			sel := runGitHubScript(t, "Find the reviewed plans", w.dir, map[string]string{
				"MATRIX":         `{"include":[{"account":"default","dir":"riskscoring"}]}`,
				"RISKCTL_BRANCH": "main",
			}, map[string]any{
				"sha": bindMerge, "ref": "refs/heads/main",
				"prs":       map[string]any{bindMerge: []any{pr7}},
				"runs":      tc.runs,
				"artifacts": map[string]any{"701": artifact, "802": artifact},
			})
			if sel.Failed != nil {
				t.Fatalf("the selection failed: %s", *sel.Failed)
			}
			if sel.Outputs["pr_number"] != "7" || sel.Outputs["run_id"] != tc.wantRun {
				t.Fatalf("the selection chose PR %q run %q, want PR 7 run %s", sel.Outputs["pr_number"], sel.Outputs["run_id"], tc.wantRun)
			}
			// Each run attested its own upload (the same bytes: one head
			// commit, one live state), for its own PR's ref.
			d := sha256Hex(w.good)
			var atts []any
			for _, r := range tc.runs {
				id := r.(map[string]any)["id"].(int)
				atts = append(atts, attestation(id/100, id, d, nil))
			}
			var runID int
			fmt.Sscan(sel.Outputs["run_id"], &runID)
			r := w.check(t, w.good, 7, runID, "0", atts)
			switch {
			case tc.refuse == "" && r.Failed != nil:
				t.Fatalf("refused:\n%s", *r.Failed)
			case tc.refuse != "" && (r.Failed == nil || !strings.Contains(*r.Failed, tc.refuse)):
				t.Fatalf("want a refusal saying %q, got %v", tc.refuse, r.Failed)
			}
		})
	}
}

// The gh step verifies the downloaded plan's attestations by riskctl-pr.yml
// of this repository, on GitHub-hosted runners only, for a well-formed PR
// number, and records gh's exit code (the check refuses on any but 0, and
// checks the PR's ref itself): run with a fake gh on PATH.
func TestApplyVerifiesAttestationWithGH(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash")
	}
	st := stepNamed(t, jobNamed(t, applyWorkflow, "apply"), "Verify the plan's attestation")
	rs, _ := scriptOf(applyWorkflow, workflowStep{job: "apply", node: st})
	for _, tc := range []struct {
		pr     string
		ghExit int
		rc     string
		called bool
	}{
		{pr: "7", ghExit: 0, rc: "0", called: true},
		{pr: "7", ghExit: 1, rc: "1", called: true},
		{pr: "", rc: "1"},
		{pr: "7 --source-ref x", rc: "1"},
	} {
		work := t.TempDir()
		bin := filepath.Join(work, "bin")
		stub := "#!/bin/sh\nprintf '%s\\n' \"$@\" > \"$STUB_ARGS\"\necho '[]'\nexit " + fmt.Sprint(tc.ghExit) + "\n"
		write(t, filepath.Join(bin, "gh"), stub)
		if err := os.Chmod(filepath.Join(bin, "gh"), 0o755); err != nil {
			t.Fatal(err)
		}
		args, out := filepath.Join(work, "args"), filepath.Join(work, "out")
		cmd := exec.Command(bash, "-c", rs.text)
		cmd.Dir = work
		cmd.Env = append(os.Environ(), "PATH="+bin+":"+os.Getenv("PATH"), "STUB_ARGS="+args, "RUNNER_TEMP="+work,
			"GITHUB_OUTPUT="+out, "GITHUB_REPOSITORY=o/r", "PR_NUMBER="+tc.pr)
		if log, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("PR_NUMBER=%q: %v\n%s", tc.pr, err, log)
		}
		if got, _ := os.ReadFile(out); strings.TrimSpace(string(got)) != "rc="+tc.rc {
			t.Errorf("PR_NUMBER=%q, gh exit %d: outputs %q, want rc=%s", tc.pr, tc.ghExit, got, tc.rc)
		}
		got, err := os.ReadFile(args)
		if !tc.called {
			if err == nil {
				t.Errorf("PR_NUMBER=%q: gh ran: %q", tc.pr, got)
			}
			continue
		}
		want := []string{"attestation", "verify", filepath.Join(work, "riskctl-plan", "riskctl.plan.json"),
			"--repo", "o/r", "--signer-workflow", "o/r/.github/workflows/riskctl-pr.yml",
			"--deny-self-hosted-runners", "--limit", "1000", "--format", "json"}
		if lines := strings.Split(strings.TrimSpace(string(got)), "\n"); !slices.Equal(lines, want) {
			t.Errorf("gh %q\nwant %q", lines, want)
		}
		if data, err := os.ReadFile(filepath.Join(work, "riskctl-check", "attestations.json")); err != nil || strings.TrimSpace(string(data)) != "[]" {
			t.Errorf("gh's output is not in riskctl-check/attestations.json: %q, %v", data, err)
		}
	}
}

// The wiring: the PR job attests the file it uploads, with the two
// permissions only it holds; the apply job reads attestations, and runs
// the gh step, riskctl validate and the check, unconditionally, after the
// download and before riskctl apply, which runs only when they passed.
func TestKitWiresThePlanBinding(t *testing.T) {
	prFile := kitWorkflows[0]
	root, jobs, _ := parseWorkflow(t, prFile)
	perms := func(n *yaml.Node) map[string]string {
		out := map[string]string{}
		p := mapValue(n, "permissions")
		if p == nil {
			return nil
		}
		for i := 0; i+1 < len(p.Content); i += 2 {
			out[p.Content[i].Value] = p.Content[i+1].Value
		}
		return out
	}
	if p := perms(root); p["id-token"] != "" || p["attestations"] != "" {
		t.Errorf("%s: the workflow's permissions grant id-token or attestations to every job: %v", prFile, p)
	}
	plan := mapValue(jobs, "plan")
	if p := perms(plan); p["id-token"] != "write" || p["attestations"] != "write" || p["contents"] != "read" || p["pull-requests"] != "write" || len(p) != 4 {
		t.Errorf("%s: job plan's permissions %v, want contents: read, pull-requests: write, id-token: write, attestations: write", prFile, p)
	}
	var attested, uploaded string
	for _, st := range mapValue(plan, "steps").Content {
		u := mapValue(st, "uses")
		if u == nil {
			continue
		}
		with := mapValue(st, "with")
		switch {
		case strings.HasPrefix(u.Value, "actions/attest-build-provenance@"):
			if uploaded != "" {
				t.Errorf("%s: the plan is attested after it is uploaded", prFile)
			}
			attested = mapValue(with, "subject-path").Value
			if c := mapValue(st, "if"); c == nil || c.Value != "steps.plan.outputs.rc == '0' || steps.plan.outputs.rc == '2'" {
				t.Errorf("%s: the attest step must run exactly when the plan is uploaded", prFile)
			}
		case strings.HasPrefix(u.Value, "actions/upload-artifact@"):
			uploaded = mapValue(with, "path").Value
		}
	}
	if attested == "" || attested != uploaded {
		t.Errorf("%s: attested %q, uploaded %q: the uploaded plan must be the attested file", prFile, attested, uploaded)
	}

	_, jobs, _ = parseWorkflow(t, applyWorkflow)
	apply := mapValue(jobs, "apply")
	if p := perms(apply); p["attestations"] != "read" || p["id-token"] != "" || p["actions"] != "read" {
		t.Errorf("%s: job apply's permissions %v, want attestations: read and actions: read, no id-token", applyWorkflow, p)
	}
	var order []string
	for _, st := range mapValue(apply, "steps").Content {
		name := ""
		if n := mapValue(st, "name"); n != nil {
			name = n.Value
		}
		switch name {
		case "Download the reviewed plan", "Verify the plan's attestation", "Read the account directory", "Check the reviewed plan",
			"riskctl apply (the reviewed plan)":
			if c := mapValue(st, "if"); c != nil {
				t.Errorf("%s: step %q has if: %s; it must run (and stop the job when it fails) like the default", applyWorkflow, name, c.Value)
			}
			if ce := mapValue(st, "continue-on-error"); ce != nil {
				t.Errorf("%s: step %q has continue-on-error", applyWorkflow, name)
			}
			order = append(order, name)
		}
	}
	want := []string{"Download the reviewed plan", "Verify the plan's attestation", "Read the account directory", "Check the reviewed plan",
		"riskctl apply (the reviewed plan)"}
	if !slices.Equal(order, want) {
		t.Errorf("%s: apply job steps %q, want %q in that order", applyWorkflow, order, want)
	}
}

// What the check stops: riskctl's own checks of a saved plan (version,
// spec digest, live fingerprint, the spec declares the plan's account)
// accept the plan of examples/demo.yaml in this checkout, and applying it
// (its deletes approved as the environment riskctl-weakening approves
// them) deletes the two integrations riskscoring/ declares. Only the kit
// knows which directory the job's account is.
func TestRiskctlAloneAppliesTheDemoPlan(t *testing.T) {
	w := newBindWork(t)
	planFile := filepath.Join(w.dir, "plan-examples_demo_yaml.json")
	code, stdout, stderr := riskctlIn(t, "apply", "--approve-weakening", "--max-deletes", "10", planFile)
	if code != 0 {
		t.Fatalf("riskctl apply of the demo plan: exit %d, want 0 (what the kit's check must stop)\n%s%s", code, stdout, stderr)
	}
	_, list, _ := riskctlIn(t, "integrations", "list")
	for _, ref := range []string{"https://a.okta.com", "https://b.okta.com"} {
		if strings.Contains(list, ref) {
			t.Errorf("riskctl applied the demo plan but %s is still live:\n%s", ref, list)
		}
	}
	r := w.check(t, w.demo, 7, 701, "0", []any{attestation(7, 701, sha256Hex(w.demo), nil)})
	if r.Failed == nil {
		t.Fatal("the kit's check accepted the demo plan")
	}
	t.Logf("the kit's refusal:\n%s", *r.Failed)
}
