package secret

import (
	"bytes"
	"cmp"
	"fmt"
	"slices"
	"sync"
	"unicode/utf8"
)

// Match is one secret found in the input.
type Match struct {
	Rule *Rule
	// Line and Column are 1-based; Column counts characters (runes), as
	// editors do.
	Line, Column int
	// Start and End are the byte offsets of the secret itself, not of the
	// keyword or the name it was assigned to.
	Start, End int
	// Secret prints and marshals redacted; Secret.Reveal gives the bytes.
	Secret Value
}

// Scanner runs a set of rules over bytes. It is immutable after New and
// safe for concurrent use.
type Scanner struct {
	rules []Rule
	pre   *prefilter
}

// New validates and compiles rules. Order matters: list specific rules
// before generic ones, because where two rules match overlapping bytes only
// the earlier rule's match is kept (a GitHub token assigned to "token:" is
// reported once, as a GitHub token).
func New(rules []Rule) (*Scanner, error) {
	if len(rules) == 0 {
		return nil, fmt.Errorf("no secret rules")
	}
	s := &Scanner{rules: slices.Clone(rules)}
	ids, names := map[string]bool{}, map[string]bool{}
	for i := range s.rules {
		r := &s.rules[i]
		r.order = i
		if err := r.compile(); err != nil {
			return nil, err
		}
		if ids[r.ID] || names[r.Name] {
			return nil, fmt.Errorf("secret rule %s (%s): duplicate ID or name", r.ID, r.Name)
		}
		ids[r.ID], names[r.Name] = true, true
	}
	pre, err := newPrefilter(s.rules)
	if err != nil {
		return nil, err
	}
	s.pre = pre
	return s, nil
}

var defaultScanner = sync.OnceValue(func() *Scanner {
	s, err := New(Rules())
	if err != nil {
		panic("secret: built-in rules: " + err.Error())
	}
	return s
})

// Default returns the scanner for the built-in rules, built once.
func Default() *Scanner { return defaultScanner() }

// Rules returns the scanner's compiled rules, in precedence order.
func (s *Scanner) Rules() []*Rule {
	out := make([]*Rule, len(s.rules))
	for i := range s.rules {
		out[i] = &s.rules[i]
	}
	return out
}

// Scan finds secrets in data, ordered by position.
func (s *Scanner) Scan(data []byte) []Match { return s.ScanPath("", data) }

// ScanPath is Scan for a file, so that rules can skip paths they know are
// noise (lock files). data is never modified or retained.
func (s *Scanner) ScanPath(path string, data []byte) []Match {
	hits := s.pre.find(data, s.rules)
	if len(hits) == 0 {
		return nil
	}
	slices.SortFunc(hits, func(a, b hit) int {
		return cmp.Or(cmp.Compare(a.rule, b.rule), cmp.Compare(a.start, b.start))
	})
	var found []Match
	for i := 0; i < len(hits); {
		j := i + 1
		for j < len(hits) && hits[j].rule == hits[i].rule {
			j++
		}
		r := &s.rules[hits[i].rule]
		if path == "" || !r.pathAllowed(path) {
			found = s.runRule(found, r, data, hits[i:j])
		}
		i = j
	}
	found = dropOverlaps(found)
	locate(data, found)
	return found
}

// runRule runs r's regex over the merged windows around its keyword hits
// and appends the candidates that pass entropy and the allowlists.
func (s *Scanner) runRule(found []Match, r *Rule, data []byte, hits []hit) []Match {
	ws, we := -1, -1
	flush := func() {
		if ws < 0 {
			return
		}
		window := data[ws:we]
		for _, m := range r.re.FindAllSubmatchIndex(window, -1) {
			start, end := m[0], m[1]
			for _, g := range r.secret {
				if m[2*g] >= 0 {
					start, end = m[2*g], m[2*g+1]
					break
				}
			}
			if start == end {
				continue
			}
			secret := string(window[start:end])
			if r.MinEntropy > 0 && Entropy(secret) < r.MinEntropy {
				continue
			}
			key := ""
			if r.key >= 0 && m[2*r.key] >= 0 {
				key = string(window[m[2*r.key]:m[2*r.key+1]])
			}
			if r.allowed(secret, key) {
				continue
			}
			found = append(found, Match{Rule: r, Start: ws + start, End: ws + end, Secret: Value{secret}})
		}
	}
	for _, h := range hits {
		a, b, ok := r.window(data, h)
		if !ok {
			continue
		}
		if a <= we {
			ws, we = min(ws, a), max(we, b)
			continue
		}
		flush()
		ws, we = a, b
	}
	flush()
	return found
}

// window returns the byte range the rule's regex sees around one hit, or
// false if the hit is not in the rule's Context.
func (r *Rule) window(data []byte, h hit) (int, int, bool) {
	switch r.Context {
	case Assigned:
		return assignedWindow(data, h, r.Window)
	case Userinfo:
		return userinfoWindow(data, h, r.Window)
	}
	a, b := around(data, r.Window, h)
	return a, b, true
}

// around returns the configured bytes before and after a hit, cut at the
// hit's line unless the rule spans lines.
func around(data []byte, w Window, h hit) (int, int) {
	a := max(0, h.start-w.Before)
	b := min(len(data), h.end+w.After)
	if w.Multiline {
		return a, b
	}
	if i := bytes.LastIndexByte(data[a:h.start], '\n'); i >= 0 {
		a += i + 1
	}
	if i := bytes.IndexByte(data[h.end:b], '\n'); i >= 0 {
		b = h.end + i
	}
	return a, b
}

// dropOverlaps keeps, of any matches whose secrets overlap, the one from the
// earliest rule, and returns the survivors ordered by position.
func dropOverlaps(found []Match) []Match {
	if len(found) < 2 {
		return found
	}
	slices.SortFunc(found, func(a, b Match) int {
		return cmp.Or(cmp.Compare(a.Start, b.Start), cmp.Compare(a.Rule.order, b.Rule.order), cmp.Compare(a.End, b.End))
	})
	kept := found[:0]
	maxEnd, maxLen := 0, 0
	for _, m := range found {
		keep := true
		if m.Start < maxEnd {
			// Rare: some kept match may overlap. Kept matches are ordered
			// by start and none is longer than maxLen, so look back only
			// that far.
			for k := len(kept) - 1; k >= 0 && keep && kept[k].Start+maxLen > m.Start; k-- {
				o := kept[k]
				if o.End <= m.Start {
					continue
				}
				if o.Rule.order <= m.Rule.order {
					keep = false
				} else {
					kept = slices.Delete(kept, k, k+1)
				}
			}
		}
		if keep {
			kept = append(kept, m)
			maxEnd = max(maxEnd, m.End)
			maxLen = max(maxLen, m.End-m.Start)
		}
	}
	return kept
}

// locate fills Line and Column for matches ordered by Start, counting lines
// and characters once across the input, even when every match sits on one
// long line.
func locate(data []byte, found []Match) {
	line, col, pos := 1, 1, 0
	for i := range found {
		m := &found[i]
		seg := data[pos:m.Start]
		if n := bytes.Count(seg, []byte{'\n'}); n > 0 {
			line += n
			col = 1
			seg = seg[bytes.LastIndexByte(seg, '\n')+1:]
		}
		col += utf8.RuneCount(seg)
		pos = m.Start
		m.Line, m.Column = line, col
	}
}
