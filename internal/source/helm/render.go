// Package helm renders Helm charts in-process with the Helm SDK, client-only,
// the way `helm template`, Argo CD and Flux render them: chart directories
// and packaged archives, dependencies vendored in charts/, library charts,
// values files and --set expressions, release name and namespace, Kubernetes
// version and API capabilities, .Files, lookup returning nothing, and the
// values schema (validated offline).
//
// Each template's output becomes one source.File whose path is the template
// file and whose locator traces findings back to the template line, or to
// the values file line when the value came from a values file (see
// instrument.go and locate.go).
package helm

import (
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"time"

	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/engine"

	"github.com/bulwark-dev/bulwark/internal/manifest"
	"github.com/bulwark-dev/bulwark/internal/source"
)

// DefaultTimeout bounds one release's rendering.
const DefaultTimeout = 30 * time.Second

// DefaultReleaseName is the name `helm template` gives a release.
const DefaultReleaseName = "release-name"

// Release says how a chart is installed.
type Release struct {
	Name        string // default: release-name, as `helm template`
	Namespace   string // default: default
	KubeVersion string // e.g. 1.31 or v1.31.2; default: the Kubernetes version Bulwark is built with
	APIVersions []string
	Values      []Layer // over the chart's values.yaml, in order
	// Label names the release in the render chain ("value set prod").
	Label string
}

// Options say where a chart may read and how reports name files.
type Options struct {
	Root    string              // repository root (absolute): nothing outside it is read
	Display func(string) string // the path reports show for a file on disk
	Chain   []string            // the render chain so far (an app, a value set)
	Timeout time.Duration
	Limits  Limits
	// Renderer runs the template engine; nil renders in-process, where
	// the memory a template allocates is not bounded (see Limits).
	Renderer Renderer
}

// Renderer renders a loaded chart with its render values, as the Helm
// engine does: the sandbox package's Pool renders in a memory-capped child
// process. It stops when ctx ends.
type Renderer interface {
	Render(ctx context.Context, ch *chart.Chart, top chartutil.Values) (map[string]string, error)
}

// inProcess renders in this process.
type inProcess struct{}

func (inProcess) Render(_ context.Context, ch *chart.Chart, top chartutil.Values) (map[string]string, error) {
	return engine.Engine{}.Render(ch, top)
}

// Result is a rendered release.
type Result struct {
	Files []source.File // one per template with output; Path is the template file
	Chart string        // the chart's name
}

// Render renders a chart directory or archive.
func Render(ctx context.Context, chartPath string, rel Release, opts Options) (*Result, error) {
	if opts.Display == nil {
		opts.Display = func(p string) string { return filepath.ToSlash(p) }
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.Renderer == nil {
		opts.Renderer = inProcess{}
	}
	lim := opts.Limits.withDefaults()
	ch, pl, err := loadChart(chartPath, opts.Root, lim)
	if err != nil {
		return nil, err
	}
	if strings.EqualFold(ch.Metadata.Type, "library") {
		return nil, fmt.Errorf("library chart: it is rendered only as a dependency of another chart")
	}
	if err := checkDependencies(ch); err != nil {
		return nil, err
	}
	caps, err := capabilities(rel)
	if err != nil {
		return nil, err
	}
	if ch.Metadata.KubeVersion != "" && !chartutil.IsCompatibleRange(ch.Metadata.KubeVersion, caps.KubeVersion.String()) {
		return nil, fmt.Errorf("chart requires kubeVersion %s, incompatible with Kubernetes %s (--kube-version)", ch.Metadata.KubeVersion, caps.KubeVersion.String())
	}
	layers, err := readLayers(rel.Values, opts.Root, opts.Display, lim.MaxFileSize)
	if err != nil {
		return nil, err
	}
	if rel.Name == "" {
		rel.Name = DefaultReleaseName
	}
	if rel.Namespace == "" {
		rel.Namespace = "default"
	}
	r := &release{ch: ch, place: pl, rel: rel, caps: caps, layers: layers, opts: opts, lim: lim}
	var out map[string]string
	err = bounded(ctx, opts.Timeout, func(ctx context.Context) error {
		var err error
		out, err = r.render(ctx, firstPass)
		return err
	})
	if err != nil {
		return nil, r.placeError(err)
	}
	return r.files(out), nil
}

// bounded runs fn with a deadline. A template rendering in-process cannot
// be interrupted: on timeout the render is abandoned and its result
// dropped, and its goroutine runs on until the template ends or the
// process exits. The context fn gets ends on return, which stops a render
// in a child process.
func bounded(ctx context.Context, timeout time.Duration, fn func(context.Context) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				done <- fmt.Errorf("rendering failed: %v", p)
			}
		}()
		done <- fn(ctx)
	}()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case err := <-done:
		return err
	case <-timer.C:
		return fmt.Errorf("rendering took longer than %s and was stopped: the templates may loop or expand without bound", timeout)
	case <-ctx.Done():
		return ctx.Err()
	}
}

