package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	ucli "github.com/urfave/cli/v2"

	"github.com/riskctl/riskctl/internal/apply"
	"github.com/riskctl/riskctl/internal/plan"
	"github.com/riskctl/riskctl/internal/reconcile"
)

// buildOptions runs the real command tree on args, normalised as Main
// normalises them, with the Action of command cmd replaced by one that
// builds its options with from (as the real Action does) and records them
// instead of running the command. The error is the builder's, or
// urfave/cli's for a flag it cannot parse.
func buildOptions[O any](t *testing.T, cmd string, from func(*ucli.Context) (O, error), args []string) (O, error) {
	t.Helper()
	app := testApp()
	c := app.Command(cmd)
	if c == nil {
		t.Fatalf("no command %q", cmd)
	}
	var got O
	ran := false
	c.Action = action(from, func(_ context.Context, o O) error {
		got, ran = o, true
		return nil
	})
	norm, err := normalizeArgs(app, args)
	if err == nil {
		err = app.Run(norm)
	}
	if err == nil && !ran {
		t.Fatalf("run %q: the %s action did not run", args, cmd)
	}
	return got, err
}

// optionsCase is one argv and the options its command must build from it.
type optionsCase[O any] struct {
	args string // split on spaces, after "riskctl"
	want O
}

func checkOptions[O any](t *testing.T, cmd string, from func(*ucli.Context) (O, error), cases []optionsCase[O]) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.args, func(t *testing.T) {
			got, err := buildOptions(t, cmd, from, argv(tc.args))
			if err != nil {
				t.Fatalf("riskctl %s: %v", tc.args, err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("riskctl %s: options (-want +got):\n%s", tc.args, diff)
			}
		})
	}
}

// usageCase is an argv its command must refuse with a usage error (exit 3)
// whose message contains err.
type usageCase struct {
	args []string // after "riskctl"
	err  string
}

func u(args, err string) usageCase { return usageCase{args: strings.Fields(args), err: err} }

func checkUsageErrors[O any](t *testing.T, cmd string, from func(*ucli.Context) (O, error), cases []usageCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			got, err := buildOptions(t, cmd, from, append([]string{"riskctl"}, tc.args...))
			if err == nil {
				t.Fatalf("riskctl %q: no error; options %+v", tc.args, got)
			}
			if !strings.Contains(err.Error(), tc.err) || ExitCode(err) != ExitInvalid {
				t.Errorf("riskctl %q: %v (exit %d); want a usage error (exit %d) containing %q",
					tc.args, err, ExitCode(err), ExitInvalid, tc.err)
			}
		})
	}
}

func behavior(key string) plan.Target { return plan.Target{Resource: plan.ResourceBehavior, Key: key} }
func integration(ref string) plan.Target {
	return plan.Target{Resource: plan.ResourceIntegration, Key: ref}
}

func TestValidateOptions(t *testing.T) {
	checkOptions(t, "validate", validateOptionsFrom, []optionsCase[validateOptions]{
		{"validate -f a.yaml", validateOptions{Files: []string{"a.yaml"}, Format: "text"}},
		{"validate -f a.yaml -f dir/ -f b.yaml", validateOptions{Files: []string{"a.yaml", "dir/", "b.yaml"}, Format: "text"}},
		{"validate --file a.yaml --file=dir/", validateOptions{Files: []string{"a.yaml", "dir/"}, Format: "text"}},
		{"--debug validate -f=a.yaml", validateOptions{Files: []string{"a.yaml"}, Format: "text"}},
		{"validate -f a.yaml --emulate --no-color", validateOptions{Files: []string{"a.yaml"}, Format: "text"}},
		{"validate -f - ", validateOptions{Files: []string{"-"}, Format: "text"}},
		{"validate --format json -f a.yaml", validateOptions{Files: []string{"a.yaml"}, Format: "json"}},
	})
	checkUsageErrors(t, "validate", validateOptionsFrom, []usageCase{
		u("validate", "no spec file: pass -f FILE or -f DIRECTORY"),
		u("validate a.yaml", `unexpected argument "a.yaml": spec files are given with -f`),
		u("validate -f a.yaml b.yaml", `unexpected argument "b.yaml"`),
		u("validate b.yaml -f a.yaml", `unexpected argument "b.yaml"`),
		u("validate -f a.yaml -- -b.yaml", `unexpected argument "-b.yaml"`),
		u("validate --format yaml -f a.yaml", `--format "yaml": expected text, json`),
	})
}

