package secrets

import (
	"bytes"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/bulwark-dev/bulwark/internal/manifest"
	"github.com/bulwark-dev/bulwark/internal/rule"
	"github.com/bulwark-dev/bulwark/internal/secret"
)

// objectRule is one structural rule: its metadata, a cheap test on the
// object that needs no parsing, and the check proper, which reports
// through the scope it is given.
type objectRule struct {
	rule.Meta
	// Applies looks at kind, API group or raw bytes only.
	Applies func(obj *manifest.Object) bool
	// Check inspects the object and reports through s.
	Check func(s *scope)
}

// structural runs every structural object rule as one check, so that the
// rules can hand a value over to each other (a Secret key that holds a
// kubeconfig, a weak default password found by any rule) and every value is
// reported once.
type structural struct{}

// Structural is the check that runs every structural object rule.
var Structural rule.ObjectCheck = structural{}

// Rules returns the metadata of every structural object rule.
func (structural) Rules() []*rule.Meta {
	out := make([]*rule.Meta, len(objectRules))
	for i, r := range objectRules {
		out[i] = &r.Meta
	}
	return out
}

// CheckObject runs the rules that apply to obj.
func (structural) CheckObject(obj *manifest.Object) []rule.Hit {
	return analyze(obj).result()
}

// analyze runs the structural rules on obj and returns what they found and
// which scalars they inspected.
func analyze(obj *manifest.Object) *scope {
	s := &scope{obj: obj, data: obj.Data()}
	for _, r := range objectRules {
		if !r.Applies(obj) {
			continue
		}
		if s.root == nil {
			root, err := obj.Root()
			if err != nil || root == nil || root.Kind != yaml.MappingNode {
				return s // the engine reports unreadable objects
			}
			s.root = root
			pos, _ := obj.Pos("")
			s.off = pos.Line - root.Line
		}
		s.rule, s.own = &r.Meta, false
		r.Check(s)
	}
	return s
}

// scope is what the structural rules share while checking one object.
type scope struct {
	obj  *manifest.Object
	data []byte // the document's (or file's) bytes, to find where scalars end
	root *yaml.Node
	off  int        // added to a node's line to get the file line
	rule *rule.Meta // the rule running now
	// own makes the running rule report recognised secrets under its own
	// ID: rules for credential slots (a kubeconfig user, an Argo CD
	// repository, a registry auth) say more than "a private key" would.
	own  bool
	hits []rule.Hit
	// spans are the file lines of every scalar a rule inspected; fps the
	// fingerprints of every secret reported. The content layer uses both
	// to skip what this layer decided.
	spans []span
	fps   map[string]bool
	lines [][]byte // data split into lines, once, on first need
}

// span is an inclusive range of file lines.
type span struct{ from, to int }

// result returns the hits that no bulwark:ignore comment silences, less
// those whose value a chart makes when it is installed (a random password,
// a generated key): such a value is not in the repository.
func (s *scope) result() []rule.Hit {
	if len(s.hits) > 0 && s.obj.Origin != nil {
		kept := s.hits[:0:0]
		for _, h := range s.hits {
			if h.Path == "" || !s.obj.Generated(h.Path) {
				kept = append(kept, h)
			}
		}
		s.hits = kept
	}
	if len(s.hits) == 0 || !bytes.Contains(s.obj.Data(), []byte(ignoreMarker)) {
		return s.hits
	}
	lines := bytes.Split(s.obj.Data(), []byte("\n"))
	lineOff := 0
	if s.root != nil {
		lineOff = s.off
	}
	kept := s.hits[:0:0]
	for _, h := range s.hits {
		line := h.Line
		if line == 0 {
			pos, _ := s.obj.Pos(h.Path)
			line = pos.Line
		}
		if !ignoredAt(lines, line-lineOff, h.Rule) {
			kept = append(kept, h)
		}
	}
	return kept
}

// line returns the file line of a node.
func (s *scope) line(n *yaml.Node) int { return n.Line + s.off }

