package secret

import (
	"fmt"

	"github.com/bulwark-dev/bulwark/internal/bytesearch"
)

// prefilter finds every rule keyword, in any case, in one pass over the
// input; only the bytes around a keyword meet a rule's regex.
type prefilter struct {
	set   *bytesearch.Set
	rules [][]int // keyword index -> indexes of the rules that use it
}

// hit is one keyword occurrence that a rule will look at.
type hit struct {
	rule       int
	start, end int // byte offsets of the keyword in the input
}

func newPrefilter(rules []Rule) (*prefilter, error) {
	p := &prefilter{}
	index := map[string]int{}
	var words []string
	for ri := range rules {
		for _, k := range rules[ri].Keywords {
			ki, ok := index[k]
			if !ok {
				ki = len(words)
				index[k] = ki
				words = append(words, k)
				p.rules = append(p.rules, nil)
			}
			if n := len(p.rules[ki]); n == 0 || p.rules[ki][n-1] != ri {
				p.rules[ki] = append(p.rules[ki], ri)
			}
		}
	}
	set, err := bytesearch.NewSet(words)
	if err != nil {
		return nil, fmt.Errorf("secret rule keywords: %w", err)
	}
	p.set = set
	return p, nil
}

// find returns the keyword hits in data for every rule, dropping hits that
// fail a rule's word-boundary requirement.
func (p *prefilter) find(data []byte, rules []Rule) []hit {
	var hits []hit
	p.set.Find(data, func(word, start int) bool {
		for _, ri := range p.rules[word] {
			if rules[ri].Boundary && start > 0 && isWordByte(data[start-1]) {
				continue
			}
			hits = append(hits, hit{rule: ri, start: start, end: start + p.set.Len(word)})
		}
		return true
	})
	return hits
}

func isWordByte(c byte) bool {
	return c == '_' || c-'0' < 10 || c-'a' < 26 || c-'A' < 26
}
