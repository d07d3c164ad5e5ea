package gitops

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/bulwark-dev/bulwark/internal/manifest"
	"github.com/bulwark-dev/bulwark/internal/source"
	"github.com/bulwark-dev/bulwark/internal/source/helm"
	"github.com/bulwark-dev/bulwark/internal/source/kustomize"
)

// argoSource is spec.source (or one of spec.sources) of an Application.
type argoSource struct {
	RepoURL        string         `json:"repoURL"`
	Path           string         `json:"path"`
	Chart          string         `json:"chart"`
	TargetRevision string         `json:"targetRevision"`
	Ref            string         `json:"ref"`
	Helm           *argoHelm      `json:"helm"`
	Kustomize      *argoKustomize `json:"kustomize"`
	Directory      *argoDirectory `json:"directory"`
	Plugin         any            `json:"plugin"`
}

type argoHelm struct {
	ValueFiles []string `json:"valueFiles"`
	Values     string   `json:"values"`
	Parameters []struct {
		Name        string `json:"name"`
		Value       string `json:"value"`
		ForceString bool   `json:"forceString"`
	} `json:"parameters"`
	FileParameters []struct {
		Name string `json:"name"`
		Path string `json:"path"`
	} `json:"fileParameters"`
	ReleaseName             string   `json:"releaseName"`
	IgnoreMissingValueFiles bool     `json:"ignoreMissingValueFiles"`
	KubeVersion             string   `json:"kubeVersion"`
	APIVersions             []string `json:"apiVersions"`
	Namespace               string   `json:"namespace"`
}

type argoKustomize struct {
	NamePrefix        string            `json:"namePrefix"`
	NameSuffix        string            `json:"nameSuffix"`
	Namespace         string            `json:"namespace"`
	Images            []string          `json:"images"`
	CommonLabels      map[string]string `json:"commonLabels"`
	CommonAnnotations map[string]string `json:"commonAnnotations"`
	Replicas          []struct {
		Name  string `json:"name"`
		Count any    `json:"count"`
	} `json:"replicas"`
	Patches    []map[string]any `json:"patches"`
	Components []string         `json:"components"`
}

type argoDirectory struct {
	Recurse bool   `json:"recurse"`
	Include string `json:"include"`
	Exclude string `json:"exclude"`
	Jsonnet any    `json:"jsonnet"`
}

type argoSpec struct {
	Source      *argoSource  `json:"source"`
	Sources     []argoSource `json:"sources"`
	Destination struct {
		Namespace string `json:"namespace"`
		Server    string `json:"server"`
		Name      string `json:"name"`
	} `json:"destination"`
}

// argoApp renders what an Application deploys from this repository.
func (p *planner) argoApp(o *manifest.Object, d *definitions) {
	var spec argoSpec
	if err := o.Decode("spec", &spec); err != nil {
		p.note("%s: %v", label(o), err)
		return
	}
	type indexed struct {
		src  argoSource
		path string // field path of the source in the Application
	}
	var sources []indexed
	if spec.Source != nil {
		sources = append(sources, indexed{*spec.Source, "spec.source"})
	}
	for i, s := range spec.Sources {
		sources = append(sources, indexed{s, fmt.Sprintf("spec.sources[%d]", i)})
	}
	if len(sources) == 0 {
		p.note("%s: no source", label(o))
		return
	}
	refs := map[string]string{} // multi-source $ref roots in this repository
	for _, s := range sources {
		if s.src.Ref != "" && p.inRepo(s.src.RepoURL) {
			refs[s.src.Ref] = p.s.Root
		}
	}
	app := appOf(o)
	for _, s := range sources {
		src := s.src
		switch {
		case src.Ref != "" && src.Path == "" && src.Chart == "":
			continue // only provides values files to other sources
		case !p.inRepo(src.RepoURL):
			what := src.Path
			if src.Chart != "" {
				what = "chart " + src.Chart
			}
			p.note("%s: source %s %s is outside this repository; not scanned", label(o), src.RepoURL, what)
			continue
		case src.Chart != "":
			p.note("%s: chart %s is pulled from a chart repository; not scanned", label(o), src.Chart)
			continue
		case src.Plugin != nil:
			p.note("%s: source %s uses a config management plugin; not scanned", label(o), src.Path)
			if dir, err := p.target(src.Path); err == nil {
				p.markTargeted(dir, o) // what the plugin makes of it is deployed, not the directory as it is
			}
			continue
		}
		dir, err := p.target(src.Path)
		if err != nil {
			p.add(&source.Unit{Kind: "argocd", Path: p.fileOf(o, d), Label: label(o), App: app, Err: fmt.Errorf("%s: %v", label(o), err)})
			continue
		}
		p.markTargeted(dir, o)
		switch {
		case isFile(filepath.Join(dir, "Chart.yaml")):
			rel, notes := p.argoRelease(o, s.path, src, spec.Destination.Namespace, dir, refs)
			p.plan.Notes = append(p.plan.Notes, notes...)
			p.helmUnit("argocd", dir, rel, app, label(o)+": helm")
		case kustomize.FileIn(dir) != "":
			p.kustomizeUnit("argocd", dir, kustomize.Options{Edits: argoEdits(src.Kustomize), EditsFrom: p.display(p.fileOf(o, d)),
				DefaultNamespace: spec.Destination.Namespace}, app, label(o)+": kustomize", nil)
		default:
			if hasJsonnet(dir) {
				p.note("%s: jsonnet in %s is not rendered; its YAML and JSON files are", label(o), src.Path)
			}
			p.add(p.directoryUnit(o, dir, src.Directory, app))
		}
	}
}

