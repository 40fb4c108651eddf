package kit_test

import (
	"archive/tar"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"go/ast"
	"go/parser"
	gotoken "go/token"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// Releases and distribution: .goreleaser.yaml, .github/workflows/release.yml,
// the setup action (action.yml) and the pre-commit hooks
// (.pre-commit-hooks.yaml). These tests keep the pieces in agreement: the
// targets and archive names GoReleaser makes are the ones action.yml
// downloads, the checksum file it writes is the one release.yml attests,
// the GoReleaser version .ci/run checks with is the one that releases.

// goreleaserConfig is the part of .goreleaser.yaml the tests read.
type goreleaserConfig struct {
	Version     int    `yaml:"version"`
	ProjectName string `yaml:"project_name"`
	Builds      []struct {
		ID      string   `yaml:"id"`
		Main    string   `yaml:"main"`
		Binary  string   `yaml:"binary"`
		Env     []string `yaml:"env"`
		Flags   []string `yaml:"flags"`
		Ldflags []string `yaml:"ldflags"`
		Goos    []string `yaml:"goos"`
		Goarch  []string `yaml:"goarch"`
		Ignore  []any    `yaml:"ignore"`
	} `yaml:"builds"`
	Archives []struct {
		NameTemplate    string   `yaml:"name_template"`
		Formats         []string `yaml:"formats"`
		FormatOverrides []struct {
			Goos    string   `yaml:"goos"`
			Formats []string `yaml:"formats"`
		} `yaml:"format_overrides"`
		Files []string `yaml:"files"`
	} `yaml:"archives"`
	Checksum struct {
		NameTemplate string `yaml:"name_template"`
		Algorithm    string `yaml:"algorithm"`
	} `yaml:"checksum"`
}

func readGoreleaser(t *testing.T) goreleaserConfig {
	t.Helper()
	data, err := os.ReadFile(".goreleaser.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var c goreleaserConfig
	if err := yaml.Unmarshal(data, &c); err != nil {
		t.Fatalf(".goreleaser.yaml: %v", err)
	}
	return c
}

// stringVars returns the package-level string variables of a Go file.
func stringVars(t *testing.T, file string) map[string]bool {
	t.Helper()
	f, err := parser.ParseFile(gotoken.NewFileSet(), file, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]bool{}
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != gotoken.VAR {
			continue
		}
		for _, s := range g.Specs {
			vs := s.(*ast.ValueSpec)
			if id, ok := vs.Type.(*ast.Ident); !ok || id.Name != "string" || len(vs.Values) != 0 {
				continue
			}
			for _, n := range vs.Names {
				vars[n.Name] = true
			}
		}
	}
	return vars
}

// TestReleaseGoreleaserConfig checks the release build: six targets,
// static (CGO_ENABLED=0), -trimpath, version, commit and date stamped into
// variables riskctl version prints, tar.gz archives (zip on Windows) with
// README.md and LICENSE, and one sha256 checksums.txt.
func TestReleaseGoreleaserConfig(t *testing.T) {
	c := readGoreleaser(t)
	if c.Version != 2 {
		t.Errorf(".goreleaser.yaml: version: %d, want 2 (GoReleaser v2)", c.Version)
	}
	if c.ProjectName != "riskctl" {
		t.Errorf(".goreleaser.yaml: project_name %q, want riskctl", c.ProjectName)
	}
	if len(c.Builds) != 1 {
		t.Fatalf(".goreleaser.yaml: %d builds, want 1", len(c.Builds))
	}
	b := c.Builds[0]
	if b.Binary != "riskctl" || b.Main != "." {
		t.Errorf(".goreleaser.yaml: build binary %q main %q, want riskctl and .", b.Binary, b.Main)
	}
	if !slices.Contains(b.Env, "CGO_ENABLED=0") {
		t.Errorf(".goreleaser.yaml: build env %v lacks CGO_ENABLED=0", b.Env)
	}
	if !slices.Contains(b.Flags, "-trimpath") {
		t.Errorf(".goreleaser.yaml: build flags %v lack -trimpath", b.Flags)
	}
	var targets []string
	for _, os := range b.Goos {
		for _, arch := range b.Goarch {
			targets = append(targets, os+"/"+arch)
		}
	}
	sort.Strings(targets)
	want := []string{"darwin/amd64", "darwin/arm64", "linux/amd64", "linux/arm64", "windows/amd64", "windows/arm64"}
	if !slices.Equal(targets, want) || len(b.Ignore) != 0 {
		t.Errorf(".goreleaser.yaml: targets %v (ignore %v), want %v", targets, b.Ignore, want)
	}

	// -X github.com/riskctl/riskctl/internal/cli.NAME=VALUE, for each of
	// version, commit and date, naming a string variable of version.go.
	vars := stringVars(t, "internal/cli/version.go")
	stamp := regexp.MustCompile(`^-X\s+github\.com/riskctl/riskctl/internal/cli\.([A-Za-z_]+)=(.+)$`)
	stamped := map[string]string{}
	for _, l := range b.Ldflags {
		m := stamp.FindStringSubmatch(strings.TrimSpace(l))
		if m == nil {
			if strings.Contains(l, "-X") {
				t.Errorf(".goreleaser.yaml: ldflags %q: one -X github.com/riskctl/riskctl/internal/cli.NAME=VALUE per line", l)
			}
			continue
		}
		stamped[m[1]] = m[2]
		if !vars[m[1]] {
			t.Errorf(".goreleaser.yaml: ldflags set internal/cli.%s, which is no package-level string variable of internal/cli/version.go", m[1])
		}
	}
	for name, tmpl := range map[string]string{"version": "v{{ .Version }}", "commit": "{{ .FullCommit }}", "date": "{{ .CommitDate }}"} {
		if got, ok := stamped[name]; !ok {
			t.Errorf(".goreleaser.yaml: ldflags do not stamp internal/cli.%s", name)
		} else if strings.ReplaceAll(got, " ", "") != strings.ReplaceAll(tmpl, " ", "") {
			t.Errorf(".goreleaser.yaml: ldflags stamp internal/cli.%s=%s, want %s", name, got, tmpl)
		}
	}

	if len(c.Archives) != 1 {
		t.Fatalf(".goreleaser.yaml: %d archives, want 1", len(c.Archives))
	}
	a := c.Archives[0]
	if !slices.Equal(a.Formats, []string{"tar.gz"}) {
		t.Errorf(".goreleaser.yaml: archive formats %v, want [tar.gz]", a.Formats)
	}
	if len(a.FormatOverrides) != 1 || a.FormatOverrides[0].Goos != "windows" || !slices.Equal(a.FormatOverrides[0].Formats, []string{"zip"}) {
		t.Errorf(".goreleaser.yaml: archive format_overrides %+v, want zip on windows only", a.FormatOverrides)
	}
	for _, f := range []string{"README.md", "LICENSE"} {
		if !slices.Contains(a.Files, f) {
			t.Errorf(".goreleaser.yaml: archives do not include %s (files: %v)", f, a.Files)
		}
	}
	for _, f := range a.Files {
		if _, err := os.Stat(f); err != nil {
			t.Errorf(".goreleaser.yaml: archive file %s: %v", f, err)
		}
	}
	if got := strings.ReplaceAll(a.NameTemplate, " ", ""); got != "{{.ProjectName}}_{{.Version}}_{{.Os}}_{{.Arch}}" {
		t.Errorf(".goreleaser.yaml: archive name_template %q: action.yml downloads riskctl_<version>_<os>_<arch>", a.NameTemplate)
	}
	if c.Checksum.NameTemplate != "checksums.txt" || c.Checksum.Algorithm != "sha256" {
		t.Errorf(".goreleaser.yaml: checksum %+v, want checksums.txt with sha256 (action.yml and release.yml read it)", c.Checksum)
	}
}

// TestReleaseLicense checks LICENSE is the Apache License 2.0 text.
func TestReleaseLicense(t *testing.T) {
	data, err := os.ReadFile("LICENSE")
	if err != nil {
		t.Fatal(err)
	}
	s := string(data)
	for _, want := range []string{"Apache License", "Version 2.0, January 2004", "TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION",
		"9. Accepting Warranty or Additional Liability.", "END OF TERMS AND CONDITIONS"} {
		if !strings.Contains(s, want) {
			t.Errorf("LICENSE lacks %q: not the full Apache License 2.0", want)
		}
	}
}

// goreleaserVersion returns the GoReleaser version .ci/run runs.
func goreleaserVersion(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile(".ci/run")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`github\.com/goreleaser/goreleaser/v2@(v[0-9]+\.[0-9]+\.[0-9]+)`).FindAllStringSubmatch(string(data), -1)
	if len(m) == 0 {
		t.Fatal(".ci/run does not run github.com/goreleaser/goreleaser/v2@vX.Y.Z")
	}
	for _, x := range m[1:] {
		if x[1] != m[0][1] {
			t.Fatalf(".ci/run runs GoReleaser %s and %s", m[0][1], x[1])
		}
	}
	return m[0][1]
}

