// Command riskctl-bench measures riskctl end to end: it builds the riskctl
// binary once, runs it against an in-process emulator on 127.0.0.1 with a
// per-request latency, and prints a Markdown table of the API requests,
// the 429s and the wall time of each scenario against its target.
//
//	go run ./cmd/riskctl-bench                      # every scenario but apply-budget, 50ms, median of 3
//	go run ./cmd/riskctl-bench -quick               # scaled-down sizes and windows, for CI
//	go run ./cmd/riskctl-bench -only '^plan/'       # scenarios whose name matches
//	go run ./cmd/riskctl-bench -only apply-budget   # the long one (minutes at the real 1200/5m window)
//
// RTT is -latency: the loopback round trip is negligible next to it.
// Start-up is the median wall time of `riskctl version`. Every run gets a
// fresh emulator; requests (of the last run) and 429s (the most of any run)
// are read from its request log. The scenario names are stable:
// BENCHMARKS.md refers to them. Apply targets count the plan's read round
// trip before the writes: 1.3 × (1 + ⌈writes/parallelism⌉) × RTT + start-up,
// and for creates the duplicate check after them (apply.DuplicateSettle and
// one more round trip).
// -quick drops apply-create/100, shortens the shared windows from 10 s to
// 5 s and makes apply-budget 200 writes against 120 per 3 s.
// A long scenario (apply-budget) runs once, not -runs times.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/riskctl/riskctl/internal/apply"
	"github.com/riskctl/riskctl/internal/emulator"
)

const (
	benchToken         = "riskctl-bench-token"
	assumedParallelism = 10 // when `riskctl apply --help` shows no default
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// config holds the flags.
type config struct {
	latency time.Duration
	runs    int
	only    *regexp.Regexp // nil: every scenario except the long ones
	quick   bool
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	fs := flag.NewFlagSet("riskctl-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c config
	var only string
	fs.DurationVar(&c.latency, "latency", 50*time.Millisecond, "latency the emulator adds to every request (the RTT)")
	fs.IntVar(&c.runs, "runs", 3, "runs per scenario; the wall time is their median")
	fs.StringVar(&only, "only", "", "run only the scenarios whose name matches this regexp (needed for apply-budget)")
	fs.BoolVar(&c.quick, "quick", false, "scaled-down sizes and rate windows, for CI")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if c.runs < 1 || c.latency < 0 {
		return c, errors.New("-runs must be 1 or more and -latency not negative")
	}
	if only != "" {
		re, err := regexp.Compile(only)
		if err != nil {
			return c, fmt.Errorf("-only: %w", err)
		}
		c.only = re
	}
	return c, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg, err := parseFlags(args, stderr)
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(stderr, "riskctl-bench:", err)
		}
		return 2
	}
	selected := selectScenarios(scenarios(cfg.quick), cfg.only)
	if len(selected) == 0 {
		fmt.Fprintln(stderr, "riskctl-bench: no scenario matches -only")
		return 2
	}
	work, err := os.MkdirTemp("", "riskctl-bench-")
	if err != nil {
		fmt.Fprintln(stderr, "riskctl-bench:", err)
		return 1
	}
	defer os.RemoveAll(work)
	b := &bench{config: cfg, ctx: ctx, work: work}
	if err := b.prepare(); err != nil {
		fmt.Fprintln(stderr, "riskctl-bench:", err)
		return 1
	}
	var rows []row
	for _, s := range selected {
		fmt.Fprintf(stderr, "running %s ...\n", s.name)
		r := s.fn(b)
		r.name = s.name
		rows = append(rows, r)
		if ctx.Err() != nil {
			break
		}
	}
	b.writeTable(stdout, rows)
	if ctx.Err() != nil {
		return 1
	}
	return 0
}

// scenario is one row of the table. A long scenario runs only when -only
// selects it.
type scenario struct {
	name string
	long bool
	fn   func(*bench) row
}

