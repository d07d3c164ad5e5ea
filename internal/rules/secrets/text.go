package secrets

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/bulwark-dev/bulwark/internal/manifest"
	"github.com/bulwark-dev/bulwark/internal/secret"
	"github.com/bulwark-dev/bulwark/internal/yamljson"
)

// textVal is a multi-line value that embeds a file: a ConfigMap key holding
// application.properties, a Helm values string, a .env file.
type textVal struct {
	path, where string
	name        string // the key or file name, which hints at the format
	text        string
	// first is the file line of the text's first line, or 0 when the text
	// does not map to file lines (base64-decoded data): hits then point at
	// path.
	first int
}

// text reports the credentials in an embedded file: whatever the content
// detectors recognise, and values assigned to secret names in any of the
// usual formats. It returns how many it reported.
func (s *scope) text(t textVal) int {
	n := 0
	done := map[int]bool{}
	for _, m := range secret.Default().ScanPath(t.name, []byte(t.text)) {
		s.add(s.contentHit(m, t.path, t.where, s.embeddedLine(t, m.Line)))
		done[m.Line] = true
		n++
	}
	if !hasNameHint([]byte(t.text)) {
		return n // every credential name holds a hint (see secretName)
	}
	for _, a := range assignments(t.name, t.text) {
		if done[a.line] || !secretName(a.name) {
			continue
		}
		done[a.line] = true
		if s.value(val{path: t.path, where: fmt.Sprintf("%s entry %q", t.where, a.name), name: a.name,
			value: a.value, named: true, loose: true, line: s.embeddedLine(t, a.line)}) {
			n++
		}
	}
	return n
}

func (s *scope) embeddedLine(t textVal, line int) int {
	if t.first == 0 {
		return 0
	}
	return t.first + line - 1
}

// textStart returns the file line where a scalar's text begins: the line
// after a block indicator, the scalar's own line otherwise; 0 for quoted
// multi-line scalars, whose lines do not map one to one.
func (s *scope) textStart(n *yaml.Node) int {
	switch {
	case n.Style&(yaml.LiteralStyle) != 0:
		return s.line(n) + 1
	case !strings.Contains(n.Value, "\n"):
		return s.line(n)
	}
	return 0
}

// assign is one name = value pair in an embedded file.
type assign struct {
	line        int // 1-based, within the text
	name, value string
}

var (
	assignLine = regexp.MustCompile(`^\s*(?:export\s+|set\s+|\$)?["']?([A-Za-z_@/][\w.:@/-]*?)["']?\s*(?::=|=>|=|:)\s*(.*)$`)
	xmlElement = regexp.MustCompile(`<([A-Za-z_][\w.-]*)>([^<]+)</([A-Za-z_][\w.-]*)>`)
	xmlKeyAttr = regexp.MustCompile(`(?i)key\s*=\s*"([^"]+)"\s+value\s*=\s*"([^"]*)"`)
	netrcPass  = regexp.MustCompile(`(?:^|\s)(password|passwd|account)\s+(\S+)`)
)

// maxTree bounds the embedded files parsed as trees.
const maxTree = 32 << 10