// release is one chart with one set of values.
type release struct {
	ch     *chart.Chart // dependencies processed (conditions, aliases, import-values)
	place  *place
	rel    Release
	caps   *chartutil.Capabilities
	layers []layerValues
	opts   Options
	lim    Limits
	trace  *trace // filled on first use by a locator
}

// pass says which render of a release runs.
type pass int

const (
	firstPass  pass = iota // processes dependencies and validates the values schema
	markedPass             // renders the marked templates, to trace lines (instrument.go)
	againPass              // renders the same templates again, to tell generated values (generated.go)
)

// render merges the values and renders every template, with markers in the
// marked pass. It works on a copy of the values, so it can run again; later
// passes render the chart as the first pass processed it.
func (r *release) render(ctx context.Context, p pass) (map[string]string, error) {
	marked := p == markedPass
	vals, err := merge(r.layers)
	if err != nil {
		return nil, err
	}
	ch := r.ch
	if p == firstPass {
		if err := chartutil.ProcessDependenciesWithMerge(ch, vals); err != nil {
			return nil, err
		}
	}
	top, err := chartutil.ToRenderValuesWithSchemaValidation(ch, vals, chartutil.ReleaseOptions{
		Name: r.rel.Name, Namespace: r.rel.Namespace, Revision: 1, IsInstall: true,
	}, r.caps, true)
	if err != nil {
		return nil, err
	}
	if p == firstPass {
		if err := validateSchema(ch, top["Values"].(chartutil.Values)); err != nil {
			return nil, err
		}
	}
	if marked {
		ch = r.trace.chart
	}
	out, err := r.opts.Renderer.Render(ctx, ch, top)
	if err != nil {
		return nil, err
	}
	var size int64
	for _, s := range out {
		if size += int64(len(s)); size > r.lim.MaxOutput {
			return nil, fmt.Errorf("rendered output is larger than %d MiB: the templates or values expand without bound", r.lim.MaxOutput>>20)
		}
	}
	return out, nil
}

// files turns rendered templates into source files, in template order.
func (r *release) files(out map[string]string) *Result {
	res := &Result{Chart: r.ch.Name()}
	names := make([]string, 0, len(out))
	for name, text := range out {
		if strings.HasSuffix(name, "NOTES.txt") || strings.TrimSpace(text) == "" {
			continue
		}
		names = append(names, name)
	}
	sort.Strings(names)
	r.trace = &trace{rel: r, outputs: out}
	chartChain := append(append([]string{}, r.opts.Chain...), r.chainLabel())
	for _, name := range names {
		file, _ := r.fileOf(name)
		res.Files = append(res.Files, source.File{
			Path: file, Data: []byte(out[name]), Manifest: true,
			Chain:  append(append([]string{}, chartChain...), "template "+strings.TrimPrefix(name, r.ch.Name()+"/")),
			Origin: &locator{trace: r.trace, name: name, file: file},
		})
	}
	return res
}

