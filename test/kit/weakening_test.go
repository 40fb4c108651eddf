package kit_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// The second approval of weakening changes in the CI kit
// (docs/ci-kit.md#weakening-changes-need-a-second-approval): riskctl
// apply refuses a plan that weakens detection unless --approve-weakening;
// riskctl-apply.yml passes it only for an account whose reviewed plan
// weakens, and only after the job weakeningGateJob, in the protected
// environment weakeningEnvironment, succeeded. GitHub's own part (the
// environment's required reviewers, "Prevent self-review") cannot run
// here; what decides which job runs and when the flag is passed is
// checked below, the shell steps run with stubs.

const (
	weakeningGateJob     = "approve-weakening"
	weakeningEnvironment = "riskctl-weakening"
	approveWeakening     = "--approve-weakening"
)

// stepNamed returns the step of job named name.
func stepNamed(t *testing.T, job *yaml.Node, name string) *yaml.Node {
	t.Helper()
	for _, st := range mapValue(job, "steps").Content {
		if n := mapValue(st, "name"); n != nil && n.Value == name {
			return st
		}
	}
	t.Fatalf("no step %q", name)
	return nil
}

func jobNamed(t *testing.T, file, id string) *yaml.Node {
	t.Helper()
	_, jobs, _ := parseWorkflow(t, file)
	job := mapValue(jobs, id)
	if job == nil {
		t.Fatalf("%s: no job %s", file, id)
	}
	return job
}

// The jobs' wiring: the gate runs in the protected environment only when
// a plan weakens, holds no secret; the apply jobs wait for it and run
// without it only when nothing weakens; the flag's variable is set in
// the apply job alone, from the gate's success and the account's plan.
func TestApplyWorkflowWeakeningApproval(t *testing.T) {
	file := applyWorkflow
	gate := jobNamed(t, file, weakeningGateJob)
	env := mapValue(gate, "environment")
	if env == nil || (env.Value != weakeningEnvironment && (mapValue(env, "name") == nil || mapValue(env, "name").Value != weakeningEnvironment)) {
		t.Errorf("%s: job %s must run in environment %s (the required reviewers)", file, weakeningGateJob, weakeningEnvironment)
	}
	if got := mapValue(gate, "if"); got == nil || got.Value != "needs.reviewed.outputs.needs_approval == 'true'" {
		t.Errorf("%s: job %s runs only when a plan weakens; if: %v", file, weakeningGateJob, got)
	}
	data, err := yaml.Marshal(gate)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), "secrets.") || strings.Contains(string(data), "riskctl ") {
		t.Errorf("%s: job %s must hold no secret and run no riskctl: it is only the approval", file, weakeningGateJob)
	}

	apply := jobNamed(t, file, "apply")
	wantIf := "${{ !cancelled() && needs.reviewed.result == 'success' && (needs.approve-weakening.result == 'success' || " +
		"(needs.approve-weakening.result == 'skipped' && needs.reviewed.outputs.needs_approval == 'false')) }}"
	if got := mapValue(apply, "if"); got == nil || got.Value != wantIf {
		t.Errorf("%s: job apply's if: must run after an approved gate, or a skipped one with nothing weakening:\n got %v\nwant %s", file, got, wantIf)
	}
	wantVar := "${{ needs.approve-weakening.result == 'success' && contains(fromJSON(needs.reviewed.outputs.weakening), matrix.account) }}"
	if v := envOf(apply)["RISKCTL_APPROVE_WEAKENING"]; v != wantVar {
		t.Errorf("%s: job apply's RISKCTL_APPROVE_WEAKENING = %q, want %q", file, v, wantVar)
	}

	// Nowhere else is the flag passed or its variable set: not in another
	// job, not at the workflow's level, not in the PR or drift workflows.
	for _, f := range workflowFiles(t) {
		root, jobs, _ := parseWorkflow(t, f)
		if _, ok := envOf(root)["RISKCTL_APPROVE_WEAKENING"]; ok {
			t.Errorf("%s: RISKCTL_APPROVE_WEAKENING is set for the whole workflow", f)
		}
		ids, nodes := jobNodes(jobs)
		for j, job := range nodes {
			if _, ok := envOf(job)["RISKCTL_APPROVE_WEAKENING"]; ok && (f != file || ids[j] != "apply") {
				t.Errorf("%s: job %s sets RISKCTL_APPROVE_WEAKENING", f, ids[j])
			}
		}
		for _, rs := range runScripts(t, f) {
			for _, c := range riskctlCommands(rs.text) {
				if !strings.Contains(strings.Join(c.args, " "), approveWeakening) {
					continue
				}
				if f != file || rs.job != "apply" {
					t.Errorf("%s:%d: %s outside the apply job: %s", f, rs.line+c.line, approveWeakening, c)
				}
				if !strings.Contains(rs.text, `if [ "${RISKCTL_APPROVE_WEAKENING}" = "true" ]; then`) {
					t.Errorf("%s:%d: %s is not guarded by RISKCTL_APPROVE_WEAKENING", f, rs.line+c.line, approveWeakening)
				}
			}
		}
	}
}

