// Package gitops decides what a scan renders, the way the GitOps agent
// would deploy it: it follows Argo CD Applications (and the list and git
// directory generators of ApplicationSets) and Flux Kustomizations and
// HelmReleases whose source is this repository, renders their targets with
// their settings, and renders the remaining Helm charts and Kustomize roots
// on their own. Every rendered object is attributed to the app that deploys
// it (the first element of its render chain).
package gitops

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/bulwark-dev/bulwark/internal/manifest"
	"github.com/bulwark-dev/bulwark/internal/source"
	"github.com/bulwark-dev/bulwark/internal/source/helm"
	"github.com/bulwark-dev/bulwark/internal/source/kustomize"
)

// Settings say what the plan follows and how it renders.
type Settings struct {
	// Root is the repository root (absolute, symlinks resolved): app paths
	// are relative to it and nothing outside it is read.
	Root string
	// RepoURLs name this repository (its Git remotes); the configuration's
	// repositories are added. Sources with other URLs are not scanned.
	RepoURLs []string
	Config   *Config
	// Helm is the command line's release for charts no app renders: values
	// layers, name, namespace, Kubernetes version and API versions. When
	// HelmGiven, it replaces the configuration's value sets.
	Helm      helm.Release
	HelmGiven bool
	Timeout   time.Duration
	// HelmRenderer renders charts, those of overlays too (nil: in-process).
	HelmRenderer helm.Renderer
	// Options are the scan's; Display names files in reports.
	Options source.Options
}

// maxAppDepth bounds how far apps that render apps are followed.
const maxAppDepth = 4

// Plan turns the inventory of the scanned roots into what the scan reads.
func Plan(ctx context.Context, roots []string, inv *source.Inventory, s Settings) *source.Plan {
	p := &planner{ctx: ctx, s: s, plan: &source.Plan{Roots: roots, Options: s.Options},
		targeted: map[string]string{}, seenApps: map[string]bool{}}
	p.display = s.Options.Display
	p.defs = readDefinitions(inv.Apps, inv.ConfigMaps, p.display, s.Options.MaxFileSize)
	p.followApps(p.defs, 0)
	p.flush()

	// Kustomize roots: not a base of another kustomization, not an app's.
	bases := map[string]bool{}
	for _, dir := range inv.Kustomizations {
		refs, _ := kustomize.References(dir)
		for _, r := range refs {
			bases[r] = true
		}
	}
	usedCharts := map[string]bool{}
	for _, dir := range inv.Kustomizations {
		if bases[dir] && !isRoot(dir, roots) {
			continue
		}
		if by, ok := p.targeted[dir]; ok {
			p.note("%s: rendered by %s", p.display(dir), by)
			continue
		}
		p.kustomizeUnit("kustomize", dir, kustomize.Options{}, nil, "kustomize build", nil)
	}
	p.flush()
	for _, charts := range p.inflated {
		for _, c := range charts {
			usedCharts[c] = true
		}
	}
	// Charts and packaged charts not rendered otherwise.
	for _, dir := range inv.Charts {
		if by, ok := p.targeted[dir]; ok {
			p.note("%s: rendered by %s", p.display(dir), by)
			continue
		}
		if usedCharts[dir] {
			p.note("%s: rendered by the kustomization that inflates it", p.display(dir))
			continue
		}
		if helm.IsLibrary(dir) {
			p.note("%s: library chart, rendered only as a dependency of other charts", p.display(dir))
			continue
		}
		for _, rel := range p.releases(dir) {
			p.helmUnit("helm", dir, rel, nil, "helm template")
		}
	}
	for _, archive := range inv.Archives {
		for _, rel := range p.releases(archive) {
			p.helmUnit("helm", archive, rel, nil, "helm template of a packaged chart")
		}
	}
	p.flush()
	// Apps rendered by charts and overlays (app of apps).
	for depth := 1; depth <= maxAppDepth; depth++ {
		defs := &definitions{file: map[*manifest.Object]string{}}
		for _, u := range p.plan.Units[p.scanned:] {
			for _, f := range u.Files {
				if strings.Contains(string(f.Data), "argoproj.io/") || strings.Contains(string(f.Data), "fluxcd.io/") {
					defs.add(manifest.Parse(f.Path, f.Data, f.Chain).Objects, "")
				}
			}
		}
		p.scanned = len(p.plan.Units)
		defs.gitRepos = append(defs.gitRepos, p.defs.gitRepos...)
		defs.configMaps = append(defs.configMaps, p.defs.configMaps...)
		more := p.followApps(defs, depth)
		p.flush()
		if !more {
			break
		}
	}
	p.dropRetargeted()
	sort.Strings(p.plan.Notes)
	return p.plan
}

