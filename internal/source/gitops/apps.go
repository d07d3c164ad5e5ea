package gitops

import (
	"bytes"
	"fmt"
	"os"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/bulwark-dev/bulwark/internal/manifest"
)

// definitions are the GitOps objects found in the repository.
type definitions struct {
	apps       []*manifest.Object // Argo CD Applications
	appSets    []*manifest.Object // Argo CD ApplicationSets
	fluxKusts  []*manifest.Object // Flux Kustomizations
	releases   []*manifest.Object // Flux HelmReleases
	gitRepos   []*manifest.Object // Flux GitRepositories
	configMaps []*manifest.Object
	file       map[*manifest.Object]string // the file on disk each came from ("" for rendered output)
}

// readDefinitions parses the files that may hold app definitions.
func readDefinitions(appFiles, configMapFiles []string, display func(string) string, max int64) *definitions {
	d := &definitions{file: map[*manifest.Object]string{}}
	seen := map[string]bool{}
	for i, path := range append(append([]string{}, appFiles...), configMapFiles...) {
		if i == len(appFiles) && len(d.releases) == 0 && len(d.fluxKusts) == 0 {
			break // ConfigMaps only matter as HelmRelease valuesFrom and Kustomization substituteFrom
		}
		if seen[path] {
			continue
		}
		seen[path] = true
		info, err := os.Stat(path)
		if err != nil || (max > 0 && info.Size() > max) {
			continue
		}
		data, err := os.ReadFile(path)
		if err != nil {
			continue
		}
		d.add(manifest.Parse(display(path), data, nil).Objects, path)
	}
	return d
}

// add sorts objects into the kinds Bulwark follows; file is the absolute
// path they were read from (objects from rendered output have none).
func (d *definitions) add(objs []*manifest.Object, file string) {
	for _, o := range objs {
		group, _, _ := strings.Cut(o.APIVersion, "/")
		switch {
		case group == "argoproj.io" && o.Kind == "Application":
			d.apps = append(d.apps, o)
		case group == "argoproj.io" && o.Kind == "ApplicationSet":
			d.appSets = append(d.appSets, o)
		case group == "kustomize.toolkit.fluxcd.io" && o.Kind == "Kustomization":
			d.fluxKusts = append(d.fluxKusts, o)
		case group == "helm.toolkit.fluxcd.io" && o.Kind == "HelmRelease":
			d.releases = append(d.releases, o)
		case group == "source.toolkit.fluxcd.io" && o.Kind == "GitRepository":
			d.gitRepos = append(d.gitRepos, o)
		case o.APIVersion == "v1" && o.Kind == "ConfigMap":
			d.configMaps = append(d.configMaps, o)
		default:
			continue
		}
		d.file[o] = file
	}
}

// ref names the object that holds something: a source, a ConfigMap.
type ref struct {
	Kind      string `json:"kind"`
	Name      string `json:"name"`
	Namespace string `json:"namespace"`
}

// nodeLayer returns the node at path and the line offset of its document
// in its file, for values written inside an app definition.
func nodeAt(o *manifest.Object, path string) (*yaml.Node, int) {
	n := o.Node(path)
	if n == nil {
		return nil, 0
	}
	root, err := o.Root()
	if err != nil || root == nil {
		return n, 0
	}
	return n, o.Line() - root.Line
}

// blockPlace returns where the text of a string field starts in its file:
// the line and column of its first character (for block scalars, the line
// after the indicator and the content's indentation).
func blockPlace(o *manifest.Object, path string) (line, col int) {
	n, off := nodeAt(o, path)
	if n == nil {
		return 0, 0
	}
	if n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) == 0 {
		return n.Line + off, n.Column
	}
	lines := bytes.Split(o.Data(), []byte("\n"))
	if n.Line < len(lines) {
		first := lines[n.Line]
		return n.Line + off + 1, len(first) - len(bytes.TrimLeft(first, " ")) + 1
	}
	return n.Line + off + 1, 1
}

func objectName(o *manifest.Object) string {
	if ns := o.Namespace(); ns != "" {
		return ns + "/" + o.Name()
	}
	return o.Name()
}

// appOf is the app an app definition is, for the objects it deploys.
func appOf(o *manifest.Object) *manifest.App {
	return &manifest.App{Kind: o.Kind, Namespace: o.Namespace(), Name: o.Name(), File: o.File}
}

func label(o *manifest.Object) string {
	tool := "flux"
	if strings.HasPrefix(o.APIVersion, "argoproj.io/") {
		tool = "argocd"
	}
	return fmt.Sprintf("%s %s %s", tool, o.Kind, objectName(o))
}