// TestReleaseWorkflow checks release.yml: it runs on v* tags only, with no
// permission by default and only contents, id-token and attestations write
// on its job; GoReleaser is the version .ci/run checks with, and the
// checksum file GoReleaser writes is attested.
func TestReleaseWorkflow(t *testing.T) {
	const file = ".github/workflows/release.yml"
	root, jobs, _ := parseWorkflow(t, file)
	on := mapValue(root, "on")
	if on == nil || on.Kind != yaml.MappingNode || len(on.Content) != 2 || on.Content[0].Value != "push" {
		t.Fatalf("%s: on: must be push (of tags) only", file)
	}
	push := on.Content[1]
	tags := mapValue(push, "tags")
	if tags == nil || len(tags.Content) != 1 || tags.Content[0].Value != "v*" || len(push.Content) != 2 {
		t.Errorf("%s: on.push must be tags: [\"v*\"] only", file)
	}
	if p := mapValue(root, "permissions"); p == nil || p.Kind != yaml.MappingNode || len(p.Content) != 0 {
		t.Errorf("%s: the workflow's permissions must be {} (each job asks for what it needs)", file)
	}
	ids, nodes := jobNodes(jobs)
	if len(nodes) != 1 {
		t.Fatalf("%s: %d jobs, want 1", file, len(nodes))
	}
	perms := map[string]string{}
	if p := mapValue(nodes[0], "permissions"); p != nil {
		for i := 0; i+1 < len(p.Content); i += 2 {
			perms[p.Content[i].Value] = p.Content[i+1].Value
		}
	}
	if want := map[string]string{"contents": "write", "id-token": "write", "attestations": "write"}; fmt.Sprint(perms) != fmt.Sprint(want) {
		t.Errorf("%s: job %s permissions %v, want exactly %v", file, ids[0], perms, want)
	}

	checksums := "./dist/" + readGoreleaser(t).Checksum.NameTemplate
	release, attest := -1, -1
	for n, step := range mapValue(nodes[0], "steps").Content {
		u := mapValue(step, "uses")
		if u == nil {
			continue
		}
		with := mapValue(step, "with")
		switch {
		case strings.HasPrefix(u.Value, "actions/checkout@"):
			if d := mapValue(with, "fetch-depth"); d == nil || d.Value != "0" {
				t.Errorf("%s:%d: checkout needs fetch-depth: 0 (GoReleaser reads the tags)", file, u.Line)
			}
		case strings.HasPrefix(u.Value, "actions/setup-go@"):
			if c := mapValue(with, "cache"); c == nil || c.Value != "false" {
				t.Errorf("%s:%d: setup-go in the release: cache: false (a release builds from nothing a cache could have changed)", file, u.Line)
			}
		case strings.HasPrefix(u.Value, "goreleaser/goreleaser-action@"):
			release = n
			if v := mapValue(with, "version"); v == nil || v.Value != goreleaserVersion(t) {
				t.Errorf("%s:%d: goreleaser-action version must be %s, the one .ci/run checks with", file, u.Line, goreleaserVersion(t))
			}
			if d := mapValue(with, "distribution"); d == nil || d.Value != "goreleaser" {
				t.Errorf("%s:%d: goreleaser-action distribution must be goreleaser (the OSS one .ci/run runs)", file, u.Line)
			}
			if a := mapValue(with, "args"); a == nil || !strings.HasPrefix(a.Value, "release --clean") {
				t.Errorf("%s:%d: goreleaser-action args must start with release --clean", file, u.Line)
			}
		case strings.HasPrefix(u.Value, "actions/attest-build-provenance@"), strings.HasPrefix(u.Value, "actions/attest@"):
			attest = n
			if s := mapValue(with, "subject-checksums"); s == nil || s.Value != checksums {
				t.Errorf("%s:%d: the attestation's subject-checksums must be %s (.goreleaser.yaml's checksum file)", file, u.Line, checksums)
			}
		}
	}
	if release < 0 {
		t.Errorf("%s: no goreleaser/goreleaser-action step", file)
	}
	if attest < release {
		t.Errorf("%s: no attestation step after GoReleaser", file)
	}
}

