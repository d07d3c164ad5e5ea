package kustomize

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/bulwark-dev/bulwark/internal/manifest"
)

var remoteHost = regexp.MustCompile(`^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+/`)

// IsRemote reports whether a resource entry of a kustomization names
// something kustomize would fetch: a URL, a git address, or host/path that
// does not exist locally.
func IsRemote(entry, dir string) bool {
	switch {
	case strings.Contains(entry, "://"), strings.HasPrefix(entry, "git@"), strings.HasPrefix(entry, "git::"):
		return true
	case strings.Contains(entry, "?ref=") || strings.Contains(entry, "?version=") || strings.Contains(entry, "?timeout="):
		return true
	case remoteHost.MatchString(entry):
		_, err := os.Stat(filepath.Join(dir, entry))
		return err != nil
	}
	return false
}

// References lists the local directories a kustomization builds on
// (resources, bases and components that are directories), absolute. A
// kustomization that another one references is a base, not a root.
func References(dir string) ([]string, error) {
	file := FileIn(dir)
	if file == "" {
		return nil, nil
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	m := manifest.Resolve(&doc)
	var out []string
	for _, key := range []string{"resources", "bases", "components"} {
		for _, item := range seqOf(m, key) {
			if item.Kind != yaml.ScalarNode || IsRemote(item.Value, dir) {
				continue
			}
			p := filepath.Join(dir, filepath.FromSlash(item.Value))
			if info, err := os.Stat(p); err == nil && info.IsDir() {
				if real, err := filepath.EvalSymlinks(p); err == nil {
					p = real
				}
				out = append(out, p)
			}
		}
	}
	sort.Strings(out)
	return out, nil
}

// YAML helpers on mapping nodes.

func keyValue(m *yaml.Node, key string) (k, v *yaml.Node) { return manifest.Lookup(m, key) }

func valueOf(m *yaml.Node, key string) *yaml.Node {
	_, v := keyValue(m, key)
	return v
}

func seqOf(m *yaml.Node, key string) []*yaml.Node {
	v := valueOf(m, key)
	if v == nil || v.Kind != yaml.SequenceNode {
		return nil
	}
	out := make([]*yaml.Node, 0, len(v.Content))
	for _, c := range v.Content {
		out = append(out, manifest.Resolve(c))
	}
	return out
}

func scalar(v string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v} }

func seqNode(items ...string) *yaml.Node {
	n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
	for _, it := range items {
		n.Content = append(n.Content, scalar(it))
	}
	return n
}

func setValue(m *yaml.Node, key string, v *yaml.Node) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			m.Content[i+1] = v
			return
		}
	}
	m.Content = append(m.Content, scalar(key), v)
}

func deleteKey(m *yaml.Node, key string) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			m.Content = append(m.Content[:i], m.Content[i+2:]...)
			return
		}
	}
}

func appendSeq(m *yaml.Node, key string, items ...string) {
	v := valueOf(m, key)
	if v == nil || v.Kind != yaml.SequenceNode {
		v = &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		setValue(m, key, v)
	}
	for _, it := range items {
		v.Content = append(v.Content, scalar(it))
	}
}

// applyEdits applies an app's changes to a kustomization: scalars replace,
// lists append, maps merge.
func applyEdits(m *yaml.Node, edits map[string]any) error {
	keys := make([]string, 0, len(edits))
	for k := range edits {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		var n yaml.Node
		if err := n.Encode(edits[k]); err != nil {
			return fmt.Errorf("kustomize %s: %w", k, err)
		}
		cur := valueOf(m, k)
		switch {
		case cur != nil && cur.Kind == yaml.SequenceNode && n.Kind == yaml.SequenceNode:
			cur.Content = append(cur.Content, n.Content...)
		case cur != nil && cur.Kind == yaml.MappingNode && n.Kind == yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				setValue(cur, n.Content[i].Value, n.Content[i+1])
			}
		default:
			setValue(m, k, &n)
		}
	}
	return nil
}