type planner struct {
	ctx      context.Context
	s        Settings
	display  func(string) string
	plan     *source.Plan
	defs     *definitions
	targeted map[string]string // directories apps render, and by which app
	seenApps map[string]bool
	scanned  int // units already searched for apps

	mu       sync.Mutex
	pending  []func()                  // renders of the units added since the last flush
	inflated map[*source.Unit][]string // charts each kustomize unit inflated
}

func (p *planner) note(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.plan.Notes = append(p.plan.Notes, fmt.Sprintf(format, args...))
}

// later adds a unit now, in plan order, and renders it at the next flush.
func (p *planner) later(u *source.Unit, render func()) {
	p.add(u)
	p.pending = append(p.pending, render)
}

// flush renders the pending units, one per CPU at a time.
func (p *planner) flush() {
	work := p.pending
	p.pending = nil
	next := make(chan func())
	var wg sync.WaitGroup
	for i := 0; i < runtime.GOMAXPROCS(0) && i < len(work); i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for render := range next {
				render()
			}
		}()
	}
	for _, w := range work {
		next <- w
	}
	close(next)
	wg.Wait()
}

func (p *planner) add(u *source.Unit) {
	if u != nil {
		p.plan.Units = append(p.plan.Units, u)
	}
}

// followApps renders what each app deploys; it reports whether any app
// was new.
func (p *planner) followApps(d *definitions, depth int) bool {
	apps := append([]*manifest.Object{}, d.apps...)
	for _, set := range d.appSets {
		generated, notes := p.expandAppSet(set, d)
		apps = append(apps, generated...)
		p.plan.Notes = append(p.plan.Notes, notes...)
	}
	any := false
	for _, o := range apps {
		if p.first(o) {
			any = true
			p.argoApp(o, d)
		}
	}
	for _, o := range d.fluxKusts {
		if p.first(o) {
			any = true
			p.fluxKustomization(o, d)
		}
	}
	for _, o := range d.releases {
		if p.first(o) {
			any = true
			p.helmRelease(o, d)
		}
	}
	return any
}

// first reports whether an app is seen for the first time: the same
// object in the same file (one cluster's Kustomization named like another
// cluster's is another app).
func (p *planner) first(o *manifest.Object) bool {
	key := fmt.Sprintf("%s#%d#%d %s/%s/%s", o.File, o.Doc, o.Item, o.APIVersion, o.Kind, objectName(o))
	if p.seenApps[key] {
		return false
	}
	p.seenApps[key] = true
	return true
}

// markTargeted records that an app renders dir; the first app names it.
func (p *planner) markTargeted(dir string, o *manifest.Object) {
	if _, ok := p.targeted[dir]; !ok {
		p.targeted[dir] = label(o)
	}
}

// dropRetargeted removes standalone renders of directories that an app
// found later (in rendered output) renders.
func (p *planner) dropRetargeted() {
	kept := p.plan.Units[:0]
	for _, u := range p.plan.Units {
		if by, ok := p.targeted[u.Path]; ok && !strings.HasPrefix(u.Kind, "argocd") && !strings.HasPrefix(u.Kind, "flux") {
			p.note("%s: rendered by %s", p.display(u.Path), by)
			continue
		}
		kept = append(kept, u)
	}
	p.plan.Units = kept
}

