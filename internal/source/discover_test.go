package source

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func tree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	real, _ := filepath.EvalSymlinks(dir)
	return real
}

func TestDiscover(t *testing.T) {
	root := tree(t, map[string]string{
		"charts/web/Chart.yaml":                    "name: web\n",
		"charts/web/templates/x.yaml":              "{{ .Values.x }}\n",
		"charts/web/charts/sub/Chart.yaml":         "name: sub\n",
		"charts/web/charts/sub/kustomization.yaml": "resources: []\n",
		"packages/web-1.0.0.tgz":                   "not really",
		"overlays/base/kustomization.yaml":         "resources: [d.yaml]\n",
		"overlays/prod/kustomization.yaml":         "resources: [../base]\n",
		"apps/app.yaml":                            "apiVersion: argoproj.io/v1alpha1\nkind: Application\n",
		"apps/cm.yaml":                             "apiVersion: v1\nkind: ConfigMap\n",
		"vendor/skip/kustomization.yaml":           "resources: []\n",
		"clusters/prod/kustomization.yaml":         "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\n",
		".git/kustomization.yaml":                  "resources: []\n",
	})
	inv, err := Discover(context.Background(), []string{root}, Options{Exclude: []string{"vendor/"}})
	if err != nil {
		t.Fatal(err)
	}
	rel := func(paths []string) string {
		var out []string
		for _, p := range paths {
			r, _ := filepath.Rel(root, p)
			out = append(out, filepath.ToSlash(r))
		}
		return strings.Join(out, " ")
	}
	for name, tc := range map[string]struct{ got, want string }{
		"charts":         {rel(inv.Charts), "charts/web"},
		"archives":       {rel(inv.Archives), "packages/web-1.0.0.tgz"},
		"kustomizations": {rel(inv.Kustomizations), "overlays/base overlays/prod"},
		"apps":           {rel(inv.Apps), "apps/app.yaml clusters/prod/kustomization.yaml"},
		"configmaps":     {rel(inv.ConfigMaps), "apps/cm.yaml"},
	} {
		if tc.got != tc.want {
			t.Errorf("%s: %q, want %q", name, tc.got, tc.want)
		}
	}
}

// A plan walks plain files except those a unit claims (still offered to file
// checks), then each unit's output or error.
func TestPlanWalk(t *testing.T) {
	root := tree(t, map[string]string{
		"plain.yaml":                 "apiVersion: v1\nkind: ConfigMap\n",
		"chart/templates/x.yaml":     "{{ .Values.x }}\n",
		"overlay/kustomization.yaml": "resources: [d.yaml]\n",
		"overlay/d.yaml":             "apiVersion: v1\nkind: Pod\n",
		"overlay/notes.yaml":         "apiVersion: v1\nkind: Secret\n",
	})
	plan := &Plan{Roots: []string{root}, Options: Options{Root: root, Want: func(p string) bool { return strings.HasSuffix(p, "x.yaml") }}}
	plan.Units = []*Unit{
		{Kind: "helm", Path: filepath.Join(root, "chart"), Claims: []string{filepath.Join(root, "chart", "templates") + string(filepath.Separator)},
			Files: []File{{Path: "chart/templates/x.yaml", Data: []byte("rendered"), Manifest: true, Chain: []string{"helm chart chart"}}}},
		{Kind: "kustomize", Path: filepath.Join(root, "overlay"), Claims: []string{filepath.Join(root, "overlay", "d.yaml"), filepath.Join(root, "overlay", "kustomization.yaml")},
			Err: os.ErrInvalid},
	}
	var got []string
	if err := plan.Walk(context.Background(), func(f File) {
		f, ok := f.Load()
		if !ok {
			return
		}
		kind := "plain"
		switch {
		case f.Err != nil:
			kind = "error"
		case len(f.Chain) > 0:
			kind = "rendered"
		case !f.Manifest:
			kind = "file-checks"
		}
		got = append(got, f.Path+"="+kind)
	}); err != nil {
		t.Fatal(err)
	}
	want := "chart/templates/x.yaml=file-checks overlay/notes.yaml=plain plain.yaml=plain chart/templates/x.yaml=rendered overlay=error"
	if strings.Join(got, " ") != want {
		t.Errorf("walk:\n%s\nwant\n%s", strings.Join(got, " "), want)
	}
	var b bytes.Buffer
	plan.Notes = []string{"app x: outside this repository; not scanned"}
	plan.Explain(&b)
	if !strings.Contains(b.String(), "Discovered 2 render unit(s)") || !strings.Contains(b.String(), "not scanned") {
		t.Errorf("explain:\n%s", b.String())
	}
}

