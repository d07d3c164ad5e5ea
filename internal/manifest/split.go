// Package manifest turns bytes into Kubernetes objects that remember where
// each of their fields came from. It decodes lazily: a cheap byte scan finds
// every document's apiVersion and kind, and the YAML tree is built only when a
// check asks for it, so kinds no rule reads cost almost nothing.
package manifest

import (
	"bytes"
	"strings"

	"github.com/bulwark-dev/bulwark/internal/bytesearch"
)

// span is one YAML document inside a file.
type span struct {
	data []byte
	line int // 1-based line of the document's first byte in the file
}

// splitDocuments splits a YAML stream on "---" lines the way apimachinery's
// YAMLReader does: a separator is a line starting with "---" followed by
// nothing but blanks or a comment. A "..." line ends a document too.
func splitDocuments(data []byte) []span {
	var out []span
	start, startLine, line := 0, 1, 1
	m := markers{data: data, next: [2]int{-2, -2}}
	for pos := 0; pos < len(data); {
		// Only lines starting with "---" or "..." can separate documents:
		// jump to the next one, counting the lines passed.
		next := m.after(pos)
		if next < 0 {
			break
		}
		line += bytes.Count(data[pos:next], []byte("\n"))
		end := bytes.IndexByte(data[next:], '\n')
		after := len(data)
		if end >= 0 {
			after = next + end + 1
		}
		if isSeparator(data[next:after]) {
			out = append(out, span{data: data[start:next], line: startLine})
			start, startLine = after, line+1
		}
		pos = after
		line++
	}
	out = append(out, span{data: data[start:], line: startLine})
	// Drop documents that hold only blanks and comments.
	kept := out[:0]
	for _, s := range out {
		if !isBlank(s.data) {
			kept = append(kept, s)
		}
	}
	return kept
}

// markers finds the lines that start with "---" or "...", in order. It
// remembers where each kind of marker is next, so a file of many documents
// is searched once, not once per document.
type markers struct {
	data []byte
	next [2]int // offset of the next "---" and "..." line at or after a position; -2 unknown
}

// after returns the offset of the next marker line at or after pos (the
// start of a line), or -1.
func (m *markers) after(pos int) int {
	best := -1
	for k, sep := range [][]byte{[]byte("---"), []byte("...")} {
		if m.next[k] != -1 && m.next[k] < pos {
			m.next[k] = lineStartIndex(m.data, pos, sep)
		}
		if m.next[k] >= 0 && (best < 0 || m.next[k] < best) {
			best = m.next[k]
		}
	}
	return best
}

// lineStartIndex returns the first offset at or after pos where a line
// starts with sep, or -1. Searching for sep alone lets bytes.Index switch to
// its vector search; looking for line breaks first would stop at every line.
func lineStartIndex(data []byte, pos int, sep []byte) int {
	for off := pos; off < len(data); {
		i := bytes.Index(data[off:], sep)
		if i < 0 {
			return -1
		}
		if at := off + i; at == 0 || data[at-1] == '\n' {
			return at
		}
		off += i + 1
	}
	return -1
}

func isSeparator(line []byte) bool {
	var rest []byte
	switch {
	case bytes.HasPrefix(line, []byte("---")):
		rest = line[3:]
	case bytes.HasPrefix(line, []byte("...")):
		rest = line[3:]
	default:
		return false
	}
	rest = bytes.TrimSpace(rest)
	return len(rest) == 0 || rest[0] == '#'
}

// isBlank reports whether a document holds only whitespace and comments.
func isBlank(data []byte) bool {
	for len(data) > 0 {
		end := bytes.IndexByte(data, '\n')
		l := data
		if end >= 0 {
			l, data = data[:end], data[end+1:]
		} else {
			data = nil
		}
		l = bytes.TrimSpace(l)
		if len(l) > 0 && l[0] != '#' && !bytes.Equal(l, []byte("%YAML 1.2")) && !bytes.HasPrefix(l, []byte("%")) {
			return false
		}
	}
	return true
}

// header is what a byte scan learns about a document without parsing it.
type header struct {
	apiVersion, kind string
	ok               bool // both found as plain top-level scalars in block style
	// name and namespace are metadata's, read when meta is true: metadata
	// was absent or a block mapping whose name and namespace, if present,
	// are plain one-line scalars. Every finding names its object, so this
	// keeps kinds no check reads from being parsed for their names.
	name, namespace string
	meta            bool
}

// scanHeader looks for top-level "apiVersion:", "kind:" and "metadata:" keys
// at column 0. Anything unusual (flow style, anchors, tags, quotes it cannot
// read) leaves ok false and the caller parses the document fully instead;
// anything unusual under metadata leaves meta false.
func scanHeader(data []byte) header { return scanHeaderAt(data, -1) }