// cover records that the scalar n (with its key k, which may be nil) was
// inspected.
func (s *scope) cover(k, n *yaml.Node) {
	if n == nil {
		return
	}
	from := s.line(n)
	if k != nil {
		from = s.line(k)
	}
	to := s.line(n)
	if n.Kind == yaml.ScalarNode {
		to = s.scalarEnd(k, n) + s.off
	} else {
		to = lastLine(n) + s.off
	}
	s.spans = append(s.spans, span{from, to})
}

// scalarEnd is the last document line of a scalar's source: a quoted
// scalar runs to its closing quote (escaped line breaks and all), a block
// or plain scalar over the lines indented deeper than its key.
func (s *scope) scalarEnd(k, n *yaml.Node) int {
	end := n.Line
	if n.Style&yaml.LiteralStyle != 0 {
		// The value starts on the line after its indicator, a line per line.
		end += 1 + strings.Count(strings.TrimRight(n.Value, "\n"), "\n")
	}
	if len(s.data) == 0 {
		return end
	}
	if s.lines == nil {
		s.lines = bytes.Split(s.data, []byte("\n"))
	}
	lines := s.lines
	if n.Line < 1 || n.Line > len(lines) {
		return end
	}
	if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 {
		return quotedEnd(lines, n)
	}
	if k == nil {
		return end
	}
	indent := k.Column - 1
	last := n.Line
	for i := n.Line; i < len(lines); i++ { // lines[i] is line i+1
		t := bytes.TrimRight(lines[i], " \t\r")
		if len(t) == 0 {
			continue
		}
		if len(t)-len(bytes.TrimLeft(t, " ")) <= indent {
			break
		}
		last = i + 1
	}
	return max(end, last)
}

// quotedEnd finds the line of a quoted scalar's closing quote.
func quotedEnd(lines [][]byte, n *yaml.Node) int {
	q := byte('"')
	if n.Style&yaml.SingleQuotedStyle != 0 {
		q = '\''
	}
	col := n.Column // 1-based column of the opening quote; scan after it
	for l := n.Line; l <= len(lines); l++ {
		line := lines[l-1]
		i := 0
		if l == n.Line {
			i = col
		}
		for ; i < len(line); i++ {
			switch {
			case q == '"' && line[i] == '\\':
				i++
			case line[i] == q && q == '\'' && i+1 < len(line) && line[i+1] == '\'':
				i++
			case line[i] == q:
				return l
			}
		}
	}
	return n.Line
}

// lastLine is the last document line a node's subtree reaches.
func lastLine(n *yaml.Node) int {
	last := n.Line
	for _, c := range n.Content {
		if l := lastLine(c); l > last {
			last = l
		}
	}
	if n.Kind == yaml.ScalarNode {
		last += strings.Count(strings.TrimRight(n.Value, "\n"), "\n")
		if n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
			last++
		}
	}
	return last
}

// add records a hit of the running rule (or of h.Rule when set).
func (s *scope) add(h rule.Hit) {
	if h.Rule == "" {
		h.Rule = s.rule.ID
	}
	for _, o := range s.hits {
		if o.Rule == h.Rule && o.Path == h.Path && o.Key == h.Key && o.Line == h.Line {
			return // one value found twice (a registry's auth and password)
		}
	}
	if strings.HasPrefix(h.Key, "sha256:") {
		if s.fps == nil {
			s.fps = map[string]bool{}
		}
		s.fps[h.Key] = true
	}
	s.hits = append(s.hits, h)
}

// val is one scalar a rule judges.
type val struct {
	path  string // field path of the value, for the position
	where string // what the value is, for the message: `Secret key "password"`
	name  string // the key or variable name the value is assigned to
	value string // the value to judge, decoded
	// named says the place holds a credential by its name or type (a
	// password field, Secret data): a literal there is reported even when
	// no content rule recognises it. Otherwise only recognised secrets are.
	named bool
	// loose relaxes the checks on named places whose name is only a hint
	// (env names, config keys): numbers, single words and object names do
	// not count as credentials there.
	loose bool
	line  int           // file line, when the value is not at path's node
	sev   rule.Severity // severity of the running rule's hit, if not its default
}