// TestReleasePreCommitHooks checks .pre-commit-hooks.yaml: riskctl-validate
// and riskctl-fmt, built by pre-commit as Go (language: golang), running
// real riskctl commands on the spec directory's YAML files.
func TestReleasePreCommitHooks(t *testing.T) {
	data, err := os.ReadFile(".pre-commit-hooks.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var hooks []struct {
		ID            string `yaml:"id"`
		Name          string `yaml:"name"`
		Entry         string `yaml:"entry"`
		Language      string `yaml:"language"`
		Files         string `yaml:"files"`
		PassFilenames *bool  `yaml:"pass_filenames"`
	}
	if err := yaml.Unmarshal(data, &hooks); err != nil {
		t.Fatalf(".pre-commit-hooks.yaml: %v", err)
	}
	app := newTestApp()
	var ids []string
	for _, h := range hooks {
		ids = append(ids, h.ID)
		where := ".pre-commit-hooks.yaml: hook " + h.ID
		if h.Name == "" {
			t.Errorf("%s has no name", where)
		}
		if h.Language != "golang" {
			t.Errorf("%s: language %q, want golang (pre-commit builds riskctl from the tag)", where, h.Language)
		}
		files, err := regexp.Compile(h.Files)
		if err != nil || h.Files == "" {
			t.Errorf("%s: files %q: %v", where, h.Files, err)
			continue
		}
		for f, want := range map[string]bool{
			"riskscoring/prod.yaml": true, "riskscoring/acme/prod.yml": true,
			"README.md": false, "riskscoring/notes.txt": false, ".github/workflows/ci.yml": false, "other/riskscoring/x.yaml": false,
		} {
			if files.MatchString(f) != want {
				t.Errorf("%s: files %q matches %s: %v, want %v", where, h.Files, f, !want, want)
			}
		}
		words := strings.Fields(h.Entry)
		if len(words) < 2 || words[0] != "riskctl" {
			t.Errorf("%s: entry %q does not run riskctl", where, h.Entry)
			continue
		}
		args := words[1:]
		if h.PassFilenames == nil || *h.PassFilenames {
			args = append(args, "riskscoring/prod.yaml") // pre-commit appends the files
		}
		problems, _ := checkCall(app, args)
		for _, p := range problems {
			t.Errorf("%s: entry %q as pre-commit runs it: %s", where, h.Entry, p)
		}
		switch h.ID {
		case "riskctl-validate":
			if h.Entry != "riskctl validate" {
				t.Errorf("%s: entry %q, want riskctl validate", where, h.Entry)
			}
		case "riskctl-fmt":
			if h.Entry != "riskctl fmt -w" && h.Entry != "riskctl fmt --check" {
				t.Errorf("%s: entry %q, want riskctl fmt -w or riskctl fmt --check", where, h.Entry)
			}
		}
	}
	sort.Strings(ids)
	if !slices.Equal(ids, []string{"riskctl-fmt", "riskctl-validate"}) {
		t.Errorf(".pre-commit-hooks.yaml: hooks %v, want riskctl-fmt and riskctl-validate", ids)
	}
}

