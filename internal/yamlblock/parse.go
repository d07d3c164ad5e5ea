// Package yamlblock parses the block-style YAML that Kubernetes manifests are
// written in (mappings, sequences, plain and quoted scalars with their
// common escapes, multi-line double-quoted scalars, literal block scalars,
// flow sequences of scalars, comments) into the same yaml.v3 nodes
// go.yaml.in/yaml/v3 builds, several times faster. Anything outside that
// subset (flow mappings, anchors, tags, folded or multi-line plain
// scalars, rare escapes, tabs in indentation, odd characters) makes Parse
// give up, and the caller parses
// with yaml.v3, which also reports the errors: this package never decides
// that a document is invalid.
package yamlblock

import (
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// Parse returns the root node of a one-document YAML stream whose root is a
// block mapping or sequence, or false when the document is not in the
// subset this package reads exactly as yaml.v3 does.
func Parse(data []byte) (*yaml.Node, bool) {
	if !plainText(data) {
		return nil, false
	}
	p := &parser{src: string(data)}
	p.splitLines()
	if p.failed {
		return nil, false
	}
	p.skipBlank()
	if p.i >= len(p.lines) {
		return nil, false
	}
	l := p.lines[p.i]
	if l.indent != 0 {
		return nil, false
	}
	n := p.block(0, -1)
	if n == nil || p.failed {
		return nil, false
	}
	p.skipBlank()
	if p.i < len(p.lines) {
		return nil, false // content after the root: an error for yaml.v3 to report
	}
	return n, true
}

// plainText accepts UTF-8 without control characters other than tab and
// line feed, and without the byte-order mark or characters YAML forbids.
func plainText(data []byte) bool {
	for i := 0; i < len(data); {
		c := data[i]
		if c < utf8.RuneSelf {
			if c < 0x20 && c != '\n' && c != '\t' || c == 0x7f {
				return false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError || r == 0xFEFF || r < 0xA0 && r != 0x85 || r >= 0xD800 && r < 0xE000 || r == 0xFFFE || r == 0xFFFF {
			return false
		}
		i += size
	}
	return true
}

type line struct {
	start, end int // byte offsets of the line's text, without the line break
	indent     int // leading spaces
	blank      bool
	nl         bool // ends with a line break
}

type parser struct {
	src    string
	lines  []line
	i      int // current line
	failed bool
	slab   []yaml.Node // nodes are cut from blocks, not allocated one by one
	nodes  int
}

func (p *parser) splitLines() {
	p.lines = make([]line, 0, strings.Count(p.src, "\n")+1)
	for off := 0; off < len(p.src); {
		end, next, nl := len(p.src), len(p.src), false
		if k := strings.IndexByte(p.src[off:], '\n'); k >= 0 {
			end, next, nl = off+k, off+k+1, true
		}
		t := p.src[off:end]
		if strings.HasPrefix(t, "---") || strings.HasPrefix(t, "...") {
			p.failed = true // a document marker inside the document
		}
		ind := len(t) - len(strings.TrimLeft(t, " "))
		rest := t[ind:]
		blank := len(rest) == 0 || rest[0] == '#'
		if !blank && rest[0] == '\t' {
			ind = -1 // a tab in the indentation: refused where it matters
		}
		p.lines = append(p.lines, line{start: off, end: end, indent: ind, blank: blank, nl: nl})
		off = next
	}
}

func (p *parser) fail() *yaml.Node {
	p.failed = true
	return nil
}

// skipBlank moves past blank and comment-only lines.
func (p *parser) skipBlank() {
	for p.i < len(p.lines) && p.lines[p.i].blank {
		p.i++
	}
}

func (p *parser) node(kind yaml.Kind, tag, value string, ln, col int) *yaml.Node {
	if len(p.slab) == 0 {
		// A line holds a node or two: size the first block by the
		// document, later ones small.
		n := 64
		if p.nodes == 0 {
			n = min(len(p.lines)+2, 256)
		}
		p.slab = make([]yaml.Node, n)
	}
	p.nodes++
	n := &p.slab[0]
	p.slab = p.slab[1:]
	n.Kind, n.Tag, n.Value, n.Line, n.Column = kind, tag, value, ln, col
	return n
}

// column turns a byte offset in line l into yaml.v3's 1-based column, which
// counts characters.
func (p *parser) column(l line, off int) int {
	s := p.src[l.start:off]
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return utf8.RuneCountInString(s) + 1
		}
	}
	return len(s) + 1
}

// block parses the node that starts at the current line's indentation, a
// mapping or a sequence. parent is the indentation of the enclosing block
// (-1 at the root).
func (p *parser) block(indent, parent int) *yaml.Node {
	l := p.lines[p.i]
	if l.indent != indent || indent <= parent {
		return p.fail()
	}
	if p.isDash(l, l.start+indent) {
		return p.sequence(indent)
	}
	return p.mapping(indent, l.start+indent)
}

func (p *parser) isDash(l line, off int) bool {
	return off < l.end && p.src[off] == '-' && (off+1 == l.end || p.src[off+1] == ' ')
}

// mapping parses a block mapping whose keys stand at column indent; the first
// key starts at byte offset first of the current line (after "- " when the
// mapping is a sequence entry).
func (p *parser) mapping(indent, first int) *yaml.Node {
	l := p.lines[p.i]
	m := p.node(yaml.MappingNode, "!!map", "", p.i+1, p.column(l, first))
	off := first
	for {
		key, after := p.key(p.lines[p.i], off)
		if key == nil {
			return p.fail()
		}
		val := p.value(indent, after)
		if val == nil {
			return p.fail()
		}
		m.Content = append(m.Content, key, val)
		p.skipBlank()
		if p.i >= len(p.lines) {
			return m
		}
		next := p.lines[p.i]
		if next.indent < indent {
			return m
		}
		if next.indent > indent || p.isDash(next, next.start+indent) {
			return p.fail()
		}
		off = next.start + indent
	}
}

// key reads "key:" at off in line l and returns the key node and the offset
// just after the colon.
func (p *parser) key(l line, off int) (*yaml.Node, int) {
	s := p.src[off:l.end]
	if s == "" {
		return nil, 0
	}

	col := p.column(l, off)
	switch s[0] {
	case '"', '\'':
		v, n, style, ok := quoted(s)
		if !ok || n > 1000 {
			return nil, 0
		}
		rest := strings.TrimLeft(s[n:], " ")
		if rest == "" || rest[0] != ':' || len(rest) > 1 && rest[1] != ' ' {
			return nil, 0
		}
		k := p.node(yaml.ScalarNode, "!!str", v, p.i+1, col)
		k.Style = style
		return k, off + len(s) - len(rest) + 1
	}
	if !plainStart(s) {
		return nil, 0
	}
	colon := -1
	for j := 0; j < len(s); j++ {
		switch s[j] {
		case ':':
			if j+1 == len(s) || s[j+1] == ' ' {
				colon = j
			}
		case '#':
			if j > 0 && s[j-1] == ' ' {
				return nil, 0 // a comment before the colon: not a key
			}
		case '\t':
			return nil, 0
		}
		if colon >= 0 {
			break
		}
	}
	if colon <= 0 || colon > 1000 {
		return nil, 0 // YAML limits simple keys to 1024 characters
	}
	v := strings.TrimRight(s[:colon], " ")
	if v == "<<" || v == "" {
		return nil, 0 // merge keys are yaml.v3's
	}
	return p.node(yaml.ScalarNode, plainTag(v), v, p.i+1, col), off + colon + 1
}

// value parses what follows "key:" (at offset after in the current line) for
// a mapping whose keys stand at indent.
func (p *parser) value(indent, after int) *yaml.Node {
	l := p.lines[p.i]
	rest := p.src[after:l.end]
	trimmed := strings.TrimLeft(rest, " ")
	if trimmed == "" || trimmed[0] == '#' {
		if trimmed != "" && len(trimmed) == len(rest) {
			return p.fail() // "key:#": not a comment
		}
		// The value is on the next lines, or empty.
		emptyCol := p.column(l, after)
		emptyLine := p.i + 1
		p.i++
		p.skipBlank()
		if p.i < len(p.lines) {
			next := p.lines[p.i]
			if next.indent > indent {
				return p.block(next.indent, indent)
			}
			if next.indent == indent && p.isDash(next, next.start+indent) {
				return p.sequence(indent)
			}
		}
		return p.node(yaml.ScalarNode, "!!null", "", emptyLine, emptyCol)
	}
	if strings.IndexByte(rest[:len(rest)-len(trimmed)], '\t') >= 0 {
		return p.fail()
	}
	return p.scalar(indent, after+len(rest)-len(trimmed))
}

// scalar parses a scalar starting at byte offset off of the current line,
// inside a block whose indentation is indent, and moves to the next line.
func (p *parser) scalar(indent, off int) *yaml.Node {
	l := p.lines[p.i]
	s := p.src[off:l.end]
	ln, col := p.i+1, p.column(l, off)
	switch s[0] {
	case '|':
		return p.literal(indent, s, col)
	case '[', '{':
		n := p.flow(s, off)
		if n == nil {
			return p.fail()
		}
		n.Line, n.Column = ln, col
		p.i++
		return n
	case '"', '\'':
		v, n, style, ok := quoted(s)
		if !ok && s[0] == '"' {
			return p.multiQuoted(indent, off)
		}
		if !ok || !trailingComment(s[n:]) {
			return p.fail()
		}
		sc := p.node(yaml.ScalarNode, "!!str", v, ln, col)
		sc.Style = style
		p.i++
		return sc
	}
	if !plainStart(s) {
		return p.fail()
	}
	v := s
	for j := 0; j < len(s); j++ {
		switch s[j] {
		case ':':
			if j+1 == len(s) || s[j+1] == ' ' {
				return p.fail() // a mapping where a scalar was expected
			}
		case '#':
			if s[j-1] == ' ' {
				v = s[:j]
				j = len(s)
			}
		case '\t':
			return p.fail()
		}
	}
	v = strings.TrimRight(v, " ")
	if v == "<<" {
		return p.fail()
	}
	p.i++
	// A more indented line after a plain scalar continues it.
	for k := p.i; k < len(p.lines); k++ {
		if p.lines[k].blank {
			if p.lines[k].indent > indent && strings.TrimSpace(p.src[p.lines[k].start:p.lines[k].end]) == "" {
				return p.fail() // an empty line inside a multi-line scalar, maybe
			}
			continue
		}
		if p.lines[k].indent > indent || p.lines[k].indent < 0 {
			return p.fail()
		}
		break
	}
	return p.node(yaml.ScalarNode, plainTag(v), v, ln, col)
}

// multiQuoted parses a double-quoted scalar that starts at byte offset off
// of the current line and ends on a later one (dashboards are often
// written so). Its lines are folded as yaml.v3 folds them: a line break
// becomes a space, or as many line feeds as there are empty lines after
// it; the blanks around a break go, and an escaped break joins the lines.
// Continuation lines must be indented past the enclosing block, and blanks
// next to a break must be spaces; anything else is left to yaml.v3.
func (p *parser) multiQuoted(indent, off int) *yaml.Node {
	ln, col := p.i+1, p.column(p.lines[p.i], off)
	var b strings.Builder
	text := p.src[off+1 : p.lines[p.i].end]
	breaks := -1 // line breaks to fold before text; -1 on the first line
	escaped := false
	for {
		end := closingQuote(text)
		seg := text
		if end >= 0 {
			seg = text[:end]
		}
		if breaks == 1 && !escaped {
			b.WriteByte(' ')
		} else if breaks > 1 {
			b.WriteString(strings.Repeat("\n", breaks-1))
		}
		escaped = false
		if end < 0 {
			// The line ends inside the scalar: drop the blanks before the
			// break, or the backslash that escapes it.
			if backslashes(seg)%2 == 1 {
				seg, escaped = seg[:len(seg)-1], true
			} else {
				seg = strings.TrimRight(seg, " ")
				if strings.HasSuffix(seg, "\t") || backslashes(seg)%2 == 1 {
					return p.fail() // a tab, or an escaped blank, before the break
				}
			}
		}
		v, ok := unescape(seg)
		if !ok {
			return p.fail()
		}
		b.WriteString(v)
		if end >= 0 {
			if !trailingComment(text[end+1:]) {
				return p.fail()
			}
			p.i++
			sc := p.node(yaml.ScalarNode, "!!str", b.String(), ln, col)
			sc.Style = yaml.DoubleQuotedStyle
			return sc
		}
		// Move to the next line with text, counting the breaks.
		breaks = 0
		for {
			p.i++
			breaks++
			if p.i >= len(p.lines) || !p.lines[p.i-1].nl {
				return p.fail() // no closing quote: yaml.v3's error
			}
			l := p.lines[p.i]
			t := p.src[l.start:l.end]
			lead := strings.TrimLeft(t, " ")
			if lead == "" {
				continue
			}
			if lead[0] == '\t' || len(t)-len(lead) <= indent {
				return p.fail()
			}
			text = lead
			break
		}
	}
}

// backslashes counts the backslashes that end s.
func backslashes(s string) int {
	return len(s) - len(strings.TrimRight(s, "\\"))
}

// closingQuote returns the index in s of the double quote that ends a
// double-quoted scalar, skipping escapes, or -1.
func closingQuote(s string) int {
	for j := 0; j < len(s); j++ {
		switch s[j] {
		case '\\':
			j++
		case '"':
			return j
		}
	}
	return -1
}

// sequence parses a block sequence whose dashes stand at column indent.
func (p *parser) sequence(indent int) *yaml.Node {
	l := p.lines[p.i]
	seq := p.node(yaml.SequenceNode, "!!seq", "", p.i+1, p.column(l, l.start+indent))
	for {
		l = p.lines[p.i]
		off := l.start + indent + 1
		for off < l.end && p.src[off] == ' ' {
			off++
		}
		rest := p.src[off:l.end]
		var item *yaml.Node
		switch {
		case rest == "" || rest[0] == '#' || rest[0] == '\t':
			return p.fail() // an entry on the next lines, or empty: yaml.v3's
		case p.isDash(l, off):
			return p.fail()
		case isKeyLine(rest):
			item = p.mapping(off-l.start, off)
		default:
			item = p.scalar(indent, off)
		}
		if item == nil {
			return p.fail()
		}
		seq.Content = append(seq.Content, item)
		p.skipBlank()
		if p.i >= len(p.lines) {
			return seq
		}
		next := p.lines[p.i]
		if next.indent < indent || next.indent == indent && !p.isDash(next, next.start+indent) {
			return seq
		}
		if next.indent != indent {
			return p.fail()
		}
	}
}

// isKeyLine reports whether s starts with a mapping key: a plain or quoted
// scalar followed by ": " or a final ":".
func isKeyLine(s string) bool {
	if s[0] == '"' || s[0] == '\'' {
		_, n, _, ok := quoted(s)
		if !ok {
			return false
		}
		rest := strings.TrimLeft(s[n:], " ")
		return rest != "" && rest[0] == ':' && (len(rest) == 1 || rest[1] == ' ')
	}
	for j := 0; j < len(s); j++ {
		if s[j] == ':' && (j+1 == len(s) || s[j+1] == ' ') {
			return true
		}
		if s[j] == '#' && j > 0 && s[j-1] == ' ' {
			return false
		}
	}
	return false
}

// literal parses a literal block scalar whose header "|..." starts s; the
// block around it is at indent.
func (p *parser) literal(indent int, s string, col int) *yaml.Node {
	header := s[1:]
	chomp, explicit := byte(0), 0
	for len(header) > 0 && header[0] != ' ' {
		switch c := header[0]; {
		case (c == '-' || c == '+') && chomp == 0:
			chomp = c
		case c >= '1' && c <= '9' && explicit == 0:
			explicit = int(c - '0')
		default:
			return p.fail()
		}
		header = header[1:]
	}
	if !trailingComment(header) {
		return p.fail()
	}
	ln := p.i + 1
	p.i++
	// Find the content's indentation.
	bi := 0
	if explicit > 0 {
		bi = max(indent, 0) + explicit
	}
	var b strings.Builder
	pendingNL := 0 // line breaks not yet written: empty lines, chomped at the end
	started, eof := false, false
	for p.i < len(p.lines) {
		l := p.lines[p.i]
		t := p.src[l.start:l.end]
		spaces := len(t) - len(strings.TrimLeft(t, " "))
		if spaces == len(t) && (bi == 0 || spaces <= bi) { // an empty line
			if !started && bi == 0 && spaces > 0 {
				return p.fail() // leading space-only lines: yaml.v3 has rules for those
			}
			if !l.nl {
				break
			}
			pendingNL++
			p.i++
			continue
		}
		if bi == 0 {
			if spaces <= indent || t[spaces] == '\t' {
				break // no content: an empty scalar
			}
			bi = spaces
		}
		if spaces < bi {
			break
		}
		if started {
			pendingNL++
		}
		for ; pendingNL > 0; pendingNL-- {
			b.WriteByte('\n')
		}
		b.WriteString(t[bi:])
		started = true
		p.i++
		if !l.nl {
			eof = true // the stream ends without a last line break
			break
		}
	}
	if started && !eof {
		pendingNL++ // the last content line's break
	}
	v := b.String()
	switch {
	case chomp == '+':
		v += strings.Repeat("\n", pendingNL)
	case chomp == 0 && started && !eof:
		v += "\n"
	}
	if p.i < len(p.lines) && p.lines[p.i].indent < 0 {
		return p.fail()
	}
	n := p.node(yaml.ScalarNode, "!!str", v, ln, col)
	n.Style = yaml.LiteralStyle
	return n
}

// flow reads an empty flow mapping, or a flow sequence of scalars, that
// ends on its line; s starts at the opening bracket, at byte offset off.
func (p *parser) flow(s string, off int) *yaml.Node {
	l := p.lines[p.i]
	if s[0] == '{' {
		t := strings.TrimLeft(s[1:], " ")
		if t == "" || t[0] != '}' || !trailingComment(t[1:]) {
			return nil
		}
		n := p.node(yaml.MappingNode, "!!map", "", 0, 0)
		n.Style = yaml.FlowStyle
		return n
	}
	seq := p.node(yaml.SequenceNode, "!!seq", "", 0, 0)
	seq.Style = yaml.FlowStyle
	j := 1
	for {
		for j < len(s) && s[j] == ' ' {
			j++
		}
		if j == len(s) {
			return nil
		}
		if s[j] == ']' {
			if len(seq.Content) > 0 || !trailingComment(s[j+1:]) {
				return nil // "[a, ]": yaml.v3's to judge
			}
			return seq
		}
		col := p.column(l, off+j)
		var item *yaml.Node
		if s[j] == '"' || s[j] == '\'' {
			v, n, style, ok := quoted(s[j:])
			if !ok {
				return nil
			}
			item = p.node(yaml.ScalarNode, "!!str", v, p.i+1, col)
			item.Style = style
			j += n
		} else {
			end := j
			for end < len(s) && !strings.ContainsRune(",[]{}#:'\"\t", rune(s[end])) {
				end++
			}
			v := strings.TrimRight(s[j:end], " ")
			if v == "" || !plainStart(v) || v == "<<" {
				return nil
			}
			item = p.node(yaml.ScalarNode, plainTag(v), v, p.i+1, col)
			j = end
		}
		seq.Content = append(seq.Content, item)
		for j < len(s) && s[j] == ' ' {
			j++
		}
		switch {
		case j < len(s) && s[j] == ',':
			j++
		case j < len(s) && s[j] == ']':
			if !trailingComment(s[j+1:]) {
				return nil
			}
			return seq
		default:
			return nil
		}
	}
}

// quoted reads a quoted scalar that ends on its line and returns its value,
// its length in s and its style.
func quoted(s string) (string, int, yaml.Style, bool) {
	q := s[0]
	if q == '"' {
		for j := 1; j < len(s); j++ {
			switch s[j] {
			case '\\':
				j++
			case '"':
				inner := s[1:j]
				if strings.IndexByte(inner, '\\') < 0 {
					return inner, j + 1, yaml.DoubleQuotedStyle, true
				}
				v, ok := unescape(inner)
				return v, j + 1, yaml.DoubleQuotedStyle, ok
			}
		}
		return "", 0, 0, false
	}
	for j := 1; j < len(s); j++ {
		if s[j] != '\'' {
			continue
		}
		if j+1 < len(s) && s[j+1] == '\'' {
			j++ // an escaped quote
			continue
		}
		return strings.ReplaceAll(s[1:j], "''", "'"), j + 1, yaml.SingleQuotedStyle, true
	}
	return "", 0, 0, false
}

// trailingComment accepts what may follow a scalar on its line: blanks and
// a comment after a blank.
func trailingComment(s string) bool {
	t := strings.TrimLeft(s, " ")
	return t == "" || t[0] == '#' && len(t) < len(s)
}

// plainStart reports whether s may start a plain scalar in block context.
func plainStart(s string) bool {
	switch s[0] {
	case ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`', '\t', ' ':
		return false
	case '-', '?', ':':
		return len(s) > 1 && s[1] != ' ' && s[1] != '\t'
	}
	return true
}

// plainTag resolves a plain scalar's tag the way yaml.v3 does, by asking it.
func plainTag(v string) string {
	// yaml.v3 reads as a string, without further look, a plain scalar
	// whose first letter cannot start a number, boolean, null or special
	// float; only the others need its resolver.
	if c := v[0] | 0x20; c >= 'a' && c <= 'z' && !strings.ContainsRune("ynftoYNFTO", rune(v[0])) {
		return "!!str"
	}
	n := yaml.Node{Kind: yaml.ScalarNode, Value: v}
	return n.ShortTag()
}

// unescape interprets the escapes of a one-line double-quoted scalar as
// yaml.v3 does; it refuses the rare ones it does not know.
func unescape(s string) (string, bool) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		i++
		if i == len(s) {
			return "", false
		}
		width := 0
		switch s[i] {
		case '0':
			b.WriteByte(0)
		case 'a':
			b.WriteByte('\a')
		case 'b':
			b.WriteByte('\b')
		case 't', '\t':
			b.WriteByte('\t')
		case 'n':
			b.WriteByte('\n')
		case 'v':
			b.WriteByte('\v')
		case 'f':
			b.WriteByte('\f')
		case 'r':
			b.WriteByte('\r')
		case 'e':
			b.WriteByte(0x1b)
		case ' ', '"', '/', '\\':
			if s[i] == '/' {
				return "", false // yaml.v3 does not know it
			}
			b.WriteByte(s[i])
		case 'N':
			b.WriteString("\u0085")
		case '_':
			b.WriteString("\u00a0")
		case 'L':
			b.WriteString("\u2028")
		case 'P':
			b.WriteString("\u2029")
		case 'x':
			width = 2
		case 'u':
			width = 4
		case 'U':
			width = 8
		default:
			return "", false
		}
		if width > 0 {
			if i+width >= len(s) {
				return "", false
			}
			var r rune
			for _, h := range s[i+1 : i+1+width] {
				switch {
				case h >= '0' && h <= '9':
					r = r<<4 | (h - '0')
				case h >= 'a' && h <= 'f':
					r = r<<4 | (h - 'a' + 10)
				case h >= 'A' && h <= 'F':
					r = r<<4 | (h - 'A' + 10)
				default:
					return "", false
				}
			}
			if r >= 0xD800 && r <= 0xDFFF || r > 0x10FFFF {
				return "", false
			}
			b.WriteRune(r)
			i += width
		}
	}
	return b.String(), true
}
