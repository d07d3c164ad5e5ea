package history

import (
	"context"
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bulwark-dev/bulwark/internal/engine"
	"github.com/bulwark-dev/bulwark/internal/rule"
	"github.com/bulwark-dev/bulwark/internal/rules/secrets"
	"github.com/bulwark-dev/bulwark/internal/source"
)

// repo is a Git repository a test builds commit by commit.
type repo struct {
	t    *testing.T
	dir  string
	tick int
}

func newRepo(t *testing.T) *repo {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	r := &repo{t: t, dir: t.TempDir()}
	r.git("init", "-q", "-b", "main")
	return r
}

func (r *repo) git(args ...string) string {
	r.t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = r.dir
	date := fmt.Sprintf("2026-01-%02dT10:00:00Z", 1+r.tick)
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=Dana Dev", "GIT_AUTHOR_EMAIL=dana@example.com",
		"GIT_COMMITTER_NAME=Dana Dev", "GIT_COMMITTER_EMAIL=dana@example.com",
		"GIT_AUTHOR_DATE="+date, "GIT_COMMITTER_DATE="+date, "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_SYSTEM=/dev/null")
	out, err := cmd.CombinedOutput()
	if err != nil {
		r.t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

func (r *repo) write(path, content string) {
	r.t.Helper()
	full := filepath.Join(r.dir, path)
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		r.t.Fatal(err)
	}
	if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
		r.t.Fatal(err)
	}
}

func (r *repo) commit(msg string) string {
	r.t.Helper()
	r.tick++
	r.git("add", "-A")
	r.git("-c", "commit.gpgsign=false", "commit", "-q", "-m", msg)
	return r.git("rev-parse", "HEAD")
}

// fake returns n random characters of class, from a seeded generator: no
// realistic token is committed to Bulwark's own repository.
func fake(seed uint64, class string, n int) string {
	rng := rand.New(rand.NewPCG(seed, 7))
	b := make([]byte, n)
	for i := range b {
		b[i] = class[rng.IntN(len(class))]
	}
	return string(b)
}

const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

type wantFinding struct {
	rule, file string
	line       int
	commit     string
	atHead     bool
}

