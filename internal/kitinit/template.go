package kitinit

import (
	"bytes"
	"embed"
	"fmt"
	"regexp"
	"strings"
)

// The kit's three workflows, as riskctl's own repository holds them in
// .github/workflows. go:embed cannot reach outside this package's
// directory, so kit/ holds copies; TestKitCopyIsCurrent fails when they
// differ from .github/workflows (go test ./internal/kitinit -update copies
// them again), so the repository's files stay the one source.
//
//go:embed kit/riskctl-pr.yml kit/riskctl-apply.yml kit/riskctl-drift.yml
var kitFS embed.FS

// Workflow file names, in the order init writes and --check reports them.
const (
	PRWorkflow    = "riskctl-pr.yml"
	ApplyWorkflow = "riskctl-apply.yml"
	DriftWorkflow = "riskctl-drift.yml"
)

// Workflows are the kit's files, in order.
var Workflows = []string{PRWorkflow, ApplyWorkflow, DriftWorkflow}

// WorkflowDir is where GitHub reads workflows, relative to a repository.
const WorkflowDir = ".github/workflows"

// ActionRepo is the setup action's repository (action.yml at its root).
const ActionRepo = "riskctl/riskctl"

// DefaultSpecDir and DefaultBranch are the kit's own values.
const (
	DefaultSpecDir = "riskscoring"
	DefaultBranch  = "main"
)

var (
	fullSHA = regexp.MustCompile(`^[0-9a-f]{40}$`)
	// releaseTag is what the setup action takes as a release (action.yml),
	// as test/kit/workflows_test.go spells it.
	releaseTag = regexp.MustCompile(`^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$`)
	// pseudoVersion ends a Go pseudo-version (v0.0.0-20260330174726-0123456789ab):
	// what `go install ...@<commit>` records, a commit, not a release.
	pseudoVersion = regexp.MustCompile(`[0-9]{14}-[0-9a-f]{12}$`)
	// specDirName is one name of the spec directory's path, or an account's
	// directory: the workflows quote and glob the path as written
	// ("<dir>/**"), and the kit names jobs after account directories.
	specDirName = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]*$`)
	// branchRule: the names the kit's branches: [..] flow sequence can
	// hold without quoting.
	branchRule = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_./-]*$`)
)

// snapshotSuffix ends the version of a GoReleaser snapshot build
// (.goreleaser.yaml, snapshot.version_template): a build of a commit that
// no release holds.
const snapshotSuffix = "-next"

// Pin is what the written workflows run: RISKCTL_VERSION, and the commit
// of the setup action.
type Pin struct {
	Version string // RISKCTL_VERSION: a release tag, or the commit itself for a build that is no release
	Commit  string // the setup action's commit, 40 lower-case hex digits
	Release bool   // Version is a release tag
}

// PinError refuses a pin: the build cannot name a commit that holds its
// code. It is a usage problem: --commit names one.
type PinError struct{ Reason string }

func (e *PinError) Error() string { return e.Reason }

// ResolvePin decides what the workflows are pinned to, from the running
// riskctl's version and build commit (a release build's are stamped by
// .goreleaser.yaml; a dev build has the commit Go recorded, with -dirty
// for a modified tree) and the --commit flag (override, "" for none).
// A release tag pins RISKCTL_VERSION to it; anything else pins it to the
// commit, which the setup action builds from source. A build whose commit
// is unknown or dirty is refused unless override names one: no commit
// holds that code, and the workflows would run something else.
func ResolvePin(version, buildCommit, override string) (Pin, error) {
	commit := buildCommit
	if override != "" {
		if !fullSHA.MatchString(override) {
			return Pin{}, &PinError{fmt.Sprintf("--commit %q is not a full commit SHA (40 lower-case hex digits)", override)}
		}
		commit = override
	}
	release := releaseTag.MatchString(version) && !pseudoVersion.MatchString(version) && !strings.HasSuffix(version, snapshotSuffix)
	switch {
	case commit == "" && release:
		// go install ...@vX.Y.Z records the module version, not the commit.
		return Pin{}, &PinError{fmt.Sprintf("this riskctl (%s) does not know the commit of its release: pass --commit <full SHA of %s> (git ls-remote https://github.com/%s %s)", version, version, ActionRepo, version)}
	case commit == "":
		return Pin{}, &PinError{"this riskctl does not know the commit it was built from (no release stamp, no VCS information): pass --commit <full SHA of a riskctl commit> to pin the workflows to it"}
	case strings.HasSuffix(commit, "-dirty"):
		return Pin{}, &PinError{fmt.Sprintf("this riskctl was built from a modified tree (commit %s): no commit holds its code; pass --commit <full SHA> to pin the workflows to a commit", commit)}
	case !fullSHA.MatchString(commit):
		return Pin{}, &PinError{fmt.Sprintf("this riskctl's build commit %q is not a full commit SHA: pass --commit <full SHA>", commit)}
	}
	if release {
		return Pin{Version: version, Commit: commit, Release: true}, nil
	}
	return Pin{Version: commit, Commit: commit}, nil
}

// CheckSpecDir reports whether dir can be the kit's spec directory: a
// relative path of names of letters, digits, '_', '.' and '-' (not
// starting with '.' or '-'), written with '/'.
func CheckSpecDir(dir string) error {
	if dir == "" {
		return fmt.Errorf("the spec directory is empty")
	}
	for _, part := range strings.Split(dir, "/") {
		if !specDirName.MatchString(part) {
			return fmt.Errorf("spec directory %q: use a relative path of names made of letters, digits, '_', '.' and '-', each not starting with '.' or '-', separated by '/'", dir)
		}
	}
	return nil
}