// assignments reads the name = value pairs of an embedded file: JSON and
// YAML trees, properties, .env and INI files, shell exports, Python and JS
// settings, .npmrc and .netrc entries, and XML settings (Maven, NuGet).
func assignments(name, text string) []assign {
	trimmed := strings.TrimSpace(text)
	if trimmed == "" {
		return nil
	}
	lead := strings.Count(text[:strings.Index(text, trimmed[:1])], "\n")
	// A large file is read as a tree only when it is JSON (dashboards):
	// yamljson builds that without YAML's scanner. Other large files (rule
	// sets) are read line by line: a YAML parse would cost more than the
	// rest of the scan.
	var tree *yaml.Node
	if len(trimmed) > maxTree && strings.Count(trimmed[:min(len(trimmed), 4096)], "\n") > 0 {
		tree, _ = yamljson.Parse([]byte(trimmed))
	} else {
		tree = parseTree(name, trimmed) // JSON first, then YAML
	}
	if tree != nil {
		var out []assign
		walkLeaves(tree, "", nil, func(l leaf) {
			if l.name != "" {
				out = append(out, assign{line: l.val.Line, name: l.name, value: l.val.Value})
			}
		})
		// yaml counts lines from the first non-blank one; map back.
		for i := range out {
			out[i].line += lead
		}
		return out
	}
	var out []assign
	for i, line := range strings.Split(text, "\n") {
		t := strings.TrimSpace(line)
		if !nameHint([]byte(t[:min(len(t), 128)])) && !strings.HasPrefix(t, "machine") && !strings.HasPrefix(t, "default") && !strings.HasPrefix(t, "login") {
			continue // no credential name on this line
		}
		if t == "" || t[0] == '#' || t[0] == ';' || t[0] == '[' || strings.HasPrefix(t, "//") && !strings.Contains(t, ":_") || strings.HasPrefix(t, "<!--") {
			continue
		}
		if m := xmlKeyAttr.FindStringSubmatch(t); m != nil {
			out = append(out, assign{line: i + 1, name: m[1], value: m[2]})
			continue
		}
		if m := xmlElement.FindStringSubmatch(t); m != nil && m[1] == m[3] {
			out = append(out, assign{line: i + 1, name: m[1], value: m[2]})
			continue
		}
		if strings.HasPrefix(t, "<") {
			continue
		}
		if m := netrcPass.FindStringSubmatch(t); m != nil && (strings.HasPrefix(t, "machine") || strings.HasPrefix(t, "default") || strings.HasPrefix(t, "login") || strings.HasPrefix(t, "password")) {
			out = append(out, assign{line: i + 1, name: "password", value: m[2]})
			continue
		}
		m := assignLine.FindStringSubmatch(t)
		if m == nil {
			continue
		}
		key := m[1]
		if j := strings.LastIndex(key, ":"); j >= 0 { // npmrc: //registry/:_authToken
			key = key[j+1:]
		}
		if key == "_auth" {
			key = "auth_token"
		}
		out = append(out, assign{line: i + 1, name: key, value: cleanValue(m[2])})
	}
	return out
}

// parseTree parses JSON and YAML files that hold a mapping or a list.
func parseTree(name, text string) *yaml.Node {
	lower := strings.ToLower(name)
	isTree := text[0] == '{' || text[0] == '[' || strings.HasSuffix(lower, ".yaml") || strings.HasSuffix(lower, ".yml") || strings.HasSuffix(lower, ".json")
	if !isTree && !looksYAML(text) {
		return nil
	}
	root, err := manifest.ParseYAML([]byte(text))
	if err != nil || root == nil || root.Kind != yaml.MappingNode && root.Kind != yaml.SequenceNode {
		return nil
	}
	return root
}

// looksYAML reports text whose first meaningful line is "key: value" or
// "key:" at the left margin, the way YAML files start.
func looksYAML(text string) bool {
	for _, line := range strings.SplitN(text, "\n", 20) {
		t := strings.TrimRight(line, " \r")
		if t == "" || strings.HasPrefix(t, "#") || t == "---" {
			continue
		}
		i := strings.Index(t, ":")
		return i > 0 && (i == len(t)-1 || t[i+1] == ' ') && !strings.ContainsAny(t[:i], " =\"'")
	}
	return false
}

// cleanValue strips quotes, trailing separators and inline comments.
func cleanValue(v string) string {
	v = strings.TrimSpace(v)
	if len(v) >= 2 && (v[0] == '"' || v[0] == '\'' || v[0] == '`') {
		if j := strings.IndexByte(v[1:], v[0]); j >= 0 {
			return v[1 : j+1]
		}
	}
	if j := strings.Index(v, " #"); j >= 0 {
		v = v[:j]
	}
	return strings.TrimRight(strings.TrimSpace(v), ",;")
}

// multiline reports a value that is a file rather than a single value.
func multiline(b []byte) bool { return bytes.Count(bytes.TrimSpace(b), []byte("\n")) > 0 }