// The apply step passes --approve-weakening exactly when
// RISKCTL_APPROVE_WEAKENING is "true": run with a stub riskctl that
// records its arguments.
func TestApplyStepPassesApprovalOnlyWhenApproved(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash")
	}
	st := stepNamed(t, jobNamed(t, applyWorkflow, "apply"), "riskctl apply (the reviewed plan)")
	rs, _ := scriptOf(applyWorkflow, workflowStep{job: "apply", node: st})
	for _, tc := range []struct {
		value string
		want  bool
	}{{"true", true}, {"false", false}, {"", false}, {"TRUE", false}, {"true ", false}} {
		work := t.TempDir()
		bin := filepath.Join(work, "bin")
		if err := os.Mkdir(bin, 0o755); err != nil {
			t.Fatal(err)
		}
		stub := "#!/bin/sh\nprintf '%s\\n' \"$@\" > \"$STUB_ARGS\"\n"
		if err := os.WriteFile(filepath.Join(bin, "riskctl"), []byte(stub), 0o755); err != nil {
			t.Fatal(err)
		}
		args := filepath.Join(work, "args")
		cmd := exec.Command(bash, "-c", rs.text)
		cmd.Dir = work
		cmd.Env = append(os.Environ(), "PATH="+bin+":"+os.Getenv("PATH"), "STUB_ARGS="+args, "RUNNER_TEMP="+work,
			"GITHUB_OUTPUT="+filepath.Join(work, "out"), "RISKCTL_MAX_DELETES=3", "RISKCTL_APPROVE_WEAKENING="+tc.value)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("RISKCTL_APPROVE_WEAKENING=%q: %v\n%s", tc.value, err, out)
		}
		got, err := os.ReadFile(args)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(string(got)), "\n")
		if has := strings.Contains(string(got), approveWeakening+"\n"); has != tc.want || !slices.Contains(lines, "apply") ||
			lines[len(lines)-1] != filepath.Join(work, "riskctl-plan", "riskctl.plan.json") {
			t.Errorf("RISKCTL_APPROVE_WEAKENING=%q: riskctl %q; want %s: %t", tc.value, lines, approveWeakening, tc.want)
		}
	}
}

