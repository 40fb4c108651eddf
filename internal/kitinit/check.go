package kitinit

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/riskctl/riskctl/internal/safefile"
)

// maxWorkflowBytes caps the read of one workflow file: the kit's largest
// is under 40 KiB.
const maxWorkflowBytes = 1 << 20

// Problem is one thing wrong with a repository's copy of the kit. File is
// the workflow's path as the report names it; Line is 0 when the problem
// is not at one line.
type Problem struct {
	File    string
	Line    int
	Message string
}

func (p Problem) String() string {
	if p.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Message)
	}
	return p.File + ": " + p.Message
}

// CheckResult is what --check found: the values the copy agrees on (empty
// where it does not), and its problems.
type CheckResult struct {
	Version  string // RISKCTL_VERSION
	SpecDir  string // RISKCTL_SPEC_DIR
	Branch   string // RISKCTL_BRANCH
	Commits  []string
	Problems []Problem
}

// OK reports whether the copy passed.
func (r *CheckResult) OK() bool { return len(r.Problems) == 0 }

// Check verifies the copy of the kit in the repository at root (its
// .github/workflows), by the rules test/kit/workflows_test.go holds for
// the kit itself, less those about riskctl's own repository:
//
//   - the three workflows are there, each YAML;
//   - RISKCTL_VERSION is set in each top-level env:, a release tag or a
//     full commit SHA, the same in the three (the apply must run the
//     version that planned);
//   - RISKCTL_SPEC_DIR likewise the same in the three (and specDir, when
//     given);
//   - each installs riskctl with the setup action pinned to a full commit
//     SHA: not `./` (riskctl's own repository's action), not a tag or
//     branch, which can move;
//   - the paths filters of riskctl-pr.yml and riskctl-apply.yml are
//     exactly ["<RISKCTL_SPEC_DIR>/**"], and riskctl-apply.yml's branches
//     filter is [RISKCTL_BRANCH].
func Check(root, specDir string) *CheckResult {
	r := &CheckResult{}
	first := map[string]string{} // variable -> the file that set it first
	commits := map[string]bool{}
	firstValue := map[string]string{}
	disagree := map[string]bool{}
	for _, name := range Workflows {
		file := path.Join(WorkflowDir, name)
		doc, err := readWorkflow(filepath.Join(root, filepath.FromSlash(file)))
		if err != nil {
			r.add(file, 0, err.Error())
			continue
		}
		env := mapValue(doc, "env")
		vars := []string{"RISKCTL_VERSION", "RISKCTL_SPEC_DIR"}
		if name == ApplyWorkflow {
			vars = append(vars, "RISKCTL_BRANCH")
		}
		values := map[string]string{}
		for _, k := range vars {
			n := mapValue(env, k)
			if n == nil || n.Kind != yaml.ScalarNode || strings.TrimSpace(n.Value) == "" {
				r.add(file, 0, "no "+k+" in the workflow's top-level env:")
				continue
			}
			v := strings.TrimSpace(n.Value)
			values[k] = v
			if k == "RISKCTL_VERSION" && !(releaseTag.MatchString(v) || fullSHA.MatchString(v)) {
				r.add(file, n.Line, fmt.Sprintf("RISKCTL_VERSION %q is neither a release tag (vX.Y.Z) nor a full commit SHA: the setup action refuses it", v))
			}
			if k == "RISKCTL_SPEC_DIR" && specDir != "" && v != specDir {
				r.add(file, n.Line, fmt.Sprintf("RISKCTL_SPEC_DIR is %q, not the spec directory %q", v, specDir))
			}
			switch prev, ok := first[k]; {
			case !ok:
				first[k] = file
				firstValue[k] = v
				r.set(k, v)
			case firstValue[k] != v:
				disagree[k] = true
				r.add(file, n.Line, fmt.Sprintf("%s is %s, but %s says %s: the three workflows must agree (the apply must run the version, and read the directory, that planned)", k, v, prev, firstValue[k]))
			}
		}
		r.checkAction(file, doc, commits)
		r.checkFilters(file, name, doc, values)
	}
	for c := range commits {
		r.Commits = append(r.Commits, c)
	}
	slices.Sort(r.Commits)
	for k := range disagree {
		r.set(k, "") // no one value to report
	}
	return r
}

