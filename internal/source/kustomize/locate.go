package kustomize

import (
	"bytes"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"
	"sigs.k8s.io/kustomize/api/resource"

	"github.com/bulwark-dev/bulwark/internal/manifest"
	"github.com/bulwark-dev/bulwark/internal/source"
)

// How a finding in built output is placed (best effort, in this order):
//
//  1. The kustomizations the build read, the root first (kustomize applies
//     a kustomization's transformers after those of its bases, so the first
//     that changes a field set it last): a patch aimed at the object (by
//     kind and name) that sets the field, as a field of a strategic-merge
//     patch or a JSON 6902 operation whose path covers it, in the patch
//     file or the inline patch; images for an image, namespace for
//     metadata.namespace, replicas for spec.replicas.
//  2. Objects from an inflated Helm chart are placed by the chart's own
//     locator (template or values line).
//  3. The generator entry for a generated ConfigMap or Secret, or the
//     input that set the key: its literal, its line in an env file, the
//     file it was read from.
//  4. The field in the resource file the object came from (its origin
//     annotation), the document matched by kind and name, list items
//     matched by their name key when they have one. An absent field points
//     at its deepest present parent.

type docInfo struct {
	origin     *resource.Origin
	kind, name string
}

type locator struct {
	b     *build
	docs  map[string][]docInfo // by origin file, per document of the output file
	kusts []string             // kustomization files read, the root first
	mu    sync.Mutex
	files map[string][]*yaml.Node // parsed source files: document roots
	data  map[string][]byte
	helm  map[string]*manifest.File
}

// fileLocator places the objects of one output file.
type fileLocator struct {
	loc  *locator
	file string // absolute origin file
}

func (l *fileLocator) Locate(o *manifest.Object, path string, pos manifest.Position) (manifest.Place, bool) {
	loc := l.loc
	display := loc.b.display(l.file)
	if o == nil || o.Doc < 0 || o.Doc >= len(loc.docs[l.file]) {
		return manifest.Place{File: display}, true
	}
	info := loc.docs[l.file][o.Doc]
	segs := manifest.SplitPath(path)
	for _, k := range loc.kusts {
		if p, ok := loc.byKustomization(k, info, o, segs); ok {
			return p, true
		}
	}
	if res, ok := loc.b.charts[l.file]; ok {
		if p, ok := loc.inHelm(res.Files, info, o, path); ok {
			return p, true
		}
		return manifest.Place{File: display}, true
	}
	if info.origin != nil && info.origin.ConfiguredBy.Kind != "" && info.origin.Path == "" {
		if p, ok := loc.byGenerator(l.file, info, segs); ok {
			return p, true
		}
	}
	roots := loc.parse(l.file)
	doc := matchDoc(roots, info.kind, info.name)
	if doc == nil {
		return manifest.Place{File: display, Line: 1, Column: 1}, true
	}
	n, _ := walkNamed(doc, o, segs)
	return manifest.Place{File: display, Line: n.Line, Column: n.Column}, true
}

// inHelm finds the object in a rendered chart's output and asks the chart.
func (loc *locator) inHelm(files []source.File, info docInfo, o *manifest.Object, path string) (manifest.Place, bool) {
	place, ok := manifest.Place{}, false
	loc.helmObject(files, info, func(f source.File, ho *manifest.Object) {
		pos := manifest.Position{Line: ho.Line(), Column: 1}
		if path != "" {
			pos, _ = ho.Pos(path)
		}
		place, ok = f.Origin.Locate(ho, path, pos)
	})
	return place, ok
}

// helmObject calls fn with the object of a rendered chart's output that
// an object of the build came from, and the chart output file holding it.
// The chart's objects are parsed once, and read under the lock.
func (loc *locator) helmObject(files []source.File, info docInfo, fn func(source.File, *manifest.Object)) {
	loc.mu.Lock()
	defer loc.mu.Unlock()
	for _, f := range files {
		mf := loc.helm[f.Path]
		if mf == nil {
			if loc.helm == nil {
				loc.helm = map[string]*manifest.File{}
			}
			mf = manifest.Parse(f.Path, f.Data, nil)
			loc.helm[f.Path] = mf
		}
		for _, ho := range mf.Objects {
			if ho.Kind == info.kind && strings.Contains(info.name, ho.Name()) {
				fn(f, ho)
				return
			}
		}
	}
}

