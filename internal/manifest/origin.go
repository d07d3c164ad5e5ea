package manifest

import "go.yaml.in/yaml/v3"

// Place is a position in a file a person edits.
type Place struct {
	File   string
	Line   int
	Column int
}

// Locator maps positions in rendered output (a Helm chart, a Kustomize
// build) back to the files a person edits: the template, the values file,
// the base or the patch. Objects read from the file they live in have none.
type Locator interface {
	// Locate places field path of o ("" for the object itself); pos is where
	// o.Pos found it in the rendered file. With o nil it places a line of the
	// rendered file (a parse error). ok false keeps the rendered position.
	Locate(o *Object, path string, pos Position) (p Place, ok bool)
}

// App is the GitOps app definition that deploys an object: an Argo CD
// Application (one an ApplicationSet generates included), a Flux
// Kustomization or a Flux HelmRelease. Objects a chart or overlay renders
// on its own, and plain files, have none.
type App struct {
	Kind      string // Application, Kustomization or HelmRelease
	Namespace string
	Name      string
	File      string // the file that defines the app, as reports show it
}

// ID names the app the way Argo CD and Flux do: namespace/name, or the
// name alone when the definition sets no namespace.
func (a *App) ID() string {
	if a.Namespace == "" {
		return a.Name
	}
	return a.Namespace + "/" + a.Name
}

// InstallTimeValues is implemented by the locators of renderers that can
// tell a value made when the object is rendered or installed (a random
// password, a generated key) from one written in the repository.
type InstallTimeValues interface {
	// Generated reports whether the value at field path of o is made anew
	// at each render.
	Generated(o *Object, path string) bool
}

// Generated reports whether the value at field path is made when the
// object is rendered or installed, so it is not in the repository. Only
// rendered objects whose renderer can tell say so.
func (o *Object) Generated(path string) bool {
	g, ok := o.Origin.(InstallTimeValues)
	return ok && g.Generated(o, path)
}

// SameNode compares two YAML trees by kind, tag and value, aliases followed.
func SameNode(a, b *yaml.Node) bool {
	a, b = resolve(a), resolve(b)
	if a == nil || b == nil {
		return a == b
	}
	if a.Kind != b.Kind || a.Value != b.Value || a.ShortTag() != b.ShortTag() || len(a.Content) != len(b.Content) {
		return false
	}
	for i := range a.Content {
		if !SameNode(a.Content[i], b.Content[i]) {
			return false
		}
	}
	return true
}