// actionStep is one step of action.yml.
type actionStep struct {
	n    int
	node *yaml.Node
}

func readAction(t *testing.T) (root *yaml.Node, steps []actionStep, lines []string) {
	t.Helper()
	data, err := os.ReadFile("action.yml")
	if err != nil {
		t.Fatal(err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("action.yml: %v", err)
	}
	root = doc.Content[0]
	runs := mapValue(root, "runs")
	if u := mapValue(runs, "using"); u == nil || u.Value != "composite" {
		t.Fatal("action.yml: runs.using must be composite")
	}
	for n, s := range mapValue(runs, "steps").Content {
		steps = append(steps, actionStep{n: n, node: s})
	}
	return root, steps, strings.Split(string(data), "\n")
}

// TestReleaseSetupAction checks action.yml: a composite action with one
// required input, version, that reaches the scripts only through env:;
// every action it uses pinned to a commit SHA; Go pinned for builds from
// source; the release archive cached and checked against checksums.txt
// (sha256sum, or shasum -a 256 on macOS); archive names as GoReleaser
// makes them.
func TestReleaseSetupAction(t *testing.T) {
	root, steps, lines := readAction(t)
	inputs := mapValue(root, "inputs")
	if inputs == nil || len(inputs.Content) != 2 || inputs.Content[0].Value != "version" {
		t.Fatalf("action.yml: want exactly one input, version")
	}
	if r := mapValue(inputs.Content[1], "required"); r == nil || r.Value != "true" {
		t.Errorf("action.yml: input version must be required")
	}
	goMod, err := os.ReadFile("go.mod")
	if err != nil {
		t.Fatal(err)
	}
	goLine := string(goModGoLine.FindSubmatch(goMod)[1])
	var scripts []string
	uses := map[string]bool{}
	for _, st := range steps {
		where := fmt.Sprintf("action.yml: step %d", st.n+1)
		if u := mapValue(st.node, "uses"); u != nil {
			ref := u.Value
			if !pinnedAction.MatchString(ref) {
				t.Errorf("%s: uses: %s is not pinned to a full commit SHA", where, ref)
			} else if line, at := lines[u.Line-1], strings.Index(lines[u.Line-1], ref); at < 0 || !versionRemark.MatchString(line[at+len(ref):]) {
				t.Errorf("%s: uses: %s has no trailing \"# vX.Y.Z\" comment", where, ref)
			}
			name, _, _ := strings.Cut(ref, "@")
			uses[name] = true
			with := mapValue(st.node, "with")
			if name == "actions/setup-go" {
				v := mapValue(with, "go-version")
				if v == nil || !exactGoVersion.MatchString(v.Value) || versionLess(v.Value, goLine) {
					t.Errorf("%s: setup-go must pin an exact Go release, at least go.mod's %s", where, goLine)
				}
				if c := mapValue(with, "cache"); c == nil || c.Value != "true" {
					t.Errorf("%s: setup-go cache: true (builds from source reuse the module and build cache)", where)
				}
			}
			if name == "actions/cache" {
				if k := mapValue(with, "key"); k == nil || !strings.Contains(k.Value, "steps.inputs.outputs.cache-key") {
					t.Errorf("%s: actions/cache key must be the checked input's cache-key", where)
				}
			}
			continue
		}
		run := mapValue(st.node, "run")
		if run == nil {
			t.Errorf("%s: neither uses: nor run:", where)
			continue
		}
		if sh := mapValue(st.node, "shell"); sh == nil || sh.Value != "bash" {
			t.Errorf("%s: a composite run: step needs shell: bash", where)
		}
		if strings.Contains(run.Value, "${{") {
			t.Errorf("%s: an expression inside run: (pass inputs and outputs through env:)", where)
		}
		scripts = append(scripts, run.Value)
		if bash, err := exec.LookPath("bash"); err == nil {
			cmd := exec.Command(bash, "-n")
			cmd.Stdin = strings.NewReader(run.Value)
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Errorf("%s: bash -n: %v\n%s", where, err, out)
			}
		}
	}
	for _, name := range []string{"actions/cache", "actions/setup-go"} {
		if !uses[name] {
			t.Errorf("action.yml uses no %s", name)
		}
	}
	all := strings.Join(scripts, "\n")
	for _, want := range []string{"sha256sum", "shasum -a 256", "checksums.txt", "go install \"github.com/riskctl/riskctl@${VERSION}\"",
		// GoReleaser's name_template {{ .ProjectName }}_{{ .Version }}_{{ .Os }}_{{ .Arch }}, tar.gz or zip
		`archive=riskctl_${VERSION#v}_${os}_${arch}.${ext}`} {
		if !strings.Contains(all, want) {
			t.Errorf("action.yml's scripts lack %q", want)
		}
	}
}