// scanHeaderAt is scanHeader for a document (item < 0) or for one item of a
// block sequence whose "- " stands at column item: the item's lines are read
// as if the mapping after the dash started at column 0.
func scanHeaderAt(data []byte, item int) header {
	h := header{meta: true}
	first, metaSeen, inMeta, metaIndent, afterValue := true, false, false, 0, false
	afterTop := false    // the last line held apiVersion or kind
	deep := []byte("  ") // the start of a line nested below a top-level key
	if item >= 0 {
		deep = bytes.Repeat([]byte(" "), item+3)
	}
	for len(data) > 0 {
		end := bytes.IndexByte(data, '\n')
		l := data
		if end >= 0 {
			l, data = data[:end], data[end+1:]
		} else {
			data = nil
		}
		if !first && !inMeta && !afterTop && bytes.HasPrefix(l, deep) {
			continue // most lines: nothing the header needs
		}
		l = bytes.TrimRight(l, " \t\r")
		if item >= 0 {
			lead := len(l) - len(bytes.TrimLeft(l, " "))
			switch {
			case lead == len(l) || l[lead] == '#':
				continue
			case first:
				if lead != item || !bytes.HasPrefix(l[lead:], []byte("- ")) {
					return header{}
				}
			case lead < item+2:
				return header{} // not inside the item: the caller cut it wrong
			}
			l = l[item+2:]
		}
		if len(l) == 0 || l[0] == '#' {
			continue
		}
		if first {
			first = false
			switch l[0] {
			case '{', '[', '-', '%', '!', '&', '*', '"', '\'', ' ':
				return header{} // not a block mapping at the margin
			}
		}
		if l[0] == ' ' {
			if afterTop && !bytes.HasPrefix(bytes.TrimLeft(l, " "), []byte("#")) {
				return header{} // the scalar goes on over lines
			}
			if inMeta {
				h.meta = h.meta && metaLine(&h, l, &metaIndent, &afterValue)
			}
			continue
		}
		inMeta, afterTop = false, false
		var key string
		switch {
		case bytes.HasPrefix(l, []byte("apiVersion:")):
			key = "apiVersion"
		case bytes.HasPrefix(l, []byte("kind:")):
			key = "kind"
		case bytes.HasPrefix(l, []byte("metadata:")):
			// A block mapping follows, or the key is unreadable here.
			rest := bytes.TrimSpace(l[len("metadata:"):])
			if metaSeen || (len(rest) > 0 && rest[0] != '#') {
				h.meta = false
			}
			metaSeen, inMeta, metaIndent = true, true, 0
			continue
		default:
			if l[0] == '<' || l[0] == '?' || spacedKey(l, "metadata") {
				h.meta = false // merge key, complex key, "metadata :"
			}
			if l[0] != '-' && !bytes.Contains(l, []byte(": ")) && !bytes.HasSuffix(l, []byte(":")) {
				return header{} // not a "key:" line: not a block mapping
			}
			continue
		}
		v, ok := plainScalar(l[len(key)+1:])
		if !ok || !stringLike(v, l[len(key)+1:]) {
			return header{}
		}
		afterTop = true
		if key == "apiVersion" {
			if h.apiVersion != "" {
				return header{} // duplicate key: let the parser decide
			}
			h.apiVersion = v
		} else {
			if h.kind != "" {
				return header{}
			}
			h.kind = v
		}
	}
	h.ok = h.apiVersion != "" && h.kind != ""
	h.meta = h.meta && h.ok
	return h
}

// metaLine reads one indented line under metadata: keys at the block's own
// indentation are metadata's fields; deeper lines belong to them (labels,
// annotations) unless they continue a name or namespace scalar, which the
// scan does not read.
func metaLine(h *header, l []byte, indent *int, afterValue *bool) bool {
	n := len(l) - len(bytes.TrimLeft(l, " "))
	if l[n] == '#' {
		return true
	}
	if *indent == 0 {
		*indent = n
	}
	if n > *indent {
		return !*afterValue
	}
	*afterValue = false
	if n < *indent {
		return false
	}
	l = l[n:]
	var dst *string
	switch {
	case bytes.HasPrefix(l, []byte("name:")):
		dst, l = &h.name, l[len("name:"):]
	case bytes.HasPrefix(l, []byte("namespace:")):
		dst, l = &h.namespace, l[len("namespace:"):]
	default:
		if spacedKey(l, "name") || spacedKey(l, "namespace") {
			return false
		}
		c := l[0]
		return c != '<' && c != '?' && c != '"' && c != '\'' && c != '-' && c != '{' && c != '[' && c != '\t'
	}
	if *dst != "" {
		return false // duplicate key
	}
	v, ok := plainScalar(l)
	if !ok || v == "" || v == "~" || v == "null" || v == "Null" || v == "NULL" {
		return false
	}
	*dst, *afterValue = v, true
	return true
}

