package manifest

import (
	"os"
	"path/filepath"
	"testing"
)

func addSeeds(f *testing.F) {
	for _, dir := range []string{"../engine/testdata/bad", "../../examples/apps/shop", "../../examples/apps/payments"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*"))
		for _, p := range files {
			if data, err := os.ReadFile(p); err == nil {
				f.Add(data)
			}
		}
	}
	f.Add([]byte("apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  spec: {containers: [{name: c}]}\n"))
	f.Add([]byte("apiVersion: v1\nkind: ConfigMapList\nitems:\n  - apiVersion: v1\n    kind: ConfigMap\n    metadata:\n      name: a\n    data:\n      x: |\n        y\n  - apiVersion: v1\n    kind: ConfigMap\n"))
	f.Add([]byte("[{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"spec\":{\"volumes\":[{\"name\":\"v\"}]}}]"))
}

// FuzzParse: no input makes the decoder panic, and positions stay in the file.
func FuzzParse(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		sameSplit(t, data)
		sameObjects(t, data)
		file := Parse("fuzz.yaml", data, nil)
		lines := 1
		for i, b := range data {
			// YAML also breaks lines on a lone carriage return.
			if b == '\n' || b == '\r' && (i+1 == len(data) || data[i+1] != '\n') {
				lines++
			}
		}
		for _, o := range file.Objects {
			name, ns := o.Name(), o.Namespace()
			if root, err := o.Root(); err == nil && root != nil {
				if want := o.String("metadata.name"); name != want {
					t.Fatalf("Name() = %q, the tree says %q", name, want)
				}
				if want := o.String("metadata.namespace"); ns != want {
					t.Fatalf("Namespace() = %q, the tree says %q", ns, want)
				}
			}
			if l := o.Line(); l < 1 || l > lines {
				t.Fatalf("object line %d outside 1..%d", l, lines)
			}
			for _, p := range []string{"metadata.name", "spec.containers[0].securityContext", "metadata.annotations['a.b/c']", "spec[", "a..b"} {
				if pos, _ := o.Pos(p); pos.Line < 1 || pos.Line > lines {
					t.Fatalf("Pos(%q) line %d outside 1..%d", p, pos.Line, lines)
				}
			}
		}
		for _, e := range file.Errors {
			if e.Line < 0 || e.Line > lines+1 {
				t.Fatalf("error line %d outside the file (%d lines): %v", e.Line, lines, e)
			}
		}
	})
}

// FuzzPodTemplate: pod-spec extraction never panics, whatever the shape.
func FuzzPodTemplate(f *testing.F) {
	addSeeds(f)
	f.Add([]byte("apiVersion: example.com/v1\nkind: Thing\nspec:\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          containers: [{name: c, securityContext: {privileged: true}}]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, o := range Parse("fuzz.yaml", data, nil).Objects {
			pt, err := o.PodTemplate()
			if err == nil && pt != nil && o.Node(pt.SpecPath) == nil {
				t.Fatalf("pod template at %s that does not exist", pt.SpecPath)
			}
		}
	})
}
