package manifest

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
