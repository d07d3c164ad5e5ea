package manifest

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/bulwark-dev/bulwark/internal/yamlblock"
	"github.com/bulwark-dev/bulwark/internal/yamljson"
	sigsjson "sigs.k8s.io/json"
)

// Object is one Kubernetes object in a file. Its YAML tree is parsed on first
// use; objects are owned by one goroutine at a time, so no locking is needed.
type Object struct {
	APIVersion string
	Kind       string
	File       string   // path as given or relative to the scan root
	Doc        int      // 0-based document index in the file
	Item       int      // index in a List, or -1
	Chain      []string // how the object was produced (render chain), outermost first
	// Origin places fields of rendered objects in the files a person edits;
	// nil for objects read from the file they live in.
	Origin Locator
	// App is the GitOps app that deploys the object; nil when no app does.
	App *App

	data       []byte     // the document's bytes (for lazy parsing)
	lineOffset int        // added to the tree's document-relative lines
	root       *yaml.Node // the object's mapping node, once parsed
	err        error      // the parse error, once parsed
	parsed     bool

	podTemplate *PodTemplate
	podErr      error
	podDone     bool

	memo []memoEntry // typed views that checks derived once, kept by Compact

	// name and namespace are metadata's, known without a parse when meta
	// is set: the byte scan read them, or the object came from a tree.
	name, namespace string
	meta            bool

	// sliced marks a List item that has its own lines in data (see
	// itemEnds): re-parsing them yields a one-item sequence or the mapping.
	sliced bool
}

// sliceItem gives a List item its own bytes: document lines [from, to),
// found in starts, the byte offset of each line (see lineStarts).
func (o *Object) sliceItem(s span, starts []int, from, to int) {
	if from < 1 || to < from || from > len(starts) {
		return
	}
	end := len(s.data)
	if to <= len(starts) {
		end = starts[to-1]
	}
	o.data = s.data[starts[from-1]:end]
	o.lineOffset = s.line - 1 + from - 1
	o.sliced = true
	// Drop the List's tree: the item is parsed from its own lines when a
	// check asks, like any document, so its lines match its bytes.
	o.root, o.parsed = nil, false
}

// OwnData reports whether Data holds this object alone, not a whole List.
func (o *Object) OwnData() bool { return o.Item < 0 || o.sliced }

// lineStarts returns the byte offset where each 1-based line n starts, at
// index n-1, and len(data) for the line past the end.
func lineStarts(data []byte) []int {
	starts := make([]int, 1, bytes.Count(data, []byte("\n"))+2)
	for off := 0; ; {
		i := bytes.IndexByte(data[off:], '\n')
		if i < 0 {
			break
		}
		off += i + 1
		starts = append(starts, off)
	}
	if starts[len(starts)-1] != len(data) {
		starts = append(starts, len(data))
	}
	return starts
}

// Memo returns the value f derives from the object, computing it once per
// key. Whole-set checks use it to derive their typed view while the object
// streams by, so the YAML tree can be let go before the set is checked.
func (o *Object) Memo(key any, f func() any) any {
	for _, m := range o.memo {
		if m.key == key {
			return m.value
		}
	}
	v := f()
	o.memo = append(o.memo, memoEntry{key, v})
	return v
}

// memoEntry is one value Memo derived; an object has a few at most, so a
// list costs less than a map.
type memoEntry struct{ key, value any }

// Data returns the bytes of the document the object came from.
func (o *Object) Data() []byte { return o.data }

// Line is the object's first line in its file.
func (o *Object) Line() int {
	if root, err := o.Root(); err == nil && root != nil {
		return root.Line + o.lineOffset
	}
	return o.lineOffset + 1
}

