package secrets

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"
)

// referenceKey reports keys whose subtree points at secrets kept elsewhere
// (existingSecret, secretKeyRef, passwordSecretRef, valueFrom, ...): never
// literal credentials.
func referenceKey(name string) bool {
	ws := words(name)
	if len(ws) == 0 {
		return false
	}
	last := ws[len(ws)-1]
	return ws[0] == "existing" || last == "ref" || last == "refs" || name == "valueFrom" || name == "valuesFrom" ||
		name == "substituteFrom" || last == "selector"
}

// valuesTree judges every scalar of a configuration tree (Helm values,
// provider settings, plugin parameters) by the key it sits under, the
// content detectors, "name: X, value: Y" pairs and --flag=value strings.
func (s *scope) valuesTree(n *yaml.Node, path string, w where, what string) {
	var walk func(n, key *yaml.Node, path string, keys []string, depth int)
	walk = func(n, key *yaml.Node, path string, keys []string, depth int) {
		n = deref(n)
		if n == nil || depth > 64 {
			return
		}
		switch n.Kind {
		case yaml.MappingNode:
			// An env-like pair: {name: DB_PASSWORD, value: hunter2}.
			if nk, nv := get(n, "name"); nk != nil && isScalar(nv) {
				if vk, vv := get(n, "value"); vk != nil && isScalar(vv) {
					p, line := s.place(w, child(path, "value"), vk)
					s.coverTree(w, vk, vv)
					s.value(val{path: p, line: line, where: fmt.Sprintf("%s %s", what, nv.Value), name: nv.Value,
						value: vv.Value, named: secretName(nv.Value), loose: true})
					return
				}
			}
			for _, e := range entries(n) {
				if referenceKey(e.name) {
					continue
				}
				walk(e.val, e.key, child(path, e.name), append(keys[:len(keys):len(keys)], e.name), depth+1)
			}
		case yaml.SequenceNode:
			for i, c := range n.Content {
				walk(c, key, index(path, i), keys, depth+1)
			}
		case yaml.ScalarNode:
			if n.ShortTag() == "!!null" || n.Value == "" {
				return
			}
			name := ""
			if len(keys) > 0 {
				name = keys[len(keys)-1]
			}
			s.coverTree(w, key, n)
			p, line := s.place(w, path, n)
			label := fmt.Sprintf("%s %s", what, strings.Join(keys, "."))
			if strings.Contains(n.Value, "\n") {
				first := 0
				switch {
				case w.file:
					if n.Style&yaml.LiteralStyle != 0 {
						first = n.Line + 1
					}
				case !w.embedded:
					first = s.textStart(n)
				case w.first > 0 && n.Style&yaml.LiteralStyle != 0:
					first = w.first + n.Line
				}
				s.text(textVal{path: p, where: label, name: name, text: n.Value, first: first})
				return
			}
			v, named := n.Value, secretName(name)
			if flag, fv, ok := strings.Cut(v, "="); ok && strings.HasPrefix(flag, "-") {
				v, named, label = fv, secretName(flag), fmt.Sprintf("%s flag %s", label, flag)
				name = flag
			} else if scheme, rest, ok := strings.Cut(v, " "); ok && (scheme == "Bearer" || scheme == "Basic" || scheme == "token") {
				v, named = rest, true
			}
			s.value(val{path: p, line: line, where: label, name: name, value: v, named: named, loose: true})
		}
	}
	walk(n, nil, path, nil, 0)
}