// Generated reports whether a field of an object from an inflated Helm
// chart is made anew at each render, as the chart's own locator tells,
// unless the build changed the value the chart rendered (a patch that sets
// a committed one).
func (l *fileLocator) Generated(o *manifest.Object, path string) bool {
	loc := l.loc
	res, ok := loc.b.charts[l.file]
	if !ok || o == nil || o.Doc < 0 || o.Doc >= len(loc.docs[l.file]) {
		return false
	}
	generated := false
	loc.helmObject(res.Files, loc.docs[l.file][o.Doc], func(f source.File, ho *manifest.Object) {
		if g, ok := f.Origin.(manifest.InstallTimeValues); ok && manifest.SameNode(o.Node(path), ho.Node(path)) {
			generated = g.Generated(ho, path)
		}
	})
	return generated
}

// byKustomization places a field that a kustomization's patches, images,
// namespace or replicas set.
func (loc *locator) byKustomization(kfile string, info docInfo, o *manifest.Object, segs []manifest.Segment) (manifest.Place, bool) {
	roots := loc.parse(kfile)
	if len(roots) == 0 {
		return manifest.Place{}, false
	}
	k := roots[0]
	kdisplay := loc.b.display(kfile)
	var patches []*yaml.Node
	for _, key := range []string{"patches", "patchesStrategicMerge", "patchesJson6902"} {
		patches = append(patches, seqOf(k, key)...)
	}
	for i := len(patches) - 1; i >= 0; i-- {
		if p, ok := loc.inPatch(patches[i], kfile, info, o, segs); ok {
			return p, true
		}
	}
	switch path := formatPath(segs); {
	case lastKey(segs) == "image":
		image := o.String(path)
		for _, e := range seqOf(k, "images") {
			name := stringAt(e, "name")
			newName := stringAt(e, "newName")
			if name != "" && (strings.HasPrefix(image, name) || newName != "" && strings.HasPrefix(image, newName)) {
				return manifest.Place{File: kdisplay, Line: e.Line, Column: e.Column}, true
			}
		}
	case path == "metadata.namespace":
		if key, _ := keyValue(k, "namespace"); key != nil {
			return manifest.Place{File: kdisplay, Line: key.Line, Column: key.Column}, true
		}
	case path == "spec.replicas":
		for _, e := range seqOf(k, "replicas") {
			if n := stringAt(e, "name"); n != "" && strings.Contains(info.name, n) {
				return manifest.Place{File: kdisplay, Line: e.Line, Column: e.Column}, true
			}
		}
	}
	return manifest.Place{}, false
}

// inPatch places a field that one patch entry sets.
func (loc *locator) inPatch(entry *yaml.Node, kfile string, info docInfo, o *manifest.Object, segs []manifest.Segment) (manifest.Place, bool) {
	kdir, kdisplay := filepath.Dir(kfile), loc.b.display(kfile)
	var roots []*yaml.Node
	file, lineOff, colOff := kdisplay, 0, 0
	switch {
	case entry.Kind == yaml.ScalarNode: // patchesStrategicMerge: a file, or an inline patch
		if p := filepath.Join(kdir, filepath.FromSlash(entry.Value)); fileExists(p) {
			roots, file = loc.parse(p), loc.b.display(p)
		} else {
			roots, lineOff, colOff = parseInline(entry, loc.raw(kfile))
		}
	default:
		if target := valueOf(entry, "target"); target != nil {
			if kind := stringAt(target, "kind"); kind != "" && kind != info.kind {
				return manifest.Place{}, false
			}
			if name := stringAt(target, "name"); name != "" && !nameMatches(name, info.name) {
				return manifest.Place{}, false
			}
		}
		if p := stringAt(entry, "path"); p != "" {
			abs := filepath.Join(kdir, filepath.FromSlash(p))
			roots, file = loc.parse(abs), loc.b.display(abs)
		} else if v := valueOf(entry, "patch"); v != nil && v.Kind == yaml.ScalarNode {
			roots, lineOff, colOff = parseInline(v, loc.raw(kfile))
		}
	}
	for _, r := range roots {
		switch r.Kind {
		case yaml.SequenceNode: // JSON 6902 operations
			pointer := jsonPointer(segs)
			for _, op := range r.Content {
				opPath := stringAt(op, "path")
				if opPath != "" && (pointer == opPath || strings.HasPrefix(pointer, opPath+"/")) {
					return manifest.Place{File: file, Line: op.Line + lineOff, Column: op.Column + colOff}, true
				}
			}
		case yaml.MappingNode: // strategic merge
			if kind := stringAt(r, "kind"); kind != "" && kind != info.kind {
				continue
			}
			if name := stringAt(valueOf(r, "metadata"), "name"); name != "" && !nameMatches(name, info.name) {
				continue
			}
			if n, found := walkNamed(r, o, segs); found {
				return manifest.Place{File: file, Line: n.Line + lineOff, Column: n.Column + colOff}, true
			}
		}
	}
	return manifest.Place{}, false
}

