package gitops

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/bulwark-dev/bulwark/internal/manifest"
	"github.com/bulwark-dev/bulwark/internal/source"
	"github.com/bulwark-dev/bulwark/internal/source/helm"
	"github.com/bulwark-dev/bulwark/internal/source/kustomize"
)

type fluxKustomizationSpec struct {
	Path            string           `json:"path"`
	SourceRef       ref              `json:"sourceRef"`
	TargetNamespace string           `json:"targetNamespace"`
	NamePrefix      string           `json:"namePrefix"`
	NameSuffix      string           `json:"nameSuffix"`
	Images          []map[string]any `json:"images"`
	Patches         []map[string]any `json:"patches"`
	Components      []string         `json:"components"`
	CommonMetadata  *struct {
		Labels      map[string]string `json:"labels"`
		Annotations map[string]string `json:"annotations"`
	} `json:"commonMetadata"`
	PostBuild *struct {
		Substitute     map[string]string `json:"substitute"`
		SubstituteFrom []struct {
			Kind     string `json:"kind"`
			Name     string `json:"name"`
			Optional bool   `json:"optional"`
		} `json:"substituteFrom"`
	} `json:"postBuild"`
}

// fluxSource finds the GitRepository a Flux object refers to and reports
// whether it is this repository. One not defined in the repository is
// taken to be this one only when it is flux-system, the repository Flux
// was bootstrapped from, which holds the cluster's definitions.
func (p *planner) fluxSource(o *manifest.Object, r ref, d *definitions) (bool, string) {
	ns := r.Namespace
	if ns == "" {
		ns = o.Namespace()
	}
	if r.Kind != "GitRepository" {
		return false, fmt.Sprintf("source %s %s is outside this repository", r.Kind, r.Name)
	}
	for _, g := range append(append([]*manifest.Object{}, d.gitRepos...), p.defs.gitRepos...) {
		if g.Name() != r.Name || (g.Namespace() != "" && ns != "" && g.Namespace() != ns) {
			continue
		}
		url := g.String("spec.url")
		return p.inRepo(url), fmt.Sprintf("source GitRepository %s (%s) is outside this repository", r.Name, url)
	}
	if r.Name == "flux-system" {
		return true, ""
	}
	return false, fmt.Sprintf("source GitRepository %s is not defined in the repository", r.Name)
}

// fluxKustomization renders a Flux Kustomization's path as the
// kustomize-controller does.
func (p *planner) fluxKustomization(o *manifest.Object, d *definitions) {
	var spec fluxKustomizationSpec
	if err := o.Decode("spec", &spec); err != nil {
		p.note("%s: %v", label(o), err)
		return
	}
	ok, why := p.fluxSource(o, spec.SourceRef, d)
	if !ok {
		p.note("%s: %s; not scanned", label(o), why)
		return
	}
	dir, err := p.target(spec.Path)
	if err != nil {
		p.add(&source.Unit{Kind: "flux", Path: p.fileOf(o, d), Label: label(o), App: appOf(o), Err: fmt.Errorf("%s: %v", label(o), err)})
		return
	}
	p.markTargeted(dir, o)
	edits := map[string]any{}
	if spec.TargetNamespace != "" {
		edits["namespace"] = spec.TargetNamespace
	}
	if spec.NamePrefix != "" {
		edits["namePrefix"] = spec.NamePrefix
	}
	if spec.NameSuffix != "" {
		edits["nameSuffix"] = spec.NameSuffix
	}
	if len(spec.Images) > 0 {
		edits["images"] = spec.Images
	}
	if len(spec.Patches) > 0 {
		edits["patches"] = spec.Patches
	}
	if len(spec.Components) > 0 {
		edits["components"] = spec.Components
	}
	if m := spec.CommonMetadata; m != nil {
		if len(m.Labels) > 0 {
			edits["labels"] = []map[string]any{{"pairs": m.Labels, "includeSelectors": false}}
		}
		if len(m.Annotations) > 0 {
			edits["commonAnnotations"] = m.Annotations
		}
	}
	var after func(*source.Unit)
	if pb := spec.PostBuild; pb != nil {
		vars := map[string]string{}
		for _, from := range pb.SubstituteFrom {
			if from.Kind != "ConfigMap" {
				p.note("%s: substituteFrom %s %s is not read (Secrets may be encrypted)", label(o), from.Kind, from.Name)
				continue
			}
			cm := p.configMap(d, from.Name, o.Namespace())
			if cm == nil {
				if !from.Optional {
					p.note("%s: substituteFrom ConfigMap %s is not in the repository", label(o), from.Name)
				}
				continue
			}
			for k, v := range cm.StringMap("data") {
				vars[k] = v
			}
		}
		for k, v := range pb.Substitute {
			vars[k] = v
		}
		after = func(u *source.Unit) {
			for i := range u.Files {
				u.Files[i].Data = substitute(u.Files[i].Data, vars)
			}
		}
	}
	p.kustomizeUnit("flux", dir, kustomize.Options{Edits: edits, EditsFrom: o.File, Generate: true}, appOf(o), label(o)+": kustomize", after)
}

