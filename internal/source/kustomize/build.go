// Package kustomize builds Kustomize roots in-process with the kustomize API
// (krusty), as `kustomize build` and the GitOps agents do: overlays, bases,
// components, patches, generators and helmCharts (inflated with the Helm
// SDK, not the helm binary). It builds offline: remote bases and charts are
// refused with a clear error, and nothing outside the repository is read.
//
// Every object of the output remembers the file it came from (kustomize's
// origin annotations, asked for on the fly and removed from the output), so
// findings point at the base, the patch or the kustomization entry a person
// edits (see locate.go).
package kustomize

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/api/resource"
	"sigs.k8s.io/kustomize/api/types"

	"github.com/bulwark-dev/bulwark/internal/manifest"
	"github.com/bulwark-dev/bulwark/internal/source"
	"github.com/bulwark-dev/bulwark/internal/source/helm"
)

// Options say where a build may read and how reports name files.
type Options struct {
	Root    string              // repository root (absolute): nothing outside it is read
	Display func(string) string // the path reports show for a file on disk
	Chain   []string            // the render chain so far (an app)
	Timeout time.Duration
	// HelmRenderer renders the charts of helmCharts (nil: in-process).
	HelmRenderer helm.Renderer
	// Edits change the root kustomization before the build, as Argo CD
	// (spec.source.kustomize) and Flux (Kustomization spec) do: scalars
	// (namespace, namePrefix) replace, lists (images, patches, components)
	// append, maps (commonLabels) merge.
	Edits map[string]any
	// EditsFrom names the file the edits come from, for the render chain.
	EditsFrom string
	// Generate, when set, builds a directory without a kustomization the way
	// Flux does: every manifest below it, recursively.
	Generate bool
	// KubeVersion and APIVersions are passed to inflated Helm charts that
	// do not set their own.
	KubeVersion string
	APIVersions []string
	// DefaultNamespace is given to namespaced objects that have none, as
	// Argo CD's destination namespace is when it applies them.
	DefaultNamespace string
	// LoadRestrictions default to kustomize's: files only under the
	// kustomization's directory tree (bases are other roots).
	LoadRestrictions types.LoadRestrictions
}

// Result is a built root.
type Result struct {
	Files []source.File // one per origin file; Path is the file a person edits
	Read  []string      // every file the build read (absolute), so the plan does not scan them twice
	// Charts are the chart directories helmCharts inflated (absolute).
	Charts []string
}

// Build runs kustomize on dir.
func Build(ctx context.Context, dir string, opts Options) (*Result, error) {
	if opts.Display == nil {
		opts.Display = func(p string) string { return filepath.ToSlash(p) }
	}
	if opts.Timeout <= 0 {
		opts.Timeout = helm.DefaultTimeout
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		abs = real
	}
	b := &build{ctx: ctx, dir: abs, opts: opts, fs: newGuardedFS(opts.Root), charts: map[string]*helm.Result{}, declared: map[string]string{}, chartDirs: map[string]string{}}
	b.fs.rewrite = b.rewrite
	kfile := FileIn(abs)
	if kfile == "" {
		if !opts.Generate {
			return nil, fmt.Errorf("%s: no kustomization file", opts.Display(dir))
		}
		data, err := b.generate()
		if err != nil {
			return nil, err
		}
		kfile = filepath.Join(abs, KustomizationFiles[0])
		b.rootFile = kfile
		data, err = b.rewrite(kfile, data)
		if err != nil {
			return nil, err
		}
		b.fs.addVirtual(kfile, data)
	}
	b.rootFile = kfile
	kopts := krusty.MakeDefaultOptions()
	kopts.Reorder = krusty.ReorderOptionLegacy
	if opts.LoadRestrictions != types.LoadRestrictionsUnknown {
		kopts.LoadRestrictions = opts.LoadRestrictions
	}
	var out *Result
	err = bounded(ctx, opts.Timeout, func() error {
		m, err := krusty.MakeKustomizer(kopts).Run(b.fs, abs)
		if err != nil {
			return err
		}
		out, err = b.files(m.Resources())
		return err
	})
	if err != nil {
		if b.refused != nil {
			err = b.refused // kustomize reports a kustomization it could not read as missing
		}
		return nil, fmt.Errorf("kustomize build %s: %w", opts.Display(dir), cleanError(err, abs, opts.Display))
	}
	out.Read = b.fs.files()
	for _, dir := range b.chartDirs {
		out.Charts = append(out.Charts, dir)
	}
	sort.Strings(out.Charts)
	return out, nil
}