// inRepo reports whether a source URL names this repository.
func (p *planner) inRepo(url string) bool {
	n := normalizeURL(url)
	if n == "" {
		return false
	}
	for _, u := range p.repoURLs() {
		if normalizeURL(u) == n {
			return true
		}
	}
	return false
}

func (p *planner) repoURLs() []string {
	urls := append([]string{}, p.s.RepoURLs...)
	if p.s.Config != nil {
		urls = append(urls, p.s.Config.Repositories...)
	}
	return urls
}

// normalizeURL reduces a Git URL to host/path: no scheme, credentials,
// .git suffix or trailing slash; scp-like addresses become host/path.
func normalizeURL(u string) string {
	u = strings.TrimSpace(strings.ToLower(u))
	if i := strings.Index(u, "://"); i >= 0 {
		u = u[i+3:]
	} else if at := strings.Index(u, "@"); at >= 0 && strings.Contains(u[at:], ":") {
		u = strings.Replace(u[at+1:], ":", "/", 1)
	}
	if at := strings.LastIndex(u, "@"); at >= 0 && at < strings.Index(u+"/", "/") {
		u = u[at+1:]
	}
	u = strings.TrimSuffix(strings.TrimSuffix(u, "/"), ".git")
	if host, rest, ok := strings.Cut(u, "/"); ok {
		host = strings.TrimSuffix(strings.TrimSuffix(host, ":443"), ":22")
		u = host + "/" + rest
	}
	return u
}

// target resolves a path of this repository (relative to its root).
func (p *planner) target(rel string) (string, error) {
	rel = strings.TrimPrefix(filepath.ToSlash(rel), "./")
	abs := filepath.Join(p.s.Root, filepath.FromSlash(rel))
	if !helm.Within(p.s.Root, abs) {
		return "", fmt.Errorf("path %q leaves the repository", rel)
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return "", fmt.Errorf("path %q does not exist in the repository", rel)
	}
	if !helm.Within(p.s.Root, real) {
		return "", fmt.Errorf("path %q leaves the repository through a symlink", rel)
	}
	return real, nil
}

// kustomizeUnit adds a kustomize build of a directory (or, with
// opts.Generate, of a plain directory as Flux builds it); after, when set,
// runs on the unit once it is built.
func (p *planner) kustomizeUnit(kind, dir string, opts kustomize.Options, app *manifest.App, label string, after func(*source.Unit)) {
	u := &source.Unit{Kind: kind, Path: dir, Label: label, App: app}
	opts.Root, opts.Display, opts.Chain, opts.Timeout = p.s.Root, p.display, appChain(app), p.s.Timeout
	opts.HelmRenderer = p.s.HelmRenderer
	opts.KubeVersion, opts.APIVersions = p.kubeVersion(), p.apiVersions(nil)
	p.later(u, func() {
		res, err := kustomize.Build(p.ctx, dir, opts)
		if err != nil {
			u.Err = err
			u.Claims = []string{dir + string(filepath.Separator)}
			return
		}
		u.Files = res.Files
		u.Claims = res.Read
		for _, c := range res.Charts {
			u.Claims = append(u.Claims, chartClaims(c)...)
		}
		if opts.Generate && kustomize.FileIn(dir) == "" {
			u.Claims = append(u.Claims, dir+string(filepath.Separator))
		}
		p.mu.Lock()
		if p.inflated == nil {
			p.inflated = map[*source.Unit][]string{}
		}
		p.inflated[u] = res.Charts
		p.mu.Unlock()
		if after != nil {
			after(u)
		}
	})
}

