package yamlblock

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bulwark-dev/bulwark/internal/yamlcheck"
)

// check: whatever Parse accepts, yaml.v3 parses to the same tree.
func check(t *testing.T, data []byte) bool {
	t.Helper()
	return yamlcheck.Accepted(t, Parse, data, false)
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
		{"multi-line quoted", "a: \"one\n  two  \n\n   three\"\nb: \"x\\\n    y\\\n\n  z\"\nc:\n- \"p \\\"q\\\"\n  r\" # done\n", true},
		{"multi-line quoted, blank lines and escapes", "a: \"\n  x\\ty \\\n  \n  z  \n  \"\nb: 1\n", true},
		{"multi-line quoted under-indented", "a:\n  b: \"x\n  y\"\n", false},
		{"multi-line quoted, tab", "a: \"x\t\n  y\"\n", false},
		{"multi-line quoted, escaped blank at the break", "a: \"x\\ \n  y\"\n", false},
		{"multi-line quoted, unclosed", "a: \"x\n  y\n", false},
		{"multi-line quoted key", "\"a\n b\": 1\n", false},
		{"multi-line quoted, text after", "a: \"x\n  y\" z\n", false},
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
		"a: \"x \\\n  y\n\n  z\\\"\"\nb:\n- \"p\n  q\"\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) { check(t, data) })
}
