package git

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bulwark-dev/bulwark/internal/gittest"
)

// newRepo makes a repository with two commits: v1 has a.yaml, the head
// changes it and adds b.yaml; the working tree has an uncommitted change.
func newRepo(t *testing.T) string {
	t.Helper()
	r := gittest.New(t)
	r.Write("deploy/a.yaml", "v1\n")
	r.Git("add", ".")
	r.Git("commit", "--quiet", "-m", "one")
	r.Git("tag", "v1")
	r.Write("deploy/a.yaml", "v2\n")
	r.Write("deploy/b.yaml", "new\n")
	r.Git("add", ".")
	r.Git("commit", "--quiet", "-m", "two")
	r.Write("deploy/a.yaml", "dirty\n")
	return r.Dir
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
