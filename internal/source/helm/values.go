package helm

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"go.yaml.in/yaml/v3"
	"helm.sh/helm/v3/pkg/strvals"
	sigsyaml "sigs.k8s.io/yaml"

	"github.com/bulwark-dev/bulwark/internal/manifest"
)

// LayerKind says how a layer of values is given.
type LayerKind int

// The kinds of value layers, as Helm's command line names them.
const (
	Document  LayerKind = iota // a YAML document: -f file, or values inside another file
	Set                        // --set key=value
	SetString                  // --set-string key=value
	SetFile                    // --set-file key=path
)

// Layer is one source of values. Layers apply in order over the chart's own
// values.yaml: later layers win, maps merge, as in Helm.
type Layer struct {
	Kind LayerKind
	// Document: a file on disk (Path), bytes (Data) or a YAML node of another
	// file (Node, positions already those of Display).
	Path string
	Data []byte
	Node *yaml.Node
	// Display is the file reports name for this layer (default: Path as
	// the scan shows it); Line and Column place Data inside it (1-based,
	// 0 when Data is the whole file). For Node, Line is added to the
	// node's lines (the line offset of its document in the file).
	Display      string
	Line, Column int
	// Set, SetString, SetFile: the key=value expression.
	Expr string
	// Label names the layer in the render chain ("values-prod.yaml",
	// "--set replicas=3", "Application web valuesObject").
	Label string
}

// FileLayer is a values file on disk, as -f gives it.
func FileLayer(path string) Layer { return Layer{Kind: Document, Path: path} }

// layerValues is a layer read: the merged map and, for documents, the tree
// that places each value in its file.
type layerValues struct {
	layer   Layer
	values  map[string]any
	tree    *yaml.Node // nil for --set layers and unreadable trees
	display string
	dLine   int               // added to tree lines
	dCol    int               // added to tree columns (indentation of embedded documents)
	files   map[string]string // --set-file contents by path
}

// readLayers reads every layer; files must stay inside root.
func readLayers(layers []Layer, root string, display func(string) string, maxFile int64) ([]layerValues, error) {
	var out []layerValues
	for _, l := range layers {
		lv := layerValues{layer: l, values: map[string]any{}}
		switch l.Kind {
		case Document:
			data := l.Data
			switch {
			case l.Node != nil:
				b, err := yaml.Marshal(l.Node)
				if err != nil {
					return nil, fmt.Errorf("%s: %w", labelOf(l), err)
				}
				data = b
				lv.tree = l.Node
				lv.display = l.Display
				lv.dLine = l.Line
			case l.Path != "" && data == nil:
				b, err := readInRoot(l.Path, root, maxFile)
				if err != nil {
					return nil, fmt.Errorf("values file %s: %w", display(l.Path), err)
				}
				data = b
			}
			if err := sigsyaml.Unmarshal(data, &lv.values); err != nil {
				return nil, fmt.Errorf("%s: %w", labelOf(l), err)
			}
			if lv.values == nil {
				lv.values = map[string]any{}
			}
			if lv.tree == nil {
				var doc yaml.Node
				if yaml.Unmarshal(data, &doc) == nil {
					lv.tree = manifest.Resolve(&doc)
				}
				lv.display = l.Display
				if lv.display == "" && l.Path != "" {
					lv.display = display(l.Path)
				}
				if l.Line > 0 {
					lv.dLine = l.Line - 1
				}
				if l.Column > 0 {
					lv.dCol = l.Column - 1
				}
			}
		case Set:
			if err := strvals.ParseInto(l.Expr, lv.values); err != nil {
				return nil, fmt.Errorf("--set %s: %w", l.Expr, err)
			}
		case SetString:
			if err := strvals.ParseIntoString(l.Expr, lv.values); err != nil {
				return nil, fmt.Errorf("--set-string %s: %w", l.Expr, err)
			}
		case SetFile:
			lv.files = map[string]string{}
			reader := func(rs []rune) (any, error) {
				b, err := readInRoot(string(rs), root, maxFile)
				lv.files[string(rs)] = string(b)
				return string(b), err
			}
			if err := strvals.ParseIntoFile(l.Expr, lv.values, reader); err != nil {
				return nil, fmt.Errorf("--set-file %s: %w", l.Expr, err)
			}
		}
		out = append(out, lv)
	}
	return out, nil
}

// merge applies the layers in order, as Helm's command line does for -f
// files; --set expressions parse into the merged map directly.
func merge(layers []layerValues) (map[string]any, error) {
	base := map[string]any{}
	for _, lv := range layers {
		switch lv.layer.Kind {
		case Document:
			base = mergeMaps(base, lv.values)
		case Set:
			if err := strvals.ParseInto(lv.layer.Expr, base); err != nil {
				return nil, err
			}
		case SetString:
			if err := strvals.ParseIntoString(lv.layer.Expr, base); err != nil {
				return nil, err
			}
		case SetFile:
			files := lv.files
			reader := func(rs []rune) (any, error) { return files[string(rs)], nil }
			if err := strvals.ParseIntoFile(lv.layer.Expr, base, reader); err != nil {
				return nil, err
			}
		}
	}
	return base, nil
}

// mergeMaps is Helm's merge of -f files: maps merge, anything else replaces.
func mergeMaps(a, b map[string]any) map[string]any {
	out := make(map[string]any, len(a))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		if v, ok := v.(map[string]any); ok {
			if bv, ok := out[k].(map[string]any); ok {
				out[k] = mergeMaps(bv, v)
				continue
			}
		}
		out[k] = v
	}
	return out
}

func labelOf(l Layer) string {
	switch {
	case l.Label != "":
		return l.Label
	case l.Path != "":
		return "values file " + l.Path
	case l.Display != "":
		return "values in " + l.Display
	}
	return "values"
}

// readInRoot reads a file that must not resolve outside root.
func readInRoot(p, root string, max int64) ([]byte, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return nil, err
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return nil, unwrapPathErr(err)
	}
	if !Within(root, real) {
		return nil, errors.New("outside the repository; not read")
	}
	info, err := os.Stat(real)
	if err != nil {
		return nil, unwrapPathErr(err)
	}
	if !info.Mode().IsRegular() {
		return nil, errors.New("not a regular file")
	}
	if max > 0 && info.Size() > max {
		return nil, fmt.Errorf("file is larger than %d bytes", max)
	}
	return os.ReadFile(real)
}

func yamlUnmarshal(data []byte, v any) error { return sigsyaml.Unmarshal(data, v) }

// find walks a YAML tree; it returns the key node (nil for list items) and
// the value node at path, or nils.
func find(root *yaml.Node, path []manifest.Segment) (key, val *yaml.Node) {
	n := manifest.Resolve(root)
	for _, s := range path {
		if n == nil {
			return nil, nil
		}
		if s.Index >= 0 {
			if n.Kind != yaml.SequenceNode || s.Index >= len(n.Content) {
				return nil, nil
			}
			key, n = nil, manifest.Resolve(n.Content[s.Index])
			continue
		}
		if key, n = manifest.Lookup(n, s.Key); n == nil {
			return nil, nil
		}
	}
	return key, n
}

// lookup walks a decoded values map.
func lookup(v any, path []manifest.Segment) (any, bool) {
	for _, s := range path {
		switch t := v.(type) {
		case map[string]any:
			if s.Index >= 0 {
				return nil, false
			}
			next, ok := t[s.Key]
			if !ok {
				return nil, false
			}
			v = next
		case []any:
			if s.Index < 0 || s.Index >= len(t) {
				return nil, false
			}
			v = t[s.Index]
		default:
			return nil, false
		}
	}
	return v, true
}
