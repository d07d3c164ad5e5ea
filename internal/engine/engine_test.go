package engine

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/bulwark-dev/bulwark/internal/rule"
	"github.com/bulwark-dev/bulwark/internal/rules"
	"github.com/bulwark-dev/bulwark/internal/source"
)

func newEngine(t testing.TB) *Engine {
	t.Helper()
	reg, err := rules.Registry(rules.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	return New(reg, 2)
}

func scan(t *testing.T, opts source.Options, paths ...string) *Result {
	t.Helper()
	res, err := newEngine(t).Scan(context.Background(), paths, opts)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// has reports whether a finding of rule id is in file at line (0: any line).
func has(res *Result, id, file string, line int) bool {
	for _, f := range res.Findings {
		if f.ID == id && strings.HasSuffix(f.Location.File, file) && (line == 0 || f.Location.Line == line) {
			return true
		}
	}
	return false
}

func TestBadInput(t *testing.T) {
	res := scan(t, source.Options{}, "testdata/bad")
	cases := []struct {
		name, id, file string
		line           int
		msg            string
	}{
		{"malformed document reported at its line", rule.UnreadableInput.ID, "malformed.yaml", 14, "did not find expected"},
		{"documents after a malformed one still checked", "BW-PS-001", "malformed.yaml", 27, ""},
		{"wrong type reported at the field", rule.UnreadableInput.ID, "wrongtype.yaml", 10, "securityContext.privileged: wrong type, want bool"},
		{"alias bomb refused", rule.UnreadableInput.ID, "aliasbomb.yaml", 0, "alias bomb"},
		{"aliases followed: first container", "BW-PS-001", "anchors.yaml", 11, ""},
		{"aliases followed: merged container", "BW-PS-001", "anchors.yaml", 13, ""},
		{"binary file refused", rule.UnreadableInput.ID, "binary.yaml", 0, "binary file"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if !has(res, tc.id, tc.file, tc.line) {
				t.Fatalf("no %s finding in %s line %d; findings: %v", tc.id, tc.file, tc.line, summarize(res))
			}
			if tc.msg != "" {
				found := false
				for _, f := range res.Findings {
					if f.ID == tc.id && strings.HasSuffix(f.Location.File, tc.file) && strings.Contains(f.Message, tc.msg) {
						found = true
					}
				}
				if !found {
					t.Errorf("no message containing %q; findings: %v", tc.msg, summarize(res))
				}
			}
		})
	}
	if res.Skipped != 3 {
		t.Errorf("skipped %d non-Kubernetes documents, want 3", res.Skipped)
	}
	if len(res.Errors) < 4 {
		t.Errorf("want at least 4 input errors, got %v", res.Errors)
	}
}

func summarize(res *Result) []string {
	var out []string
	for _, f := range res.Findings {
		out = append(out, f.ID+" "+f.Location.File+":"+itoa(f.Location.Line)+" "+f.Message)
	}
	return out
}

func itoa(i int) string { return strconv.Itoa(i) }

func TestFileSystemEdges(t *testing.T) {
	dir := t.TempDir()
	outside := t.TempDir()
	write := func(path, content string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	priv := "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n    image: x:1\n    securityContext:\n      privileged: true\n"
	write(filepath.Join(dir, "app", "pod.yaml"), priv)
	write(filepath.Join(dir, "vendor", "pod.yaml"), priv)
	write(filepath.Join(dir, ".git", "pod.yaml"), priv)
	write(filepath.Join(outside, "secret.yaml"), priv)
	if err := os.Symlink(filepath.Join(outside, "secret.yaml"), filepath.Join(dir, "app", "link.yaml")); err != nil {
		t.Fatal(err)
	}
	// A 50 MB file is refused without being read whole.
	big, err := os.Create(filepath.Join(dir, "big.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := big.Truncate(50 << 20); err != nil {
		t.Fatal(err)
	}
	big.Close()
	unreadable := filepath.Join(dir, "app", "unreadable.yaml")
	write(unreadable, priv)
	if err := os.Chmod(unreadable, 0); err != nil {
		t.Fatal(err)
	}

	res := scan(t, source.Options{Exclude: []string{"vendor/**"}}, dir)
	var privFiles []string
	for _, f := range res.Findings {
		if f.ID == "BW-PS-001" {
			privFiles = append(privFiles, filepath.Base(filepath.Dir(f.Location.File))+"/"+filepath.Base(f.Location.File))
		}
	}
	want := []string{"app/pod.yaml"}
	if os.Geteuid() == 0 {
		want = append(want, "app/unreadable.yaml") // root reads anything
	}
	if strings.Join(privFiles, ",") != strings.Join(want, ",") {
		t.Errorf("privileged pods found in %v, want %v (vendor excluded, .git skipped, link not followed)", privFiles, want)
	}
	msgs := strings.Join(summarize(res), "\n")
	for _, want := range []string{"symlink points outside the scanned root", "over the 20 MiB limit"} {
		if !strings.Contains(msgs, want) {
			t.Errorf("no error %q in:\n%s", want, msgs)
		}
	}
	if os.Geteuid() != 0 && !strings.Contains(msgs, "permission denied") {
		t.Errorf("unreadable file not reported:\n%s", msgs)
	}
}

// TestEdgeCorpus runs every case on which peers break and demands its
// sentinel privileged Pod is still reported.
func TestEdgeCorpus(t *testing.T) {
	root := filepath.Join("..", "..", "..", "shared", "corpus-edge")
	if _, err := os.Stat(root); err != nil {
		t.Skip("shared edge corpus not present")
	}
	dirs, _ := os.ReadDir(root)
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		t.Run(d.Name(), func(t *testing.T) {
			res := scan(t, source.Options{}, filepath.Join(root, d.Name()))
			sentinel := false
			for _, f := range res.Findings {
				sentinel = sentinel || f.ID == "BW-PS-001" && strings.HasSuffix(f.Object.Name, "-priv")
			}
			if !sentinel {
				t.Errorf("sentinel privileged pod not reported: %v", summarize(res))
			}
		})
	}
}

func TestDeterministicAcrossWorkers(t *testing.T) {
	reg, err := rules.Registry(rules.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	var prev []string
	for _, workers := range []int{1, runtime.GOMAXPROCS(0), 8} {
		res, err := New(reg, workers).Scan(context.Background(), []string{"../../examples"}, source.Options{})
		if err != nil {
			t.Fatal(err)
		}
		got := summarize(res)
		if prev != nil && strings.Join(prev, "\n") != strings.Join(got, "\n") {
			t.Fatalf("findings differ with %d workers", workers)
		}
		prev = got
	}
}