// argoRelease is how Argo CD runs helm template for a source.
func (p *planner) argoRelease(o *manifest.Object, at string, src argoSource, destNS, dir string, refs map[string]string) (helm.Release, []string) {
	rel := helm.Release{Name: o.Name(), Namespace: destNS}
	var notes []string
	h := src.Helm
	if h == nil {
		return rel, nil
	}
	if h.ReleaseName != "" {
		rel.Name = h.ReleaseName
	}
	if h.Namespace != "" {
		rel.Namespace = h.Namespace
	}
	rel.KubeVersion, rel.APIVersions = h.KubeVersion, h.APIVersions
	for _, vf := range h.ValueFiles {
		file := filepath.Join(dir, filepath.FromSlash(vf))
		if strings.HasPrefix(vf, "$") {
			name, rest, _ := strings.Cut(strings.TrimPrefix(vf, "$"), "/")
			root, ok := refs[name]
			if !ok {
				notes = append(notes, fmt.Sprintf("%s: values file %s comes from another repository; not used", label(o), vf))
				continue
			}
			file = filepath.Join(root, filepath.FromSlash(rest))
		} else if strings.Contains(vf, "://") {
			notes = append(notes, fmt.Sprintf("%s: values file %s is remote; not used", label(o), vf))
			continue
		}
		if !isFile(file) && h.IgnoreMissingValueFiles {
			continue
		}
		rel.Values = append(rel.Values, helm.FileLayer(file))
	}
	file := "" // values written in rendered output are not placed
	if f := p.defs.file[o]; f != "" {
		file = p.display(f)
	}
	if h.Values != "" {
		line, col := blockPlace(o, at+".helm.values")
		rel.Values = append(rel.Values, helm.Layer{Kind: helm.Document, Data: []byte(h.Values), Display: file, Line: line, Column: col,
			Label: o.Name() + " helm.values"})
	}
	if n, off := nodeAt(o, at+".helm.valuesObject"); n != nil {
		rel.Values = append(rel.Values, helm.Layer{Kind: helm.Document, Node: n, Display: file, Line: off,
			Label: o.Name() + " helm.valuesObject"})
	}
	for _, prm := range h.Parameters {
		kind := helm.Set
		if prm.ForceString {
			kind = helm.SetString
		}
		rel.Values = append(rel.Values, helm.Layer{Kind: kind, Expr: prm.Name + "=" + prm.Value})
	}
	for _, fp := range h.FileParameters {
		rel.Values = append(rel.Values, helm.Layer{Kind: helm.SetFile, Expr: fp.Name + "=" + filepath.Join(dir, filepath.FromSlash(fp.Path))})
	}
	return rel, notes
}

// argoEdits turns spec.source.kustomize into changes to the kustomization,
// as Argo CD's `kustomize edit` calls make them.
func argoEdits(k *argoKustomize) map[string]any {
	if k == nil {
		return nil
	}
	e := map[string]any{}
	if k.NamePrefix != "" {
		e["namePrefix"] = k.NamePrefix
	}
	if k.NameSuffix != "" {
		e["nameSuffix"] = k.NameSuffix
	}
	if k.Namespace != "" {
		e["namespace"] = k.Namespace
	}
	if len(k.Images) > 0 {
		var images []map[string]string
		for _, img := range k.Images {
			images = append(images, parseImage(img))
		}
		e["images"] = images
	}
	if len(k.CommonLabels) > 0 {
		e["commonLabels"] = k.CommonLabels
	}
	if len(k.CommonAnnotations) > 0 {
		e["commonAnnotations"] = k.CommonAnnotations
	}
	if len(k.Replicas) > 0 {
		var reps []map[string]any
		for _, r := range k.Replicas {
			reps = append(reps, map[string]any{"name": r.Name, "count": r.Count})
		}
		e["replicas"] = reps
	}
	if len(k.Patches) > 0 {
		e["patches"] = k.Patches
	}
	if len(k.Components) > 0 {
		e["components"] = k.Components
	}
	return e
}

