package history

import (
	"bufio"
	"bytes"
	"io"
	"strconv"
	"strings"
)

// Commit is one commit of the log.
type Commit struct {
	SHA, Author, Date string
	Index             int // position in the log, newest first
}

// fileDiff is what one commit added to one file, or a chunk of it when the
// file's additions are large.
type fileDiff struct {
	commit  *Commit
	path    string
	blob    string // the file's blob after the commit (full SHA)
	newFile bool   // created by the commit
	whole   bool   // added holds the whole file (a new file in one chunk)
	added   []byte // the added lines, each ending in "\n"
	lines   []int  // the file line of each added line
}

// logFormat marks each commit with a record separator and its fields.
const logFormat = "--format=%x1e%H%x1f%an <%ae>%x1f%aI"

// maxChunk bounds the added bytes handed to a worker at once; maxLine the
// bytes kept of one line (minified files).
const (
	maxChunk = 4 << 20
	maxLine  = 1 << 20
)

// parser reads `git log -p -U0` output and emits file diffs.
type parser struct {
	r       *bufio.Reader
	emit    func(*fileDiff)
	commits func(*Commit)

	commit  *Commit
	cur     *fileDiff
	newLine int // next new-file line in the current hunk
	oldLeft int // lines of the hunk still to come, old and new side
	newLeft int
	binary  bool
	index   int
	long    []byte
}

func newParser(r io.Reader, emit func(*fileDiff), commits func(*Commit)) *parser {
	return &parser{r: bufio.NewReaderSize(r, 256<<10), emit: emit, commits: commits}
}

// readLine returns the next line without its newline; a line longer than
// maxLine is cut there. The slice is valid until the next call.
func (p *parser) readLine() ([]byte, error) {
	line, err := p.r.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		p.long = append(p.long[:0], line...)
		for err == bufio.ErrBufferFull {
			line, err = p.r.ReadSlice('\n')
			if len(p.long) < maxLine {
				p.long = append(p.long, line[:min(len(line), maxLine-len(p.long))]...)
			}
		}
		line = p.long
	}
	if len(line) > 0 && line[len(line)-1] == '\n' {
		line = line[:len(line)-1]
	}
	if err == io.EOF && len(line) > 0 {
		err = nil
	}
	return line, err
}

// run parses until the end of the log.
func (p *parser) run() error {
	for {
		line, err := p.readLine()
		if err != nil {
			p.flush()
			if err == io.EOF {
				return nil
			}
			return err
		}
		p.line(line)
	}
}

func (p *parser) line(line []byte) {
	if p.oldLeft > 0 || p.newLeft > 0 {
		switch {
		case len(line) > 0 && line[0] == '+' && p.newLeft > 0:
			p.add(line[1:])
			p.newLeft--
			return
		case len(line) > 0 && line[0] == '-' && p.oldLeft > 0:
			p.oldLeft--
			return
		case len(line) > 0 && line[0] == '\\': // "\ No newline at end of file"
			return
		}
		p.oldLeft, p.newLeft = 0, 0 // malformed hunk: resynchronise on headers
	}
	switch {
	case len(line) > 0 && line[0] == '\x1e':
		p.flush()
		f := strings.Split(string(line[1:]), "\x1f")
		c := &Commit{SHA: f[0], Index: p.index}
		if len(f) > 1 {
			c.Author = f[1]
		}
		if len(f) > 2 {
			c.Date = f[2]
		}
		p.index++
		p.commit = c
		if p.commits != nil {
			p.commits(c)
		}
	case bytes.HasPrefix(line, []byte("diff --git ")):
		p.flush()
		p.cur = &fileDiff{commit: p.commit}
		p.binary = false
	case p.cur == nil:
	case bytes.HasPrefix(line, []byte("@@ ")):
		p.hunk(line)
	case bytes.HasPrefix(line, []byte("+++ ")):
		if path, ok := diffPath(string(line[4:])); ok {
			p.cur.path = path
		}
	case bytes.HasPrefix(line, []byte("new file mode")):
		p.cur.newFile = true
	case bytes.HasPrefix(line, []byte("index ")):
		// index <old>..<new>[ <mode>]
		f := strings.Fields(string(line[6:]))
		if len(f) > 0 {
			if _, after, ok := strings.Cut(f[0], ".."); ok {
				p.cur.blob = after
			}
		}
	case bytes.HasPrefix(line, []byte("Binary files ")):
		p.binary = true
	}
}

// hunk reads "@@ -a,b +c,d @@": d added lines follow from line c.
func (p *parser) hunk(line []byte) {
	f := strings.Fields(string(line))
	if len(f) < 3 {
		return
	}
	_, p.oldLeft = rangeOf(f[1])
	p.newLine, p.newLeft = rangeOf(f[2])
	if p.cur != nil && p.cur.newFile && p.newLine <= 1 {
		p.cur.whole = len(p.cur.added) == 0
	}
}

// rangeOf reads "-a,b" or "+c,d" (",d" defaults to 1).
func rangeOf(s string) (start, count int) {
	s = s[1:]
	count = 1
	if a, b, ok := strings.Cut(s, ","); ok {
		s = a
		count, _ = strconv.Atoi(b)
	}
	start, _ = strconv.Atoi(s)
	return start, count
}

func (p *parser) add(text []byte) {
	c := p.cur
	if c == nil || p.binary {
		return
	}
	if len(c.added)+len(text) > maxChunk && len(c.added) > 0 {
		next := &fileDiff{commit: c.commit, path: c.path, blob: c.blob, newFile: c.newFile}
		c.whole = false
		p.emitDiff(c)
		p.cur, c = next, next
	}
	c.added = append(c.added, text...)
	c.added = append(c.added, '\n')
	c.lines = append(c.lines, p.newLine)
	p.newLine++
}

func (p *parser) flush() {
	if p.cur != nil {
		p.emitDiff(p.cur)
	}
	p.cur = nil
	p.oldLeft, p.newLeft = 0, 0
}

func (p *parser) emitDiff(d *fileDiff) {
	if len(d.added) > 0 && d.path != "" && !p.binary {
		p.emit(d)
	}
}

// diffPath reads the path of a "+++ b/path" line; /dev/null (a deletion)
// has none. Paths with unusual characters come C-quoted.
func diffPath(s string) (string, bool) {
	if s == "/dev/null" {
		return "", false
	}
	if strings.HasPrefix(s, `"`) {
		u, err := strconv.Unquote(s)
		if err != nil {
			return "", false
		}
		s = u
	}
	s = strings.TrimSuffix(s, "\t")
	if !strings.HasPrefix(s, "b/") {
		return "", false
	}
	return s[2:], true
}
