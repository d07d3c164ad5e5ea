package secrets

import (
	"encoding/json"
	"strings"
)

// jsonAssignments reads the leaves of a JSON text as walkLeaves reads the
// YAML tree of it (each scalar but null under the nearest object key, lines
// from 1), without building the tree: embedded JSON files are often large
// dashboards, and the YAML parser was a tenth of a scan on them. It returns
// false when the text is not valid JSON; the caller then parses it as YAML.
func jsonAssignments(text string) ([]assign, bool) {
	p := jsonWalk{s: text, line: 1}
	p.space()
	if !p.value("", 0) {
		return nil, false
	}
	p.space()
	return p.out, p.i == len(p.s)
}

type jsonWalk struct {
	s    string
	i    int
	line int
	out  []assign
}

func (p *jsonWalk) space() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case '\n':
			p.line++
		case ' ', '\t', '\r':
		default:
			return
		}
		p.i++
	}
}

// value reads one value under key name at the given depth.
func (p *jsonWalk) value(name string, depth int) bool {
	if p.i >= len(p.s) || depth > 10000 {
		return false
	}
	emit := name != "" && depth <= 64
	switch c := p.s[p.i]; {
	case c == '{':
		p.i++
		p.space()
		if p.i < len(p.s) && p.s[p.i] == '}' {
			p.i++
			return true
		}
		for {
			p.space()
			key, ok := p.str()
			if !ok {
				return false
			}
			p.space()
			if p.i >= len(p.s) || p.s[p.i] != ':' {
				return false
			}
			p.i++
			p.space()
			if !p.value(key, depth+1) {
				return false
			}
			p.space()
			if p.i < len(p.s) && p.s[p.i] == ',' {
				p.i++
				continue
			}
			if p.i < len(p.s) && p.s[p.i] == '}' {
				p.i++
				return true
			}
			return false
		}
	case c == '[':
		p.i++
		p.space()
		if p.i < len(p.s) && p.s[p.i] == ']' {
			p.i++
			return true
		}
		for {
			p.space()
			if !p.value(name, depth+1) {
				return false
			}
			p.space()
			if p.i < len(p.s) && p.s[p.i] == ',' {
				p.i++
				continue
			}
			if p.i < len(p.s) && p.s[p.i] == ']' {
				p.i++
				return true
			}
			return false
		}
	case c == '"':
		line := p.line
		v, ok := p.str()
		if ok && emit {
			p.out = append(p.out, assign{line: line, name: name, value: v})
		}
		return ok
	default:
		start := p.i
		for p.i < len(p.s) && strings.IndexByte("+-.0123456789eEtruefalsn", p.s[p.i]) >= 0 {
			p.i++
		}
		lit := p.s[start:p.i]
		switch {
		case lit == "null":
			return true
		case lit == "true" || lit == "false" || lit != "" && json.Valid([]byte(lit)):
			if emit {
				p.out = append(p.out, assign{line: p.line, name: name, value: lit})
			}
			return true
		}
		return false
	}
}

// str reads a string, unescaped; a string with a raw line break is invalid.
func (p *jsonWalk) str() (string, bool) {
	if p.i >= len(p.s) || p.s[p.i] != '"' {
		return "", false
	}
	start, escaped := p.i, false
	for p.i++; p.i < len(p.s); p.i++ {
		switch c := p.s[p.i]; {
		case c == '\\':
			escaped = true
			p.i++
		case c == '"':
			p.i++
			raw := p.s[start:p.i]
			if !escaped {
				return raw[1 : len(raw)-1], true
			}
			var v string
			if err := json.Unmarshal([]byte(raw), &v); err != nil {
				return "", false
			}
			return v, true
		case c < 0x20:
			return "", false
		}
	}
	return "", false
}
