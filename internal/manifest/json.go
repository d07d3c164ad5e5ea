package manifest

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/bulwark-dev/bulwark/internal/jsonstr"
)

// maxExpandedNodes bounds the work of expanding aliases, so a "billion laughs"
// document fails fast instead of exhausting memory.
const maxExpandedNodes = 1 << 20

// errAliasBomb is returned when alias expansion exceeds maxExpandedNodes.
var errAliasBomb = errors.New("document expands to more than a million nodes through YAML aliases (alias bomb?)")

// nodeError is a decoding error tied to a node.
type nodeError struct {
	node *yaml.Node
	msg  string
}

func (e *nodeError) Error() string { return e.msg }

// toJSON converts a YAML tree to JSON, the way sigs.k8s.io/yaml does before
// the API machinery decodes it: tags decide types, merge keys are applied,
// aliases are expanded within a budget, and non-string keys are refused.
func toJSON(n *yaml.Node) ([]byte, error) {
	c := jsonConverter{budget: maxExpandedNodes}
	buf := make([]byte, 0, 1024)
	return c.write(buf, n, 0)
}

type jsonConverter struct {
	budget int
}

const maxDepth = 1000

func (c *jsonConverter) write(buf []byte, n *yaml.Node, depth int) ([]byte, error) {
	c.budget--
	if c.budget < 0 {
		return nil, errAliasBomb
	}
	if depth > maxDepth {
		return nil, &nodeError{n, "document is nested more than 1000 levels deep"}
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return append(buf, "null"...), nil
		}
		return c.write(buf, n.Content[0], depth)
	case yaml.AliasNode:
		return c.write(buf, n.Alias, depth+1)
	case yaml.SequenceNode:
		buf = append(buf, '[')
		for i, item := range n.Content {
			if i > 0 {
				buf = append(buf, ',')
			}
			var err error
			if buf, err = c.write(buf, item, depth+1); err != nil {
				return nil, err
			}
		}
		return append(buf, ']'), nil
	case yaml.MappingNode:
		return c.writeMapping(buf, n, depth)
	case yaml.ScalarNode:
		return writeScalar(buf, n)
	}
	return nil, &nodeError{n, "unsupported YAML node"}
}

// mapEntries flattens merge keys: explicit entries first, merged ones only
// for keys not already set, later duplicates replacing earlier ones.
func mapEntries(n *yaml.Node, seen map[string]bool, out [][2]*yaml.Node, depth int) ([][2]*yaml.Node, error) {
	if depth > maxDepth {
		return nil, &nodeError{n, "merge keys nested too deep"}
	}
	var merges []*yaml.Node
	start := len(out)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Tag == "!!merge" {
			merges = append(merges, v)
			continue
		}
		if k.Kind != yaml.ScalarNode {
			return nil, &nodeError{k, "mapping key is not a string"}
		}
		if seen[k.Value] {
			// Duplicate key: the last one wins, as in kubectl's decoder.
			for j := start; j < len(out); j++ {
				if out[j][0].Value == k.Value {
					out[j][1] = v
				}
			}
			continue
		}
		seen[k.Value] = true
		out = append(out, [2]*yaml.Node{k, v})
	}
	for _, m := range merges {
		m = resolve(m)
		if m == nil {
			continue
		}
		srcs := []*yaml.Node{m}
		if m.Kind == yaml.SequenceNode {
			srcs = m.Content
		}
		for _, s := range srcs {
			s = resolve(s)
			if s == nil || s.Kind != yaml.MappingNode {
				return nil, &nodeError{m, "merge key value is not a mapping"}
			}
			var err error
			if out, err = mapEntries(s, seen, out, depth+1); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

func (c *jsonConverter) writeMapping(buf []byte, n *yaml.Node, depth int) ([]byte, error) {
	entries, err := mapEntries(n, map[string]bool{}, nil, depth)
	if err != nil {
		return nil, err
	}
	buf = append(buf, '{')
	for i, e := range entries {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = jsonstr.Append(buf, e[0].Value)
		buf = append(buf, ':')
		if buf, err = c.write(buf, e[1], depth+1); err != nil {
			return nil, err
		}
	}
	return append(buf, '}'), nil
}

func writeScalar(buf []byte, n *yaml.Node) ([]byte, error) {
	switch n.ShortTag() {
	case "!!null":
		return append(buf, "null"...), nil
	case "!!bool":
		if strings.EqualFold(n.Value, "true") {
			return append(buf, "true"...), nil
		} else if strings.EqualFold(n.Value, "false") {
			return append(buf, "false"...), nil
		}
		var b bool
		if err := n.Decode(&b); err != nil {
			return nil, &nodeError{n, fmt.Sprintf("invalid boolean %q", n.Value)}
		}
		return strconv.AppendBool(buf, b), nil
	case "!!int":
		if i, err := strconv.ParseInt(n.Value, 10, 64); err == nil {
			return strconv.AppendInt(buf, i, 10), nil
		}
		var i int64
		if err := n.Decode(&i); err != nil {
			var u uint64
			if err := n.Decode(&u); err != nil {
				return nil, &nodeError{n, fmt.Sprintf("invalid integer %q", n.Value)}
			}
			return strconv.AppendUint(buf, u, 10), nil
		}
		return strconv.AppendInt(buf, i, 10), nil
	case "!!float":
		var f float64
		if err := n.Decode(&f); err != nil {
			return nil, &nodeError{n, fmt.Sprintf("invalid number %q", n.Value)}
		}
		if math.IsInf(f, 0) || math.IsNaN(f) {
			return jsonstr.Append(buf, n.Value), nil
		}
		return strconv.AppendFloat(buf, f, 'g', -1, 64), nil
	case "!!binary":
		return jsonstr.Append(buf, strings.Join(strings.Fields(n.Value), "")), nil
	default:
		return jsonstr.Append(buf, n.Value), nil
	}
}
