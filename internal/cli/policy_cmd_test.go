package cli

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestPolicyValidate(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("good.yaml", "apiVersion: bulwark.dev/v1\nkind: Policy\nrules:\n  - id: pss-privileged\n    severity: critical\n")
	unknownRule := write("unknown.yaml", "apiVersion: bulwark.dev/v1\nkind: Policy\nrules:\n  - id: BW-ZZ-999\n    enabled: false\n")
	badCEL := write("cel.yaml", "apiVersion: bulwark.dev/v1\nkind: Policy\ncustomRules:\n  - id: ACME-001\n    expression: object.spec.replicas >=\n    message: m\n")
	cases := []struct {
		file string
		code int
		want string
	}{
		{good, ExitOK, "valid"},
		{unknownRule, ExitUsage, "unknown.yaml:4: rules: no rule \"BW-ZZ-999\""},
		{badCEL, ExitUsage, "cel.yaml:4: customRules ACME-001: expression"},
		{filepath.Join("..", "policy", "testdata", "bad.yaml"), ExitUsage, "bad.yaml:7"},
	}
	for _, tc := range cases {
		out, errOut, code := run(t, "", "policy", "validate", tc.file)
		if code != tc.code || !strings.Contains(out+errOut, tc.want) {
			t.Errorf("%s: exit %d, output %q; want %d and %q", filepath.Base(tc.file), code, out+errOut, tc.code, tc.want)
		}
	}
}

func TestPolicyTest(t *testing.T) {
	out, errOut, code := run(t, "", "policy", "test", "testdata/policytests")
	if code != ExitOK || !strings.Contains(out, "3 passed, 0 failed") {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	// A wrong expectation fails the run and says why.
	dir := t.TempDir()
	data, _ := os.ReadFile("testdata/policytests/policy_test.yaml")
	broken := strings.Replace(string(data), "findings: [BW-PS-001]", "findings: [BW-PS-001, BW-PS-003]", 1)
	for _, f := range []string{"policy.yaml", "cases/privileged.yaml"} {
		src, _ := os.ReadFile(filepath.Join("testdata/policytests", f))
		_ = os.MkdirAll(filepath.Dir(filepath.Join(dir, f)), 0o755)
		_ = os.WriteFile(filepath.Join(dir, f), src, 0o644)
	}
	_ = os.WriteFile(filepath.Join(dir, "policy_test.yaml"), []byte(broken), 0o644)
	out, _, code = run(t, "", "policy", "test", dir)
	if code != ExitBlocked || !strings.Contains(out, "missing BW-PS-003") || !strings.Contains(out, "2 passed, 1 failed") {
		t.Fatalf("exit %d\n%s", code, out)
	}
}

// gitRepo makes a real repository with a committed base and returns its path.
func gitRepo(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	gitRun := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com",
			"GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com", "GIT_CONFIG_GLOBAL=/dev/null")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	gitRun("init", "-q", "-b", "main")
	copyFile(t, "../../examples/apps/shop/deployment-web.yaml", filepath.Join(dir, "apps", "web.yaml"))
	gitRun("add", ".")
	gitRun("commit", "-q", "-m", "base")
	gitRun("tag", "base")
	return dir
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestDiffReportsOnlyNewRisks(t *testing.T) {
	agent, _ := filepath.Abs("../../examples/apps/monitoring/daemonset-node-agent.yaml")
	repo := gitRepo(t)
	t.Chdir(repo)
	// Unchanged risky file: nothing new, so nothing blocks.
	out, errOut, code := run(t, "", "diff", "base", "--format", "json")
	if code != ExitOK || !strings.Contains(errOut, "0 new") {
		t.Fatalf("exit %d: %s\n%s", code, errOut, out)
	}
	// The working tree adds a privileged DaemonSet: only its findings count.
	copyFile(t, agent, filepath.Join(repo, "apps", "agent.yaml"))
	out, errOut, code = run(t, "", "diff", "base", "--format", "json")
	if code != ExitBlocked {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var r struct {
		Findings []struct {
			ID       string `json:"id"`
			Location struct {
				File string `json:"file"`
			} `json:"location"`
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	if len(r.Findings) == 0 {
		t.Fatal("no new findings")
	}
	for _, f := range r.Findings {
		if f.Location.File != "apps/agent.yaml" {
			t.Errorf("finding %s in %s is not new", f.ID, f.Location.File)
		}
	}
	// The base revision is never touched: the repository stays clean of worktrees.
	if _, err := os.Stat(filepath.Join(repo, ".git", "worktrees")); err == nil {
		t.Error("diff left a worktree behind")
	}
}

func TestBaselineCreateThenScan(t *testing.T) {
	agent, _ := filepath.Abs("../../examples/apps/monitoring/daemonset-node-agent.yaml")
	repo := gitRepo(t)
	t.Chdir(repo)
	out, errOut, code := run(t, "", "baseline", "create")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if err := os.WriteFile(BaselineFile, []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
	// With the baseline at the root, today's findings are accepted.
	_, errOut, code = run(t, "", "scan", ".")
	if code != ExitOK {
		t.Fatalf("scan with baseline: exit %d: %s", code, errOut)
	}
	// A new risk still fails.
	copyFile(t, agent, filepath.Join(repo, "apps", "agent.yaml"))
	if _, _, code = run(t, "", "scan", "."); code != ExitBlocked {
		t.Fatalf("new finding not blocked: exit %d", code)
	}
}