// helmUnit adds one release of a chart, for an app or (app nil) on its own.
func (p *planner) helmUnit(kind, chart string, rel helm.Release, app *manifest.App, label string) {
	u := &source.Unit{Kind: kind, Path: chart, Label: label + releaseLabel(rel), App: app}
	if rel.KubeVersion == "" {
		rel.KubeVersion = p.kubeVersion()
	}
	rel.APIVersions = p.apiVersions(rel.APIVersions)
	if info, err := os.Stat(chart); err == nil && info.IsDir() {
		u.Claims = chartClaims(chart)
	}
	p.later(u, func() {
		res, err := helm.Render(p.ctx, chart, rel, helm.Options{Root: p.s.Root, Display: p.display, Chain: appChain(app), Timeout: p.s.Timeout, Renderer: p.s.HelmRenderer})
		if err != nil {
			u.Err = fmt.Errorf("rendering chart %s: %w", p.display(chart), err)
			var placed *manifest.Error
			if asPlaced(err, &placed) {
				u.Err = placed
			}
			return
		}
		u.Files = res.Files
	})
}

func asPlaced(err error, target **manifest.Error) bool {
	me, ok := err.(*manifest.Error)
	if ok {
		*target = me
	}
	return ok
}

func releaseLabel(rel helm.Release) string {
	name := rel.Name
	if name == "" {
		name = helm.DefaultReleaseName
	}
	ns := rel.Namespace
	if ns == "" {
		ns = "default"
	}
	s := fmt.Sprintf(", release %s in %s", name, ns)
	if rel.Label != "" {
		s += ", " + rel.Label
	}
	return s
}

// chartClaims are what a chart's render stands for: its templates and its
// vendored subcharts.
func chartClaims(dir string) []string {
	sep := string(filepath.Separator)
	return []string{filepath.Join(dir, "templates") + sep, filepath.Join(dir, "charts") + sep}
}

// releases lists how a chart no app renders is rendered: the command
// line's values, else each value set of the configuration, else the
// chart's own values.
func (p *planner) releases(chart string) []helm.Release {
	base := p.s.Helm
	if p.s.HelmGiven {
		return []helm.Release{base}
	}
	cc := p.s.Config.chart(chart)
	if cc == nil {
		return []helm.Release{base}
	}
	if cc.ReleaseName != "" {
		base.Name = cc.ReleaseName
	}
	if cc.Namespace != "" {
		base.Namespace = cc.Namespace
	}
	if len(cc.ValueSets) == 0 {
		return []helm.Release{base}
	}
	var out []helm.Release
	for _, vs := range cc.ValueSets {
		rel := base
		rel.Values = nil
		rel.Label = "value set " + vs.Name
		for _, f := range vs.ValuesFiles {
			rel.Values = append(rel.Values, helm.FileLayer(filepath.Join(chart, filepath.FromSlash(f))))
		}
		for _, e := range vs.Set {
			rel.Values = append(rel.Values, helm.Layer{Kind: helm.Set, Expr: e})
		}
		for _, e := range vs.SetString {
			rel.Values = append(rel.Values, helm.Layer{Kind: helm.SetString, Expr: e})
		}
		out = append(out, rel)
	}
	return out
}

func (p *planner) kubeVersion() string {
	if p.s.Helm.KubeVersion != "" {
		return p.s.Helm.KubeVersion
	}
	if p.s.Config != nil {
		return p.s.Config.KubeVersion
	}
	return ""
}

func (p *planner) apiVersions(own []string) []string {
	out := append([]string{}, own...)
	out = append(out, p.s.Helm.APIVersions...)
	if p.s.Config != nil {
		out = append(out, p.s.Config.APIVersions...)
	}
	return out
}

// isRoot reports whether dir is one of the scanned roots: a base named on
// the command line is built on its own.
func isRoot(dir string, roots []string) bool {
	for _, r := range roots {
		abs, err := filepath.Abs(r)
		if err != nil {
			continue
		}
		if real, err := filepath.EvalSymlinks(abs); err == nil {
			abs = real
		}
		if abs == dir {
			return true
		}
	}
	return false
}
