// Package yamljson reads JSON text into the yaml.v3 nodes
// go.yaml.in/yaml/v3 builds for it (JSON is YAML's flow style), several
// times faster. The admission webhook receives every object as JSON, and
// the rules read yaml.v3 trees with their lines and columns; going through
// YAML's scanner cost half of a review. Input outside the subset read
// exactly as yaml.v3 reads it (tabs, carriage returns, characters YAML
// forbids or takes for line breaks, keys far from or on another line than
// their colon, escapes YAML lacks, deep nesting, anything that is not
// JSON) makes Parse give up,
// and the caller parses with yaml.v3, which also reports the errors: this
// package never decides that a document is invalid.
package yamljson

import (
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// maxDepth bounds nesting, far below yaml.v3's own limit.
const maxDepth = 256

// maxKeySpan keeps a key and its colon within YAML's 1,024-character limit
// on implicit keys, beyond which yaml.v3 reads the pair differently.
const maxKeySpan = 1000

// Parse returns the root node of a JSON object or array, or false when the
// text is not in the subset this package reads exactly as yaml.v3 does.
func Parse(data []byte) (*yaml.Node, bool) {
	p := &parser{src: data, line: 1}
	p.space()
	if p.i >= len(p.src) || p.src[p.i] != '{' && p.src[p.i] != '[' {
		return nil, false
	}
	n := p.value(0)
	if n == nil {
		return nil, false
	}
	p.space()
	if p.i != len(p.src) {
		return nil, false
	}
	return n, true
}

type parser struct {
	src       []byte
	i         int
	line      int  // 1-based line of src[i]
	lineStart int  // offset of the line's first byte
	wide      bool // the line has multi-byte characters: columns count characters
	// colOff and colN remember the last column counted on a wide line, so
	// a long one-line document is counted once, not once per node.
	colOff, colN int
	slab         []yaml.Node
	buf          []byte // unescaped string under construction
}

func (p *parser) node(kind yaml.Kind, tag, value string, line, col int) *yaml.Node {
	if len(p.slab) == 0 {
		p.slab = make([]yaml.Node, 64)
	}
	n := &p.slab[0]
	p.slab = p.slab[1:]
	n.Kind, n.Tag, n.Value, n.Line, n.Column = kind, tag, value, line, col
	return n
}

// space skips spaces and line feeds. Tabs and carriage returns, which JSON
// allows, are left for yaml.v3: its rules for them depend on context.
func (p *parser) space() {
	for p.i < len(p.src) {
		switch p.src[p.i] {
		case ' ':
		case '\n':
			p.line++
			p.lineStart, p.wide = p.i+1, false
		default:
			return
		}
		p.i++
	}
}

func (p *parser) col() int { return p.colAt(p.i) }

// colAt is yaml.v3's 1-based column of byte offset i on the current line:
// it counts characters, not bytes.
func (p *parser) colAt(i int) int {
	if !p.wide {
		return i - p.lineStart + 1
	}
	if p.colOff < p.lineStart || p.colOff > i {
		p.colOff, p.colN = p.lineStart, 0
	}
	p.colN += utf8.RuneCount(p.src[p.colOff:i])
	p.colOff = i
	return p.colN + 1
}

// char accepts the multi-byte character at p.i that a string may hold
// as it is: one yaml.v3 reads without complaint and not as a line break.
func (p *parser) char() bool {
	r, size := utf8.DecodeRune(p.src[p.i:])
	switch {
	case r == utf8.RuneError, r < 0xA0, r == 0x2028, r == 0x2029, r == 0xFEFF,
		r >= 0xD800 && r < 0xE000, r == 0xFFFE, r == 0xFFFF:
		return false
	}
	p.i += size
	p.wide = true
	return true
}

// value reads one JSON value at p.i (no leading space), or returns nil.
func (p *parser) value(depth int) *yaml.Node {
	if p.i >= len(p.src) || depth > maxDepth {
		return nil
	}
	switch c := p.src[p.i]; {
	case c == '{':
		return p.mapping(depth)
	case c == '[':
		return p.sequence(depth)
	case c == '"':
		return p.str()
	default:
		return p.scalar()
	}
}

func (p *parser) mapping(depth int) *yaml.Node {
	m, done := p.open(yaml.MappingNode, "!!map", '}')
	for !done {
		if p.i >= len(p.src) || p.src[p.i] != '"' {
			return nil
		}
		keyAt, keyLine := p.i, p.line
		k := p.str()
		if k == nil {
			return nil
		}
		p.space()
		if p.i >= len(p.src) || p.src[p.i] != ':' || p.line != keyLine || p.i-keyAt > maxKeySpan {
			return nil
		}
		p.i++
		p.space()
		v := p.value(depth + 1)
		if v == nil {
			return nil
		}
		m.Content = append(m.Content, k, v)
		var ok bool
		if done, ok = p.next('}'); !ok {
			return nil
		}
	}
	return m
}

func (p *parser) sequence(depth int) *yaml.Node {
	s, done := p.open(yaml.SequenceNode, "!!seq", ']')
	for !done {
		v := p.value(depth + 1)
		if v == nil {
			return nil
		}
		s.Content = append(s.Content, v)
		var ok bool
		if done, ok = p.next(']'); !ok {
			return nil
		}
	}
	return s
}

// open starts a flow collection at its opening bracket, and reports
// whether it is empty (closed at once).
func (p *parser) open(kind yaml.Kind, tag string, closing byte) (*yaml.Node, bool) {
	n := p.node(kind, tag, "", p.line, p.col())
	n.Style = yaml.FlowStyle
	p.i++
	p.space()
	if p.i < len(p.src) && p.src[p.i] == closing {
		p.i++
		return n, true
	}
	return n, false
}

// next reads what follows an entry: a comma (more entries) or the closing
// bracket (done); ok is false for anything else.
func (p *parser) next(closing byte) (done, ok bool) {
	p.space()
	if p.i >= len(p.src) {
		return false, false
	}
	switch p.src[p.i] {
	case ',':
		p.i++
		p.space()
		return false, true
	case closing:
		p.i++
		return true, true
	}
	return false, false
}

// str reads a JSON string as yaml.v3 reads a double-quoted scalar.
func (p *parser) str() *yaml.Node {
	line, col := p.line, p.col()
	p.i++
	start := p.i
	for p.i < len(p.src) {
		c := p.src[p.i]
		switch {
		case c == '"':
			n := p.node(yaml.ScalarNode, "!!str", string(p.src[start:p.i]), line, col)
			n.Style = yaml.DoubleQuotedStyle
			p.i++
			return n
		case c == '\\':
			return p.escaped(start, line, col)
		case c >= utf8.RuneSelf:
			if !p.char() {
				return nil
			}
			continue
		case c < 0x20 || c == 0x7f:
			return nil
		}
		p.i++
	}
	return nil
}

// escaped finishes a string that has escapes, from its first backslash.
func (p *parser) escaped(start, line, col int) *yaml.Node {
	b := append(p.buf[:0], p.src[start:p.i]...)
	for p.i < len(p.src) {
		c := p.src[p.i]
		switch {
		case c == '"':
			p.buf = b
			n := p.node(yaml.ScalarNode, "!!str", string(b), line, col)
			n.Style = yaml.DoubleQuotedStyle
			p.i++
			return n
		case c >= utf8.RuneSelf:
			from := p.i
			if !p.char() {
				return nil
			}
			b = append(b, p.src[from:p.i]...)
			continue
		case c < 0x20 || c == 0x7f:
			return nil
		case c != '\\':
			b = append(b, c)
			p.i++
			continue
		}
		if p.i+1 >= len(p.src) {
			return nil
		}
		switch e := p.src[p.i+1]; e {
		case '"', '\\':
			b = append(b, e)
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'u':
			r, ok := hex4(p.src[p.i+2:])
			if !ok || r >= 0xD800 && r < 0xE000 {
				return nil // surrogates: yaml.v3 refuses them, and so must the caller
			}
			b = utf8.AppendRune(b, r)
			p.i += 4
		default: // "\/", which YAML has no escape for, and everything not JSON
			return nil
		}
		p.i += 2
	}
	return nil
}

func hex4(s []byte) (rune, bool) {
	if len(s) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range s[:4] {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}

// scalar reads a number, true, false or null: a plain scalar, tagged as
// yaml.v3 resolves it.
func (p *parser) scalar() *yaml.Node {
	start := p.i
	for p.i < len(p.src) && strings.IndexByte("+-.0123456789eEtruefalsn", p.src[p.i]) >= 0 {
		p.i++
	}
	text := string(p.src[start:p.i])
	if !jsonLiteral(text) {
		return nil
	}
	n := p.node(yaml.ScalarNode, "", text, p.line, p.colAt(start))
	n.Tag = n.ShortTag() // yaml.v3's resolution of a plain scalar
	return n
}

// jsonLiteral reports whether s is a JSON number, true, false or null.
func jsonLiteral(s string) bool {
	switch s {
	case "true", "false", "null":
		return true
	case "":
		return false
	}
	i := 0
	if s[i] == '-' {
		i++
	}
	digits := func() int {
		n := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			n++
		}
		return n
	}
	if i < len(s) && s[i] == '0' {
		i++
	} else if digits() == 0 {
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == len(s)
}