// scenarios lists the scenarios in table order; quick scales them down.
func scenarios(quick bool) []scenario {
	var ss []scenario
	for _, n := range []int{0, 3, 100, 1000} {
		ss = append(ss, scenario{name: fmt.Sprintf("plan/%d", n), fn: func(b *bench) row { return b.plan(n) }})
	}
	ss = append(ss, scenario{name: "plan-access/200", fn: func(b *bench) row { return b.planAccess(200, 100, 50, 100) }})
	creates := []int{10, 50, 100}
	if quick {
		creates = []int{10, 50}
	}
	for _, n := range creates {
		ss = append(ss, scenario{name: fmt.Sprintf("apply-create/%d", n), fn: func(b *bench) row { return b.applyCreate(n) }})
	}
	ss = append(ss, scenario{name: "apply-update/10-of-100", fn: func(b *bench) row { return b.applyUpdate(10, 100) }})
	budget := rateBudget{writes: 2000, limit: 1200, window: 300 * time.Second}
	if quick {
		budget = rateBudget{writes: 200, limit: 120, window: 3 * time.Second}
	}
	ss = append(ss, scenario{name: fmt.Sprintf("apply-budget/%d", budget.writes), long: true,
		fn: func(b *bench) row { return b.applyBudget(budget) }})
	// The shared budgets shrink Cloudflare's window (300 s) to seconds but
	// keep the quota well above the writes in flight (parallelism 10 per
	// process), as 1200 is, and the runs cross at least one window.
	window := 10 * time.Second
	if quick {
		window = 5 * time.Second
	}
	shared := rateBudget{writes: 150, limit: 200, window: window}       // 2 × 152 requests
	accountsBudget := rateBudget{writes: 10, limit: 60, window: window} // 10 × 12 requests
	// Many accounts, few creates each, at Cloudflare's own limit: the
	// accounts apply at once, each one's duplicate-check wait overlapping
	// the others' (issue 18: 191 s one account after the other).
	manyAccounts := rateBudget{writes: 5, limit: 1200, window: 300 * time.Second} // 100 × 8 requests
	ss = append(ss,
		scenario{name: "two-processes/shared-token", fn: func(b *bench) row { return b.twoProcesses(shared) }},
		scenario{name: "accounts/10x10", fn: func(b *bench) row { return b.accounts(10, accountsBudget, 0) }},
		scenario{name: "accounts/100x5", fn: func(b *bench) row { return b.accounts(100, manyAccounts, 10*time.Second) }},
		scenario{name: "users-list/1000", fn: func(b *bench) row { return b.usersList(1000) }},
	)
	return ss
}

// selectScenarios keeps those matching only (all when nil); long ones need
// an explicit match.
func selectScenarios(ss []scenario, only *regexp.Regexp) []scenario {
	var out []scenario
	for _, s := range ss {
		if only == nil && !s.long || only != nil && only.MatchString(s.name) {
			out = append(out, s)
		}
	}
	return out
}

// bench is the state shared by the scenarios.
type bench struct {
	config
	ctx         context.Context
	work        string // temporary directory: the binary, specs, run directories
	bin         string
	startup     time.Duration // median wall time of `riskctl version`
	parallelism int           // apply's default --parallelism
	parNote     string        // where parallelism came from
}

// prepare builds riskctl, measures its start-up and reads apply's default
// parallelism.
func (b *bench) prepare() error {
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	b.bin = filepath.Join(b.work, "riskctl")
	build := exec.CommandContext(b.ctx, "go", "build", "-o", b.bin, ".")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		return fmt.Errorf("go build riskctl: %v\n%s", err, out)
	}
	var walls []time.Duration
	for range max(b.runs, 5) {
		start := time.Now()
		if out, err := exec.CommandContext(b.ctx, b.bin, "version").CombinedOutput(); err != nil {
			return fmt.Errorf("riskctl version: %v\n%s", err, out)
		}
		walls = append(walls, time.Since(start))
	}
	b.startup = median(walls)
	help, _ := exec.CommandContext(b.ctx, b.bin, "apply", "--help").CombinedOutput()
	b.parallelism, b.parNote = parseParallelism(string(help))
	return nil
}

