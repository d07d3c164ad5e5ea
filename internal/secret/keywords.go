package secret

import (
	"encoding/binary"
	"fmt"
	"sync"

	"github.com/coregx/ahocorasick"
)

// prefilter finds every rule keyword in one Aho-Corasick pass. Keywords are
// lower-case and the input is lowered chunk by chunk into a pooled buffer,
// so the pass is case-insensitive without copying the whole input.
type prefilter struct {
	ac       *ahocorasick.Automaton
	rules    [][]int // keyword index -> indexes of the rules that use it
	maxLen   int     // longest keyword, for the overlap between chunks
	chunkBuf sync.Pool
}

// chunkSize bounds the lowered copy. 64 KiB stays in L2 cache and makes the
// per-chunk overhead negligible.
const chunkSize = 64 << 10

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
				p.maxLen = max(p.maxLen, len(k))
			}
			if n := len(p.rules[ki]); n == 0 || p.rules[ki][n-1] != ri {
				p.rules[ki] = append(p.rules[ki], ri)
			}
		}
	}
	ac, err := ahocorasick.NewBuilder().AddStrings(words).Build()
	if err != nil {
		return nil, fmt.Errorf("building keyword automaton: %w", err)
	}
	p.ac = ac
	p.chunkBuf.New = func() any {
		b := make([]byte, chunkSize+p.maxLen)
		return &b
	}
	return p, nil
}

// find returns the keyword hits in data for every rule, dropping hits that
// fail a rule's word-boundary requirement.
func (p *prefilter) find(data []byte, rules []Rule) []hit {
	bufp := p.chunkBuf.Get().(*[]byte)
	defer p.chunkBuf.Put(bufp)
	var hits []hit
	for off := 0; off < len(data); off += chunkSize {
		end := min(off+chunkSize, len(data))
		// Extend the chunk so a keyword that starts before end is seen
		// whole; hits starting at or after end belong to the next chunk.
		ext := min(end+p.maxLen-1, len(data))
		buf := lowerInto((*bufp)[:0], data[off:ext])
		for _, m := range p.ac.FindAllOverlapping(buf) {
			if m.Start >= end-off {
				continue
			}
			start := off + m.Start
			for _, ri := range p.rules[m.PatternID] {
				if rules[ri].Boundary && start > 0 && isWordByte(data[start-1]) {
					continue
				}
				hits = append(hits, hit{rule: ri, start: start, end: off + m.End})
			}
		}
	}
	return hits
}

// lowerInto appends the ASCII-lowered src to dst. Non-ASCII bytes pass
// through unchanged; keywords are ASCII, so that is all folding needs. It
// works eight bytes at a time: lowering is a fifth of the keyword pass.
func lowerInto(dst, src []byte) []byte {
	n := len(dst)
	dst = append(dst, src...)
	b := dst[n:]
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	i := 0
	for ; i+8 <= len(b); i += 8 {
		v := binary.LittleEndian.Uint64(b[i:])
		low := v &^ highs // each byte's low seven bits, so adds cannot carry
		geA := low + (0x80-'A')*ones
		gtZ := low + (0x80-'Z'-1)*ones
		upper := (geA &^ gtZ) &^ v & highs // ASCII and within 'A'..'Z'
		binary.LittleEndian.PutUint64(b[i:], v|upper>>2)
	}
	for ; i < len(b); i++ {
		if c := b[i]; c-'A' < 26 {
			b[i] = c + 'a' - 'A'
		}
	}
	return dst
}

func isWordByte(c byte) bool {
	return c == '_' || c-'0' < 10 || c-'a' < 26 || c-'A' < 26
}
