package helm

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Lines of rendered output are traced to template lines by rendering the
// chart a second time with markers: every template line that ends in
// literal text gets " #@B<template>.<line>@" appended before its newline.
// Templates never see their own literal text (only values, files and named
// templates), so the marked output is the plain output with markers added;
// that is checked, and a template whose outputs differ is not traced.
//
// Lines are not marked inside define blocks (named templates feed functions
// such as trunc and sha256sum, which markers would change), inside
// multi-line actions or comments, or after an action that trims the
// whitespace following it ("-}}"), which would keep a newline it removes.
// A rendered line without a marker was produced by an action (toYaml,
// include, a range of values): it belongs to the next marked line, the line
// of that action.

var markerRE = regexp.MustCompile(` #@B(\d+)\.(\d+)@`)

func marker(id, line int) string { return fmt.Sprintf(" #@B%d.%d@", id, line) }

// traced is what instrumenting one template learned besides the new text.
type traced struct {
	text string
	// scope holds, per template line (1-based), the values path that "."
	// stands for there, from enclosing `with .Values.x` blocks ("" unknown).
	scope []string
}

var (
	valuesRef = regexp.MustCompile(`\$?\.Values((?:\.[A-Za-z_][A-Za-z0-9_-]*)+)`)
	dotUse    = regexp.MustCompile(`(?:^|[\s(])\.(?:\s|\)|$)`)
)

// instrument marks the lines of one template.
func instrument(src string, id int) traced {
	var b strings.Builder
	b.Grow(len(src) + len(src)/4)
	lines := strings.Count(src, "\n") + 2
	t := traced{scope: make([]string, lines+1)}
	type block struct {
		define bool
		scope  string
	}
	var stack []block
	defines := 0
	scope := func() string {
		if len(stack) == 0 {
			return ""
		}
		return stack[len(stack)-1].scope
	}
	line := 1
	trimmedAfter := false // the last action ended with -}} and only blanks followed
	setScope := func() {
		if line < len(t.scope) && t.scope[line] == "" {
			t.scope[line] = scope()
		}
	}
	i := 0
	for i < len(src) {
		open := strings.Index(src[i:], "{{")
		end := len(src)
		if open >= 0 {
			end = i + open
		}
		// Literal text up to the next action.
		for j := i; j < end; j++ {
			c := src[j]
			if c == '\n' {
				if defines == 0 && !trimmedAfter {
					b.WriteString(marker(id, line))
				}
				b.WriteByte('\n')
				line++
				setScope()
				trimmedAfter = false
				continue
			}
			if c != ' ' && c != '\t' && c != '\r' {
				trimmedAfter = false
			}
			b.WriteByte(c)
		}
		if open < 0 {
			if defines == 0 && !trimmedAfter && !strings.HasSuffix(src, "\n") {
				b.WriteString(marker(id, line))
			}
			break
		}
		// An action: copy it whole, counting its newlines.
		close := actionEnd(src, end)
		if close < 0 {
			b.WriteString(src[end:])
			break
		}
		action := src[end:close]
		b.WriteString(action)
		line += strings.Count(action, "\n")
		setScope()
		inner := strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(action, "{{"), "-"), "}}"))
		inner = strings.TrimSpace(strings.TrimSuffix(inner, "-"))
		word, rest, _ := strings.Cut(inner, " ")
		switch word {
		case "define", "block":
			stack = append(stack, block{define: true})
			defines++
		case "if", "range":
			stack = append(stack, block{scope: scope()})
		case "with":
			sc := ""
			if m := valuesRef.FindStringSubmatch(rest); m != nil && strings.HasPrefix(strings.TrimSpace(rest), m[0]) {
				sc = strings.TrimPrefix(m[1], ".")
			}
			stack = append(stack, block{scope: sc})
		case "end":
			if len(stack) > 0 {
				if stack[len(stack)-1].define {
					defines--
				}
				stack = stack[:len(stack)-1]
			}
		}
		setScope()
		trimmedAfter = strings.HasSuffix(action, "-}}")
		i = close
	}
	t.text = b.String()
	return t
}

// actionEnd returns the index just past the action starting at start, or -1.
// It skips quoted strings and comments, which may hold "}}".
func actionEnd(src string, start int) int {
	j := start + 2
	if strings.HasPrefix(src[j:], "- ") || strings.HasPrefix(src[j:], "-\t") || strings.HasPrefix(src[j:], "-\n") {
		j++
	}
	rest := strings.TrimLeft(src[j:], " \t\r\n")
	if strings.HasPrefix(rest, "/*") {
		k := strings.Index(src[j:], "*/")
		if k < 0 {
			return -1
		}
		e := strings.Index(src[j+k:], "}}")
		if e < 0 {
			return -1
		}
		return j + k + e + 2
	}
	for j < len(src) {
		switch src[j] {
		case '"':
			j++
			for j < len(src) && src[j] != '"' {
				if src[j] == '\\' {
					j++
				}
				j++
			}
		case '`':
			k := strings.IndexByte(src[j+1:], '`')
			if k < 0 {
				return -1
			}
			j += k + 1
		case '\'':
			k := strings.IndexByte(src[j+1:], '\'')
			if k >= 0 && k < 8 {
				j += k + 1
			}
		case '}':
			if strings.HasPrefix(src[j:], "}}") {
				return j + 2
			}
		}
		j++
	}
	return -1
}

// mark is a traced line: template id and 1-based template line.
type mark struct{ id, line int }

// readMarks aligns marked output with plain output. It returns, per plain
// output line (0-based), the template lines that produced it (several when
// trimming joined lines; the next marked line's for lines an action wrote),
// and false when the two outputs do not have the same lines. Lines may
// differ in content where a template includes another template file (a
// checksum of configmap.yaml): its markers change the included text, not
// the line structure.
func readMarks(plain, marked string) ([][]mark, bool) {
	lines := strings.Split(marked, "\n")
	if len(lines) != strings.Count(plain, "\n")+1 {
		return nil, false
	}
	out := make([][]mark, len(lines))
	var next []mark
	for i := len(lines) - 1; i >= 0; i-- {
		if ms := markerRE.FindAllStringSubmatch(lines[i], -1); len(ms) > 0 {
			next = make([]mark, 0, len(ms))
			for _, m := range ms {
				id, _ := strconv.Atoi(m[1])
				ln, _ := strconv.Atoi(m[2])
				next = append(next, mark{id: id, line: ln})
			}
			out[i] = next
			continue
		}
		if len(next) > 0 {
			out[i] = next[:1]
		}
	}
	return out, true
}