// The scan's walk replays what discovery recorded: the same files, errors
// and order as walking the directories again, and the same inventory.
func TestListingReplay(t *testing.T) {
	root := tree(t, map[string]string{
		"charts/web/Chart.yaml":            "name: web\n",
		"charts/web/templates/x.yaml":      "{{ .Values.x }}\n",
		"charts/web/charts/sub/Chart.yaml": "name: sub\n",
		"apps/app.yaml":                    "apiVersion: argoproj.io/v1alpha1\nkind: Application\n",
		"apps/.git/config.yaml":            "x: 1\n",
		"skip/me.yaml":                     "a: 1\n",
		"overlay/kustomization.yaml":       "resources: [d.yaml]\n",
		"overlay/d.yaml":                   "apiVersion: v1\nkind: Pod\n",
		".github/workflows/ci.yml":         "on: push\n",
		"notes.txt":                        "hello\n",
	})
	if err := os.Symlink("/etc/hostname", filepath.Join(root, "apps", "out.yaml")); err != nil {
		t.Fatal(err)
	}
	opts := Options{Exclude: []string{"skip/"}, Want: func(p string) bool { return strings.HasSuffix(p, ".yml") || strings.HasSuffix(p, ".yaml") }}
	walk := func(o Options) []string {
		var got []string
		if err := Walk(context.Background(), []string{root}, o, func(f File) {
			f, ok := f.Load()
			if ok {
				got = append(got, fmt.Sprintf("%s err=%v manifest=%v", strings.TrimPrefix(f.Path, root), f.Err, f.Manifest))
			}
		}); err != nil {
			t.Fatal(err)
		}
		return got
	}
	plain, err := Discover(context.Background(), []string{root}, opts)
	if err != nil {
		t.Fatal(err)
	}
	want := walk(opts)
	recorded := opts
	recorded.Listing = NewListing()
	inv, err := Discover(context.Background(), []string{root}, recorded)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := recorded.Listing.get(root); !ok {
		t.Fatal("discovery recorded no walk")
	}
	if got := walk(recorded); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("replayed walk:\n%s\nwalking again:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if fmt.Sprint(inv.Charts, inv.Kustomizations, inv.Apps, inv.ConfigMaps, inv.Archives) != fmt.Sprint(plain.Charts, plain.Kustomizations, plain.Apps, plain.ConfigMaps, plain.Archives) {
		t.Errorf("recording changed the inventory: %+v, want %+v", inv, plain)
	}
}

// TestDiscoveryCache: the scan's walk takes the bytes discovery read
// instead of reading the files again, replays discovery's listing, and lets
// go of what it will not read (a claimed manifest no file check wants), so
// the cache ends empty with its whole budget.
func TestDiscoveryCache(t *testing.T) {
	root := tree(t, map[string]string{
		"a.yaml":       "apiVersion: v1\nkind: ConfigMap\n",
		"claimed.yaml": "apiVersion: v1\nkind: Secret\n",
		"wanted.yaml":  "apiVersion: v1\nkind: Pod\n",
	})
	opts := Options{Cache: NewFileCache(1 << 20), Listing: NewListing()}
	if _, err := Discover(context.Background(), []string{root}, opts); err != nil {
		t.Fatal(err)
	}
	if len(opts.Cache.files) != 3 {
		t.Fatalf("discovery cached %d files, want 3", len(opts.Cache.files))
	}
	// Changed on disk after discovery: the walk must see discovery's bytes.
	if err := os.WriteFile(filepath.Join(root, "a.yaml"), []byte("changed: true\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "new.yaml"), []byte("kind: Pod\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	opts.Deferred = true
	opts.Rendered = func(p string) bool {
		return strings.HasSuffix(p, "claimed.yaml") || strings.HasSuffix(p, "wanted.yaml")
	}
	opts.Want = func(p string) bool { return strings.HasSuffix(p, "wanted.yaml") }
	got := map[string]string{}
	err := Walk(context.Background(), []string{root}, opts, func(f File) {
		if f, ok := f.Load(); ok {
			got[filepath.Base(f.Path)] = fmt.Sprintf("%v %q", f.Manifest, f.Data)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"a.yaml":      `true "apiVersion: v1\nkind: ConfigMap\n"`,
		"wanted.yaml": `false "apiVersion: v1\nkind: Pod\n"`,
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("walk gave %v, want %v (the listing replayed, not new.yaml; claimed.yaml not read)", got, want)
	}
	if len(opts.Cache.files) != 0 || opts.Cache.budget != 1<<20 {
		t.Errorf("cache still holds %d files, budget %d", len(opts.Cache.files), opts.Cache.budget)
	}
}
