package pipeline

import (
	"strings"

	"github.com/rhysd/actionlint"
	"go.yaml.in/yaml/v3"
)

// ciFile is one CI definition, parsed: the same shape for GitHub Actions
// and GitLab CI, with the dialect's own tree kept for rules that need it.
type ciFile struct {
	path    string
	dialect dialect
	lines   []string // the source, for positions
	jobs    []*ciJob // in file order
	env     []envVar // workflow env or global variables

	gh *actionlint.Workflow // GitHub only
	gl *gitlabDoc           // GitLab only
}

// ciJob is one job, with its scripts and what it deploys.
type ciJob struct {
	id        string
	line, col int
	scripts   []*ciScript
	env       []envVar // job, step and container environment
	inputs    []input  // GitHub action inputs (with:)
	// deploy says how the job deploys to a cluster ("" when it does not):
	// the first deploy command, action or environment seen.
	deploy string

	gh *actionlint.Job // GitHub only
	gl *gitlabJob      // GitLab only
}

// input is one GitHub action input, with the step that passes it.
type input struct {
	envVar
	step int
	uses string // the action, as written
}

// envVar is one environment variable or action input set in the file.
type envVar struct {
	name, value string
	line, col   int
	quoted      bool
}

// deploys reports whether any job of the file deploys.
func (f *ciFile) deploys() string {
	for _, j := range f.jobs {
		if j.deploy != "" {
			return j.deploy
		}
	}
	return ""
}

// locator maps a place in a YAML string value (a run script) back to the
// file: exactly for literal blocks ("|") and one-line values, by searching
// the following lines for other styles, whose line breaks YAML folds.
type locator struct {
	lines     []string
	line, col int // of the value: the indicator of a block scalar
	quoted    bool
}

// at returns the file position of the byte at offset in value, where token
// (the text found there) helps place it in folded values.
func (l locator) at(value string, offset int, token string) (int, int) {
	sline := strings.Count(value[:offset], "\n")
	scol := offset - strings.LastIndexByte(value[:offset], '\n') // 1-based
	if l.line < 1 || l.line > len(l.lines) {
		return l.line, l.col
	}
	src := l.lines[l.line-1]
	ind := ""
	if l.col >= 1 && l.col <= len(src) {
		ind = strings.TrimSpace(src[l.col-1:])
	}
	switch {
	case strings.HasPrefix(ind, "|"):
		fl := l.line + 1 + sline
		if fl <= len(l.lines) {
			return fl, indentOf(l.lines, l.line+1) + scol
		}
	case !strings.Contains(strings.TrimRight(value, "\n"), "\n") && !strings.HasPrefix(ind, ">"):
		col := l.col + scol - 1
		if l.quoted {
			col++
		}
		return l.line, col
	}
	if token != "" {
		for i := l.line; i <= len(l.lines) && i < l.line+500; i++ {
			if j := strings.Index(l.lines[i-1], token); j >= 0 && (i > l.line || j >= l.col-1) {
				return i, j + 1
			}
		}
	}
	return l.line, l.col
}

// indentOf returns the indentation of the first non-blank line from line on
// (1-based), which YAML strips from every line of a block scalar.
func indentOf(lines []string, line int) int {
	for i := line; i <= len(lines); i++ {
		t := strings.TrimLeft(lines[i-1], " ")
		if t != "" {
			return len(lines[i-1]) - len(t)
		}
	}
	return 0
}

// nodeLocator places values read from GitLab YAML nodes.
func nodeLocator(lines []string, n *yaml.Node) locator {
	return locator{lines: lines, line: n.Line, col: n.Column, quoted: n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0}
}

func splitLines(data []byte) []string {
	return strings.Split(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n")
}