func TestPlanOptions(t *testing.T) {
	defaults := func(o planOptions) planOptions {
		if o.Format == "" {
			o.Format = "text"
		}
		return o
	}
	checkOptions(t, "plan", planOptionsFrom, []optionsCase[planOptions]{
		{"plan -f a.yaml", defaults(planOptions{Audit: defaultAudit, Files: []string{"a.yaml"}, MaxDeletes: reconcile.DefaultMaxDeletes})},
		{"plan -f a.yaml -f dir/ --out p.json --format json --detailed-exitcode --max-deletes 0 --target behavior:k --target integration:ref:with:colons",
			planOptions{Audit: defaultAudit, Files: []string{"a.yaml", "dir/"}, Out: "p.json", Format: "json", DetailedExitcode: true, MaxDeletes: 0,
				Targets: []plan.Target{behavior("k"), integration("ref:with:colons")}}},
		// The same, in another order, with = and global flags among them.
		{"--emulate plan --target=behavior:k --max-deletes=0 --detailed-exitcode --debug --format=json --out=p.json -f dir/ --target integration:ref:with:colons -f a.yaml",
			planOptions{Audit: defaultAudit, Files: []string{"dir/", "a.yaml"}, Out: "p.json", Format: "json", DetailedExitcode: true, MaxDeletes: 0,
				Targets: []plan.Target{behavior("k"), integration("ref:with:colons")}}},
		{"plan --dedupe -f a.yaml", defaults(planOptions{Audit: defaultAudit, Files: []string{"a.yaml"}, MaxDeletes: reconcile.DefaultMaxDeletes, Dedupe: true})},
		{"plan --format markdown -f a.yaml --max-deletes 12 --no-color",
			planOptions{Audit: defaultAudit, Files: []string{"a.yaml"}, Format: "markdown", MaxDeletes: 12}},
		{"plan -f a.yaml --detailed-exitcode=false --out plan.json",
			defaults(planOptions{Audit: defaultAudit, Files: []string{"a.yaml"}, Out: "plan.json", MaxDeletes: reconcile.DefaultMaxDeletes})},
	})
	checkUsageErrors(t, "plan", planOptionsFrom, []usageCase{
		u("plan", "no spec file: pass -f FILE or -f DIRECTORY"),
		u("plan a.yaml", `unexpected argument "a.yaml": spec files are given with -f`),
		u("plan x.yaml -f a.yaml", `unexpected argument "x.yaml"`),
		u("plan -f a.yaml x.yaml --out p.json", `unexpected argument "x.yaml"`),
		u("plan -f a.yaml --format yaml", `--format "yaml": expected text, json, markdown`),
		u("plan -f a.yaml --format table", `--format "table": expected text, json, markdown`),
		u("plan -f a.yaml --target bogus", `--target "bogus": invalid target "bogus"`),
		u("plan -f a.yaml --target behavior:", `--target "behavior:"`),
		u("plan -f a.yaml --target user:x", `unknown resource "user"`),
		u("plan -f a.yaml --max-deletes -1", "--max-deletes -1: expected 0 or more"),
		u("plan --max-deletes=-5 -f a.yaml", "--max-deletes -5: expected 0 or more"),
		u("plan -f a.yaml --max-deletes many", `invalid value "many" for flag -max-deletes`),
		u("plan -f a.yaml --parallelism 2", `unknown flag --parallelism for "riskctl plan"`),
	})
}