func (r *CheckResult) add(file string, line int, msg string) {
	r.Problems = append(r.Problems, Problem{File: file, Line: line, Message: msg})
}

func (r *CheckResult) set(k, v string) {
	switch k {
	case "RISKCTL_VERSION":
		r.Version = v
	case "RISKCTL_SPEC_DIR":
		r.SpecDir = v
	default:
		r.Branch = v
	}
}

// checkAction checks that the workflow installs riskctl with the setup
// action, each time pinned to a full commit SHA.
func (r *CheckResult) checkAction(file string, doc *yaml.Node, commits map[string]bool) {
	found := 0
	jobs := mapValue(doc, "jobs")
	for _, job := range mapItems(jobs) {
		for _, step := range seqItems(mapValue(job, "steps")) {
			u := mapValue(step, "uses")
			if u == nil || u.Kind != yaml.ScalarNode {
				continue
			}
			ref := strings.TrimSpace(u.Value)
			switch {
			case ref == "./" || ref == ".":
				found++
				r.add(file, u.Line, "uses: "+ref+" is the setup action of riskctl's own repository: pin "+ActionRepo+"@<full commit SHA> # vX.Y.Z")
			case strings.HasPrefix(ref, ActionRepo+"@"):
				found++
				at := strings.TrimPrefix(ref, ActionRepo+"@")
				if !fullSHA.MatchString(at) {
					r.add(file, u.Line, fmt.Sprintf("uses: %s pins the setup action to %q, a tag or branch that can move: pin a full commit SHA", ref, at))
					continue
				}
				commits[at] = true
			}
		}
	}
	if found == 0 {
		r.add(file, 0, "no step installs riskctl with the setup action ("+ActionRepo+"@<full commit SHA>)")
	}
}

// checkFilters checks the on: filters against the env: values.
func (r *CheckResult) checkFilters(file, name string, doc *yaml.Node, values map[string]string) {
	on := mapValue(doc, "on")
	event := map[string]string{PRWorkflow: "pull_request", ApplyWorkflow: "push"}[name]
	if event == "" {
		return // the drift workflow runs on a schedule: no filter
	}
	ev := mapValue(on, event)
	paths := mapValue(ev, "paths")
	if dir := values["RISKCTL_SPEC_DIR"]; dir != "" {
		want := dir + "/**"
		items := seqItems(paths)
		if len(items) != 1 || items[0].Value != want {
			line := 0
			if paths != nil {
				line = paths.Line
			}
			r.add(file, line, fmt.Sprintf("on.%s.paths must be exactly [%q], the spec directory (RISKCTL_SPEC_DIR): GitHub reads on: before any variable", event, want))
		}
	}
	if name != ApplyWorkflow {
		return
	}
	branches := mapValue(ev, "branches")
	if b := values["RISKCTL_BRANCH"]; b != "" {
		items := seqItems(branches)
		if len(items) != 1 || items[0].Value != b {
			line := 0
			if branches != nil {
				line = branches.Line
			}
			r.add(file, line, fmt.Sprintf("on.push.branches must be exactly [%s], the branch RISKCTL_BRANCH names", b))
		}
	}
}

// readWorkflow reads and parses one workflow file (bounded, a regular
// file only), returning its top-level mapping.
func readWorkflow(p string) (*yaml.Node, error) {
	data, err := safefile.Read(p, maxWorkflowBytes)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, errors.New("missing: run riskctl init to write the kit")
	}
	if err != nil {
		return nil, fmt.Errorf("cannot read: %w", safefile.Reason(err))
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("not YAML: %v", err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, errors.New("not a workflow (no top-level mapping)")
	}
	return doc.Content[0], nil
}

// mapValue returns the value of key in mapping m, or nil.
func mapValue(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// mapItems returns the values of mapping m.
func mapItems(m *yaml.Node) []*yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	var out []*yaml.Node
	for i := 1; i < len(m.Content); i += 2 {
		out = append(out, m.Content[i])
	}
	return out
}

// seqItems returns the items of sequence s.
func seqItems(s *yaml.Node) []*yaml.Node {
	if s == nil || s.Kind != yaml.SequenceNode {
		return nil
	}
	return s.Content
}