// moduleRoot is the directory of the main module's go.mod.
func moduleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if gomod := strings.TrimSpace(string(out)); err == nil && gomod != "" && gomod != os.DevNull {
		return filepath.Dir(gomod), nil
	}
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod found: run riskctl-bench inside the riskctl module")
		}
		dir = parent
	}
}

var parallelismDefault = regexp.MustCompile(`--parallelism[^\n]*\(default: (\d+)\)`)

// parseParallelism reads apply's default --parallelism from its help.
func parseParallelism(help string) (int, string) {
	if m := parallelismDefault.FindStringSubmatch(help); m != nil {
		if n, err := strconv.Atoi(m[1]); err == nil && n > 0 {
			return n, "default of `riskctl apply --help`"
		}
	}
	return assumedParallelism, "assumed: `riskctl apply --help` shows no default"
}

// row is one line of the table.
type row struct {
	name     string
	n        string
	requests int
	tooMany  int
	wall     time.Duration
	runs     int
	target   string
	pass     bool
	note     string // why a run failed, or a caveat
}

func (b *bench) writeTable(w io.Writer, rows []row) {
	fmt.Fprintf(w, "Start-up (`riskctl version`, median): %s. RTT (emulator latency): %s. Apply parallelism: %d (%s).\n\n",
		short(b.startup), b.latency, b.parallelism, b.parNote)
	fmt.Fprintf(w, "| Scenario | N | Latency | Requests | 429s | Wall (median of %d) | Target | Result |\n", b.runs)
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|")
	var notes []string
	for _, r := range rows {
		result := "miss"
		if r.pass {
			result = "pass"
		}
		wall := short(r.wall)
		if r.runs != b.runs {
			wall += fmt.Sprintf(" (%d run)", r.runs)
		}
		fmt.Fprintf(w, "| %s | %s | %s | %d | %d | %s | %s | %s |\n",
			r.name, r.n, b.latency, r.requests, r.tooMany, wall, r.target, result)
		if r.note != "" {
			notes = append(notes, fmt.Sprintf("- %s: %s", r.name, r.note))
		}
	}
	if len(notes) > 0 {
		fmt.Fprintln(w)
		fmt.Fprintln(w, strings.Join(notes, "\n"))
	}
}

// short rounds a duration for the table.
func short(d time.Duration) string {
	if d < 10*time.Second {
		return d.Round(time.Millisecond).String()
	}
	return d.Round(100 * time.Millisecond).String()
}

// trial is what one run needs: the emulator, what to put in it, and the
// riskctl processes to start together (their arguments).
type trial struct {
	opts    emulator.Options
	seed    func(*emulator.Emulator)
	account string // CLOUDFLARE_ACCOUNT_ID
	procs   [][]string
}

// outcome summarises the runs of one scenario.
type outcome struct {
	wall     time.Duration // median
	requests int           // of the last run
	tooMany  int           // 429 answers, the most of any run
	runs     int
	failure  string // the first failed process, if any
}

// measure runs a scenario runs times, each with a fresh emulator and a
// fresh directory (mk writes its specs there and returns the trial).
func (b *bench) measure(runs int, mk func(dir string) trial) outcome {
	o := outcome{runs: runs}
	var walls []time.Duration
	for i := range runs {
		dir := filepath.Join(b.work, fmt.Sprintf("run-%d-%d", time.Now().UnixNano(), i))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			o.failure = err.Error()
			break
		}
		wall, reqs, failure := b.once(dir, mk(dir))
		walls = append(walls, wall)
		o.requests = len(reqs)
		o.tooMany = max(o.tooMany, count429(reqs))
		if o.failure == "" {
			o.failure = failure
		}
		if b.ctx.Err() != nil {
			break
		}
	}
	o.wall = median(walls)
	return o
}

