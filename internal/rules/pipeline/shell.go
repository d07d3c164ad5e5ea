package pipeline

import (
	"path"
	"regexp"
	"strings"

	"mvdan.cc/sh/v3/syntax"
)

// ciScript is one script a job runs, parsed into commands.
type ciScript struct {
	job     *ciJob
	text    string // as written, GitHub expressions included
	loc     locator
	shell   string // bash, sh, pwsh, python...
	step    int    // GitHub step index, or -1
	cmds    []command
	assigns []assign
}

// word is one shell word: its value with quotes removed and expansions
// ($VAR, $(...), ${{ ... }}) kept as written, and where it starts.
type word struct {
	text   string
	offset int // in the script text
}

// command is one simple command: the program and its arguments, after
// wrappers such as sudo, env and time.
type command struct {
	words []word
}

// assign is a variable set by the script (X=1 cmd, export X=1).
type assign struct {
	name  string
	value word
}

// pos returns the file position of an offset in the script.
func (s *ciScript) pos(offset int, token string) (int, int) {
	return s.loc.at(s.text, offset, token)
}

// wordPos returns the file position of a word.
func (s *ciScript) wordPos(w word) (int, int) {
	tok := w.text
	if i := strings.IndexAny(tok, " \t"); i > 0 {
		tok = tok[:i]
	}
	return s.pos(w.offset, tok)
}

// newScript parses a script. Shells other than sh-like ones (pwsh, python)
// and scripts the shell parser rejects are split into words line by line,
// which is enough for the command lines rules look for.
func newScript(job *ciJob, text string, loc locator, shell string, step int) *ciScript {
	s := &ciScript{job: job, text: text, loc: loc, shell: shell, step: step}
	switch sh := path.Base(strings.Fields(shell + " bash")[0]); sh {
	case "bash", "sh", "dash", "zsh", "ksh", "ash", "busybox":
		if s.parseShell() {
			return s
		}
	}
	s.splitLines()
	return s
}

// expr matches a GitHub Actions expression.
var expr = regexp.MustCompile(`\$\{\{.*?\}\}`)

func (s *ciScript) parseShell() bool {
	// Expressions are replaced by the workflow runner before the shell runs;
	// mask them (same length, so offsets hold) so that the shell parser sees
	// a plain word, and read words back from the original text.
	masked := expr.ReplaceAllStringFunc(s.text, func(m string) string {
		return strings.Map(func(r rune) rune {
			if r == '\n' {
				return r
			}
			return 'X'
		}, m)
	})
	f, err := syntax.NewParser(syntax.Variant(syntax.LangBash)).Parse(strings.NewReader(masked), "")
	if err != nil {
		return false
	}
	syntax.Walk(f, func(n syntax.Node) bool {
		switch n := n.(type) {
		case *syntax.CallExpr:
			for _, a := range n.Assigns {
				s.addAssign(a)
			}
			var ws []word
			for _, w := range n.Args {
				ws = append(ws, word{text: s.wordText(w), offset: int(w.Pos().Offset())})
			}
			if ws = unwrap(ws); len(ws) > 0 {
				s.cmds = append(s.cmds, command{words: ws})
			}
		case *syntax.DeclClause:
			for _, a := range n.Args {
				s.addAssign(a)
			}
		}
		return true
	})
	return true
}

func (s *ciScript) addAssign(a *syntax.Assign) {
	if a.Name == nil || a.Naked {
		return
	}
	v := word{offset: int(a.Name.Pos().Offset())}
	if a.Value != nil {
		v.text = s.wordText(a.Value)
	}
	s.assigns = append(s.assigns, assign{name: a.Name.Value, value: v})
}

// wordText rebuilds a word's value from the original text.
func (s *ciScript) wordText(w *syntax.Word) string {
	var b strings.Builder
	for _, p := range w.Parts {
		s.partText(&b, p)
	}
	return b.String()
}

func (s *ciScript) partText(b *strings.Builder, p syntax.WordPart) {
	src := func(from, to syntax.Pos) string {
		i, j := int(from.Offset()), int(to.Offset())
		if i < 0 || j > len(s.text) || i > j {
			return ""
		}
		return s.text[i:j]
	}
	switch p := p.(type) {
	case *syntax.Lit:
		b.WriteString(unescape(src(p.Pos(), p.End())))
	case *syntax.SglQuoted:
		start := p.Left.Offset() + 1
		if p.Dollar {
			start++
		}
		if int(start) <= int(p.Right.Offset()) && int(p.Right.Offset()) <= len(s.text) {
			b.WriteString(s.text[start:p.Right.Offset()])
		}
	case *syntax.DblQuoted:
		for _, q := range p.Parts {
			s.partText(b, q)
		}
	default:
		b.WriteString(src(p.Pos(), p.End()))
	}
}