// byGenerator places a field of a generated ConfigMap or Secret at its
// generator entry, or at the literal that set the key.
func (loc *locator) byGenerator(kfile string, info docInfo, segs []manifest.Segment) (manifest.Place, bool) {
	roots := loc.parse(kfile)
	if len(roots) == 0 {
		return manifest.Place{}, false
	}
	key := map[string]string{"ConfigMapGenerator": "configMapGenerator", "SecretGenerator": "secretGenerator"}[info.origin.ConfiguredBy.Kind]
	if key == "" {
		return manifest.Place{}, false
	}
	display := loc.b.display(kfile)
	for _, e := range seqOf(roots[0], key) {
		if name := stringAt(e, "name"); name == "" || !strings.HasPrefix(info.name, name) && !strings.Contains(info.name, name) {
			continue
		}
		if len(segs) == 2 && (segs[0].Key == "data" || segs[0].Key == "stringData") {
			for _, lit := range seqOf(e, "literals") {
				if strings.HasPrefix(lit.Value, segs[1].Key+"=") {
					return manifest.Place{File: display, Line: lit.Line, Column: lit.Column}, true
				}
			}
			if p, ok := loc.inGeneratorFile(kfile, e, segs[1].Key); ok {
				return p, true
			}
		}
		return manifest.Place{File: display, Line: e.Line, Column: e.Column}, true
	}
	return manifest.Place{}, false
}

// inGeneratorFile places a generated key in the input file that holds its
// value: the line of an env file that sets it, or the first line of the
// file a files entry reads. Only files under the kustomization's
// directory are read, as kustomize's load restrictor allows.
func (loc *locator) inGeneratorFile(kfile string, entry *yaml.Node, key string) (manifest.Place, bool) {
	dir := filepath.Dir(kfile)
	envs := seqOf(entry, "envs")
	if v := valueOf(entry, "env"); v != nil && v.Kind == yaml.ScalarNode {
		envs = append(envs, v)
	}
	for _, env := range envs {
		if !filepath.IsLocal(env.Value) {
			continue
		}
		p := filepath.Join(dir, filepath.FromSlash(env.Value))
		for i, line := range strings.Split(string(loc.raw(p)), "\n") {
			name, _, ok := strings.Cut(line, "=")
			if ok && strings.TrimSpace(name) == key && !strings.HasPrefix(strings.TrimSpace(line), "#") {
				return manifest.Place{File: loc.b.display(p), Line: i + 1, Column: strings.Index(line, key) + 1}, true
			}
		}
	}
	for _, f := range seqOf(entry, "files") {
		name, file, ok := strings.Cut(f.Value, "=")
		if !ok {
			file, name = name, path.Base(name)
		}
		if name == key && filepath.IsLocal(file) {
			return manifest.Place{File: loc.b.display(filepath.Join(dir, filepath.FromSlash(file))), Line: 1, Column: 1}, true
		}
	}
	return manifest.Place{}, false
}

// parse reads a source file's documents once.
func (loc *locator) parse(path string) []*yaml.Node {
	data := loc.raw(path)
	loc.mu.Lock()
	defer loc.mu.Unlock()
	if loc.files == nil {
		loc.files = map[string][]*yaml.Node{}
	}
	if roots, ok := loc.files[path]; ok {
		return roots
	}
	roots := parseDocs(data)
	loc.files[path] = roots
	return roots
}

// raw reads a source file once.
func (loc *locator) raw(path string) []byte {
	loc.mu.Lock()
	defer loc.mu.Unlock()
	if loc.data == nil {
		loc.data = map[string][]byte{}
	}
	if d, ok := loc.data[path]; ok {
		return d
	}
	d, _ := os.ReadFile(path)
	loc.data[path] = d
	return d
}