// once runs one trial and returns its wall time (all processes, from the
// first start to the last exit) and the emulator's request log.
func (b *bench) once(dir string, t trial) (time.Duration, []emulator.Request, string) {
	opts := t.opts
	opts.Token, opts.Latency = benchToken, b.latency
	srv, err := emulator.Start("127.0.0.1:0", opts)
	if err != nil {
		return 0, nil, err.Error()
	}
	defer srv.Close()
	if t.seed != nil {
		t.seed(srv.Emulator)
	}
	env := append(cleanEnv(),
		"CLOUDFLARE_BASE_URL="+srv.URL,
		"CLOUDFLARE_API_TOKEN="+benchToken,
		"CLOUDFLARE_ACCOUNT_ID="+t.account,
		"NO_COLOR=1")

	failures := make([]string, len(t.procs))
	var wg sync.WaitGroup
	start := time.Now()
	for i, args := range t.procs {
		cmd := exec.CommandContext(b.ctx, b.bin, args...)
		cmd.Dir, cmd.Env = dir, env
		var stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = io.Discard, &stderr
		if err := cmd.Start(); err != nil {
			failures[i] = err.Error()
			continue
		}
		wg.Go(func() {
			if err := cmd.Wait(); err != nil {
				failures[i] = fmt.Sprintf("riskctl %s: %v: %s", strings.Join(args, " "), err, lastLine(stderr.String()))
			}
		})
	}
	wg.Wait()
	wall := time.Since(start)
	failure := ""
	if i := slices.IndexFunc(failures, func(s string) bool { return s != "" }); i >= 0 {
		failure = failures[i]
	}
	return wall, srv.Requests(), failure
}