func bounded(ctx context.Context, timeout time.Duration, fn func() error) error {
	done := make(chan error, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				done <- fmt.Errorf("build failed: %v", p)
			}
		}()
		done <- fn()
	}()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case err := <-done:
		return err
	case <-timer.C:
		return fmt.Errorf("took longer than %s and was stopped", timeout)
	case <-ctx.Done():
		return ctx.Err()
	}
}

// cleanError shortens kustomize's errors: absolute paths become the paths
// reports show.
func cleanError(err error, dir string, display func(string) string) error {
	msg := err.Error()
	for _, p := range []string{dir} {
		msg = strings.ReplaceAll(msg, p+string(filepath.Separator), display(p)+"/")
		msg = strings.ReplaceAll(msg, p, display(p))
	}
	return errors.New(msg)
}

// build is one run of kustomize.
type build struct {
	ctx       context.Context
	dir       string // absolute, the root being built
	rootFile  string // its kustomization file
	opts      Options
	fs        *guardedFS
	charts    map[string]*helm.Result // rendered helmCharts by virtual file
	declared  map[string]string       // the kustomization declaring each virtual file
	refused   error                   // why a kustomization was refused
	chartDirs map[string]string       // inflated charts, by directory
}

// generate writes the kustomization Flux would write for a plain directory:
// every manifest file below it, and subdirectories holding a kustomization
// as whole resources.
func (b *build) generate() ([]byte, error) {
	var resources []string
	var walk func(dir, rel string) error
	walk = func(dir, rel string) error {
		entries, err := os.ReadDir(dir)
		if err != nil {
			return err
		}
		for _, e := range entries {
			p := filepath.Join(dir, e.Name())
			r := filepath.ToSlash(filepath.Join(rel, e.Name()))
			if strings.HasPrefix(e.Name(), ".") {
				continue
			}
			if e.IsDir() {
				if FileIn(p) != "" {
					resources = append(resources, r)
					continue
				}
				if err := walk(p, r); err != nil {
					return err
				}
				continue
			}
			ext := strings.ToLower(filepath.Ext(e.Name()))
			if (ext == ".yaml" || ext == ".yml" || ext == ".json") && isManifest(p) {
				resources = append(resources, r)
			}
		}
		return nil
	}
	if err := walk(b.dir, ""); err != nil {
		return nil, err
	}
	sort.Strings(resources)
	doc := map[string]any{"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization", "resources": resources}
	return yaml.Marshal(doc)
}

// isManifest reports whether a file holds at least one Kubernetes object.
func isManifest(p string) bool {
	data, err := os.ReadFile(p)
	if err != nil {
		return false
	}
	return strings.Contains(string(data), "apiVersion:") && strings.Contains(string(data), "kind:") || strings.Contains(string(data), `"apiVersion"`)
}

// rewrite is applied to every kustomization file as the build reads it: it
// refuses remote references, replaces helmCharts with their rendered output
// and, for the root, asks for origin annotations and applies the edits.
func (b *build) rewrite(path string, data []byte) ([]byte, error) {
	out, err := b.rewriteDoc(path, data)
	if err != nil && b.refused == nil {
		b.refused = err
	}
	return out, err
}

