package git

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// newRepo makes a repository with two commits: v1 has a.yaml, the head
// changes it and adds b.yaml; the working tree has an uncommitted change.
func newRepo(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	dir := t.TempDir()
	gitRun := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-C", dir, "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"}, args...)...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	write := func(name, data string) {
		t.Helper()
		os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755)
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	gitRun("init", "--quiet", "-b", "main")
	write("deploy/a.yaml", "v1\n")
	gitRun("add", ".")
	gitRun("commit", "--quiet", "-m", "one")
	gitRun("tag", "v1")
	write("deploy/a.yaml", "v2\n")
	write("deploy/b.yaml", "new\n")
	gitRun("add", ".")
	gitRun("commit", "--quiet", "-m", "two")
	write("deploy/a.yaml", "dirty\n")
	return dir
}

func TestExportLeavesWorkingTreeAlone(t *testing.T) {
	repo := newRepo(t)
	ctx := context.Background()
	top, err := Toplevel(ctx, filepath.Join(repo, "deploy"))
	if err != nil {
		t.Fatal(err)
	}
	dir, cleanup, err := Export(ctx, top, "v1")
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	if b, _ := os.ReadFile(filepath.Join(dir, "deploy", "a.yaml")); string(b) != "v1\n" {
		t.Errorf("exported a.yaml = %q", b)
	}
	if _, err := os.Stat(filepath.Join(dir, "deploy", "b.yaml")); err == nil {
		t.Error("b.yaml exported from a revision without it")
	}
	if b, _ := os.ReadFile(filepath.Join(repo, "deploy", "a.yaml")); string(b) != "dirty\n" {
		t.Error("working tree changed")
	}
	if _, _, err := Export(ctx, top, "no-such-ref"); err == nil || !strings.Contains(err.Error(), "unknown revision") {
		t.Errorf("unknown revision: %v", err)
	}
}

func TestCloneShallow(t *testing.T) {
	repo := newRepo(t)
	ctx := context.Background()
	for _, ref := range []string{"", "main", "v1"} {
		dir, cleanup, err := Clone(ctx, "file://"+repo, ref)
		if err != nil {
			t.Fatalf("ref %q: %v", ref, err)
		}
		want := "v2\n"
		if ref == "v1" {
			want = "v1\n"
		}
		if b, _ := os.ReadFile(filepath.Join(dir, "deploy", "a.yaml")); string(b) != want {
			t.Errorf("ref %q: a.yaml = %q, want %q", ref, b, want)
		}
		if out, _ := exec.Command("git", "-C", dir, "rev-list", "--count", "HEAD").Output(); strings.TrimSpace(string(out)) != "1" {
			t.Errorf("ref %q: clone is %s commits deep", ref, out)
		}
		cleanup()
	}
	sha, _ := exec.Command("git", "-C", repo, "rev-parse", "v1").Output()
	full := strings.TrimSpace(string(sha))
	for _, id := range []string{full, full[:8]} {
		dir, cleanup, err := Clone(ctx, "file://"+repo, id)
		if err != nil {
			t.Fatalf("commit %s: %v", id, err)
		}
		if b, _ := os.ReadFile(filepath.Join(dir, "deploy", "a.yaml")); string(b) != "v1\n" {
			t.Errorf("commit %s: a.yaml = %q", id, b)
		}
		cleanup()
	}
}

func TestCredentialsNeverPrinted(t *testing.T) {
	_, _, err := Clone(context.Background(), "https://user:s3cr3t-token@127.0.0.1:1/org/repo.git", "main")
	if err == nil {
		t.Fatal("clone of an unreachable host succeeded")
	}
	if strings.Contains(err.Error(), "s3cr3t-token") || strings.Contains(err.Error(), "user:") {
		t.Errorf("credentials in error: %v", err)
	}
	if got := Redact("fatal: https://x:tok@github.com/o/r.git and ssh://git@host/r"); got != "fatal: https://github.com/o/r.git and ssh://host/r" {
		t.Errorf("Redact: %s", got)
	}
	for s, want := range map[string]bool{"https://github.com/o/r.git": true, "git@github.com:o/r.git": true, "ssh://git@h/r": true,
		".": false, "charts/web": false, "C:/x": false, "overlays/prod": false} {
		if IsURL(s) != want {
			t.Errorf("IsURL(%q) = %v", s, !want)
		}
	}
}