// CheckBranch reports whether branch can be written into the kit's
// branches filter.
func CheckBranch(branch string) error {
	if !branchRule.MatchString(branch) || strings.Contains(branch, "..") || strings.HasSuffix(branch, "/") {
		return fmt.Errorf("branch %q: use a branch name of letters, digits, '_', '.', '/' and '-'", branch)
	}
	return nil
}

// rewrite is one known place of a kit file that init changes: the lines
// old matches (count of them in each file, so a kit edit that moves a
// place fails the tests rather than leaving it unchanged), replaced by new.
type rewrite struct {
	old   *regexp.Regexp
	new   func(Pin, Settings) string
	count map[string]int
}

// Settings are the repository's values the workflows repeat.
type Settings struct {
	SpecDir string // RISKCTL_SPEC_DIR
	Branch  string // RISKCTL_BRANCH (riskctl-apply.yml)
}

// repoGuard is the one job condition that exists for riskctl's own
// repository (which ships the drift workflow as an example and has no
// spec directory); in a copy it is a no-op, and init leaves it out.
const repoGuard = "    # riskctl's own repository ships this file as an example and has no\n" +
	"    # spec directory; the condition is a no-op in any other repository.\n" +
	"    if: github.repository != 'riskctl/riskctl'\n"

var rewrites = []rewrite{
	{
		old:   regexp.MustCompile(`(?m)^  RISKCTL_VERSION: .*\n`),
		new:   func(p Pin, _ Settings) string { return "  RISKCTL_VERSION: " + p.Version + "\n" },
		count: map[string]int{PRWorkflow: 1, ApplyWorkflow: 1, DriftWorkflow: 1},
	},
	{
		old:   regexp.MustCompile(`(?m)^  RISKCTL_SPEC_DIR: .*\n`),
		new:   func(_ Pin, s Settings) string { return "  RISKCTL_SPEC_DIR: " + s.SpecDir + "\n" },
		count: map[string]int{PRWorkflow: 1, ApplyWorkflow: 1, DriftWorkflow: 1},
	},
	{
		old:   regexp.MustCompile(`(?m)^      - "riskscoring/\*\*"\n`),
		new:   func(_ Pin, s Settings) string { return `      - "` + s.SpecDir + `/**"` + "\n" },
		count: map[string]int{PRWorkflow: 1, ApplyWorkflow: 1, DriftWorkflow: 0},
	},
	{
		old:   regexp.MustCompile(`(?m)^  RISKCTL_BRANCH: main\n`),
		new:   func(_ Pin, s Settings) string { return "  RISKCTL_BRANCH: " + s.Branch + "\n" },
		count: map[string]int{PRWorkflow: 0, ApplyWorkflow: 1, DriftWorkflow: 0},
	},
	{
		old:   regexp.MustCompile(`(?m)^    branches: \[main\]\n`),
		new:   func(_ Pin, s Settings) string { return "    branches: [" + s.Branch + "]\n" },
		count: map[string]int{PRWorkflow: 0, ApplyWorkflow: 1, DriftWorkflow: 0},
	},
	{
		old: regexp.MustCompile(`(?m)^        uses: \./\n`),
		new: func(p Pin, _ Settings) string {
			return "        uses: " + ActionRepo + "@" + p.Commit + " # " + pinRemark(p) + "\n"
		},
		count: map[string]int{PRWorkflow: 1, ApplyWorkflow: 1, DriftWorkflow: 1},
	},
	{
		old:   regexp.MustCompile(regexp.QuoteMeta(repoGuard)),
		new:   func(Pin, Settings) string { return "" },
		count: map[string]int{PRWorkflow: 0, ApplyWorkflow: 0, DriftWorkflow: 1},
	},
}

// pinRemark is the comment after the action's pin: the release (which
// Dependabot reads), or a plain statement that it is none.
func pinRemark(p Pin) string {
	if p.Release {
		return p.Version
	}
	return "a riskctl commit, not a release"
}

// Render returns the kit's workflows (name → content) for a repository,
// with only the known places rewritten: RISKCTL_VERSION, the setup
// action's `uses: ./` (pinned to p's commit), RISKCTL_SPEC_DIR and its
// paths filters, RISKCTL_BRANCH and its branches filter, and the guard
// that only riskctl's own repository needs.
func Render(p Pin, s Settings) (map[string][]byte, error) {
	if err := CheckSpecDir(s.SpecDir); err != nil {
		return nil, err
	}
	if err := CheckBranch(s.Branch); err != nil {
		return nil, err
	}
	if !fullSHA.MatchString(p.Commit) || (p.Release && !releaseTag.MatchString(p.Version)) || (!p.Release && p.Version != p.Commit) {
		return nil, fmt.Errorf("internal error: pin %+v is not one ResolvePin makes", p)
	}
	out := make(map[string][]byte, len(Workflows))
	for _, name := range Workflows {
		data, err := kitFS.ReadFile("kit/" + name)
		if err != nil {
			return nil, err
		}
		for _, rw := range rewrites {
			if n := len(rw.old.FindAll(data, -1)); n != rw.count[name] {
				// The kit was edited and a known place moved: tests catch
				// this (TestRenderRewritesEveryPlace) before a release.
				return nil, fmt.Errorf("internal error: %s has %d lines matching %q, want %d", name, n, rw.old, rw.count[name])
			}
			repl := []byte(rw.new(p, s))
			data = rw.old.ReplaceAllFunc(data, func([]byte) []byte { return repl })
		}
		out[name] = bytes.Clone(data)
	}
	return out, nil
}
