package manifest

import (
	"bytes"
	"strings"

	"go.yaml.in/yaml/v3"
)

// File is what one input file holds.
type File struct {
	Path      string
	Data      []byte
	Documents int // YAML documents, blank ones excluded
	Objects   []*Object
	Skipped   int      // documents that are not Kubernetes objects
	Templates []int    // first lines of unrendered template documents
	Errors    []*Error // documents that could not be parsed
}

// Parse splits a file into documents and documents into objects. It never
// fails as a whole: a bad document becomes an Error and the rest go on.
// Documents are parsed now only when the byte scan cannot read their header,
// they are Lists, or a line starts with a tab (YAML forbids tab indentation,
// the commonest hand-edit error, which must be reported even for kinds no
// rule reads); everything else waits until a check asks.
func Parse(path string, data []byte, chain []string) *File {
	f := &File{Path: path, Data: data}
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) > 0 && (trimmed[0] == '{' || trimmed[0] == '[') && looksJSON(path) {
		// JSON: one value (object or array of objects), parsed whole.
		f.Documents = 1
		f.addParsed(span{data: data, line: 1}, 0, chain)
		return f
	}
	for i, s := range splitDocuments(data) {
		f.Documents++
		if IsTemplate(s.data) {
			// Template actions inside valid YAML are content (alerting
			// templates in a ConfigMap); only YAML they break is a template.
			if _, err := ParseYAML(s.data); err != nil {
				f.Templates = append(f.Templates, s.line)
				continue
			}
		}
		h := scanHeader(s.data)
		tabs := tabIndented(s.data)
		if h.ok && strings.HasSuffix(h.kind, "List") && !tabs {
			if items, ok := splitList(s.data); ok {
				for k, it := range items {
					f.Objects = append(f.Objects, &Object{
						APIVersion: it.h.apiVersion, Kind: it.h.kind,
						File: path, Doc: i, Item: k, Chain: chain,
						data: it.data, lineOffset: s.line - 1 + it.line - 1, sliced: true,
						name: it.h.name, namespace: it.h.namespace, meta: it.h.meta,
					})
				}
				continue
			}
		}
		if h.ok && !strings.HasSuffix(h.kind, "List") && !tabs {
			f.Objects = append(f.Objects, &Object{
				APIVersion: h.apiVersion, Kind: h.kind,
				File: path, Doc: i, Item: -1, Chain: chain,
				data: s.data, lineOffset: s.line - 1,
				name: h.name, namespace: h.namespace, meta: h.meta,
			})
			continue
		}
		f.addParsed(s, i, chain)
	}
	return f
}

func looksJSON(path string) bool {
	return strings.HasSuffix(path, ".json") || path == "-" || !strings.HasSuffix(path, ".yaml") && !strings.HasSuffix(path, ".yml")
}

// addParsed parses a document now: its header was not readable by the byte
// scan, or it is a List whose items become objects.
func (f *File) addParsed(s span, doc int, chain []string) {
	root, err := ParseYAML(s.data)
	if err != nil {
		f.Errors = append(f.Errors, placeError(f.Path, s.line-1, err).(*Error))
		return
	}
	add := func(n *yaml.Node, item int) {
		apiVersion, kind := scalarAt(n, "apiVersion"), scalarAt(n, "kind")
		if apiVersion == "" || kind == "" {
			f.Skipped++
			return
		}
		if item < 0 && strings.HasSuffix(kind, "List") {
			if _, items := lookupKey(n, "items"); items != nil {
				items = resolve(items)
				if items != nil && items.Kind == yaml.SequenceNode {
					ends := itemEnds(n, items, s.data)
					var starts []int
					if ends != nil {
						starts = lineStarts(s.data)
					}
					for i, it := range items.Content {
						before := len(f.Objects)
						f.addItem(it, s, doc, i, chain)
						if ends != nil && len(f.Objects) > before {
							f.Objects[before].sliceItem(s, starts, it.Line, ends[i])
						}
					}
				}
				return
			}
		}
		o := &Object{
			APIVersion: apiVersion, Kind: kind, File: f.Path, Doc: doc, Item: item, Chain: chain,
			data: s.data, lineOffset: s.line - 1, root: n, parsed: true,
		}
		o.readMeta()
		f.Objects = append(f.Objects, o)
	}
	switch {
	case root == nil:
		f.Skipped++
	case root.Kind == yaml.SequenceNode:
		// A JSON or YAML top-level array of objects; counted as one skipped
		// document when it holds none.
		before, skipped := len(f.Objects), f.Skipped
		for i, it := range root.Content {
			f.addItem(it, s, doc, i, chain)
		}
		if len(f.Objects) == before {
			f.Skipped = skipped + 1
		}
	case root.Kind == yaml.MappingNode:
		add(root, -1)
	default:
		f.Skipped++
	}
}

func (f *File) addItem(n *yaml.Node, s span, doc, item int, chain []string) {
	n = resolve(n)
	apiVersion, kind := scalarAt(n, "apiVersion"), scalarAt(n, "kind")
	if apiVersion == "" || kind == "" {
		f.Skipped++
		return
	}
	o := &Object{
		APIVersion: apiVersion, Kind: kind, File: f.Path, Doc: doc, Item: item, Chain: chain,
		data: s.data, lineOffset: s.line - 1, root: n, parsed: true,
	}
	o.readMeta()
	f.Objects = append(f.Objects, o)
}

// scalarAt returns a string scalar under key, or "".
func scalarAt(n *yaml.Node, key string) string {
	_, v := lookupKey(n, key)
	v = resolve(v)
	if v == nil || v.Kind != yaml.ScalarNode || v.ShortTag() != "!!str" {
		return ""
	}
	return v.Value
}

// itemEnds returns, for a block-style List, the document line each item ends
// before, so an item can be given its own bytes: then it can be re-parsed
// alone after Compact and its Data is its own, not the whole List's. It
// returns nil when items cannot be cut by lines (flow style, anchors).
func itemEnds(list, items *yaml.Node, data []byte) []int {
	if items.Style&yaml.FlowStyle != 0 || len(items.Content) == 0 {
		return nil
	}
	if bytes.IndexByte(data, '&') >= 0 && hasAnchor(items) {
		return nil
	}
	docEnd := bytes.Count(data, []byte("\n")) + 2
	end := docEnd
	for i := 0; i+1 < len(list.Content); i += 2 {
		if list.Content[i].Value == "items" && i+2 < len(list.Content) {
			end = list.Content[i+2].Line // the key after items
		}
	}
	ends := make([]int, len(items.Content))
	for i, it := range items.Content {
		it = resolve(it)
		if it == nil || it.Kind != yaml.MappingNode || it.Style&yaml.FlowStyle != 0 {
			return nil
		}
		if i+1 < len(items.Content) {
			ends[i] = items.Content[i+1].Line
			if ends[i] <= it.Line {
				return nil
			}
		} else {
			ends[i] = end
		}
	}
	return ends
}

func hasAnchor(n *yaml.Node) bool {
	if n.Anchor != "" || n.Kind == yaml.AliasNode {
		return true
	}
	for _, c := range n.Content {
		if hasAnchor(c) {
			return true
		}
	}
	return false
}

// tabIndented reports a line that starts with a tab. Tabs are rare, so it
// looks for them rather than for line starts.
func tabIndented(data []byte) bool {
	for off := 0; ; {
		i := bytes.IndexByte(data[off:], '\t')
		if i < 0 {
			return false
		}
		if off+i > 0 && data[off+i-1] == '\n' {
			return true
		}
		off += i + 1
	}
}
