package yamlblock

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// reference parses with yaml.v3, as the caller would.
func reference(data []byte) (*yaml.Node, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 {
		return nil, fmt.Errorf("no single root")
	}
	return doc.Content[0], nil
}

// diff describes the first difference between two trees, ignoring comments.
func diff(got, want *yaml.Node, path string) string {
	if got.Kind != want.Kind || got.Style != want.Style || got.Tag != want.Tag || got.Value != want.Value ||
		got.Line != want.Line || got.Column != want.Column || got.Anchor != want.Anchor || len(got.Content) != len(want.Content) {
		return fmt.Sprintf("%s: got kind %d style %d tag %s value %q at %d:%d (%d children), want kind %d style %d tag %s value %q at %d:%d (%d children)",
			path, got.Kind, got.Style, got.Tag, got.Value, got.Line, got.Column, len(got.Content),
			want.Kind, want.Style, want.Tag, want.Value, want.Line, want.Column, len(want.Content))
	}
	for i := range got.Content {
		if d := diff(got.Content[i], want.Content[i], fmt.Sprintf("%s/%d", path, i)); d != "" {
			return d
		}
	}
	return ""
}

// check: whatever Parse accepts, yaml.v3 parses to the same tree.
func check(t *testing.T, data []byte) bool {
	t.Helper()
	got, ok := Parse(data)
	if !ok {
		return false
	}
	want, err := reference(data)
	if err != nil {
		t.Fatalf("accepted what yaml.v3 refuses (%v):\n%s", err, data)
	}
	if d := diff(got, want, ""); d != "" {
		t.Fatalf("%s\ninput:\n%s", d, data)
	}
	return true
}

func TestParseMatchesYAMLv3(t *testing.T) {
	tests := []struct {
		name   string
		doc    string
		accept bool
	}{
		{"manifest", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web # the name\n  labels:\n    app: web\n    'quoted key': \"v\"\nspec:\n  replicas: 3\n  template:\n    spec:\n      containers:\n      - name: app\n        image: nginx:1.25\n        args:\n        - --port=80\n        - -v\n        securityContext:\n          privileged: true\n          runAsUser: 0\n      - name: side\n        env:\n          - name: A\n            value: 'it''s'\n", true},
		{"literal", "data:\n  script: |\n    #!/bin/sh\n    echo hi\n\n      indented\n    \n  kept: |+\n    a\n\n  stripped: |-\n    b\n  explicit: |2\n     x\nnext: ~\n", true},
		{"empty values", "a:\nb:\n  # comment\nc: null\nd: ''\ne:\n- 1\n- 2.5\n- true\n- 2001-12-14\n", true},
		{"unicode column", "name: é\nkey: ✓ value\n", true},
		{"root sequence", "- apiVersion: v1\n  kind: Pod\n- b\n", true},
		{"flow mapping", "a: {b: c}\n", false},
		{"anchor", "a: &x 1\nb: *x\n", false},
		{"folded", "a: >\n  b\n", false},
		{"multi-line plain", "a: b\n  c\n", false},
		{"tab indent", "a:\n\tb: c\n", false},
		{"escape", "a: \"x\\ty\"\n", true},
		{"merge", "a:\n  <<: {}\n", false},
		{"invalid", "a: b: c\n", false},
		{"long key", strings.Repeat("k", 1100) + ": v\n", false},
		{"long line, not a key", strings.Repeat("0", 1100) + ":000\n", false},
		{"long quoted key", "'" + strings.Repeat("k", 1100) + "': v\n", false},
		{"literal at end", "a: |\n  x", true},
		{"flow", "a: []\nb: {}\nc: [x, \"y\", 'z', 1]\nd: [ ]\n", true},
		{"escapes", "a: \"t\\tn\\n\\u00e9\\x41\\\"\"\n", true},
		{"unknown escape", "a: \"\\/\"\n", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := check(t, []byte(tt.doc)); got != tt.accept {
				t.Errorf("accepted = %v, want %v", got, tt.accept)
			}
		})
	}
}

// TestCorpus: every document of the fixtures and, when present, the shared
// corpus parses alike; most are accepted.
func TestCorpus(t *testing.T) {
	var docs, accepted int
	for _, root := range []string{"../../examples", "../../testdata", "../../../shared/corpus"} {
		filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, ".yaml") && !strings.HasSuffix(p, ".yml") {
				return nil
			}
			data, err := os.ReadFile(p)
			if err != nil {
				return nil
			}
			for _, doc := range strings.Split(string(data), "\n---") {
				if strings.TrimSpace(doc) == "" {
					continue
				}
				doc = strings.TrimPrefix(strings.TrimPrefix(doc, "\n"), "---\n")
				docs++
				if check(t, []byte(doc)) {
					accepted++
				}
			}
			return nil
		})
	}
	t.Logf("%d of %d documents read by the fast path", accepted, docs)
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\nspec:\n  containers:\n  - name: a\n    image: b\n",
		"a: |\n  x\n\n  y\nb:\n- c\n- d: e\n  f: 'g''h'\n",
		"a:\n  - |+\n    x\n\n  - \"q\"\n",
		"a: [x, \"y\\u00e9\", 'z''s', 1]\nb: {}\nc: \"\\x41\\N\"\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) { check(t, data) })
}