// runAction runs action.yml's run: steps the way GitHub would for version
// on a Linux x64 runner, with bin (a directory of fake commands) first on
// PATH: expressions of inputs.version and steps.<id>.outputs.<name>, step
// if: conditions of the form steps.<id>.outputs.<name> == '<value>', and
// GITHUB_OUTPUT/GITHUB_PATH files. uses: steps are skipped. It returns the
// last step's outputs, the combined log and the first failure.
func runAction(t *testing.T, version, temp, bin string) (map[string]string, string, error) {
	t.Helper()
	_, steps, _ := readAction(t)
	outputs := map[string]map[string]string{}
	expr := regexp.MustCompile(`\$\{\{\s*([^}]*?)\s*\}\}`)
	value := func(e string) string {
		if e == "inputs.version" {
			return version
		}
		if m := regexp.MustCompile(`^steps\.([\w-]+)\.outputs\.([\w-]+)$`).FindStringSubmatch(e); m != nil {
			return outputs[m[1]][m[2]]
		}
		t.Fatalf("action.yml: expression %q: the test knows only inputs.version and step outputs", e)
		return ""
	}
	eval := func(s string) string {
		return expr.ReplaceAllStringFunc(s, func(m string) string { return value(expr.FindStringSubmatch(m)[1]) })
	}
	cond := regexp.MustCompile(`^(steps\.[\w-]+\.outputs\.[\w-]+)\s*==\s*'([^']*)'$`)
	var log strings.Builder
	var last map[string]string
	for _, st := range steps {
		if c := mapValue(st.node, "if"); c != nil {
			m := cond.FindStringSubmatch(strings.TrimSpace(c.Value))
			if m == nil {
				t.Fatalf("action.yml: step %d if: %q: the test knows only steps.<id>.outputs.<name> == '<value>'", st.n+1, c.Value)
			}
			if value(m[1]) != m[2] {
				continue
			}
		}
		run := mapValue(st.node, "run")
		if run == nil {
			continue
		}
		out := filepath.Join(temp, fmt.Sprintf("output-%d", st.n))
		path := filepath.Join(temp, "github_path")
		cmd := exec.Command("bash", "--noprofile", "--norc", "-e", "-o", "pipefail", "-c", run.Value)
		cmd.Env = append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"),
			"RUNNER_OS=Linux", "RUNNER_ARCH=X64", "RUNNER_TEMP="+temp, "GITHUB_OUTPUT="+out, "GITHUB_PATH="+path)
		if env := mapValue(st.node, "env"); env != nil {
			for i := 0; i+1 < len(env.Content); i += 2 {
				cmd.Env = append(cmd.Env, env.Content[i].Value+"="+eval(env.Content[i+1].Value))
			}
		}
		b, err := cmd.CombinedOutput()
		log.Write(b)
		if err != nil {
			return nil, log.String(), fmt.Errorf("step %d: %v", st.n+1, err)
		}
		got := map[string]string{}
		data, _ := os.ReadFile(out)
		for _, l := range strings.Split(string(data), "\n") {
			if k, v, ok := strings.Cut(l, "="); ok {
				got[k] = v
			}
		}
		if id := mapValue(st.node, "id"); id != nil {
			outputs[id.Value] = got
		}
		last = got
	}
	return last, log.String(), nil
}