var substVar = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-=])([^}]*))?\}`)

// substitute replaces ${var}, ${var:-default} and ${var:=default} as Flux's
// post-build substitution does; unknown variables without a default become
// empty. Documents that disable substitution are left alone.
func substitute(data []byte, vars map[string]string) []byte {
	docs := strings.Split(string(data), "\n---\n")
	for i, doc := range docs {
		if strings.Contains(doc, "kustomize.toolkit.fluxcd.io/substitute: disabled") {
			continue
		}
		docs[i] = substVar.ReplaceAllStringFunc(doc, func(m string) string {
			sm := substVar.FindStringSubmatch(m)
			// ${v:-d} and ${v:=d} fall back when v is unset or empty, ${v-d}
			// and ${v=d} only when it is unset.
			if v, ok := vars[sm[1]]; ok && (v != "" || !strings.HasPrefix(sm[2], ":")) {
				return v
			}
			return sm[3]
		})
	}
	return []byte(strings.Join(docs, "\n---\n"))
}

func (p *planner) configMap(d *definitions, name, ns string) *manifest.Object {
	for _, cm := range append(append([]*manifest.Object{}, d.configMaps...), p.defs.configMaps...) {
		if cm.Name() == name && (cm.Namespace() == "" || ns == "" || cm.Namespace() == ns) {
			return cm
		}
	}
	return nil
}

type helmReleaseSpec struct {
	Chart *struct {
		Spec struct {
			Chart       string   `json:"chart"`
			SourceRef   ref      `json:"sourceRef"`
			ValuesFiles []string `json:"valuesFiles"`
		} `json:"spec"`
	} `json:"chart"`
	ChartRef        *ref   `json:"chartRef"`
	ReleaseName     string `json:"releaseName"`
	TargetNamespace string `json:"targetNamespace"`
	ValuesFrom      []struct {
		Kind       string `json:"kind"`
		Name       string `json:"name"`
		ValuesKey  string `json:"valuesKey"`
		TargetPath string `json:"targetPath"`
		Optional   bool   `json:"optional"`
	} `json:"valuesFrom"`
}

// helmRelease renders a HelmRelease whose chart is in this repository, as
// the helm-controller does.
func (p *planner) helmRelease(o *manifest.Object, d *definitions) {
	var spec helmReleaseSpec
	if err := o.Decode("spec", &spec); err != nil {
		p.note("%s: %v", label(o), err)
		return
	}
	if spec.ChartRef != nil {
		p.note("%s: chartRef %s %s is outside this repository; not scanned", label(o), spec.ChartRef.Kind, spec.ChartRef.Name)
		return
	}
	if spec.Chart == nil {
		p.note("%s: no chart", label(o))
		return
	}
	cs := spec.Chart.Spec
	ok, why := p.fluxSource(o, cs.SourceRef, d)
	if !ok {
		p.note("%s: chart %s: %s; not scanned", label(o), cs.Chart, why)
		return
	}
	dir, err := p.target(cs.Chart)
	if err != nil {
		p.add(&source.Unit{Kind: "flux", Path: p.fileOf(o, d), Label: label(o), App: appOf(o), Err: fmt.Errorf("%s: %v", label(o), err)})
		return
	}
	p.markTargeted(dir, o)
	ns := spec.TargetNamespace
	if ns == "" {
		ns = o.Namespace()
	}
	rel := helm.Release{Name: spec.ReleaseName, Namespace: ns}
	if rel.Name == "" {
		rel.Name = o.Name()
		if spec.TargetNamespace != "" {
			rel.Name = spec.TargetNamespace + "-" + o.Name()
		}
	}
	for _, vf := range cs.ValuesFiles {
		f, err := p.target(vf)
		if err != nil {
			p.note("%s: values file %s: %v", label(o), vf, err)
			continue
		}
		rel.Values = append(rel.Values, helm.FileLayer(f))
	}
	onDisk := p.defs.file[o] != ""
	for _, from := range spec.ValuesFrom {
		if from.Kind != "ConfigMap" {
			p.note("%s: valuesFrom %s %s is not read (Secrets may be encrypted)", label(o), from.Kind, from.Name)
			continue
		}
		cm := p.configMap(d, from.Name, o.Namespace())
		if cm == nil {
			if !from.Optional {
				p.note("%s: valuesFrom ConfigMap %s is not in the repository", label(o), from.Name)
			}
			continue
		}
		key := from.ValuesKey
		if key == "" {
			key = "values.yaml"
		}
		value, ok := cm.StringMap("data")[key]
		if !ok {
			continue
		}
		if from.TargetPath != "" {
			rel.Values = append(rel.Values, helm.Layer{Kind: helm.Set, Expr: from.TargetPath + "=" + value})
			continue
		}
		layer := helm.Layer{Kind: helm.Document, Data: []byte(value), Label: "ConfigMap " + from.Name + " " + key}
		if f := p.defs.file[cm]; f != "" {
			layer.Display = p.display(f)
			layer.Line, layer.Column = blockPlace(cm, "data['"+key+"']")
		}
		rel.Values = append(rel.Values, layer)
	}
	if n, off := nodeAt(o, "spec.values"); n != nil {
		layer := helm.Layer{Kind: helm.Document, Node: n, Line: off, Label: o.Name() + " spec.values"}
		if onDisk {
			layer.Display = p.display(p.defs.file[o])
		}
		rel.Values = append(rel.Values, layer)
	}
	p.helmUnit("flux", dir, rel, appOf(o), label(o)+": helm")
}