// chainLabel names the release in the render chain: stable across runs,
// without line numbers, so fingerprints stay put.
func (r *release) chainLabel() string {
	dir := r.place.dir
	if dir == "" {
		dir = r.place.archive
	}
	s := fmt.Sprintf("helm chart %s (release %s, namespace %s", r.opts.Display(dir), r.rel.Name, r.rel.Namespace)
	var vals []string
	for _, l := range r.layers {
		switch {
		case l.layer.Label != "":
			vals = append(vals, l.layer.Label)
		case l.layer.Kind == Document && l.layer.Path != "":
			vals = append(vals, r.opts.Display(l.layer.Path))
		case l.layer.Kind == Set:
			vals = append(vals, "--set "+l.layer.Expr)
		case l.layer.Kind == SetString:
			vals = append(vals, "--set-string "+l.layer.Expr)
		case l.layer.Kind == SetFile:
			vals = append(vals, "--set-file "+l.layer.Expr)
		}
	}
	if len(vals) > 0 {
		s += ", values " + strings.Join(vals, ", ")
	}
	if r.rel.Label != "" {
		s += ", " + r.rel.Label
	}
	return s + ")"
}

// fileOf maps a template name (web/charts/redis/templates/x.yaml) to the
// file on disk as reports show it, and whether it can be edited by line (it
// is not inside an archive).
func (r *release) fileOf(name string) (string, bool) {
	parts := strings.Split(name, "/charts/")
	pl := r.place
	ch := r.ch
	for i := 1; i < len(parts); i++ {
		sub := strings.SplitN(parts[i], "/", 2)[0]
		next := pl.subs[depName(ch, sub)]
		var nextChart *chart.Chart
		for _, d := range ch.Dependencies() {
			if d.Name() == sub {
				nextChart = d
			}
		}
		if next == nil || nextChart == nil {
			break
		}
		pl, ch = next, nextChart
	}
	rest := name[strings.LastIndex(name, "/templates/")+1:]
	if pl.dir != "" {
		return r.opts.Display(filepath.Join(pl.dir, filepath.FromSlash(rest))), true
	}
	return r.opts.Display(pl.archive), false
}

// depName undoes an alias: the chart name a subchart of ch is vendored under.
func depName(ch *chart.Chart, name string) string {
	for _, d := range ch.Metadata.Dependencies {
		if d.Alias == name {
			return d.Name
		}
	}
	return name
}

var errLocation = regexp.MustCompile(`([A-Za-z0-9_.\-/]+/templates/[^:()\s]+):(\d+)`)

// placeError turns a template error into one placed at the template line.
func (r *release) placeError(err error) error {
	msg := err.Error()
	m := errLocation.FindStringSubmatch(msg)
	if m == nil {
		return err
	}
	file, editable := r.fileOf(m[1])
	line, _ := strconv.Atoi(m[2])
	if !editable {
		line = 0
	}
	return &manifest.Error{File: file, Line: line, Msg: "rendering chart " + r.ch.Name() + ": " + msg}
}

// capabilities builds what .Capabilities reports: the Kubernetes version
// asked for, else the one Bulwark's Kubernetes libraries were built for.
func capabilities(rel Release) (*chartutil.Capabilities, error) {
	caps := chartutil.DefaultCapabilities.Copy()
	v := rel.KubeVersion
	if v == "" {
		v = builtKubeVersion()
	}
	if v != "" {
		if !strings.HasPrefix(v, "v") {
			v = "v" + v
		}
		if strings.Count(v, ".") == 1 {
			v += ".0"
		}
		kv, err := chartutil.ParseKubeVersion(v)
		if err != nil {
			return nil, fmt.Errorf("--kube-version %q: %w", rel.KubeVersion, err)
		}
		caps.KubeVersion = *kv
	}
	if len(rel.APIVersions) > 0 {
		caps.APIVersions = append(append(chartutil.VersionSet{}, caps.APIVersions...), rel.APIVersions...)
	}
	return caps, nil
}

// fallbackKubeVersion matches the Kubernetes libraries in go.mod; it is used
// when the binary carries no module information (tests).
const fallbackKubeVersion = "1.37"

// builtKubeVersion is 1.N for the k8s.io/client-go v0.N the binary carries.
func builtKubeVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return fallbackKubeVersion
	}
	for _, d := range bi.Deps {
		if d.Path == "k8s.io/client-go" {
			parts := strings.Split(strings.TrimPrefix(d.Version, "v"), ".")
			if len(parts) >= 2 && parts[0] == "0" {
				return "1." + parts[1]
			}
		}
	}
	return fallbackKubeVersion
}