// unescape drops the backslashes of an unquoted word and its line
// continuations.
func unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
			if s[i] == '\n' {
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// splitLines is the fallback: each line split at blanks and at ; | & into
// commands, quotes stripped.
func (s *ciScript) splitLines() {
	off := 0
	for _, line := range strings.SplitAfter(s.text, "\n") {
		var ws []word
		flush := func() {
			if ws = unwrap(ws); len(ws) > 0 {
				s.cmds = append(s.cmds, command{words: ws})
			}
			ws = nil
		}
		i := 0
		for i < len(line) {
			c := line[i]
			switch {
			case c == ' ' || c == '\t' || c == '\n' || c == '\r':
				i++
			case c == ';' || c == '|' || c == '&':
				flush()
				i++
			case c == '#' && (i == 0 || line[i-1] == ' '):
				i = len(line)
			default:
				j := i
				var q byte
				for j < len(line) {
					d := line[j]
					if q != 0 {
						if d == q {
							q = 0
						}
					} else if d == '"' || d == '\'' {
						q = d
					} else if d == ' ' || d == '\t' || d == '\n' || d == '\r' || d == ';' || d == '|' || d == '&' {
						break
					}
					j++
				}
				text := strings.NewReplacer(`"`, "", "'", "").Replace(line[i:j])
				ws = append(ws, word{text: text, offset: off + i})
				i = j
			}
		}
		flush()
		off += len(line)
	}
}

// unwrap drops leading variable assignments and wrappers (sudo, env, time,
// nohup, command, exec, timeout) so that the program comes first.
func unwrap(ws []word) []word {
	for len(ws) > 0 {
		switch program(ws) {
		case "sudo", "env", "command", "exec", "time", "nohup", "nice":
			ws = ws[1:]
			for len(ws) > 0 && (strings.HasPrefix(ws[0].text, "-") || strings.Contains(ws[0].text, "=") && !strings.HasPrefix(ws[0].text, "-")) {
				ws = ws[1:]
			}
		case "timeout":
			ws = ws[1:]
			for len(ws) > 0 && strings.HasPrefix(ws[0].text, "-") {
				ws = ws[1:]
			}
			if len(ws) > 0 {
				ws = ws[1:] // the duration
			}
		default:
			return ws
		}
	}
	return ws
}

// program returns the command's program name, without directory or .exe.
func program(ws []word) string {
	if len(ws) == 0 {
		return ""
	}
	p := strings.ToLower(path.Base(strings.ReplaceAll(ws[0].text, `\`, "/")))
	return strings.TrimSuffix(p, ".exe")
}

// prog returns the command's program name.
func (c command) prog() string { return program(c.words) }

// args returns the words after the program.
func (c command) args() []word {
	if len(c.words) < 2 {
		return nil
	}
	return c.words[1:]
}

// has reports whether the positional (non-flag) arguments contain all of
// these words in order, as in "create", "clusterrolebinding".
func (c command) has(sub ...string) bool {
	i := 0
	for _, w := range c.args() {
		if i < len(sub) && w.text == sub[i] {
			i++
		}
	}
	return i == len(sub)
}

// flag finds a long or short flag ("--insecure-skip-tls-verify", "-k"),
// alone or with "=value"; value is what follows "=" or the next word, and
// eq says the value came with "=".
func (c command) flag(name string) (w word, value string, eq, ok bool) {
	args := c.args()
	for i, a := range args {
		if a.text == "--" {
			break
		}
		if a.text == name {
			if i+1 < len(args) {
				return a, args[i+1].text, false, true
			}
			return a, "", false, true
		}
		if v, found := strings.CutPrefix(a.text, name+"="); found {
			return a, v, true, true
		}
	}
	return word{}, "", false, false
}

// boolFlag finds a boolean flag that is on: "--name" or "--name=true".
func (c command) boolFlag(name string) (word, bool) {
	w, v, eq, ok := c.flag(name)
	if !ok || eq && !isTrue(v) {
		return word{}, false
	}
	return w, true
}

func isTrue(v string) bool {
	switch strings.ToLower(strings.Trim(strings.TrimSpace(v), `"'`)) {
	case "true", "1", "yes", "on":
		return true
	}
	return false
}

func isFalse(v string) bool {
	switch strings.ToLower(strings.Trim(strings.TrimSpace(v), `"'`)) {
	case "false", "0", "no", "off":
		return true
	}
	return false
}