// cleanEnv is the environment without anything that steers riskctl.
func cleanEnv() []string {
	return slices.DeleteFunc(os.Environ(), func(kv string) bool {
		return strings.HasPrefix(kv, "CLOUDFLARE_") || strings.HasPrefix(kv, "RISKCTL_") || strings.HasPrefix(kv, "NO_COLOR=")
	})
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

func count429(reqs []emulator.Request) int {
	n := 0
	for _, r := range reqs {
		if r.Status == http.StatusTooManyRequests {
			n++
		}
	}
	return n
}

func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

// accountID is the i-th benchmark account: 32 lower-case hex characters.
func accountID(i int) string { return fmt.Sprintf("be7c%028x", i+1) }

// integration is the i-th benchmark integration.
func integration(i int) emulator.Integration {
	return emulator.Integration{
		ReferenceID: fmt.Sprintf("idp-%05d", i),
		TenantURL:   fmt.Sprintf("https://t%05d.okta.com", i),
		Active:      true,
	}
}

// writeSpec writes a spec for account declaring ins, and the emulator's
// default imp_travel behavior (so plans compare behaviors too).
func writeSpec(path, account string, ins []emulator.Integration) string {
	var s strings.Builder
	fmt.Fprintf(&s, "version: 1\naccount_id: %s\nbehaviors:\n  imp_travel: {enabled: false, risk_level: high}\n", account)
	s.WriteString("integrations:")
	if len(ins) == 0 {
		s.WriteString(" []")
	}
	s.WriteString("\n")
	for _, in := range ins {
		fmt.Fprintf(&s, "  - reference_id: %s\n    integration_type: Okta\n    tenant_url: %s\n", in.ReferenceID, in.TenantURL)
	}
	if err := os.WriteFile(path, []byte(s.String()), 0o644); err != nil {
		panic(err) // the bench's own temporary directory
	}
	return path
}

func integrations(from, n int) []emulator.Integration {
	ins := make([]emulator.Integration, n)
	for i := range ins {
		ins[i] = integration(from + i)
	}
	return ins
}

func seedAll(account string, ins []emulator.Integration) func(*emulator.Emulator) {
	return func(e *emulator.Emulator) {
		for _, in := range ins {
			e.PutIntegration(account, in)
		}
	}
}

// rtts is d × n, for targets counted in round trips.
func rtts(n float64, d time.Duration) time.Duration { return time.Duration(n * float64(d)) }

// ok is the verdict of a row: its target held and no process failed.
func ok(o outcome, target bool) bool { return target && o.failure == "" }

// plan/N: N integrations, all in sync, and no Access objects. Target: 6
// requests (behaviors, integrations and the four Access lists, all
// concurrently) and one round trip: 1.3 × RTT + start-up.
func (b *bench) plan(n int) row {
	acct := accountID(0)
	ins := integrations(0, n)
	o := b.measure(b.runs, func(dir string) trial {
		spec := writeSpec(filepath.Join(dir, "spec.yaml"), acct, ins)
		return trial{seed: seedAll(acct, ins), account: acct, procs: [][]string{{"plan", "-f", spec}}}
	})
	bound := rtts(1.3, b.latency) + b.startup
	return b.row(o, strconv.Itoa(n), fmt.Sprintf("6 req, ≤ 1.3×RTT+start = %s", short(bound)),
		ok(o, o.requests == 6 && o.wall <= bound))
}

// plan-access/P: a plan of n integrations with Access impact on an account
// with P reusable policies, apps applications and groups groups (the
// emulator's pages of 20: several pages per list, the pages after the
// first fetched concurrently). Target: within one round trip of the same
// plan with --access-impact=off, measured here too (its wall time is in
// the target cell).
func (b *bench) planAccess(policies, apps, groups, n int) row {
	acct := accountID(0)
	ins := integrations(0, n)
	data := accessData(policies, apps, groups)
	mk := func(args ...string) func(dir string) trial {
		return func(dir string) trial {
			spec := writeSpec(filepath.Join(dir, "spec.yaml"), acct, ins)
			return trial{opts: emulator.Options{Access: data}, seed: seedAll(acct, ins), account: acct,
				procs: [][]string{append([]string{"plan", "-f", spec}, args...)}}
		}
	}
	off := b.measure(b.runs, mk("--access-impact=off"))
	o := b.measure(b.runs, mk())
	if o.failure == "" {
		o.failure = off.failure
	}
	bound := off.wall + b.latency
	return b.row(o, fmt.Sprintf("%d/%d/%d, %d int.", policies, apps, groups, n),
		fmt.Sprintf("≤ plan --access-impact=off (%s, %d req) + RTT = %s", short(off.wall), off.requests, short(bound)),
		ok(o, o.wall <= bound))
}

// accessData is an Access configuration of the given size: each policy
// excludes high and pulls in a group requiring a score below high; each
// application embeds two reusable policies by id; one Okta identity
// provider per ten integrations.
func accessData(policies, apps, groups int) *emulator.AccessData {
	d := &emulator.AccessData{}
	for i := range groups {
		d.Groups = append(d.Groups, json.RawMessage(fmt.Sprintf(
			`{"id":"grp-%04d","name":"Group %d","include":[{"email_domain":{"domain":"g%d.example.com"}}],`+
				`"require":[{"user_risk_score":{"user_risk_score":["low","medium","unscored"]}}],"exclude":[]}`, i, i, i)))
	}
	policy := func(i int) string {
		return fmt.Sprintf(`{"id":"pol-%04d","name":"Policy %d","decision":"allow","reusable":true,`+
			`"include":[{"group":{"id":"grp-%04d"}}],"require":[],"exclude":[{"user_risk_score":{"user_risk_score":["high"]}}]}`,
			i, i, i%max(groups, 1))
	}
	for i := range policies {
		d.Policies = append(d.Policies, json.RawMessage(policy(i)))
	}
	for i := range apps {
		d.Apps = append(d.Apps, json.RawMessage(fmt.Sprintf(`{"id":"app-%04d","name":"App %d","domain":"app%d.example.com","type":"self_hosted","policies":[%s,%s]}`,
			i, i, i, policy((2*i)%max(policies, 1)), policy((2*i+1)%max(policies, 1)))))
	}
	for i := range 10 {
		d.IdentityProviders = append(d.IdentityProviders, json.RawMessage(fmt.Sprintf(
			`{"id":"idp-%05d","name":"Okta %d","type":"okta","config":{"okta_account":"https://t%05d.okta.com"}}`, i*10, i, i*10)))
	}
	return d
}

// applyBound is the target of an apply of writes: its plan's read round
// trip, then the writes in waves of the default parallelism, with 30 %
// slack, plus start-up. An apply that creates also waits
// apply.DuplicateSettle after its last create, then lists the account once
// (one more round trip) to find copies a concurrent run made.
func (b *bench) applyBound(writes int, creates bool) (time.Duration, string) {
	waves := 1 + math.Ceil(float64(writes)/float64(b.parallelism))
	if !creates {
		bound := rtts(1.3*waves, b.latency) + b.startup
		return bound, fmt.Sprintf("≤ 1.3×(1+⌈%d/%d⌉)×RTT+start = %s", writes, b.parallelism, short(bound))
	}
	bound := rtts(1.3*(waves+1), b.latency) + b.startup + apply.DuplicateSettle
	return bound, fmt.Sprintf("≤ 1.3×(2+⌈%d/%d⌉)×RTT+start+settle = %s", writes, b.parallelism, short(bound))
}

// apply-create/N: N integrations to create in an empty account.
func (b *bench) applyCreate(n int) row {
	acct := accountID(0)
	ins := integrations(0, n)
	o := b.measure(b.runs, func(dir string) trial {
		spec := writeSpec(filepath.Join(dir, "spec.yaml"), acct, ins)
		return trial{account: acct, procs: [][]string{{"apply", "-f", spec, "--auto-approve"}}}
	})
	bound, target := b.applyBound(n, true)
	return b.row(o, strconv.Itoa(n), target, ok(o, o.wall <= bound))
}

// apply-update/U-of-N: N integrations exist, the spec moves U of them to a
// new tenant_url. Moving a feed weakens (state.ClassOf), so the run
// approves it as a reviewer would.
func (b *bench) applyUpdate(u, n int) row {
	acct := accountID(0)
	live := integrations(0, n)
	want := integrations(0, n)
	for i := range u {
		want[i*n/u].TenantURL += "/new"
	}
	o := b.measure(b.runs, func(dir string) trial {
		spec := writeSpec(filepath.Join(dir, "spec.yaml"), acct, want)
		return trial{seed: seedAll(acct, live), account: acct, procs: [][]string{{"apply", "-f", spec, "--auto-approve", "--approve-weakening"}}}
	})
	bound, target := b.applyBound(u, false)
	return b.row(o, fmt.Sprintf("%d/%d", u, n), target, ok(o, o.wall <= bound))
}

// rateBudget is an emulator rate limit and the writes that run against it.
type rateBudget struct {
	writes int
	limit  int
	window time.Duration
}

// minWall is the least time an apply of rb.writes can take under the
// budget: the later of its round trips (one for the plan's reads, then the
// writes in waves of p) and the windows that must pass before its last
// request may be sent, followed by the rest of its requests in waves.
func (rb rateBudget) minWall(p int, rtt time.Duration) time.Duration {
	requests := rb.writes + 2
	latencyBound := rtts(1+math.Ceil(float64(rb.writes)/float64(p)), rtt)
	full := (requests - 1) / rb.limit
	tail := requests - full*rb.limit
	windowBound := time.Duration(full)*rb.window + rtts(math.Ceil(float64(tail)/float64(p)), rtt)
	return max(latencyBound, windowBound)
}

// setLockOut turns on the emulator's lock-out (Cloudflare blocks a token
// for the window once it is over the limit) when this emulator has
// Options.LockOut; another change adds it, so it is looked up by name.
func setLockOut(o *emulator.Options, d time.Duration) string {
	f := reflect.ValueOf(o).Elem().FieldByName("LockOut")
	switch {
	case !f.IsValid():
		return "emulator has no Options.LockOut yet: lock-out not simulated"
	case f.Type() == reflect.TypeFor[time.Duration]():
		f.Set(reflect.ValueOf(d))
	case f.Kind() == reflect.Bool:
		f.SetBool(true)
	default:
		return fmt.Sprintf("Options.LockOut has type %s: lock-out not set", f.Type())
	}
	return fmt.Sprintf("lock-out on (Options.LockOut = %v)", f.Interface())
}

// apply-budget/N: N creates against limit per window (Cloudflare: 1200 per
// 300 s). Target: no 429 and within 1.2× of the least time the budget
// allows. Long, so it runs once.
func (b *bench) applyBudget(rb rateBudget) row {
	acct := accountID(0)
	ins := integrations(0, rb.writes)
	var lockNote string
	o := b.measure(1, func(dir string) trial {
		spec := writeSpec(filepath.Join(dir, "spec.yaml"), acct, ins)
		opts := emulator.Options{RateLimit: rb.limit, RateWindow: rb.window}
		lockNote = setLockOut(&opts, rb.window)
		return trial{opts: opts, account: acct, procs: [][]string{{"apply", "-f", spec, "--auto-approve"}}}
	})
	bound := time.Duration(1.2*float64(rb.minWall(b.parallelism, b.latency))) + b.startup
	r := b.row(o, strconv.Itoa(rb.writes),
		fmt.Sprintf("0 429s, ≤ 1.2×budget+start = %s (%d/%s)", short(bound), rb.limit, rb.window),
		ok(o, o.tooMany == 0 && o.wall <= bound))
	r.note = strings.TrimPrefix(r.note+"; "+lockNote, "; ")
	return r
}

// two-processes/shared-token: two applies at once, one token, each
// creating rb.writes in its own account, under one budget. Target: no 429.
func (b *bench) twoProcesses(rb rateBudget) row {
	o := b.measure(b.runs, func(dir string) trial {
		t := trial{opts: emulator.Options{RateLimit: rb.limit, RateWindow: rb.window}, account: accountID(0)}
		for p := range 2 {
			spec := writeSpec(filepath.Join(dir, fmt.Sprintf("spec%d.yaml", p)), accountID(p), integrations(0, rb.writes))
			t.procs = append(t.procs, []string{"apply", "-f", spec, "--auto-approve"})
		}
		return t
	})
	return b.row(o, fmt.Sprintf("2×%d", rb.writes), fmt.Sprintf("0 429s (%d/%s)", rb.limit, rb.window), ok(o, o.tooMany == 0))
}

// accounts/AxN: one apply over A accounts (a directory of A specs),
// N = rb.writes creates each, under one budget for the token. Target: no
// 429, and when within is not 0, a wall time within it.
func (b *bench) accounts(a int, rb rateBudget, within time.Duration) row {
	n := rb.writes
	o := b.measure(b.runs, func(dir string) trial {
		specs := filepath.Join(dir, "specs")
		if err := os.Mkdir(specs, 0o755); err != nil {
			panic(err)
		}
		for i := range a {
			writeSpec(filepath.Join(specs, fmt.Sprintf("account%03d.yaml", i)), accountID(i), integrations(0, n))
		}
		return trial{opts: emulator.Options{RateLimit: rb.limit, RateWindow: rb.window}, account: accountID(0),
			procs: [][]string{{"apply", "-f", specs, "--auto-approve"}}}
	})
	target := fmt.Sprintf("0 429s (%d/%s)", rb.limit, rb.window)
	pass := o.tooMany == 0
	if within > 0 {
		target = fmt.Sprintf("≤ %s, %s", short(within), target)
		pass = pass && o.wall <= within
	}
	return b.row(o, fmt.Sprintf("%d×%d", a, n), target, ok(o, pass))
}

// users-list/N: N users with risk events, 20 per summary page. Target:
// under 2 s (at 50 ms).
func (b *bench) usersList(n int) row {
	acct := accountID(0)
	o := b.measure(b.runs, func(string) trial {
		return trial{opts: emulator.Options{Accounts: []string{acct}, SeedUsers: n, PageSize: 20}, account: acct,
			procs: [][]string{{"users", "list"}}}
	})
	return b.row(o, strconv.Itoa(n), "< 2s", ok(o, o.wall < 2*time.Second))
}

func (b *bench) row(o outcome, n, target string, pass bool) row {
	return row{n: n, requests: o.requests, tooMany: o.tooMany, wall: o.wall, runs: o.runs,
		target: target, pass: pass, note: o.failure}
}