// value judges one value and reports it: as the content rule that
// recognises it, as a weak default, or as the running rule. It returns
// whether it reported.
func (s *scope) value(v val) bool {
	if v.named && secret.WeakDefault(v.value) && (!v.loose || passwordName(v.name)) {
		s.add(rule.Hit{
			Rule: weakDefault.ID, Path: v.path, Line: v.line,
			Message:  v.where + " holds a well-known default password",
			Evidence: secret.Redact(v.value), Key: secret.Fingerprint(fingerprintKey(), v.value),
		})
		return true
	}
	if m, ok := classify(v.value); ok {
		s.add(s.contentHit(m, v.path, v.where, v.line))
		return true
	}
	if !v.named || secret.IsPlaceholder(v.value) || passwordHash(v.value) || v.loose && !credentialLike(v.value) {
		return false
	}
	s.add(rule.Hit{
		Path: v.path, Line: v.line, Severity: v.sev,
		Message:  v.where + " holds a plain-text credential",
		Evidence: secret.Redact(v.value), Key: secret.Fingerprint(fingerprintKey(), v.value),
	})
	return true
}

// classify runs the content detectors on one value and returns the match
// of the most severe rule, earliest first.
func classify(value string) (secret.Match, bool) {
	if len(value) < 8 {
		return secret.Match{}, false
	}
	ms := secret.Default().Scan([]byte(value))
	if len(ms) == 0 {
		return secret.Match{}, false
	}
	best := ms[0]
	for _, m := range ms[1:] {
		if m.Rule.Severity > best.Rule.Severity {
			best = m
		}
	}
	return best, true
}

// contentHit reports a content rule's match found at a structural place:
// as that rule, or as the running rule when it owns its slot.
func (s *scope) contentHit(m secret.Match, path, where string, line int) rule.Hit {
	h := rule.Hit{
		Rule: m.Rule.ID, Path: path, Line: line,
		Message:  where + " holds " + phrase(m.Rule) + " in plain text",
		Evidence: m.Secret.String(), Key: m.Secret.Fingerprint(fingerprintKey()),
	}
	if s.own {
		h.Rule, h.Severity = s.rule.ID, max(s.rule.Severity, m.Rule.Severity)
	}
	return h
}

// phrase names what a content rule found, for "... holds <phrase>".
func phrase(r *secret.Rule) string {
	switch r.ID {
	case "BW-SE-102":
		return "a private key"
	case "BW-SE-126":
		return "credentials in a URL"
	case "BW-SE-127":
		return "a hard-coded secret"
	}
	t := r.Title
	if strings.ContainsRune("aeiouAEIOU", rune(t[0])) || strings.HasPrefix(t, "npm") {
		return "an " + t
	}
	return "a " + t
}

// where is how a tree that a rule walks maps to the file: the object's own
// fields, or a document embedded in one of its values (a kubeconfig in a
// Secret, a values string in an Application).
type where struct {
	file     bool // the tree is a whole file (a values file): nodes carry file lines
	embedded bool
	outer    string // the field holding the embedded document
	first    int    // file line of the embedded text's first line, or 0
}

// place returns the path and line to report for a node of the tree.
func (s *scope) place(w where, path string, n *yaml.Node) (string, int) {
	if w.file && n != nil {
		return path, n.Line
	}
	if !w.embedded {
		return path, 0
	}
	if w.first > 0 && n != nil {
		return w.outer, w.first + n.Line - 1
	}
	return w.outer, 0
}

// coverTree records an object's own subtree as inspected; embedded trees
// are covered by the scalar that holds them.
func (s *scope) coverTree(w where, k, n *yaml.Node) {
	if !w.embedded {
		s.cover(k, n)
	}
}
