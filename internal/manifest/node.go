package manifest

import (
	"fmt"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Position is a 1-based line and column in a file.
type Position struct {
	Line   int `json:"line"`
	Column int `json:"column"`
}

// Segment is one step of a field path: a mapping Key, or a sequence Index
// (Index >= 0).
type Segment struct {
	Key   string
	Index int
}

// SplitPath splits a field path such as spec.containers[1].env['a.b'] into
// segments; a malformed tail is left out. Renderers use it to walk their own
// trees with the path syntax findings carry.
func SplitPath(path string) []Segment {
	segs, _ := parsePath(path)
	out := make([]Segment, len(segs))
	for i, s := range segs {
		out[i] = Segment{Key: s.key, Index: s.index}
	}
	return out
}

// segment is one step of a field path: a mapping key or a sequence index.
type segment struct {
	key   string
	index int // -1 for a key
}

// parsePath reads field paths such as
// spec.template.spec.containers[1].securityContext.privileged and
// metadata.annotations['example.com/key'].
func parsePath(path string) ([]segment, error) {
	var segs []segment
	for i := 0; i < len(path); {
		switch path[i] {
		case '.':
			i++
		case '[':
			end := strings.IndexByte(path[i:], ']')
			if end < 0 {
				return segs, fmt.Errorf("field path %q: unclosed [", path)
			}
			inner := path[i+1 : i+end]
			if len(inner) >= 2 && (inner[0] == '\'' || inner[0] == '"') {
				// A quoted key may contain ']' only if we look for the closing quote.
				q := inner[0]
				closeQ := strings.IndexByte(path[i+2:], q)
				if closeQ < 0 {
					return segs, fmt.Errorf("field path %q: unclosed quote", path)
				}
				key := path[i+2 : i+2+closeQ]
				segs = append(segs, segment{key: key, index: -1})
				i = i + 2 + closeQ + 2 // quote and ]
				continue
			}
			n, err := strconv.Atoi(inner)
			if err != nil || n < 0 {
				return segs, fmt.Errorf("field path %q: bad index %q", path, inner)
			}
			segs = append(segs, segment{index: n})
			i += end + 1
		default:
			end := strings.IndexAny(path[i:], ".[")
			if end < 0 {
				end = len(path) - i
			}
			segs = append(segs, segment{key: path[i : i+end], index: -1})
			i += end
		}
	}
	return segs, nil
}

// Resolve follows aliases and document wrappers: the node a reader of the
// YAML means. Every package that walks yaml.v3 trees uses this one.
func Resolve(n *yaml.Node) *yaml.Node { return resolve(n) }

// Lookup returns the key and value nodes of a mapping entry as kubectl reads
// them: the last duplicate wins and merge keys ("<<") apply.
func Lookup(m *yaml.Node, key string) (k, v *yaml.Node) {
	k, v = lookupKey(m, key)
	return k, resolve(v)
}

// resolve follows aliases and document wrappers.
func resolve(n *yaml.Node) *yaml.Node {
	for n != nil && (n.Kind == yaml.AliasNode || n.Kind == yaml.DocumentNode) {
		if n.Kind == yaml.AliasNode {
			n = n.Alias
		} else if len(n.Content) > 0 {
			n = n.Content[0]
		} else {
			return nil
		}
	}
	return n
}

// lookupKey returns the key and value nodes of a mapping entry, honouring
// merge keys ("<<") the way YAML 1.1 decoders do: explicit keys win.
func lookupKey(m *yaml.Node, key string) (k, v *yaml.Node) {
	m = resolve(m)
	if m == nil || m.Kind != yaml.MappingNode {
		return nil, nil
	}
	// The last occurrence wins, as in kubectl's lenient decoding.
	for i := len(m.Content) - 2; i >= 0; i -= 2 {
		if m.Content[i].Value == key && m.Content[i].Tag != "!!merge" {
			return m.Content[i], m.Content[i+1]
		}
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Tag == "!!merge" {
			src := resolve(m.Content[i+1])
			if src == nil {
				continue
			}
			if src.Kind == yaml.SequenceNode {
				for _, s := range src.Content {
					if k, v := lookupKey(s, key); v != nil {
						return k, v
					}
				}
			} else if k, v := lookupKey(src, key); v != nil {
				return k, v
			}
		}
	}
	return nil, nil
}

// walk descends from root along path. It returns the deepest node reached,
// the key node naming it (nil for sequence items and the root), and whether
// the whole path was found.
//
// When the path passes through an alias, the key is that of the alias's use,
// not of a field inside the anchor: the finding belongs where the anchor was
// reused.
func walk(root *yaml.Node, segs []segment) (node, key *yaml.Node, found bool) {
	node = resolve(root)
	var aliasKey *yaml.Node
	defer func() {
		if aliasKey != nil {
			key = aliasKey
		}
	}()
	for _, s := range segs {
		if node == nil {
			return nil, key, false
		}
		if s.index >= 0 {
			if node.Kind != yaml.SequenceNode || s.index >= len(node.Content) {
				return node, key, false
			}
			node, key = resolve(node.Content[s.index]), nil
			continue
		}
		k, v := lookupKey(node, s.key)
		if v == nil {
			return node, key, false
		}
		if v.Kind == yaml.AliasNode && aliasKey == nil {
			aliasKey = k
		}
		node, key = resolve(v), k
	}
	return node, key, true
}
