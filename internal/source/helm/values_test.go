package helm

import (
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/bulwark-dev/bulwark/internal/manifest"
)

// TestFindInValues: a value is placed where the values file writes it,
// through anchors and merge keys as Helm reads them, the last of duplicate
// keys winning.
func TestFindInValues(t *testing.T) {
	src := "defaults: &d\n  password: from-anchor\n  user: app\ndb:\n  <<: *d\n  user: admin\nlist:\n- a\n- b\ndup: 1\ndup: 2\n"
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(src), &doc); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		path string
		line int // of the value; 0: not found
	}{
		{"db.password", 2},
		{"db.user", 6},
		{"list[1]", 9},
		{"dup", 11},
		{"db.missing", 0},
		{"list[5]", 0},
	} {
		_, v := find(&doc, manifest.SplitPath(tt.path))
		got := 0
		if v != nil {
			got = v.Line
		}
		if got != tt.line {
			t.Errorf("%s: line %d, want %d", tt.path, got, tt.line)
		}
	}
}