func TestApplyOptions(t *testing.T) {
	// The flags' defaults, for the cases that leave them unset.
	base := func(o applyOptions) applyOptions {
		if o.Format == "" {
			o.Format = "text"
		}
		if o.MaxDeletes == 0 {
			o.MaxDeletes = reconcile.DefaultMaxDeletes
		}
		if o.Parallelism == 0 {
			o.Parallelism = apply.DefaultParallelism
		}
		o.NoAccess = true // apply's --access-impact defaults to off
		return o
	}
	checkOptions(t, "apply", applyOptionsFrom, []optionsCase[applyOptions]{
		// apply -f: plan, then apply.
		{"apply -f a.yaml", base(applyOptions{Files: []string{"a.yaml"}})},
		{"apply -f a.yaml -f b.yaml --auto-approve --format json --max-deletes 10 --parallelism 1 --target behavior:k",
			applyOptions{Files: []string{"a.yaml", "b.yaml"}, Targets: []plan.Target{behavior("k")},
				AutoApprove: true, Format: "json", MaxDeletes: 10, Parallelism: 1, NoAccess: true}},
		{"apply --target integration:r --debug --parallelism=2 -f a.yaml --auto-approve -f b.yaml --max-deletes 0",
			applyOptions{Files: []string{"a.yaml", "b.yaml"}, Targets: []plan.Target{integration("r")},
				AutoApprove: true, Format: "text", MaxDeletes: 0, Parallelism: 2, NoAccess: true}},
		{"apply -f a.yaml --allow-other-version", base(applyOptions{Files: []string{"a.yaml"}, AllowOtherVersion: true})},
		{"apply --dedupe -f a.yaml", base(applyOptions{Files: []string{"a.yaml"}, Dedupe: true})},
		{"apply -f a.yaml --access-impact on", applyOptions{Files: []string{"a.yaml"}, Format: "text",
			MaxDeletes: reconcile.DefaultMaxDeletes, Parallelism: apply.DefaultParallelism}},
		// apply PLANFILE: flags before and after it.
		{"apply plan.json", base(applyOptions{PlanFile: "plan.json"})},
		{"apply plan.json --format json --max-deletes 5 --allow-other-version --parallelism 8",
			applyOptions{PlanFile: "plan.json", Format: "json", MaxDeletes: 5, AllowOtherVersion: true, Parallelism: 8, NoAccess: true}},
		{"apply --max-deletes 5 --format=json plan.json --allow-other-version --parallelism=8 --emulate",
			applyOptions{PlanFile: "plan.json", Format: "json", MaxDeletes: 5, AllowOtherVersion: true, Parallelism: 8, NoAccess: true}},
		// The saved plan is the approval: --format json needs no --auto-approve.
		{"apply --format json plan.json", base(applyOptions{PlanFile: "plan.json", Format: "json"})},
		{"apply plan.json --auto-approve --max-deletes 0",
			applyOptions{PlanFile: "plan.json", AutoApprove: true, Format: "text", MaxDeletes: 0, Parallelism: apply.DefaultParallelism, NoAccess: true}},
		{"apply - --auto-approve", base(applyOptions{PlanFile: "-", AutoApprove: true})},
		{"apply --allow-other-version -- -plan.json", base(applyOptions{PlanFile: "-plan.json", AllowOtherVersion: true})},
	})
	checkUsageErrors(t, "apply", applyOptionsFrom, []usageCase{
		u("apply", "no spec file: pass -f FILE or -f DIRECTORY"),
		u("apply plan.json --access-impact on", "either -f FILE... or a saved PLANFILE"),
		u("apply --auto-approve", "no spec file"),
		u("apply plan.json -f a.yaml", "apply takes either -f FILE... or a saved PLANFILE, not both"),
		u("apply -f a.yaml plan.json", "not both"),
		u("apply plan.json --target behavior:k", "not both (a saved plan keeps its own targets"),
		u("apply plan.json --dedupe", "not both (a saved plan keeps its own targets and --dedupe"),
		u("apply a.json b.json", "apply takes one PLANFILE, got 2 arguments"),
		u("apply a.json --auto-approve b.json c.json", "apply takes one PLANFILE, got 3 arguments"),
		{args: []string{"apply", ""}, err: "PLANFILE is empty"},
		u("apply -f a.yaml --format json", "apply --format json needs --auto-approve"),
		u("apply --format json -f a.yaml --auto-approve=false", "needs --auto-approve"),
		u("apply -f a.yaml --format markdown --auto-approve", `--format "markdown": expected text, json`),
		u("apply plan.json --format markdown", `--format "markdown": expected text, json`),
		u("apply -f a.yaml --target bogus", `--target "bogus": invalid target`),
		u("apply -f a.yaml --auto-approve --max-deletes -2", "--max-deletes -2: expected 0 or more"),
		u("apply plan.json --max-deletes -1", "--max-deletes -1: expected 0 or more"),
		u("apply -f a.yaml --parallelism 0", "--parallelism 0: expected 1 or more"),
		u("apply plan.json --parallelism -3", "--parallelism -3: expected 1 or more"),
		u("apply plan.json --parallelism lots", `invalid value "lots" for flag -parallelism`),
		u("apply plan.json --out p.json", `unknown flag --out for "riskctl apply"`),
		u("apply --out p.json plan.json", `unknown flag --out for "riskctl apply"`),
	})
}

func TestDriftOptions(t *testing.T) {
	checkOptions(t, "drift", driftOptionsFrom, []optionsCase[driftOptions]{
		{"drift -f a.yaml", driftOptions{Audit: defaultAudit, Files: []string{"a.yaml"}, Format: "text"}},
		{"drift --format json -f a.yaml -f b.yaml", driftOptions{Audit: defaultAudit, Files: []string{"a.yaml", "b.yaml"}, Format: "json"}},
		{"drift -f a.yaml --emulate --format=markdown -f dir/ --debug", driftOptions{Audit: defaultAudit, Files: []string{"a.yaml", "dir/"}, Format: "markdown"}},
	})
	checkUsageErrors(t, "drift", driftOptionsFrom, []usageCase{
		u("drift", "no spec file: pass -f FILE or -f DIRECTORY"),
		u("drift a.yaml", `unexpected argument "a.yaml": spec files are given with -f`),
		u("drift -f a.yaml extra", `unexpected argument "extra"`),
		u("drift extra -f a.yaml --format json", `unexpected argument "extra"`),
		u("drift -f a.yaml --format table", `--format "table": expected text, json, markdown`),
		u("drift -f a.yaml --max-deletes 1", `unknown flag --max-deletes for "riskctl drift"`),
	})
}

