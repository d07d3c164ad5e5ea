package helm

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chartutil"

	"github.com/bulwark-dev/bulwark/internal/source/helm/sandbox"
)

// TestMain lets the test binary serve as the render pool's child.
func TestMain(m *testing.M) {
	sandbox.ServeIfChild()
	os.Exit(m.Run())
}

func testPool(t testing.TB, memory int64) *sandbox.Pool {
	t.Helper()
	if !sandbox.Supported {
		t.Skip("memory-capped rendering is supported on Linux only")
	}
	pool, err := sandbox.NewPool(sandbox.Config{Memory: memory, Children: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pool.Close() })
	return pool
}

// Charts that allocate without bound fail with a clear error in a child,
// and the charts rendered next, by the same pool, still render.
func TestMemoryBound(t *testing.T) {
	opts := testOptions(t)
	opts.Renderer = testPool(t, 256<<20)
	for _, tc := range []struct {
		chart string
		want  string // error; "" renders
	}{
		{"good", ""},
		{"repeat", "rendering used more than 256 MiB of memory and was stopped"},
		{"good", ""},
		{"doubling", "rendering used more than 256 MiB of memory and was stopped"},
		{"good", ""},
	} {
		t.Run(tc.chart, func(t *testing.T) {
			res, err := Render(context.Background(), filepath.Join("testdata", "membound", tc.chart), Release{}, opts)
			if tc.want != "" {
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("error %v, want %q", err, tc.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Files) != 1 || !strings.Contains(string(res.Files[0].Data), "replicas: 2") {
				t.Fatalf("rendered %+v", res.Files)
			}
		})
	}
}

// A render in a child gives what an in-process render gives, markers and
// second render included, for every chart the other tests render.
func TestChildParity(t *testing.T) {
	pool := testPool(t, 0)
	for _, tc := range []struct {
		chart  string
		rel    Release
		random bool // makes keys and passwords: compare the files only
	}{
		{app, Release{}, false},
		{app, Release{Values: []Layer{FileLayer(filepath.Join(app, "values-prod.yaml")), {Kind: Set, Expr: "replicaCount=12345678901,extraEnv[0].name=A"}}}, false},
		{"testdata/charts/certs", Release{}, true},
		{"testdata/charts/generated", Release{}, true},
		{"testdata/membound/good", Release{Name: "web", Namespace: "shop"}, false},
	} {
		t.Run(tc.chart, func(t *testing.T) {
			inProc := render(t, tc.chart, tc.rel)
			opts := testOptions(t)
			opts.Renderer = pool
			child, err := Render(context.Background(), tc.chart, tc.rel, opts)
			if err != nil {
				t.Fatal(err)
			}
			if len(child.Files) != len(inProc.Files) {
				t.Fatalf("%d files in a child, %d in-process", len(child.Files), len(inProc.Files))
			}
			for i, f := range inProc.Files {
				if c := child.Files[i]; c.Path != f.Path || !tc.random && string(c.Data) != string(f.Data) {
					t.Errorf("%s: child rendered\n%s\nin-process\n%s", f.Path, c.Data, f.Data)
				}
			}
		})
	}
}

// A render in a child that runs past its deadline is stopped: the child
// is killed rather than left running.
func TestChildTimeout(t *testing.T) {
	dir := t.TempDir()
	explode := filepath.Join(dir, "explode")
	os.MkdirAll(filepath.Join(explode, "templates"), 0o755)
	os.WriteFile(filepath.Join(explode, "Chart.yaml"), []byte("apiVersion: v2\nname: explode\nversion: 0.1.0\n"), 0o644)
	os.WriteFile(filepath.Join(explode, "templates", "bomb.yaml"), []byte(explodeTemplate), 0o644)
	opts := Options{Timeout: time.Second, Renderer: testPool(t, 0)}
	start := time.Now()
	_, err := Render(context.Background(), explode, Release{}, opts)
	if err == nil || !strings.Contains(err.Error(), "longer than 1s") {
		t.Fatalf("error %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %s", d)
	}
}

// BenchmarkRenderer compares one release's render in-process, in a warm
// child and in a child started for it.
func BenchmarkRenderer(b *testing.B) {
	run := func(b *testing.B, r func() Renderer) {
		for b.Loop() {
			opts := testOptions(b)
			opts.Renderer = r()
			if _, err := Render(context.Background(), app, Release{}, opts); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Run("in-process", func(b *testing.B) { run(b, func() Renderer { return nil }) })
	b.Run("warm child", func(b *testing.B) {
		pool := testPool(b, 0)
		run(b, func() Renderer { return pool })
	})
	b.Run("new child", func(b *testing.B) {
		run(b, func() Renderer {
			return closing{testPool(b, 0)}
		})
	})
}

// closing closes its pool after one render, so each render starts a child.
type closing struct{ *sandbox.Pool }

func (c closing) Render(ctx context.Context, ch *chart.Chart, top chartutil.Values) (map[string]string, error) {
	defer c.Pool.Close()
	return c.Pool.Render(ctx, ch, top)
}