// stringLike reports whether YAML reads the scalar v, written as raw, as a
// string: quoted, or plain and starting with a letter but not a boolean or
// null. Anything else (1, 1.0, true, ~) is for the parser to type.
func stringLike(v string, raw []byte) bool {
	raw = bytes.TrimSpace(raw)
	if raw[0] == '"' || raw[0] == '\'' {
		return true
	}
	c := v[0] | 0x20
	if c < 'a' || c > 'z' {
		return false
	}
	switch strings.ToLower(v) {
	case "true", "false", "null":
		return false
	}
	return true
}

// spacedKey reports whether a line starts with key, blanks, then ':'.
func spacedKey(l []byte, key string) bool {
	if !bytes.HasPrefix(l, []byte(key)) {
		return false
	}
	rest := bytes.TrimLeft(l[len(key):], " \t")
	return len(rest) < len(l)-len(key) && len(rest) > 0 && rest[0] == ':'
}

// plainScalar reads a simple scalar after "key:", with optional quotes and a
// trailing comment. It refuses anything that needs a real YAML parser.
func plainScalar(b []byte) (string, bool) {
	if len(b) == 0 || (b[0] != ' ' && b[0] != '\t') {
		return "", false
	}
	b = bytes.TrimSpace(b)
	if i := bytes.Index(b, []byte(" #")); i >= 0 {
		b = bytes.TrimSpace(b[:i])
	}
	if len(b) == 0 {
		return "", false
	}
	switch b[0] {
	case '"', '\'':
		if len(b) < 2 || b[len(b)-1] != b[0] || bytes.ContainsAny(b[1:len(b)-1], `"'\`) {
			return "", false
		}
		return string(b[1 : len(b)-1]), true
	case '&', '*', '!', '{', '[', '|', '>', '@', '`', '%', '#', '?', ',':
		return "", false
	}
	if bytes.Contains(b, []byte(": ")) || bytes.HasSuffix(b, []byte(":")) || bytes.ContainsAny(b, "{}[]") {
		return "", false
	}
	return string(b), true
}

// listItem is one item of a block-style List, cut by lines.
type listItem struct {
	data []byte
	line int // 1-based line of the item's first byte in the document
	h    header
}

// splitList cuts the items of a block-style List document ("items:" at the
// left margin, each item a "- " mapping at one indentation) by lines, and
// reads each item's header, so a List of large objects is not parsed whole
// to find its objects. It returns false for anything else (flow style,
// anchors, items without a readable header), and the caller parses.
func splitList(data []byte) ([]listItem, bool) {
	for _, marker := range []string{": &", "- &", ": *", "- *", "<<:", "\n? "} {
		if bytesearch.Contains(data, []byte(marker), strings.IndexAny(marker, "&*<?")) {
			return nil, false
		}
	}
	var items []listItem
	inItems, dash := false, -1
	start, startLine := -1, 0
	closeItem := func(end int) bool {
		if start < 0 {
			return true
		}
		it := listItem{data: data[start:end], line: startLine}
		it.h = scanHeaderAt(it.data, dash)
		if !it.h.ok {
			return false
		}
		items = append(items, it)
		start = -1
		return true
	}
	line := 0
	for off := 0; off < len(data); {
		line++
		next := len(data)
		if i := bytes.IndexByte(data[off:], '\n'); i >= 0 {
			next = off + i + 1
		}
		l := bytes.TrimRight(data[off:next], " \t\r\n")
		lead := len(l) - len(bytes.TrimLeft(l, " "))
		blank := lead == len(l) || l[lead] == '#'
		switch {
		case blank:
		case !inItems:
			if bytes.HasPrefix(l, []byte("items:")) {
				if rest := bytes.TrimSpace(l[len("items:"):]); len(rest) > 0 && rest[0] != '#' {
					return nil, false // "items: []" or flow style
				}
				inItems = true
			}
		case dash < 0 || (lead == dash && bytes.HasPrefix(l[lead:], []byte("- "))):
			if dash < 0 {
				if !bytes.HasPrefix(l[lead:], []byte("- ")) {
					return nil, false
				}
				dash = lead
			}
			if !closeItem(off) {
				return nil, false
			}
			start, startLine = off, line
		case lead >= dash+2:
			// inside the current item
		case lead > dash:
			return nil, false
		default:
			// back at the items' indentation without a dash: the end
			if !closeItem(off) {
				return nil, false
			}
			inItems = false
			if lead == 0 && bytes.HasPrefix(l, []byte("items:")) {
				return nil, false // a second items key
			}
		}
		off = next
	}
	if !closeItem(len(data)) || len(items) == 0 {
		return nil, false
	}
	return items, true
}