// The classify step lists the accounts whose reviewed plans have a
// change that is not neutral or strengthening (an unknown or missing
// class counts: it needs the approval), and fails without a plan.
func TestClassifyReviewedPlans(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash")
	}
	if _, err := exec.LookPath("jq"); err != nil {
		t.Skip("no jq (GitHub's runners have it)")
	}
	st := stepNamed(t, jobNamed(t, applyWorkflow, "reviewed"), "Classify the reviewed plans")
	rs, _ := scriptOf(applyWorkflow, workflowStep{job: "reviewed", node: st})
	plan := func(classes ...string) string {
		var changes []string
		for _, c := range classes {
			if c == "" {
				changes = append(changes, `{"action":"update"}`)
			} else {
				changes = append(changes, `{"action":"update","class":"`+c+`"}`)
			}
		}
		return `{"format_version":"1","accounts":[{"plan":{"changes":[` + strings.Join(changes, ",") + `]}}]}`
	}
	for _, tc := range []struct {
		name  string
		plans map[string]string // account -> saved plan ("" : none)
		want  []string          // accounts needing the approval
		fail  string
	}{
		{name: "nothing weakens", plans: map[string]string{"default": plan("neutral", "strengthening")}, want: []string{}},
		{name: "no changes", plans: map[string]string{"default": plan()}, want: []string{}},
		{name: "one account weakens", plans: map[string]string{"prod": plan("strengthening", "weakening"), "staging": plan("neutral"), "dev": plan("")},
			want: []string{"dev", "prod"}},
		{name: "an unknown class", plans: map[string]string{"prod": plan("weird")}, want: []string{"prod"}},
		{name: "a plan missing", plans: map[string]string{"prod": ""}, fail: "no reviewed plan for account prod"},
		{name: "not JSON", plans: map[string]string{"prod": "{"}, fail: "cannot read the reviewed plan for account prod"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			work := t.TempDir()
			var include []string
			for _, account := range []string{"dev", "prod", "staging", "default"} {
				p, ok := tc.plans[account]
				if !ok {
					continue
				}
				include = append(include, `{"account":"`+account+`","dir":"riskscoring/`+account+`"}`)
				if p == "" {
					continue
				}
				dir := filepath.Join(work, "riskctl-plans", "riskctl-plan-pr-7-"+account)
				if err := os.MkdirAll(dir, 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(dir, "riskctl.plan.json"), []byte(p), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			out := filepath.Join(work, "github_output")
			cmd := exec.Command(bash, "-c", rs.text)
			cmd.Dir = work
			cmd.Env = append(os.Environ(), "RUNNER_TEMP="+work, "GITHUB_OUTPUT="+out, "PR_NUMBER=7",
				`MATRIX={"include":[`+strings.Join(include, ",")+`]}`)
			log, err := cmd.CombinedOutput()
			if tc.fail != "" {
				if err == nil || !strings.Contains(string(log), "::error::"+tc.fail) {
					t.Fatalf("want a failure saying %q, got %v:\n%s", tc.fail, err, log)
				}
				return
			}
			if err != nil {
				t.Fatalf("%v\n%s", err, log)
			}
			data, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			outputs := map[string]string{}
			for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
				k, v, _ := strings.Cut(l, "=")
				outputs[k] = v
			}
			var got []string
			if err := json.Unmarshal([]byte(outputs["weakening"]), &got); err != nil || got == nil {
				t.Fatalf("weakening=%q is not a JSON array: %v", outputs["weakening"], err)
			}
			if strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Errorf("weakening=%s, want %q", outputs["weakening"], tc.want)
			}
			if want := map[bool]string{true: "true", false: "false"}[len(tc.want) > 0]; outputs["needs_approval"] != want {
				t.Errorf("needs_approval=%q, want %q", outputs["needs_approval"], want)
			}
		})
	}
}

// The PR comment says who must approve a weakening plan after merge,
// from the plan's weakening output (a count, nothing else is shown).
func TestPRCommentSaysWeakeningNeedsApproval(t *testing.T) {
	pr, err := filepath.Abs(".github/workflows/riskctl-pr.yml")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		weakening string
		want      bool
	}{{"2", true}, {"0", false}, {"", false}, {"1 <img src=x>", false}} {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "plan.md"), []byte("riskctl's plan\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		env := prCommentEnv(refusalRun{code: 2, outputs: map[string]string{"exit_reason": "changes", "has_changes": "true", "weakening": tc.weakening}})
		body := commentOf(t, pr, "Update the sticky PR comment", dir, env)
		if got := strings.Contains(body, "weakening change(s):** after merge the apply waits until a reviewer of the environment `riskctl-weakening`"); got != tc.want {
			t.Errorf("WEAKENING=%q: says the approval %t, want %t:\n%s", tc.weakening, got, tc.want, body)
		}
		if strings.Contains(body, "<img") {
			t.Errorf("WEAKENING=%q is shown raw:\n%s", tc.weakening, body)
		}
	}
}
