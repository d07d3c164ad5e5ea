// Package yamlcheck holds the differential test of the parsers that build
// go.yaml.in/yaml/v3's trees faster than yaml.v3 does: whatever such a
// parser accepts, yaml.v3 must parse to the same tree.
package yamlcheck

import (
	"fmt"
	"testing"

	"go.yaml.in/yaml/v3"
)

// Reference parses with yaml.v3 and returns the document's root.
func Reference(data []byte) (*yaml.Node, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 {
		return nil, fmt.Errorf("no single root")
	}
	return doc.Content[0], nil
}

// Diff describes the first difference between two trees; comments count
// only when asked (the block parser drops them, no check reads them).
func Diff(got, want *yaml.Node, comments bool, path string) string {
	if got.Kind != want.Kind || got.Style != want.Style || got.Tag != want.Tag || got.Value != want.Value ||
		got.Line != want.Line || got.Column != want.Column || got.Anchor != want.Anchor || got.Alias != want.Alias ||
		comments && (got.HeadComment != want.HeadComment || got.LineComment != want.LineComment || got.FootComment != want.FootComment) ||
		len(got.Content) != len(want.Content) {
		return fmt.Sprintf("%s: got kind %d style %d tag %s value %q at %d:%d (%d children), want kind %d style %d tag %s value %q at %d:%d (%d children)",
			path, got.Kind, got.Style, got.Tag, got.Value, got.Line, got.Column, len(got.Content),
			want.Kind, want.Style, want.Tag, want.Value, want.Line, want.Column, len(want.Content))
	}
	for i := range got.Content {
		if d := Diff(got.Content[i], want.Content[i], comments, fmt.Sprintf("%s/%d", path, i)); d != "" {
			return d
		}
	}
	return ""
}

// Accepted parses data with parse and fails t when what parse accepts
// differs from yaml.v3's tree; it reports whether parse accepted.
func Accepted(t testing.TB, parse func([]byte) (*yaml.Node, bool), data []byte, comments bool) bool {
	t.Helper()
	got, ok := parse(data)
	if !ok {
		return false
	}
	want, err := Reference(data)
	if err != nil {
		t.Fatalf("accepted what yaml.v3 refuses (%v):\n%s", err, data)
	}
	if d := Diff(got, want, comments, ""); d != "" {
		t.Fatalf("%s\ninput:\n%s", d, data)
	}
	return true
}