// Root returns the object's mapping node, parsing the document if needed.
func (o *Object) Root() (*yaml.Node, error) {
	if o.parsed {
		return o.root, o.err
	}
	o.parsed = true
	root, err := ParseYAML(o.data)
	if err != nil {
		o.err = o.wrapErr(err)
		return nil, o.err
	}
	if o.sliced && root != nil && root.Kind == yaml.SequenceNode && len(root.Content) > 0 {
		root = resolve(root.Content[0]) // "- apiVersion: ..." parses as a one-item sequence
	}
	o.root = root
	return root, nil
}

// Compact lets go of what a parse built (the YAML tree, the typed pod) and
// of the rest of the file's bytes, keeping only the document so the tree can
// be rebuilt on demand. Objects held for whole-set checks call it, so memory
// grows with the bytes of those objects, not with their trees. Items of a
// List that could not be given their own lines keep their tree.
func (o *Object) Compact() {
	if (o.Item >= 0 && !o.sliced) || o.err != nil {
		return
	}
	o.data = bytes.Clone(o.data)
	o.root, o.parsed = nil, false
	o.podTemplate, o.podErr, o.podDone = nil, nil, false
}

// Err returns the parse or decode error met so far, if any.
func (o *Object) Err() error {
	if o.err != nil {
		return o.err
	}
	return o.podErr
}

// Name returns metadata.name.
func (o *Object) Name() string {
	if o.meta {
		return o.name
	}
	return o.String("metadata.name")
}

// Namespace returns metadata.namespace.
func (o *Object) Namespace() string {
	if o.meta {
		return o.namespace
	}
	return o.String("metadata.namespace")
}

// readMeta keeps metadata's name and namespace from a parsed tree.
func (o *Object) readMeta() {
	o.name, o.namespace = o.String("metadata.name"), o.String("metadata.namespace")
	o.meta = true
}

// Node returns the node at a field path, or nil.
func (o *Object) Node(path string) *yaml.Node {
	root, err := o.Root()
	if err != nil || root == nil {
		return nil
	}
	segs, err := parsePath(path)
	if err != nil {
		return nil
	}
	n, _, found := walk(root, segs)
	if !found {
		return nil
	}
	return n
}

// String returns the scalar at a field path, or "".
func (o *Object) String(path string) string {
	n := o.Node(path)
	if n == nil || n.Kind != yaml.ScalarNode || n.ShortTag() == "!!null" {
		return ""
	}
	return n.Value
}

// StringMap returns a mapping of scalars at a field path (labels, annotations).
func (o *Object) StringMap(path string) map[string]string {
	n := o.Node(path)
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	out := make(map[string]string, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		if v := resolve(n.Content[i+1]); v != nil && v.Kind == yaml.ScalarNode {
			out[n.Content[i].Value] = v.Value
		}
	}
	return out
}

// Pos returns the file position of a field path. When the field is absent it
// returns the position of its deepest present ancestor, which is where a
// person would add it. The second result says whether the field exists.
func (o *Object) Pos(path string) (Position, bool) {
	root, err := o.Root()
	if err != nil || root == nil {
		return Position{Line: o.lineOffset + 1, Column: 1}, false
	}
	segs, err := parsePath(path)
	if err != nil {
		return o.pos(root), false
	}
	n, key, found := walk(root, segs)
	if key != nil {
		return o.pos(key), found
	}
	if n == nil {
		n = root
	}
	return o.pos(n), found
}

func (o *Object) pos(n *yaml.Node) Position {
	return Position{Line: n.Line + o.lineOffset, Column: n.Column}
}

// Decode decodes the subtree at path (the whole object for "") into v with the
// API server's rules: case-sensitive field names, and type errors reported with
// the file line of the offending field. Unknown fields are ignored.
func (o *Object) Decode(path string, v any) error {
	root, err := o.Root()
	if err != nil {
		return err
	}
	n := root
	if path != "" {
		if n = o.Node(path); n == nil {
			return fmt.Errorf("%s: no field %s", o.File, path)
		}
	}
	data, err := toJSON(n)
	if err != nil {
		return o.wrapErr(err)
	}
	if err := sigsjson.UnmarshalCaseSensitivePreserveInts(data, v); err != nil {
		return o.typeError(n, path, err)
	}
	return nil
}

