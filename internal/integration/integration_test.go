package integration

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/bulwark-dev/bulwark/internal/cli"
)

// root is the repository root, where the integration files live.
var root = filepath.Join("..", "..")

func read(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func parse(t *testing.T, name string, v any) {
	t.Helper()
	if err := yaml.Unmarshal(read(t, name), v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

// pinned is an action reference pinned to a full commit SHA.
var pinned = regexp.MustCompile(`^[A-Za-z0-9_.-]+/[A-Za-z0-9_./-]+@[0-9a-f]{40}$`)

// docPlaceholder stands for a Bulwark release commit in docs/ci.md.
const docPlaceholder = "<bulwark-commit-sha>"

type step struct {
	Name  string            `yaml:"name"`
	ID    string            `yaml:"id"`
	If    string            `yaml:"if"`
	Uses  string            `yaml:"uses"`
	Run   string            `yaml:"run"`
	Shell string            `yaml:"shell"`
	With  map[string]string `yaml:"with"`
	Env   map[string]string `yaml:"env"`
}

func TestAction(t *testing.T) {
	var a struct {
		Name   string `yaml:"name"`
		Inputs map[string]struct {
			Description string  `yaml:"description"`
			Default     *string `yaml:"default"`
		} `yaml:"inputs"`
		Outputs map[string]struct {
			Value string `yaml:"value"`
		} `yaml:"outputs"`
		Runs struct {
			Using string `yaml:"using"`
			Steps []step `yaml:"steps"`
		} `yaml:"runs"`
	}
	parse(t, "action.yml", &a)
	if a.Runs.Using != "composite" {
		t.Fatalf("runs.using = %q, want composite", a.Runs.Using)
	}
	for _, in := range []string{"path", "format", "fail-on", "sarif-file", "version"} {
		i, ok := a.Inputs[in]
		if !ok || i.Description == "" || i.Default == nil {
			t.Errorf("input %s missing, undescribed or without a default", in)
		}
	}
	if f := *a.Inputs["format"].Default; !slices.Contains(cli.Formats, f) {
		t.Errorf("default format %q is not one of %v", f, cli.Formats)
	}
	var setupGo, install, scan, upload = -1, -1, -1, -1
	for i, s := range a.Runs.Steps {
		if s.Uses != "" {
			if !pinned.MatchString(s.Uses) {
				t.Errorf("step %q: uses %s is not pinned to a full commit SHA", s.Name, s.Uses)
			}
			switch {
			case strings.HasPrefix(s.Uses, "actions/setup-go@"):
				setupGo = i
			case strings.HasPrefix(s.Uses, "github/codeql-action/upload-sarif@"):
				upload = i
				if !strings.Contains(s.If, "inputs.sarif-file") || !strings.Contains(s.With["sarif_file"], "inputs.sarif-file") {
					t.Errorf("SARIF upload is not tied to the sarif-file input: if %q, with %v", s.If, s.With)
				}
			}
			continue
		}
		if s.Shell == "" {
			t.Errorf("step %q: a composite run step needs a shell", s.Name)
		}
		// Inputs reach scripts through env, never by expansion into the
		// script, which would let an input inject shell code.
		if strings.Contains(s.Run, "${{") {
			t.Errorf("step %q expands an expression inside run:", s.Name)
		}
		if strings.Contains(s.Run, "go install \"github.com/bulwark-dev/bulwark/cmd/bulwark@") {
			install = i
		}
		if strings.Contains(s.Run, "bulwark scan") {
			scan = i
		}
	}
	if !(setupGo >= 0 && setupGo < install && install < scan && scan < upload) {
		t.Errorf("steps out of order: setup-go %d, install %d, scan %d, SARIF upload %d", setupGo, install, scan, upload)
	}
	if a.Runs.Steps[len(a.Runs.Steps)-1].If == "" {
		t.Error("the last step should fail the job only when the scan blocked")
	}
	if !strings.Contains(a.Outputs["exit-code"].Value, "steps.scan.outputs.exit-code") {
		t.Error("output exit-code does not come from the scan step")
	}
	checkCommands(t, "action.yml", string(read(t, "action.yml")))
}

func TestGitLabTemplate(t *testing.T) {
	const name = "ci/gitlab/bulwark.gitlab-ci.yml"
	type job struct {
		Extends   string            `yaml:"extends"`
		Image     string            `yaml:"image"`
		Variables map[string]string `yaml:"variables"`
		Script    []string          `yaml:"script"`
		Artifacts struct {
			When    string            `yaml:"when"`
			Reports map[string]string `yaml:"reports"`
			Paths   []string          `yaml:"paths"`
		} `yaml:"artifacts"`
	}
	var doc map[string]job
	parse(t, name, &doc)
	tmpl, ok := doc[".bulwark"]
	if !ok {
		t.Fatal("no .bulwark template job")
	}
	if j, ok := doc["bulwark"]; !ok || j.Extends != ".bulwark" {
		t.Error("no bulwark job extending .bulwark")
	}
	junit := tmpl.Artifacts.Reports["junit"]
	if junit == "" {
		t.Fatal("artifacts:reports:junit is missing")
	}
	if tmpl.Artifacts.When != "always" {
		t.Errorf("artifacts:when = %q; reports must be kept when the job fails", tmpl.Artifacts.When)
	}
	script := strings.Join(tmpl.Script, "\n")
	if !strings.Contains(script, "--format junit --output "+junit) {
		t.Errorf("no scan writes the JUnit report %s", junit)
	}
	for _, want := range []string{"bulwark.sarif", junit} {
		if !slices.Contains(tmpl.Artifacts.Paths, want) {
			t.Errorf("artifacts:paths lacks %s", want)
		}
	}
	if !strings.Contains(script, "go install \"github.com/bulwark-dev/bulwark/cmd/bulwark@${BULWARK_VERSION}\"") {
		t.Error("the template does not install bulwark at BULWARK_VERSION")
	}
	if last := tmpl.Script[len(tmpl.Script)-1]; !strings.HasPrefix(last, "bulwark scan") || strings.Contains(last, "||") {
		t.Errorf("the last command must be a scan whose exit code decides the job: %s", last)
	}
	checkCommands(t, name, script)
}

func TestPreCommitHook(t *testing.T) {
	type hook struct {
		ID       string `yaml:"id"`
		Entry    string `yaml:"entry"`
		Language string `yaml:"language"`
	}
	var hooks []hook
	parse(t, ".pre-commit-hooks.yaml", &hooks)
	i := slices.IndexFunc(hooks, func(h hook) bool { return h.ID == "bulwark" })
	if i < 0 {
		t.Fatal("no hook with id bulwark")
	}
	h := hooks[i]
	if h.Language != "golang" || h.Entry != "bulwark scan" {
		t.Errorf("hook bulwark: language %q, entry %q; want golang, bulwark scan", h.Language, h.Entry)
	}
	// language golang installs the repository's commands with go install;
	// the entry's binary must be one of them.
	if _, err := os.Stat(filepath.Join(root, "cmd", strings.Fields(h.Entry)[0], "main.go")); err != nil {
		t.Errorf("entry %q names no command of this repository: %v", h.Entry, err)
	}
}

// yamlBlock is a fenced YAML example in Markdown.
var yamlBlock = regexp.MustCompile("(?s)```yaml\n(.*?)```")

func TestCIDocs(t *testing.T) {
	doc := string(read(t, "docs/ci.md"))
	blocks := yamlBlock.FindAllStringSubmatch(doc, -1)
	if len(blocks) < 4 {
		t.Fatalf("docs/ci.md has %d YAML examples, want the action, SARIF upload, GitLab and pre-commit", len(blocks))
	}
	var hookIDs []string
	var hooks []struct {
		ID string `yaml:"id"`
	}
	parse(t, ".pre-commit-hooks.yaml", &hooks)
	for _, h := range hooks {
		hookIDs = append(hookIDs, h.ID)
	}
	var sawAction, sawUpload, sawGitLab, sawPreCommit bool
	for _, b := range blocks {
		var v any
		if err := yaml.Unmarshal([]byte(b[1]), &v); err != nil {
			t.Errorf("docs/ci.md example does not parse: %v\n%s", err, b[1])
			continue
		}
		for _, uses := range collect(v, "uses") {
			ok := pinned.MatchString(uses) || uses == "bulwark-dev/bulwark@"+docPlaceholder
			if !ok {
				t.Errorf("docs/ci.md: uses %s is not pinned to a full commit SHA", uses)
			}
			sawAction = sawAction || strings.HasPrefix(uses, "bulwark-dev/bulwark@")
			sawUpload = sawUpload || strings.HasPrefix(uses, "github/codeql-action/upload-sarif@")
		}
		for _, inc := range collect(v, "remote") {
			if strings.HasSuffix(inc, "/ci/gitlab/bulwark.gitlab-ci.yml") {
				sawGitLab = true
			}
		}
		for _, id := range collect(v, "id") {
			sawPreCommit = true
			if !slices.Contains(hookIDs, id) {
				t.Errorf("docs/ci.md uses hook %q, which .pre-commit-hooks.yaml lacks", id)
			}
		}
	}
	if !sawAction || !sawUpload || !sawGitLab || !sawPreCommit {
		t.Errorf("docs/ci.md examples: action %v, SARIF upload %v, GitLab include %v, pre-commit %v",
			sawAction, sawUpload, sawGitLab, sawPreCommit)
	}
	checkCommands(t, "docs/ci.md", doc)
}

// collect returns every string value under key, at any depth.
func collect(v any, key string) []string {
	var out []string
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if s, ok := x.(string); ok && k == key {
				out = append(out, s)
			} else {
				out = append(out, collect(x, key)...)
			}
		}
	case []any:
		for _, x := range v {
			out = append(out, collect(x, key)...)
		}
	}
	return out
}

var (
	command    = regexp.MustCompile(`bulwark (scan|diff)\b([^\n|;]*)`)
	flagName   = regexp.MustCompile(`(?:^|\s)(--[a-z][a-z-]*)`)
	formatFlag = regexp.MustCompile(`--format "?([a-z]+)`)
)

// checkCommands holds every bulwark scan or diff command in text to the
// real command line: each flag must exist and each literal format must
// produce a report.
func checkCommands(t *testing.T, name, text string) {
	t.Helper()
	help := map[string]string{}
	for _, sub := range []string{"scan", "diff"} {
		var out bytes.Buffer
		if code := cli.Run(context.Background(), cli.Streams{In: strings.NewReader(""), Out: &out, ErrOut: &out}, []string{sub, "--help"}); code != 0 {
			t.Fatalf("bulwark %s --help: exit %d\n%s", sub, code, out.String())
		}
		help[sub] = out.String()
	}
	matches := command.FindAllStringSubmatch(text, -1)
	if len(matches) == 0 {
		t.Fatalf("%s runs no bulwark command", name)
	}
	for _, m := range matches {
		for _, f := range flagName.FindAllStringSubmatch(m[2], -1) {
			if !strings.Contains(help[m[1]], f[1]+" ") {
				t.Errorf("%s: bulwark %s has no flag %s (in %q)", name, m[1], f[1], strings.TrimSpace(m[0]))
			}
		}
		for _, f := range formatFlag.FindAllStringSubmatch(m[2], -1) {
			checkFormat(t, name, f[1])
		}
	}
}

var checkedFormats = map[string]bool{}

// checkFormat runs a real scan in format f over a small risky manifest.
func checkFormat(t *testing.T, name, f string) {
	t.Helper()
	if checkedFormats[f] {
		return
	}
	checkedFormats[f] = true
	if !slices.Contains(cli.Formats, f) {
		t.Errorf("%s: format %q is not one of %v", name, f, cli.Formats)
		return
	}
	dir := t.TempDir()
	pod := "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  namespace: prod\nspec:\n  containers:\n" +
		"    - name: app\n      image: nginx:1.27\n      securityContext:\n        privileged: true\n"
	if err := os.WriteFile(filepath.Join(dir, "pod.yaml"), []byte(pod), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "report")
	var errOut bytes.Buffer
	code := cli.Run(context.Background(), cli.Streams{In: strings.NewReader(""), Out: &errOut, ErrOut: &errOut},
		[]string{"scan", dir, "--format", f, "--output", out})
	if code != 1 {
		t.Errorf("%s: scan --format %s of a privileged pod: exit %d, want 1 (blocked)\n%s", name, f, code, errOut.String())
	}
	if data, err := os.ReadFile(out); err != nil || len(data) == 0 {
		t.Errorf("%s: scan --format %s wrote no report: %v", name, f, err)
	}
}
