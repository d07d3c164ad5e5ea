package bytesearch

import (
	"fmt"
	"slices"
)

// Set finds every occurrence of a fixed list of ASCII words in a text,
// ignoring ASCII case, in one pass. A DFA (Aho-Corasick) makes each byte
// wait for the previous byte's table load; Set instead keeps a rolling hash
// of the last three bytes' low five bits, which folds ASCII case for free,
// and looks it up in a 32 KiB table of the words' first three bytes (a
// bitmap would be smaller but costs more instructions per byte than it
// saves in cache). The loads do not wait for each other, so the pass runs
// at more than twice the DFA's speed, and only the rare positions whose
// hash is in the table compare words. It is immutable after NewSet and
// safe for concurrent use.
type Set struct {
	words  []string // lower-case
	width  int      // bytes in the hash: the shortest word's length, at most three
	mask   uint32
	filter *[1 << (3 * hashBits)]bool // by hash: some word starts so
	start  []uint16                   // words hashing to h are order[start[h]:start[h+1]]
	order  []uint16
}

const hashBits = 5

// lower maps ASCII upper-case letters to lower case and every other byte to
// itself.
var lower = func() (t [256]byte) {
	for i := range t {
		t[i] = byte(i)
		if i >= 'A' && i <= 'Z' {
			t[i] += 'a' - 'A'
		}
	}
	return t
}()

// NewSet builds a Set of words, which must be non-empty ASCII; their case
// does not matter. Find reports words by their index in this list.
func NewSet(words []string) (*Set, error) {
	if len(words) == 0 || len(words) >= 1<<16 {
		return nil, fmt.Errorf("keyword set: %d words, want 1 to 65535", len(words))
	}
	s := &Set{words: make([]string, len(words)), width: 3, filter: new([1 << (3 * hashBits)]bool)}
	for i, w := range words {
		if w == "" {
			return nil, fmt.Errorf("keyword set: word %d is empty", i)
		}
		b := []byte(w)
		for j, c := range b {
			if c >= 0x80 {
				return nil, fmt.Errorf("keyword set: word %q is not ASCII", w)
			}
			b[j] = lower[c]
		}
		s.words[i] = string(b)
		s.width = min(s.width, len(w))
	}
	s.mask = 1<<(hashBits*s.width) - 1
	hashes := make([]uint32, len(words))
	for i, w := range s.words {
		hashes[i] = s.hash(w)
	}
	s.start = make([]uint16, s.mask+2)
	for _, h := range hashes {
		s.start[h+1]++
		// The table is indexed by three bytes' hash; a shorter word's
		// prefix may follow any bytes.
		for x := uint32(0); x < uint32(len(s.filter)); x += s.mask + 1 {
			s.filter[x|h] = true
		}
	}
	for h := 1; h < len(s.start); h++ {
		s.start[h] += s.start[h-1]
	}
	s.order = make([]uint16, len(words))
	next := slices.Clone(s.start)
	for i, h := range hashes {
		s.order[next[h]] = uint16(i)
		next[h]++
	}
	return s, nil
}

// hash is the rolling hash of w's first width bytes, as Find computes it.
func (s *Set) hash(w string) uint32 {
	var h uint32
	for i := 0; i < s.width; i++ {
		h = (h<<hashBits | uint32(w[i]&31)) & s.mask
	}
	return h
}

// Len returns the length of word i.
func (s *Set) Len(i int) int { return len(s.words[i]) }

// Find calls fn for every occurrence of a word in data, in order of start
// offset (words starting at one offset in the order NewSet got them),
// overlapping occurrences included, until fn returns false. It reports
// whether the pass ran to the end.
func (s *Set) Find(data []byte, fn func(word, start int) bool) bool {
	var h uint64
	for i, b := range data {
		h = h<<hashBits | uint64(b&31)
		k := uint32(h) & (1<<(3*hashBits) - 1)
		if s.filter[k] && i+1 >= s.width && !s.report(data, i+1-s.width, k&s.mask, fn) {
			return false
		}
	}
	return true
}

// report calls fn for the words hashing to h that data holds at offset at.
func (s *Set) report(data []byte, at int, h uint32, fn func(word, start int) bool) bool {
	for _, wi := range s.order[s.start[h]:s.start[h+1]] {
		if s.at(data, at, s.words[wi]) && !fn(int(wi), at) {
			return false
		}
	}
	return true
}

// Contains reports whether data holds any word of the set.
func (s *Set) Contains(data []byte) bool {
	return !s.Find(data, func(int, int) bool { return false })
}

// at reports whether data holds w, ignoring case, at offset i.
func (s *Set) at(data []byte, i int, w string) bool {
	if len(data)-i < len(w) {
		return false
	}
	d := data[i : i+len(w)]
	for j := range len(w) {
		if lower[d[j]] != w[j] {
			return false
		}
	}
	return true
}