func (b *build) rewriteDoc(path string, data []byte) ([]byte, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return data, nil // kustomize reports it
	}
	m := manifest.Resolve(&doc)
	if m == nil || m.Kind != yaml.MappingNode {
		return data, nil
	}
	dir := filepath.Dir(path)
	for _, key := range []string{"resources", "bases", "components"} {
		for _, item := range seqOf(m, key) {
			if item.Kind == yaml.ScalarNode && IsRemote(item.Value, dir) {
				return nil, fmt.Errorf("%s: remote %s %q is not fetched: Bulwark builds offline; vendor it into the repository", b.opts.Display(path), strings.TrimSuffix(key, "s"), item.Value)
			}
		}
	}
	// bases are resources (kustomize edit fix moves them so); kustomize
	// would print a deprecation warning on standard error.
	if bases := seqOf(m, "bases"); len(bases) > 0 {
		for _, b := range bases {
			appendSeq(m, "resources", b.Value)
		}
		deleteKey(m, "bases")
	}
	if v := valueOf(m, "helmCharts"); v != nil {
		if err := b.inflate(path, m, v); err != nil {
			return nil, err
		}
	}
	if path == b.rootFile {
		// Origins only: transformer annotations cost a third of the build;
		// which kustomization changed a field is found from the files read.
		setValue(m, "buildMetadata", seqNode(types.OriginAnnotations))
		if err := applyEdits(m, b.opts.Edits); err != nil {
			return nil, err
		}
	}
	return yaml.Marshal(m)
}

// inflate renders each helmCharts entry with the Helm SDK and replaces the
// entries by resources holding the output.
func (b *build) inflate(path string, m, charts *yaml.Node) error {
	dir := filepath.Dir(path)
	var globals types.HelmGlobals
	if g := valueOf(m, "helmGlobals"); g != nil {
		_ = g.Decode(&globals)
	}
	home := globals.ChartHome
	if home == "" {
		home = types.HelmDefaultHome
	}
	if !filepath.IsAbs(home) {
		home = filepath.Join(dir, home)
	}
	for i, item := range charts.Content {
		var hc types.HelmChart
		if err := item.Decode(&hc); err != nil {
			return fmt.Errorf("%s: helmCharts[%d]: %w", b.opts.Display(path), i, err)
		}
		chartHome := home
		if hc.Version != "" && hc.Repo != "" {
			chartHome = filepath.Join(home, hc.Name+"-"+hc.Version)
		}
		chartDir := filepath.Join(chartHome, hc.Name)
		if info, err := os.Stat(chartDir); err != nil || !info.IsDir() {
			if hc.Repo != "" {
				return fmt.Errorf("%s: helm chart %s from %s is not fetched: Bulwark renders offline; vendor it under %s", b.opts.Display(path), hc.Name, hc.Repo, b.opts.Display(chartDir))
			}
			return fmt.Errorf("%s: helm chart %s: no chart at %s", b.opts.Display(path), hc.Name, b.opts.Display(chartDir))
		}
		rel := helm.Release{Name: hc.ReleaseName, Namespace: hc.Namespace, KubeVersion: hc.KubeVersion, APIVersions: hc.ApiVersions}
		if rel.KubeVersion == "" {
			rel.KubeVersion = b.opts.KubeVersion
		}
		if len(rel.APIVersions) == 0 {
			rel.APIVersions = b.opts.APIVersions
		}
		valuesFile := filepath.Join(home, hc.Name, "values.yaml")
		if hc.ValuesFile != "" {
			valuesFile = hc.ValuesFile
			if !filepath.IsAbs(valuesFile) {
				valuesFile = filepath.Join(dir, valuesFile)
			}
		}
		var inline []helm.Layer
		if v := valueOf(item, "valuesInline"); v != nil {
			inline = append(inline, helm.Layer{Kind: helm.Document, Node: v, Display: b.opts.Display(path),
				Label: fmt.Sprintf("%s helmCharts[%d].valuesInline", b.opts.Display(path), i)})
		}
		switch hc.ValuesMerge {
		case "replace":
			rel.Values = inline
		case "merge": // the values file wins over inline values
			rel.Values = append(inline, helm.FileLayer(valuesFile))
		default: // override: inline values win
			rel.Values = append([]helm.Layer{helm.FileLayer(valuesFile)}, inline...)
		}
		for _, f := range hc.AdditionalValuesFiles {
			if !filepath.IsAbs(f) {
				f = filepath.Join(dir, f)
			}
			rel.Values = append(rel.Values, helm.FileLayer(f))
		}
		res, err := helm.Render(b.ctx, chartDir, rel, helm.Options{Root: b.opts.Root, Display: b.opts.Display, Timeout: b.opts.Timeout, Renderer: b.opts.HelmRenderer})
		if err != nil {
			return fmt.Errorf("%s: helm chart %s: %w", b.opts.Display(path), hc.Name, err)
		}
		var data []byte
		for _, f := range res.Files {
			data = append(data, "---\n"...)
			data = append(data, f.Data...)
			data = append(data, '\n')
		}
		virtual := filepath.Join(dir, fmt.Sprintf(".helm-%s-%d.yaml", hc.Name, i))
		b.fs.addVirtual(virtual, data)
		b.charts[virtual] = res
		b.declared[virtual] = path
		if real, err := filepath.EvalSymlinks(chartDir); err == nil {
			b.chartDirs[real] = real
		}
		appendSeq(m, "resources", filepath.Base(virtual))
	}
	deleteKey(m, "helmCharts")
	deleteKey(m, "helmGlobals")
	return nil
}

