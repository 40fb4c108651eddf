package main

import (
	"bytes"
	"context"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestPlan3 runs the plan/3 scenario for real (it builds riskctl) and
// checks its row; wall times and the verdict are not checked.
func TestPlan3(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the riskctl binary")
	}
	var out, errs bytes.Buffer
	if code := run(context.Background(), []string{"-latency", "1ms", "-runs", "1", "-only", "^plan/3$"}, &out, &errs); code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, &out, &errs)
	}
	var cells []string
	for line := range strings.Lines(out.String()) {
		if strings.HasPrefix(line, "| plan/3 |") {
			cells = strings.Split(strings.Trim(strings.TrimSpace(line), "|"), "|")
		}
	}
	if len(cells) != 8 {
		t.Fatalf("no plan/3 row of 8 cells in:\n%s", &out)
	}
	if got := strings.TrimSpace(cells[3]); got != "6" {
		t.Errorf("requests = %s, want 6 (2 risk-scoring, 4 Access)\n%s", got, &out)
	}
	if got := strings.TrimSpace(cells[4]); got != "0" {
		t.Errorf("429s = %s, want 0\n%s", got, &out)
	}
	if strings.Contains(out.String(), "riskctl plan") {
		t.Errorf("a riskctl process failed:\n%s", &out)
	}
}

func names(ss []scenario) []string {
	var out []string
	for _, s := range ss {
		out = append(out, s.name)
	}
	return out
}

func TestSelectScenarios(t *testing.T) {
	all := scenarios(false)
	if got := names(selectScenarios(all, nil)); slices.Contains(got, "apply-budget/2000") || !slices.Contains(got, "users-list/1000") || !slices.Contains(got, "accounts/100x5") {
		t.Errorf("without -only: %v; want every scenario but apply-budget", got)
	}
	if got := names(selectScenarios(all, regexp.MustCompile("apply-budget"))); !slices.Equal(got, []string{"apply-budget/2000"}) {
		t.Errorf("-only apply-budget: %v", got)
	}
	if got := names(selectScenarios(scenarios(true), regexp.MustCompile("apply-budget"))); !slices.Equal(got, []string{"apply-budget/200"}) {
		t.Errorf("-quick -only apply-budget: %v", got)
	}
	want := []string{"plan/0", "plan/3", "plan/100", "plan/1000"}
	if got := names(selectScenarios(all, regexp.MustCompile("^plan/"))); !slices.Equal(got, want) {
		t.Errorf("-only ^plan/: %v, want %v", got, want)
	}
}

func TestParseParallelism(t *testing.T) {
	help := "   --max-deletes value  ...\n   --parallelism value  API writes in flight at once (default: 7)\n"
	if n, _ := parseParallelism(help); n != 7 {
		t.Errorf("parallelism = %d, want 7", n)
	}
	if n, _ := parseParallelism("no such flag"); n != assumedParallelism {
		t.Errorf("without a default: %d, want %d", n, assumedParallelism)
	}
}

func TestMinWall(t *testing.T) {
	const rtt = 50 * time.Millisecond
	for _, c := range []struct {
		rb   rateBudget
		want time.Duration
	}{
		// 2002 requests, 1200 per window: one full window, then 802 in waves of 10.
		{rateBudget{writes: 2000, limit: 1200, window: 300 * time.Second}, 300*time.Second + 81*rtt},
		// 202 requests, 120 per 3 s: one window, then 82 in waves of 10.
		{rateBudget{writes: 200, limit: 120, window: 3 * time.Second}, 3*time.Second + 9*rtt},
		// Within one window the round trips bound it: 1 read + 10 waves.
		{rateBudget{writes: 100, limit: 1200, window: 300 * time.Second}, 11 * rtt},
	} {
		if got := c.rb.minWall(10, rtt); got != c.want {
			t.Errorf("%+v: minWall = %v, want %v", c.rb, got, c.want)
		}
	}
}

func TestParseFlags(t *testing.T) {
	for _, args := range [][]string{{"-runs", "0"}, {"-only", "("}, {"extra"}} {
		if _, err := parseFlags(args, &bytes.Buffer{}); err == nil {
			t.Errorf("%q: no error", args)
		}
	}
}

// TestSharedBudgetsNo429 runs the scaled-down budget scenarios (one big
// apply against a small window with a lock-out, two processes sharing a
// token, ten accounts in one run) and requires zero 429s from each: the
// pacer keeps every run within the announced budget. Wall times are not
// checked.
func TestSharedBudgetsNo429(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the riskctl binary")
	}
	var out, errs bytes.Buffer
	only := `^(apply-budget/200|two-processes/shared-token|accounts/10x10)$`
	if code := run(context.Background(), []string{"-quick", "-latency", "1ms", "-runs", "1", "-only", only}, &out, &errs); code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, &out, &errs)
	}
	rows := 0
	for line := range strings.Lines(out.String()) {
		cells := strings.Split(strings.Trim(strings.TrimSpace(line), "|"), "|")
		if len(cells) != 8 || !regexp.MustCompile(only).MatchString(strings.TrimSpace(cells[0])) {
			continue
		}
		rows++
		if got := strings.TrimSpace(cells[4]); got != "0" {
			t.Errorf("%s: %s 429s, want 0\n%s", strings.TrimSpace(cells[0]), got, &out)
		}
	}
	if rows != 3 {
		t.Fatalf("%d of the 3 scenario rows in:\n%s", rows, &out)
	}
	if strings.Contains(out.String(), "exit ") {
		t.Errorf("a riskctl process failed:\n%s", &out)
	}
}
