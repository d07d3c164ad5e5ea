package secrets

import (
	"bytes"
	"strings"
	"sync"

	"github.com/bulwark-dev/bulwark/internal/rule"
	"github.com/bulwark-dev/bulwark/internal/secret"
)

// ignoreMarker starts an inline exception: a comment such as
//
//	password: hunter2  # bulwark:ignore BW-SE-001 test fixture, not deployed
//
// on the reported line or the line above it silences the named rules (IDs
// or names, comma-separated) there. A reason is required: an exception
// without one is not honoured.
const ignoreMarker = "bulwark:ignore"

// ignoredAt reports whether lines[line-1] or the line above it holds an
// inline exception for rule id.
func ignoredAt(lines [][]byte, line int, id string) bool {
	for _, l := range []int{line, line - 1} {
		if l < 1 || l > len(lines) {
			continue
		}
		i := bytes.Index(lines[l-1], []byte(ignoreMarker))
		if i < 0 {
			continue
		}
		fields := strings.Fields(string(lines[l-1][i+len(ignoreMarker):]))
		if len(fields) < 2 {
			continue // no reason given
		}
		for _, r := range strings.Split(fields[0], ",") {
			if ruleNamed(r, id) {
				return true
			}
		}
	}
	return false
}

// ruleNamed reports whether ref names rule id, by ID or name.
func ruleNamed(ref, id string) bool {
	if strings.EqualFold(ref, id) {
		return true
	}
	m, ok := metaOf(id)
	return ok && ref == m.Name
}

// filterIgnored drops file hits that an inline exception silences.
func filterIgnored(data []byte, hits []rule.Hit) []rule.Hit {
	if len(hits) == 0 || !bytes.Contains(data, []byte(ignoreMarker)) {
		return hits
	}
	lines := bytes.Split(data, []byte("\n"))
	kept := hits[:0:0]
	for _, h := range hits {
		if !ignoredAt(lines, h.Line, h.Rule) {
			kept = append(kept, h)
		}
	}
	return kept
}

// IgnoredLine reports whether a line of text (with the line above it, when
// known) carries an inline exception for rule id; history scans use it on
// the lines a commit added.
func IgnoredLine(line, above []byte, id string) bool {
	return ignoredAt([][]byte{above, line}, 2, id)
}

var metas = sync.OnceValue(func() map[string]*rule.Meta {
	m := map[string]*rule.Meta{}
	for _, r := range objectRules {
		m[r.ID] = &r.Meta
	}
	for _, c := range FileChecks() {
		for _, x := range c.Rules() {
			m[x.ID] = x
		}
	}
	for _, c := range SetChecks() {
		for _, x := range c.Rules() {
			m[x.ID] = x
		}
	}
	for _, r := range secret.Default().Rules() {
		m[r.ID] = &r.Meta
	}
	return m
})

// metaOf returns the metadata of any rule this package reports.
func metaOf(id string) (*rule.Meta, bool) {
	m, ok := metas()[id]
	return m, ok
}
