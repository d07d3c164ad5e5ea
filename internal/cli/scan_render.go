package cli

import (
	"bufio"
	"context"
	"log"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/pflag"

	"github.com/bulwark-dev/bulwark/internal/secret"
	"github.com/bulwark-dev/bulwark/internal/source"
	gitsrc "github.com/bulwark-dev/bulwark/internal/source/git"
	"github.com/bulwark-dev/bulwark/internal/source/gitops"
	"github.com/bulwark-dev/bulwark/internal/source/helm"
)

// RenderOptions say how a scan renders what the repository deploys.
type RenderOptions struct {
	ValueFiles  []string // -f: values files for charts no app renders
	Set         []string
	SetString   []string
	SetFile     []string
	ReleaseName string
	Namespace   string
	KubeVersion string
	APIVersions []string
	Ref         string // scan this Git revision (of the local repository, or of the URL scanned)
	Explain     bool   // print what was discovered and how it is rendered
	NoRender    bool   // read every file as plain manifests
}

func addRenderFlags(f *pflag.FlagSet, r *RenderOptions) {
	f.StringArrayVarP(&r.ValueFiles, "values", "f", nil, "values file for the Helm charts scanned (repeatable, later files win)")
	f.StringArrayVar(&r.Set, "set", nil, "set a chart value, as helm --set (repeatable)")
	f.StringArrayVar(&r.SetString, "set-string", nil, "set a chart value as a string, as helm --set-string (repeatable)")
	f.StringArrayVar(&r.SetFile, "set-file", nil, "set a chart value from a file, as helm --set-file (repeatable)")
	f.StringVar(&r.ReleaseName, "release-name", "", "Helm release name (default: release-name, as helm template)")
	f.StringVarP(&r.Namespace, "namespace", "n", "", "Helm release namespace (default: default)")
	f.StringVar(&r.KubeVersion, "kube-version", "", "Kubernetes version charts see in .Capabilities (default: the version Bulwark is built for)")
	f.StringArrayVar(&r.APIVersions, "api-versions", nil, "extra API versions charts see in .Capabilities (repeatable)")
	f.StringVar(&r.Ref, "ref", "", "scan this Git revision (branch, tag or commit) without checking it out; with a repository URL, the revision to clone")
	f.BoolVar(&r.Explain, "explain", false, "print to standard error what was discovered (charts, overlays, apps) and how each is rendered")
	f.BoolVar(&r.NoRender, "no-render", false, "read every file as plain manifests: no Helm, Kustomize or app rendering")
}

// scanSources is what a scan reads when it scans a revision or a remote
// repository: local paths, the root reports name files from, and the
// repository's URLs.
type scanSources struct {
	paths   []string
	root    string
	urls    []string
	cleanup func()
}

// resolveSources turns a repository URL or --ref into a checkout in a
// temporary directory; plain paths are scanned as they are.
func resolveSources(ctx context.Context, opts *ScanOptions) (*scanSources, error) {
	co := &scanSources{paths: opts.Paths, root: opts.root, cleanup: func() {}}
	ref := opts.Render.Ref
	if len(opts.Paths) == 1 && gitsrc.IsURL(opts.Paths[0]) {
		dir, cleanup, err := gitsrc.Clone(ctx, opts.Paths[0], ref)
		if err != nil {
			return nil, usageError("%v", err)
		}
		co.paths, co.root, co.urls, co.cleanup = []string{dir}, dir, []string{opts.Paths[0]}, cleanup
		return co, nil
	}
	for _, p := range opts.Paths {
		if gitsrc.IsURL(p) {
			return nil, usageError("a repository URL is scanned alone: %s", gitsrc.Name(p))
		}
	}
	if ref == "" {
		return co, nil
	}
	if len(opts.Paths) == 1 && opts.Paths[0] == "-" {
		return nil, usageError("--ref reads a Git revision, not standard input")
	}
	top, err := gitsrc.Toplevel(ctx, opts.Paths[0])
	if err != nil {
		return nil, usageError("--ref: %v", err)
	}
	dir, cleanup, err := gitsrc.Export(ctx, top, ref)
	if err != nil {
		return nil, usageError("--ref: %v", err)
	}
	co.paths, co.root, co.urls, co.cleanup = nil, dir, gitsrc.Remotes(ctx, top), cleanup
	realTop, _ := filepath.EvalSymlinks(top)
	for _, p := range opts.Paths {
		abs, _ := filepath.Abs(p)
		if real, err := filepath.EvalSymlinks(abs); err == nil {
			abs = real
		}
		rel, err := filepath.Rel(realTop, abs)
		if err != nil || !helm.Within(realTop, abs) {
			cleanup()
			return nil, usageError("--ref: %s is outside the repository at %s", p, top)
		}
		co.paths = append(co.paths, filepath.Join(dir, rel))
	}
	return co, nil
}

// discoveryCache bounds the bytes discovery holds for the scan.
const discoveryCache = 64 << 20

