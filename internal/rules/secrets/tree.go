package secrets

import (
	"encoding/base64"
	"fmt"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/bulwark-dev/bulwark/internal/manifest"
)

// deref follows aliases and document wrappers.
func deref(n *yaml.Node) *yaml.Node { return manifest.Resolve(n) }

// get returns the key and value nodes of a mapping entry, as kubectl reads
// them (last duplicate wins, merge keys apply).
func get(m *yaml.Node, key string) (k, v *yaml.Node) { return manifest.Lookup(m, key) }

// at walks a dotted path of mapping keys.
func at(n *yaml.Node, keys ...string) *yaml.Node {
	for _, k := range keys {
		if _, n = get(n, k); n == nil {
			return nil
		}
	}
	return n
}

// str returns a string scalar's value, or "".
func str(n *yaml.Node) string {
	n = deref(n)
	if n == nil || n.Kind != yaml.ScalarNode || n.ShortTag() == "!!null" {
		return ""
	}
	return n.Value
}

// entry is one key and value of a mapping.
type entry struct {
	key, val *yaml.Node
	name     string
}

// entries lists a mapping's entries; nil for anything else.
func entries(m *yaml.Node) []entry {
	m = deref(m)
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	out := make([]entry, 0, len(m.Content)/2)
	for i := 0; i+1 < len(m.Content); i += 2 {
		out = append(out, entry{key: m.Content[i], val: deref(m.Content[i+1]), name: m.Content[i].Value})
	}
	return out
}

// items lists a sequence's items; nil for anything else.
func items(n *yaml.Node) []*yaml.Node {
	n = deref(n)
	if n == nil || n.Kind != yaml.SequenceNode {
		return nil
	}
	out := make([]*yaml.Node, len(n.Content))
	for i, c := range n.Content {
		out[i] = deref(c)
	}
	return out
}

// isScalar reports a non-null scalar.
func isScalar(n *yaml.Node) bool {
	return n != nil && n.Kind == yaml.ScalarNode && n.ShortTag() != "!!null"
}

// child appends a mapping key to a field path, quoting keys that are not
// plain identifiers: data['tls.key'].
func child(base, key string) string {
	plain := key != ""
	for i := 0; i < len(key) && plain; i++ {
		c := key[i]
		plain = c == '_' || c == '-' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
	}
	if plain {
		if base == "" {
			return key
		}
		return base + "." + key
	}
	q := "'"
	if strings.Contains(key, "'") {
		q = `"`
	}
	return base + "[" + q + key + q + "]"
}

// index appends a sequence index to a field path.
func index(base string, i int) string { return fmt.Sprintf("%s[%d]", base, i) }

// leaf is one scalar reached by walking a tree.
type leaf struct {
	path, name string // field path and the key it is under ("" in a list)
	key, val   *yaml.Node
	keys       []string // every mapping key from the walk's root down
}

// walkLeaves calls fn for every scalar under n, depth first. skip prunes a
// mapping entry (and its subtree) by key name.
func walkLeaves(n *yaml.Node, path string, skip func(name string) bool, fn func(leaf)) {
	var walk func(n, key *yaml.Node, path, name string, keys []string, depth int)
	walk = func(n, key *yaml.Node, path, name string, keys []string, depth int) {
		n = deref(n)
		if n == nil || depth > 64 {
			return
		}
		switch n.Kind {
		case yaml.MappingNode:
			for _, e := range entries(n) {
				if skip != nil && skip(e.name) {
					continue
				}
				walk(e.val, e.key, child(path, e.name), e.name, append(keys[:len(keys):len(keys)], e.name), depth+1)
			}
		case yaml.SequenceNode:
			for i, c := range n.Content {
				walk(c, key, index(path, i), name, keys, depth+1)
			}
		case yaml.ScalarNode:
			if n.ShortTag() != "!!null" {
				fn(leaf{path: path, name: name, key: key, val: n, keys: keys})
			}
		}
	}
	walk(n, nil, path, "", nil, 0)
}

// decodeBase64 decodes a Secret data value as the API server does,
// tolerating the line breaks of folded YAML. ok is false when it is not
// valid base64.
func decodeBase64(s string) ([]byte, bool) {
	s = strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' || r == ' ' || r == '\t' {
			return -1
		}
		return r
	}, s)
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		if b, err = base64.RawStdEncoding.DecodeString(s); err != nil {
			return nil, false
		}
	}
	return b, true
}

// printable reports text a person or a config parser would read: valid
// UTF-8 without control characters other than white space.
func printable(b []byte) bool {
	if !utf8.Valid(b) {
		return false
	}
	for _, c := range b {
		if c < 0x20 && c != '\n' && c != '\r' && c != '\t' {
			return false
		}
	}
	return true
}
