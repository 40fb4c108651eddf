package kit_test

import (
	"os"
	"regexp"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

// jobMargin is what a kit job's limit must leave beyond riskctl's own
// --timeout values (and apply's grace): a runner that hits the job limit
// sends SIGINT and then SIGTERM 7.5 s later, and riskctl takes a second
// signal as "stop at once, no report". docs/plan-and-apply.md#timeout.
const jobMargin = time.Minute

// applyGrace is how long apply may run past --timeout to finish the writes
// in flight and report (internal/cli/timeout.go).
const applyGrace = 30 * time.Second

var timeoutCall = regexp.MustCompile(`riskctl --timeout ([0-9hms]+) (\w+)`)

// Every riskctl run in a kit job has an explicit --timeout, and the job's
// timeout-minutes holds their sum (plus apply's grace) and the margin, so
// a job that runs out of time still gets riskctl's report rather than
// being killed first: the default --timeout (30m) is longer than any kit
// job's limit.
func TestKitJobsOutlastRiskctl(t *testing.T) {
	for _, file := range []string{
		".github/workflows/riskctl-pr.yml",
		".github/workflows/riskctl-apply.yml",
		".github/workflows/riskctl-drift.yml",
	} {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var wf struct {
			Jobs map[string]struct {
				TimeoutMinutes int `yaml:"timeout-minutes"`
				Steps          []struct {
					Run string `yaml:"run"`
				} `yaml:"steps"`
			} `yaml:"jobs"`
		}
		if err := yaml.Unmarshal(data, &wf); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		for name, job := range wf.Jobs {
			var total time.Duration
			for _, step := range job.Steps {
				// The kit's steps run riskctl once each: several calls in
				// one step are the branches of an if (with or without
				// --approve-weakening), so a step costs its longest call.
				var longest time.Duration
				for _, m := range timeoutCall.FindAllStringSubmatch(step.Run, -1) {
					d, err := time.ParseDuration(m[1])
					if err != nil {
						t.Fatalf("%s: job %s: --timeout %q: %v", file, name, m[1], err)
					}
					if m[2] == "apply" {
						d += applyGrace
					}
					longest = max(longest, d)
				}
				total += longest
				for _, cmd := range []string{"plan", "apply", "drift"} {
					if regexp.MustCompile(`(?m)^\s*riskctl ` + cmd + `\b`).MatchString(step.Run) {
						t.Errorf("%s: job %s runs riskctl %s without --timeout: the default (30m) outlasts the job", file, name, cmd)
					}
				}
			}
			if total == 0 {
				continue
			}
			if limit := time.Duration(job.TimeoutMinutes) * time.Minute; total+jobMargin > limit {
				t.Errorf("%s: job %s: riskctl may run %s (+%s margin), more than timeout-minutes %d", file, name, total, jobMargin, job.TimeoutMinutes)
			}
		}
	}
}