// TestReconcileActionsCheckOptionsFirst: each real command's Action builds
// its options before anything else: a bad flag is a usage error on stderr
// (exit 3), nothing on stdout, and no spec file is read (a.yaml does not
// exist; a spec error would name it).
func TestReconcileActionsCheckOptionsFirst(t *testing.T) {
	t.Chdir(t.TempDir())
	for _, tc := range []usageCase{
		u("validate -f a.yaml b.yaml", `unexpected argument "b.yaml"`),
		u("plan -f a.yaml --max-deletes -1", "--max-deletes -1: expected 0 or more"),
		u("plan -f a.yaml --target nope", `--target "nope"`),
		u("apply -f a.yaml --parallelism 0", "--parallelism 0: expected 1 or more"),
		u("apply -f a.yaml --format json", "needs --auto-approve"),
		u("apply plan.json --max-deletes -1", "--max-deletes -1: expected 0 or more"),
		u("apply plan.json -f a.yaml", "not both"),
		u("drift -f a.yaml --format yaml", `--format "yaml"`),
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := Main(context.Background(), append([]string{"riskctl"}, tc.args...),
				Streams{In: strings.NewReader(""), Out: &out, Err: &errOut})
			if code != ExitInvalid || !strings.HasPrefix(errOut.String(), "Error: ") || !strings.Contains(errOut.String(), tc.err) {
				t.Errorf("exit %d, stderr %q; want exit %d and an error containing %q", code, errOut.String(), ExitInvalid, tc.err)
			}
			if strings.Contains(errOut.String(), "a.yaml") {
				t.Errorf("a spec file was read: %q", errOut.String())
			}
			if out.Len() > 0 {
				t.Errorf("stdout %q", out.String())
			}
		})
	}
}

// TestReconcileHelp: each command's USAGE names every one of its flags,
// starts "riskctl COMMAND", and its help ends with examples that its own
// options builder accepts.
func TestReconcileHelp(t *testing.T) {
	builders := map[string]func(*testing.T, []string) error{
		"validate": func(t *testing.T, args []string) error {
			_, err := buildOptions(t, "validate", validateOptionsFrom, args)
			return err
		},
		"plan": func(t *testing.T, args []string) error {
			_, err := buildOptions(t, "plan", planOptionsFrom, args)
			return err
		},
		"apply": func(t *testing.T, args []string) error {
			_, err := buildOptions(t, "apply", applyOptionsFrom, args)
			return err
		},
		"drift": func(t *testing.T, args []string) error {
			_, err := buildOptions(t, "drift", driftOptionsFrom, args)
			return err
		},
	}
	for name, build := range builders {
		t.Run(name, func(t *testing.T) {
			cmd := testApp().Command(name)
			words := map[string]bool{}
			for _, line := range strings.Split(cmd.UsageText, "\n") {
				if !strings.HasPrefix(line, "riskctl "+name+" ") {
					t.Errorf("USAGE line %q does not start with %q", line, "riskctl "+name+" ")
				}
				for _, w := range strings.Fields(line) {
					words[strings.Trim(w, "[].")] = true
				}
			}
			for _, f := range cmd.Flags {
				named := false
				for _, n := range f.Names() {
					named = named || words["--"+n] || (len(n) == 1 && words["-"+n])
				}
				if !named {
					t.Errorf("USAGE %q does not name --%s", cmd.UsageText, f.Names()[0])
				}
			}

			_, examples, ok := strings.Cut(cmd.Description, "\nExamples:\n")
			if !ok && strings.HasPrefix(cmd.Description, "Examples:\n") {
				examples, ok = strings.TrimPrefix(cmd.Description, "Examples:\n"), true
			}
			if !ok {
				t.Fatalf("no Examples section in the description:\n%s", cmd.Description)
			}
			lines := strings.Split(examples, "\n")
			if len(lines) < 2 {
				t.Errorf("%d examples; want 2 or more", len(lines))
			}
			for _, line := range lines {
				example, _, _ := strings.Cut(line, "#")
				if !strings.HasPrefix(line, "  riskctl "+name+" ") {
					t.Errorf("example %q (the Examples section must come last)", line)
					continue
				}
				if err := build(t, strings.Fields(example)); err != nil {
					t.Errorf("example %q: %v", strings.TrimSpace(example), err)
				}
			}
		})
	}
	if d := testApp().Command("plan").Description; !strings.HasPrefix(d, "Exit codes:\n  0  no changes") {
		t.Errorf("plan's description no longer lists the exit codes first:\n%s", d)
	}
}
