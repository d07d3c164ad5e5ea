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