// parseImage reads `kustomize edit set image` syntax: [old=]new[:tag|@digest].
func parseImage(s string) map[string]string {
	img := map[string]string{}
	old, newImage, hasOld := strings.Cut(s, "=")
	if !hasOld {
		newImage = old
	}
	name := newImage
	if at := strings.Index(name, "@"); at >= 0 {
		img["digest"] = name[at+1:]
		name = name[:at]
	} else if colon := strings.LastIndex(name, ":"); colon > strings.LastIndex(name, "/") {
		img["newTag"] = name[colon+1:]
		name = name[:colon]
	}
	if hasOld {
		img["name"] = old
		img["newName"] = name
	} else {
		img["name"] = name
	}
	return img
}

// directoryUnit reads a plain directory as Argo CD does: YAML and JSON
// files, recursively when asked, filtered by include and exclude globs.
func (p *planner) directoryUnit(o *manifest.Object, dir string, opt *argoDirectory, app *manifest.App) *source.Unit {
	u := &source.Unit{Kind: "argocd", Path: dir, Label: label(o) + ": directory", App: app}
	chain := appChain(app)
	recurse := opt != nil && opt.Recurse
	var files []string
	_ = filepath.WalkDir(dir, func(p string, e os.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if e.IsDir() {
			if p != dir && (!recurse || e.Name() == ".git") {
				return filepath.SkipDir
			}
			return nil
		}
		ext := strings.ToLower(filepath.Ext(p))
		if ext != ".yaml" && ext != ".yml" && ext != ".json" {
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		if opt != nil && opt.Include != "" && !globMatch(opt.Include, rel) {
			return nil
		}
		if opt != nil && opt.Exclude != "" && globMatch(opt.Exclude, rel) {
			return nil
		}
		files = append(files, p)
		return nil
	})
	sort.Strings(files)
	opts := p.s.Options
	for _, f := range files {
		source.Walk(p.ctx, []string{f}, opts, func(sf source.File) {
			sf.Chain, sf.Origin = chain, sameFile{}
			u.Files = append(u.Files, sf)
		})
		u.Claims = append(u.Claims, f)
	}
	return u
}

// sameFile is the locator of files rendered as they are: positions stay.
type sameFile struct{}

func (sameFile) Locate(*manifest.Object, string, manifest.Position) (manifest.Place, bool) {
	return manifest.Place{}, false
}

// globMatch matches Argo CD's include/exclude: a glob, or {a,b} alternatives.
func globMatch(pattern, name string) bool {
	if strings.HasPrefix(pattern, "{") && strings.HasSuffix(pattern, "}") {
		for _, alt := range strings.Split(pattern[1:len(pattern)-1], ",") {
			if globMatch(strings.TrimSpace(alt), name) {
				return true
			}
		}
		return false
	}
	if ok, _ := path.Match(pattern, name); ok {
		return true
	}
	ok, _ := path.Match(pattern, path.Base(name))
	return ok
}

// appChain is the render chain of everything an app deploys, so far: the
// app and the file that defines it. It is nil without an app.
func appChain(a *manifest.App) []string {
	if a == nil {
		return nil
	}
	tool := "flux"
	if a.Kind == "Application" {
		tool = "argocd"
	}
	return []string{tool + " " + a.Kind + " " + a.ID() + " (" + a.File + ")"}
}

// fileOf is the file on disk that defines an app, or the rendered file it
// came from.
func (p *planner) fileOf(o *manifest.Object, d *definitions) string {
	if d != nil {
		if f := d.file[o]; f != "" {
			return f
		}
	}
	if p.defs != nil {
		if f := p.defs.file[o]; f != "" {
			return f
		}
	}
	return o.File
}

func hasJsonnet(dir string) bool {
	for _, pattern := range []string{"*.jsonnet", "*.libsonnet"} {
		if m, _ := filepath.Glob(filepath.Join(dir, pattern)); len(m) > 0 {
			return true
		}
	}
	return false
}

func isFile(p string) bool {
	info, err := os.Stat(p)
	return err == nil && info.Mode().IsRegular()
}