// buildPlan discovers the charts, overlays and apps under the paths and
// renders them; with --no-render, or for standard input, it reads plain
// files only.
func buildPlan(ctx context.Context, g *globalOptions, opts *ScanOptions, co *scanSources, walk source.Options) (*source.Plan, error) {
	plan := &source.Plan{Roots: co.paths, Options: walk}
	if opts.Render.NoRender || (len(co.paths) == 1 && co.paths[0] == "-") {
		return plan, nil
	}
	// The Helm and kustomize libraries write warnings (deprecated fields,
	// values that are not tables) with the standard logger: they go to the
	// verbose log, not into the report's streams.
	log.SetFlags(0)
	log.SetOutput(logWriter{g.logger()})
	// Discovery reads the manifests first; the scan takes their bytes from
	// the cache instead of reading them again.
	walk.Cache, walk.Listing = source.NewFileCache(discoveryCache), source.NewListing()
	go secret.Default() // compile the secret detectors while discovery walks
	// Git is asked where the repository is and what its remotes are while
	// discovery walks the tree: each question is a process to start, and
	// the two questions are asked side by side.
	rootc, urlsc := make(chan string, 1), make(chan []string, 1)
	go func() { rootc <- renderRoot(ctx, co) }()
	go func() {
		urls := co.urls
		if urls == nil {
			if top, err := gitsrc.Toplevel(ctx, "."); err == nil {
				urls = gitsrc.Remotes(ctx, top)
			}
		}
		urlsc <- urls
	}()
	inv, err := source.Discover(ctx, co.paths, walk)
	root, urls := <-rootc, <-urlsc
	if err != nil {
		return nil, usageError("%v", err)
	}
	var cfg *gitops.Config
	if path := discover(gitops.ConfigFile, co.paths); path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, usageError("%s: %v", gitops.ConfigFile, err)
		}
		if cfg, err = gitops.ParseConfig(path, data); err != nil {
			return nil, usageError("%v", err)
		}
	}
	r := opts.Render
	rel := helm.Release{Name: r.ReleaseName, Namespace: r.Namespace, KubeVersion: r.KubeVersion, APIVersions: r.APIVersions}
	for _, f := range r.ValueFiles {
		rel.Values = append(rel.Values, helm.FileLayer(f))
	}
	for _, e := range r.Set {
		rel.Values = append(rel.Values, helm.Layer{Kind: helm.Set, Expr: e})
	}
	for _, e := range r.SetString {
		rel.Values = append(rel.Values, helm.Layer{Kind: helm.SetString, Expr: e})
	}
	for _, e := range r.SetFile {
		rel.Values = append(rel.Values, helm.Layer{Kind: helm.SetFile, Expr: e})
	}
	given := len(rel.Values) > 0 || r.ReleaseName != "" || r.Namespace != ""
	restore := captureStderr(g.logger())
	plan = gitops.Plan(ctx, co.paths, inv, gitops.Settings{
		Root: root, RepoURLs: urls, Config: cfg, Helm: rel, HelmGiven: given, Options: walk,
		HelmRenderer: g.streams.HelmRenderer,
	})
	restore()
	if r.Explain {
		plan.Explain(g.streams.ErrOut)
	}
	g.logger().Debug("render plan", "units", len(plan.Units), "notes", len(plan.Notes), "root", root)
	return plan, nil
}

// logWriter turns standard-logger lines into debug records.
type logWriter struct{ log *slog.Logger }

func (w logWriter) Write(p []byte) (int, error) {
	w.log.Debug("render", "message", strings.TrimSpace(strings.TrimPrefix(string(p), "# ")))
	return len(p), nil
}

// captureStderr sends what is written to the process's standard error
// while rendering (kustomize prints deprecation warnings there) to the
// verbose log; the report's streams are not touched. It returns the
// function that restores standard error.
func captureStderr(log *slog.Logger) func() {
	r, w, err := os.Pipe()
	if err != nil {
		return func() {}
	}
	old := os.Stderr
	os.Stderr = w
	done := make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			log.Debug("render", "message", strings.TrimSpace(strings.TrimPrefix(sc.Text(), "# ")))
		}
	}()
	return func() {
		os.Stderr = old
		w.Close()
		<-done
		r.Close()
	}
}

// renderRoot is where app paths start: the checkout, else the Git work tree
// of the first path, else the render configuration's directory, else the
// first path.
func renderRoot(ctx context.Context, co *scanSources) string {
	root := co.root
	if root == "" {
		if top, err := gitsrc.Toplevel(ctx, co.paths[0]); err == nil {
			root = top
		} else if path := discover(gitops.ConfigFile, co.paths); path != "" {
			root = filepath.Dir(path)
		} else {
			root = co.paths[0]
			if info, err := os.Stat(root); err == nil && !info.IsDir() {
				root = filepath.Dir(root)
			}
		}
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		return root
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		abs = real
	}
	return abs
}