// TestReleaseSetupActionInstalls runs the setup action's scripts against a
// fake release (curl is a script serving files from a directory): it
// installs a release whose archive matches checksums.txt, refuses one that
// does not, re-downloads a cached archive that does not match, and refuses
// version inputs that are not a tag or a full commit SHA before anything
// runs with them.
func TestReleaseSetupActionInstalls(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the action's scripts are tested on Linux and macOS")
	}
	for _, tool := range []string{"bash", "tar", "awk"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("no %s", tool)
		}
	}
	if _, err := exec.LookPath("sha256sum"); err != nil {
		if _, err := exec.LookPath("shasum"); err != nil {
			t.Skip("no sha256sum or shasum")
		}
	}

	// The fake release v1.2.3: an archive whose riskctl prints its version.
	const version = "v1.2.3"
	const archive = "riskctl_1.2.3_linux_amd64.tar.gz"
	release := t.TempDir()
	writeTarGz(t, filepath.Join(release, archive), map[string]string{
		"riskctl":   "#!/bin/sh\necho 'riskctl v1.2.3 (commit 0123456789abcdef0123456789abcdef01234567, date 2026-01-02T03:04:05Z)'\n",
		"README.md": "readme\n", "LICENSE": "license\n",
	})
	sum := func(file string) string {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		h := sha256.Sum256(data)
		return hex.EncodeToString(h[:])
	}
	good := sum(filepath.Join(release, archive))
	writeChecksums := func(s string) {
		body := s + "  " + archive + "\n" + strings.Repeat("0", 64) + "  riskctl_1.2.3_darwin_arm64.tar.gz\n"
		if err := os.WriteFile(filepath.Join(release, "checksums.txt"), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	// curl: serves https://github.com/riskctl/riskctl/releases/download/<tag>/<file>
	// from the release directory and logs each URL.
	bin := t.TempDir()
	fakeCurl := `#!/usr/bin/env bash
out= url=
while [ $# -gt 0 ]; do
  case "$1" in
    --output) out="$2"; shift 2 ;;
    --proto|--retry) shift 2 ;;
    -*) shift ;;
    *) url="$1"; shift ;;
  esac
done
echo "$url" >> "$FAKE_CURL_LOG"
case "$url" in
  https://github.com/riskctl/riskctl/releases/download/v1.2.3/*) f="$FAKE_RELEASE/${url##*/}" ;;
  *) echo "curl: (22) The requested URL returned error: 404" >&2; exit 22 ;;
esac
[ -f "$f" ] || { echo "curl: (22) The requested URL returned error: 404" >&2; exit 22; }
cp "$f" "$out"
`
	if err := os.WriteFile(filepath.Join(bin, "curl"), []byte(fakeCurl), 0o755); err != nil {
		t.Fatal(err)
	}
	curlLog := filepath.Join(t.TempDir(), "curl.log")
	t.Setenv("FAKE_RELEASE", release)
	t.Setenv("FAKE_CURL_LOG", curlLog)
	downloads := func() []string {
		data, _ := os.ReadFile(curlLog)
		os.Remove(curlLog)
		return strings.Fields(string(data))
	}

	temp := t.TempDir()
	t.Run("installs a verified release", func(t *testing.T) {
		writeChecksums(good)
		out, log, err := runAction(t, version, temp, bin)
		if err != nil {
			t.Fatalf("%v\n%s", err, log)
		}
		if out["version"] != version {
			t.Errorf("output version %q, want %s\n%s", out["version"], version, log)
		}
		want := filepath.Join(temp, "riskctl-bin", version) + "/riskctl"
		if out["path"] != want {
			t.Errorf("output path %q, want %q", out["path"], want)
		}
		path, _ := os.ReadFile(filepath.Join(temp, "github_path"))
		if !strings.Contains(string(path), filepath.Join(temp, "riskctl-bin", version)) {
			t.Errorf("GITHUB_PATH holds %q, not the riskctl directory", path)
		}
		if got := downloads(); len(got) != 2 {
			t.Errorf("downloaded %v, want checksums.txt and the archive", got)
		}
	})
	t.Run("uses the cached archive, checking it again", func(t *testing.T) {
		out, log, err := runAction(t, version, temp, bin)
		if err != nil || out["version"] != version {
			t.Fatalf("%v %v\n%s", err, out, log)
		}
		if got := downloads(); len(got) != 1 || !strings.HasSuffix(got[0], "/checksums.txt") {
			t.Errorf("downloaded %v, want only checksums.txt (the archive is cached)", got)
		}
		if !strings.Contains(log, "Using the cached "+archive) {
			t.Errorf("no word of the cached archive:\n%s", log)
		}
	})
	t.Run("downloads again a cached archive that does not match", func(t *testing.T) {
		cached := filepath.Join(temp, "riskctl-download", version, "linux_amd64", archive)
		if err := os.WriteFile(cached, []byte("tampered"), 0o644); err != nil {
			t.Fatal(err)
		}
		out, log, err := runAction(t, version, temp, bin)
		if err != nil || out["version"] != version {
			t.Fatalf("%v %v\n%s", err, out, log)
		}
		if !strings.Contains(log, "::warning") || len(downloads()) != 2 {
			t.Errorf("want a warning and a fresh download:\n%s", log)
		}
		if sum(cached) != good {
			t.Errorf("the cached archive was not replaced by the verified one")
		}
	})
	t.Run("refuses an archive checksums.txt does not list", func(t *testing.T) {
		writeChecksums(strings.Repeat("ab", 32))
		os.RemoveAll(filepath.Join(temp, "riskctl-download"))
		os.RemoveAll(filepath.Join(temp, "riskctl-bin"))
		_, log, err := runAction(t, version, temp, bin)
		if err == nil || !strings.Contains(log, "but checksums.txt says") {
			t.Fatalf("want a checksum failure, got %v\n%s", err, log)
		}
		if _, err := os.Stat(filepath.Join(temp, "riskctl-bin", version, "riskctl")); err == nil {
			t.Errorf("riskctl was installed from an archive that does not match checksums.txt")
		}
		downloads()
	})
	t.Run("refuses a release that does not exist", func(t *testing.T) {
		_, log, err := runAction(t, "v9.9.9", temp, bin)
		if err == nil || !strings.Contains(log, "could not download checksums.txt of riskctl v9.9.9") {
			t.Fatalf("want a download failure, got %v\n%s", err, log)
		}
		downloads()
	})
	for _, bad := range []string{"latest", "main", "1.2.3", "v1.2", "0123456", "v1.2.3; touch pwned", "$(touch pwned)", "v1.2.3\n::error::x",
		strings.Repeat("A", 40), "../../v1.2.3"} {
		t.Run("refuses version "+strings.ReplaceAll(bad, "\n", `\n`), func(t *testing.T) {
			work := t.TempDir()
			_, log, err := runAction(t, bad, work, bin)
			if err == nil || !strings.Contains(log, "is neither a release tag") {
				t.Fatalf("want the input refused, got %v\n%s", err, log)
			}
			for _, l := range strings.Split(log, "\n") {
				if strings.HasPrefix(l, "::") && !strings.HasPrefix(l, "::error title=riskctl setup::version ") {
					t.Errorf("the input started a workflow command of its own: %q", l)
				}
			}
			if got := downloads(); len(got) != 0 {
				t.Errorf("downloaded %v for a refused input", got)
			}
			if _, err := os.Stat("pwned"); err == nil {
				os.Remove("pwned")
				t.Errorf("the input ran as shell")
			}
		})
	}
	t.Run("a commit SHA builds from source", func(t *testing.T) {
		// Only the first step runs here (the build needs Go from setup-go
		// and the network); it must choose the source mode.
		_, steps, _ := readAction(t)
		if id := mapValue(steps[0].node, "id"); id == nil || id.Value != "inputs" {
			t.Fatal("action.yml: the first step must be the input check (id: inputs)")
		}
		out := filepath.Join(t.TempDir(), "out")
		cmd := exec.Command("bash", "-c", mapValue(steps[0].node, "run").Value)
		cmd.Env = append(os.Environ(), "VERSION=0123456789abcdef0123456789abcdef01234567", "RUNNER_OS=macOS", "RUNNER_ARCH=ARM64",
			"RUNNER_TEMP="+t.TempDir(), "GITHUB_OUTPUT="+out)
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%v\n%s", err, b)
		}
		data, _ := os.ReadFile(out)
		if !strings.Contains(string(data), "mode=source\n") {
			t.Errorf("outputs %q, want mode=source", data)
		}
	})
}

// writeTarGz writes a .tar.gz archive of files (name -> content; riskctl
// is executable).
func writeTarGz(t *testing.T, file string, files map[string]string) {
	t.Helper()
	f, err := os.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	gz := gzip.NewWriter(f)
	tw := tar.NewWriter(gz)
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		mode := int64(0o644)
		if n == "riskctl" {
			mode = 0o755
		}
		if err := tw.WriteHeader(&tar.Header{Name: n, Mode: mode, Size: int64(len(files[n])), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(files[n])); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []interface{ Close() error }{tw, gz, f} {
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
	}
}
