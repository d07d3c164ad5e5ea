package manifest

import (
	"bytes"
	"testing"
)

// The byte scan's metadata must agree with the parsed tree, or give up.
func TestHeaderMetadata(t *testing.T) {
	tests := []struct {
		name, doc     string
		meta          bool
		wantName, wNS string
	}{
		{"plain", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  namespace: shop\nspec: {}\n", true, "web", "shop"},
		{"labels between", "apiVersion: v1\nkind: Pod\nmetadata:\n  labels:\n    name: not-me\n  name: web # comment\n", true, "web", ""},
		{"quoted", "apiVersion: v1\nkind: Pod\nmetadata:\n    name: \"web\"\n    namespace: 'shop'\n", true, "web", "shop"},
		{"no metadata", "apiVersion: v1\nkind: Pod\n", true, "", ""},
		{"metadata after spec", "kind: Pod\nspec:\n  name: x\napiVersion: v1\nmetadata:\n  name: web\n", true, "web", ""},
		{"flow metadata", "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\n", false, "", ""},
		{"continued scalar", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n    more\n", false, "", ""},
		{"block scalar", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: |\n    web\n", false, "", ""},
		{"anchor", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: &n web\n", false, "", ""},
		{"duplicate", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n  name: b\n", false, "", ""},
		{"merge key", "apiVersion: v1\nkind: Pod\nmetadata:\n  <<: *m\n", false, "", ""},
		{"null name", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: ~\n", false, "", ""},
		{"two metadata", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\nmetadata:\n  name: b\n", false, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := scanHeader([]byte(tt.doc))
			if h.meta != tt.meta {
				t.Fatalf("meta = %v, want %v", h.meta, tt.meta)
			}
			if h.meta && (h.name != tt.wantName || h.namespace != tt.wNS) {
				t.Errorf("got %q/%q, want %q/%q", h.namespace, h.name, tt.wNS, tt.wantName)
			}
		})
	}
}

// eager parses every document with the YAML parser, the way Lists were read
// before the byte scan learnt to cut them.
func eager(data []byte) *File {
	f := &File{Path: "t.yaml", Data: data}
	for i, s := range splitDocuments(data) {
		f.addParsed(s, i, nil)
	}
	return f
}

// sameObjects reports how a lazily cut file differs from the eager parse.
func sameObjects(t *testing.T, data []byte) {
	t.Helper()
	lazy, full := Parse("t.yaml", data, nil), eager(data)
	if len(full.Errors) > 0 {
		return // the lazy path reports errors when an object is read
	}
	if len(lazy.Objects) != len(full.Objects) {
		t.Fatalf("%d objects, the parser finds %d", len(lazy.Objects), len(full.Objects))
	}
	for i, o := range lazy.Objects {
		w := full.Objects[i]
		if o.Kind != w.Kind || o.APIVersion != w.APIVersion || o.Item != w.Item || o.Doc != w.Doc {
			t.Fatalf("object %d: %s %s item %d doc %d, want %s %s item %d doc %d", i, o.APIVersion, o.Kind, o.Item, o.Doc, w.APIVersion, w.Kind, w.Item, w.Doc)
		}
		if o.Name() != w.Name() || o.Namespace() != w.Namespace() {
			t.Fatalf("object %d: %s/%s, want %s/%s", i, o.Namespace(), o.Name(), w.Namespace(), w.Name())
		}
		if o.Line() != w.Line() {
			t.Fatalf("object %d: line %d, want %d", i, o.Line(), w.Line())
		}
		for _, p := range []string{"metadata.name", "data.x", "spec.containers[0].image"} {
			if a, b := o.String(p), w.String(p); a != b {
				t.Fatalf("object %d %s: %q, want %q", i, p, a, b)
			}
			if a, _ := o.Pos(p); a != func() Position { p, _ := w.Pos(p); return p }() {
				t.Fatalf("object %d %s at %v, want the parser's", i, p, a)
			}
		}
	}
}

func TestListItemsCutByLines(t *testing.T) {
	tests := map[string]string{
		"items at margin":   "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: a\n  data:\n    x: |\n      - not an item\n      items:\n- apiVersion: v1\n  kind: Pod\n  metadata: {name: b}\n  spec:\n    containers:\n    - image: nginx\nmetadata: {}\n",
		"items indented":    "kind: ConfigMapList\nitems:\n  # first\n  - apiVersion: v1\n    kind: ConfigMap\n    metadata:\n      name: a\n      namespace: n\n\n  - apiVersion: v1\n    kind: ConfigMap\n    data:\n      x: y\napiVersion: v1\n",
		"item without kind": "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  metadata: {name: a}\n- apiVersion: v1\n  kind: Pod\n",
		"anchors":           "apiVersion: v1\nkind: List\nitems:\n- &a\n  apiVersion: v1\n  kind: Pod\n- *a\n",
		"flow items":        "apiVersion: v1\nkind: List\nitems: [{apiVersion: v1, kind: Pod}]\n",
	}
	for name, doc := range tests {
		t.Run(name, func(t *testing.T) { sameObjects(t, []byte(doc)) })
	}
	if items, ok := splitList([]byte(tests["items at margin"])); !ok || len(items) != 2 || items[0].h.name != "a" {
		t.Errorf("the block List was not cut into its two items: %v %+v", ok, items)
	}
}

// splitByLines is the plain line-by-line splitter splitDocuments must agree
// with.
func splitByLines(data []byte) []span {
	var out []span
	start, startLine, line := 0, 1, 1
	for pos := 0; pos < len(data); {
		next := len(data)
		if end := bytes.IndexByte(data[pos:], '\n'); end >= 0 {
			next = pos + end + 1
		}
		if isSeparator(data[pos:next]) {
			out = append(out, span{data: data[start:pos], line: startLine})
			start, startLine = next, line+1
		}
		pos = next
		line++
	}
	out = append(out, span{data: data[start:], line: startLine})
	kept := out[:0]
	for _, s := range out {
		if !isBlank(s.data) {
			kept = append(kept, s)
		}
	}
	return kept
}

func sameSplit(t *testing.T, data []byte) {
	got, want := splitDocuments(data), splitByLines(data)
	if len(got) != len(want) {
		t.Fatalf("%d documents, want %d", len(got), len(want))
	}
	for i := range got {
		if got[i].line != want[i].line || !bytes.Equal(got[i].data, want[i].data) {
			t.Fatalf("document %d at line %d, want line %d", i, got[i].line, want[i].line)
		}
	}
}

func TestSplitDocuments(t *testing.T) {
	for _, s := range []string{
		"a: 1\n---\nb: 2\n--- # c\n...\nc: 3\n----\nd: 4\n",
		"---\na: 1\n...\n---\n",
		"a: |\n  ---\n  x\n---b\n... x\n",
	} {
		sameSplit(t, []byte(s))
	}
}