// files turns the build output into source files grouped by origin file.
func (b *build) files(resources []*resource.Resource) (*Result, error) {
	loc := &locator{b: b, docs: map[string][]docInfo{}, kusts: b.fs.kustomizations()}
	order := []string{}
	data := map[string][]byte{}
	for _, r := range resources {
		origin, _ := r.GetOrigin()
		if ns := b.opts.DefaultNamespace; ns != "" && r.GetNamespace() == "" && !r.GetGvk().IsClusterScoped() {
			if err := r.SetNamespace(ns); err != nil {
				return nil, err
			}
		}
		if anns := r.GetAnnotations(); anns[originKey] != "" || anns[transformationsKey] != "" {
			delete(anns, originKey)
			delete(anns, transformationsKey)
			if err := r.SetAnnotations(anns); err != nil {
				return nil, err
			}
		}
		y, err := r.AsYAML()
		if err != nil {
			return nil, err
		}
		file := b.originFile(origin)
		if _, seen := data[file]; !seen {
			order = append(order, file)
		} else {
			data[file] = append(data[file], "---\n"...)
		}
		data[file] = append(data[file], y...)
		loc.docs[file] = append(loc.docs[file], docInfo{origin: origin, kind: r.GetKind(), name: r.GetName()})
	}
	chain := append(append([]string{}, b.opts.Chain...), b.chainLabel())
	res := &Result{}
	for _, file := range order {
		res.Files = append(res.Files, source.File{
			Path: b.display(file), Data: data[file], Manifest: true,
			Chain: chain, Origin: &fileLocator{loc: loc, file: file},
		})
	}
	return res, nil
}

const (
	originKey          = "config.kubernetes.io/origin"
	transformationsKey = "alpha.config.kubernetes.io/transformations"
)

// originFile is the absolute file an object came from: the resource file,
// else the kustomization that generated it, else the root kustomization.
func (b *build) originFile(o *resource.Origin) string {
	switch {
	case o == nil:
		return b.rootFile
	case o.Repo != "":
		return b.rootFile
	case o.Path != "":
		return filepath.Clean(filepath.Join(b.dir, filepath.FromSlash(o.Path)))
	case o.ConfiguredIn != "":
		return filepath.Clean(filepath.Join(b.dir, filepath.FromSlash(o.ConfiguredIn)))
	}
	return b.rootFile
}

// display names a file as reports show it; rendered charts are named by the
// kustomization that declares them.
func (b *build) display(abs string) string {
	if k, ok := b.declared[abs]; ok {
		return b.opts.Display(k)
	}
	return b.opts.Display(abs)
}

func (b *build) chainLabel() string {
	s := "kustomize " + b.opts.Display(b.dir)
	if b.opts.EditsFrom != "" && len(b.opts.Edits) > 0 {
		keys := make([]string, 0, len(b.opts.Edits))
		for k := range b.opts.Edits {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		s += " (" + strings.Join(keys, ", ") + " from " + b.opts.EditsFrom + ")"
	}
	return s
}