func parseDocs(data []byte) []*yaml.Node {
	var roots []*yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var doc yaml.Node
		if err := dec.Decode(&doc); err != nil {
			break
		}
		if r := manifest.Resolve(&doc); r != nil {
			roots = append(roots, r)
		}
	}
	return roots
}

// parseInline parses a patch written inline as a string, returning the
// offsets that place its lines in the kustomization file (raw): a block
// scalar's content starts on the next line, indented.
func parseInline(v *yaml.Node, raw []byte) ([]*yaml.Node, int, int) {
	lineOff, colOff := v.Line-1, v.Column-1
	if v.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
		lineOff, colOff = v.Line, 0
		lines := bytes.Split(raw, []byte("\n"))
		if v.Line < len(lines) {
			first := lines[v.Line]
			colOff = len(first) - len(bytes.TrimLeft(first, " "))
		}
	}
	return parseDocs([]byte(v.Value)), lineOff, colOff
}

// matchDoc finds the document for an object: same kind, and the name the
// output name was made from (prefixes, suffixes and hashes added).
func matchDoc(roots []*yaml.Node, kind, name string) *yaml.Node {
	var best *yaml.Node
	bestLen := -1
	var sameKind []*yaml.Node
	for _, r := range roots {
		if stringAt(r, "kind") != kind {
			continue
		}
		sameKind = append(sameKind, r)
		n := stringAt(valueOf(r, "metadata"), "name")
		if n == name {
			return r
		}
		if n != "" && strings.Contains(name, n) && len(n) > bestLen {
			best, bestLen = r, len(n)
		}
	}
	if best == nil && len(sameKind) == 1 {
		return sameKind[0]
	}
	return best
}

func nameMatches(pattern, name string) bool {
	if pattern == name || strings.Contains(name, pattern) {
		return true
	}
	re, err := regexp.Compile("^" + pattern + "$")
	return err == nil && re.MatchString(name)
}

// walkNamed follows a rendered object's field path in a source document,
// matching list items by their name key when they have one. It returns the
// key node of the deepest field found (or the node), and whether the whole
// path was found.
func walkNamed(doc *yaml.Node, o *manifest.Object, segs []manifest.Segment) (*yaml.Node, bool) {
	n, at := manifest.Resolve(doc), doc
	for i, s := range segs {
		if s.Index >= 0 {
			if n == nil || n.Kind != yaml.SequenceNode {
				return at, false
			}
			item := -1
			if want := o.String(formatPath(segs[:i+1]) + ".name"); want != "" {
				for j, c := range n.Content {
					if stringAt(c, "name") == want {
						item = j
						break
					}
				}
			} else if s.Index < len(n.Content) {
				item = s.Index
			}
			if item < 0 {
				return at, false
			}
			n = manifest.Resolve(n.Content[item])
			at = n
			continue
		}
		k, v := keyValue(n, s.Key)
		if v == nil {
			return at, false
		}
		n, at = v, k
	}
	return at, true
}

func stringAt(m *yaml.Node, key string) string {
	v := valueOf(m, key)
	if v == nil || v.Kind != yaml.ScalarNode {
		return ""
	}
	return v.Value
}

func fileExists(p string) bool {
	info, err := os.Stat(p)
	return err == nil && info.Mode().IsRegular()
}

func formatPath(segs []manifest.Segment) string {
	var b strings.Builder
	for _, s := range segs {
		switch {
		case s.Index >= 0:
			b.WriteString("[" + strconv.Itoa(s.Index) + "]")
		case strings.ContainsAny(s.Key, ".[]'"):
			b.WriteString("['" + s.Key + "']")
		default:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(s.Key)
		}
	}
	return b.String()
}

func jsonPointer(segs []manifest.Segment) string {
	var b strings.Builder
	for _, s := range segs {
		b.WriteByte('/')
		if s.Index >= 0 {
			b.WriteString(strconv.Itoa(s.Index))
		} else {
			b.WriteString(strings.ReplaceAll(strings.ReplaceAll(s.Key, "~", "~0"), "/", "~1"))
		}
	}
	return b.String()
}

func lastKey(segs []manifest.Segment) string {
	for i := len(segs) - 1; i >= 0; i-- {
		if segs[i].Index < 0 {
			return segs[i].Key
		}
	}
	return ""
}