var typeErrField = regexp.MustCompile(`into Go struct field [A-Za-z0-9_]+\.(\S+) of type (\S+)`)

// typeError turns a JSON type error into one that names the field and line.
func (o *Object) typeError(base *yaml.Node, basePath string, err error) error {
	m := typeErrField.FindStringSubmatch(err.Error())
	if m == nil {
		return &Error{File: o.File, Line: o.pos(base).Line, Msg: err.Error()}
	}
	// Drop Go's embedded struct names (VolumeSource, ...): not JSON fields.
	var keys []string
	for _, k := range strings.Split(m[1], ".") {
		if k != "" && !(k[0] >= 'A' && k[0] <= 'Z') {
			keys = append(keys, k)
		}
	}
	field := strings.Join(keys, ".")
	n := findDotted(base, keys)
	full := field
	if basePath != "" {
		full = basePath + "." + field
	}
	line := o.pos(base).Line
	if n != nil {
		line = o.pos(n).Line
	}
	return &Error{File: o.File, Line: line, Msg: fmt.Sprintf("%s: wrong type, want %s", full, m[2])}
}

// findDotted finds the first node for a dotted path whose sequence indices
// are unknown, descending into every sequence item.
func findDotted(n *yaml.Node, keys []string) *yaml.Node {
	n = resolve(n)
	if n == nil {
		return nil
	}
	if len(keys) == 0 {
		return n
	}
	switch n.Kind {
	case yaml.SequenceNode:
		for _, item := range n.Content {
			if f := findDotted(item, keys); f != nil {
				return f
			}
		}
	case yaml.MappingNode:
		if k, v := lookupKey(n, keys[0]); v != nil {
			if len(keys) == 1 {
				return k
			}
			return findDotted(v, keys[1:])
		}
	}
	return nil
}

// Error is an input error with its place in a file.
type Error struct {
	File string `json:"file"`
	Line int    `json:"line,omitempty"`
	Msg  string `json:"message"`
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Msg)
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): `)

// wrapErr places a parse error in the file, shifting yaml's document-relative
// line by the document's offset.
func (o *Object) wrapErr(err error) error {
	return placeError(o.File, o.lineOffset, err)
}

func placeError(file string, offset int, err error) error {
	if ne, ok := err.(*nodeError); ok {
		return &Error{File: file, Line: ne.node.Line + offset, Msg: ne.msg}
	}
	msg := err.Error()
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		n, _ := strconv.Atoi(m[1])
		problem := msg[len(m[0]):]
		if parserProblem(problem) {
			n++ // yaml.v3 prints parser (not scanner) marks 0-based
		}
		return &Error{File: file, Line: n + offset, Msg: problem}
	}
	return &Error{File: file, Line: offset + 1, Msg: strings.TrimPrefix(msg, "yaml: ")}
}

// parserProblem recognises yaml.v3's parser errors, whose line is 0-based.
func parserProblem(problem string) bool {
	for _, p := range []string{"did not find expected <document start>", "did not find expected key",
		"did not find expected '-' indicator", "did not find expected node content",
		"did not find expected ',' or ']'", "did not find expected ',' or '}'"} {
		if strings.HasPrefix(problem, p) {
			return true
		}
	}
	return false
}

// ParseYAML parses one YAML document and returns its top node. JSON (every
// admission request, dashboards) and block-style YAML (most manifests) take
// fast paths that build yaml.v3's own tree; the rest goes to yaml.v3.
func ParseYAML(data []byte) (*yaml.Node, error) {
	if root, ok := yamljson.Parse(data); ok {
		return root, nil
	}
	if root, ok := yamlblock.Parse(data); ok {
		return root, nil
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	return resolve(&doc), nil
}