func TestHistory(t *testing.T) {
	r := newRepo(t)
	github := "ghp_" + fake(1, alnum, 36)
	slack := "xoxb-" + fake(2, "0123456789", 12) + "-" + fake(3, "0123456789", 13) + "-" + fake(4, alnum, 24)
	kubeToken := fake(5, alnum, 32)

	r.write("deploy/secret.yaml", "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  password: Qz8-Lm2v-Rw7x\n")
	r.write("scripts/release.sh", "#!/bin/sh\nexport GITHUB_TOKEN="+github+"\n./release\n")
	r.write("README.md", "# demo\n")
	c1 := r.commit("first")

	r.write("scripts/release.sh", "#!/bin/sh\n./release\n")
	c2 := r.commit("remove the token")

	r.write("deploy/secret.yaml", "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  password: Qz8-Lm2v-Rw7x\ndata:\n  slack: "+b64(slack)+"\n")
	c3 := r.commit("add slack")

	r.git("checkout", "-q", "-b", "feature")
	r.write("ci/kubeconfig.yaml", "apiVersion: v1\nkind: Config\nusers:\n  - name: ci\n    user:\n      token: "+kubeToken+"\n")
	c4 := r.commit("kubeconfig on a branch")
	r.git("checkout", "-q", "main")

	var progress []Progress
	res, err := Scan(context.Background(), Options{Dir: r.dir, Progress: func(p Progress) { progress = append(progress, p) }})
	if err != nil {
		t.Fatal(err)
	}
	if res.Commits != 4 {
		t.Errorf("read %d commits, want 4", res.Commits)
	}
	if n := len(progress); n == 0 || progress[n-1].Commits != 4 || progress[n-1].Total != 4 {
		t.Errorf("progress %+v", progress)
	}
	check(t, res.Findings, []wantFinding{
		{"BW-SE-006", "ci/kubeconfig.yaml", 6, c4, false},
		{"BW-SE-001", "deploy/secret.yaml", 6, c1, true},
		{"BW-SE-114", "deploy/secret.yaml", 8, c3, true},
		{"BW-SE-111", "scripts/release.sh", 2, c1, false},
	})
	for _, f := range res.Findings {
		if f.Commit.Author != "Dana Dev <dana@example.com>" || !strings.HasPrefix(f.Commit.Date, "2026-01-0") {
			t.Errorf("%s: commit %+v", f.ID, f.Commit)
		}
		for _, v := range []string{github, slack, kubeToken, "Qz8-Lm2v-Rw7x"} {
			if strings.Contains(fmt.Sprintf("%+v", f), v[:10]) {
				t.Errorf("%s leaks a secret", f.ID)
			}
		}
	}

	// Only what came after the second commit.
	res, err = Scan(context.Background(), Options{Dir: filepath.Join(r.dir, "deploy"), Since: c2})
	if err != nil {
		t.Fatal(err)
	}
	check(t, res.Findings, []wantFinding{
		{"BW-SE-006", "ci/kubeconfig.yaml", 6, c4, false},
		{"BW-SE-114", "deploy/secret.yaml", 8, c3, true},
	})

	// Excluded paths are not read.
	res, err = Scan(context.Background(), Options{Dir: r.dir, Exclude: []string{"scripts/", "*.yaml"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Findings) != 0 {
		t.Errorf("excluded paths reported: %+v", res.Findings)
	}

	if _, err := Scan(context.Background(), Options{Dir: r.dir, Since: "no-such-rev"}); err == nil {
		t.Error("a bad --since revision was accepted")
	}
	if _, err := Scan(context.Background(), Options{Dir: t.TempDir()}); err == nil {
		t.Error("a directory outside any repository was accepted")
	}
}

func check(t *testing.T, got []rule.Finding, want []wantFinding) {
	t.Helper()
	if len(got) != len(want) {
		for _, f := range got {
			t.Logf("  %s %s:%d %s %s", f.ID, f.Location.File, f.Location.Line, f.Commit.SHA[:8], f.Message)
		}
		t.Fatalf("got %d findings, want %d", len(got), len(want))
	}
	for i, w := range want {
		f := got[i]
		if f.ID != w.rule || f.Location.File != w.file || f.Location.Line != w.line || f.Commit.SHA != w.commit || f.Commit.StillAtHead != w.atHead {
			t.Errorf("finding %d: got %s %s:%d commit %.8s atHead=%v (%s); want %s %s:%d commit %.8s atHead=%v",
				i, f.ID, f.Location.File, f.Location.Line, f.Commit.SHA, f.Commit.StillAtHead, f.Message, w.rule, w.file, w.line, w.commit, w.atHead)
		}
	}
}

// TestFingerprintsMatchTheWorkingTreeScan holds history findings to the
// engine's fingerprints, so one baseline serves both scans.
func TestFingerprintsMatchTheWorkingTreeScan(t *testing.T) {
	r := newRepo(t)
	r.write("apps/secret.yaml", "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  namespace: shop\nstringData:\n  password: Qz8-Lm2v-Rw7x\n")
	r.write("apps/release.sh", "export GITHUB_TOKEN=ghp_"+fake(9, alnum, 36)+"\n")
	r.commit("add")
	hist, err := Scan(context.Background(), Options{Dir: r.dir})
	if err != nil {
		t.Fatal(err)
	}
	reg, err := rule.NewRegistry(secrets.ObjectChecks(), secrets.SetChecks(), secrets.FileChecks()...)
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(r.dir)
	tree, err := engine.New(reg, 1).Scan(context.Background(), []string{"apps"}, source.Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{}
	for _, f := range tree.Findings {
		want[f.Fingerprint] = true
	}
	if len(hist.Findings) != 2 || len(tree.Findings) != 2 {
		t.Fatalf("history %d findings, working tree %d, want 2 each", len(hist.Findings), len(tree.Findings))
	}
	for _, f := range hist.Findings {
		if !want[f.Fingerprint] {
			t.Errorf("%s %s: fingerprint %s not in the working-tree scan", f.ID, f.Location.File, f.Fingerprint)
		}
		if !f.Commit.StillAtHead {
			t.Errorf("%s: not marked still at HEAD", f.ID)
		}
	}
}

// TestCheckPanics: a check that fails inside Bulwark on one change costs
// that change's findings, not the scan: the change is listed as failed,
// by commit and path, without the panic's value (it holds the input here).
func TestCheckPanics(t *testing.T) {
	r := newRepo(t)
	github := "ghp_" + fake(1, alnum, 36)
	r.write("scripts/release.sh", "#!/bin/sh\nexport GITHUB_TOKEN="+github+"\n")
	r.write("notes/boom.txt", "password: hunter2-hunter2\n")
	c1 := r.commit("first")
	opts := Options{Dir: r.dir, scanText: func(path string, text []byte) []rule.Hit {
		if path == "notes/boom.txt" {
			panic(string(text))
		}
		return secrets.ScanText(path, text)
	}}
	res, err := Scan(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	check(t, res.Findings, []wantFinding{{"BW-SE-111", "scripts/release.sh", 2, c1, true}})
	if len(res.Failed) != 1 {
		t.Fatalf("failed: %+v", res.Failed)
	}
	if e := res.Failed[0]; e.File != "notes/boom.txt" || !strings.Contains(e.Msg, "commit "+c1) ||
		!strings.Contains(e.Msg, "panic of type string") || strings.Contains(e.Msg, "hunter2") {
		t.Errorf("failure %+v", e)
	}
}
