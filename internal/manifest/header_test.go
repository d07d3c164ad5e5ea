package manifest

import "testing"

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
