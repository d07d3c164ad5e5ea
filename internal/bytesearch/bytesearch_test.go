package bytesearch

import (
	"bytes"
	"slices"
	"strings"
	"testing"
)

func TestContains(t *testing.T) {
	for _, tt := range []struct {
		data, needle string
		rare         int
		want         bool
	}{
		{"apiVersion: argoproj.io/v1alpha1", "argoproj.io/", 7, true},
		{"argoproj.io/", "argoproj.io/", 7, true},
		{"argoproj.i", "argoproj.io/", 7, false},
		{"xj argoproj.io/", "argoproj.io/", 7, true},
		{"kind: ConfigMa", "ConfigMap", 6, false},
		{"jjjj", "argoproj.io/", 7, false},
		{"tokentoken", "token", 2, true},
		{"", "key", 2, false},
	} {
		if got := Contains([]byte(tt.data), []byte(tt.needle), tt.rare); got != tt.want {
			t.Errorf("Contains(%q, %q) = %v", tt.data, tt.needle, got)
		}
	}
}

// FuzzContains: the same answer as bytes.Contains, whichever byte is rare.
func FuzzContains(f *testing.F) {
	f.Add([]byte("a token here"), []byte("token"), 2)
	f.Fuzz(func(t *testing.T, data, needle []byte, rare int) {
		if len(needle) == 0 {
			return
		}
		rare = (rare%len(needle) + len(needle)) % len(needle)
		if got, want := Contains(data, needle, rare), bytes.Contains(data, needle); got != want {
			t.Fatalf("Contains(%q, %q, %d) = %v, want %v", data, needle, rare, got, want)
		}
	})
}

func TestSetFind(t *testing.T) {
	for _, tt := range []struct {
		words []string
		data  string
		want  []int // word, start pairs
	}{
		{[]string{"secret", "sec", "token"}, "a SECRET Token", []int{0, 2, 1, 2, 2, 9}},
		{[]string{"aa"}, "aaaa", []int{0, 0, 0, 1, 0, 2}},
		{[]string{"key"}, "ke", nil},
		{[]string{"x", "xy"}, "axy", []int{0, 1, 1, 1}},
		{[]string{"@ab"}, "ab @AB", []int{0, 3}},
		{[]string{"http://"}, "HTTP:/", nil},
	} {
		s, err := NewSet(tt.words)
		if err != nil {
			t.Fatal(err)
		}
		var got []int
		s.Find([]byte(tt.data), func(w, at int) bool {
			got = append(got, w, at)
			return true
		})
		if !slices.Equal(got, tt.want) {
			t.Errorf("%q in %q: got %v, want %v", tt.words, tt.data, got, tt.want)
		}
		if s.Contains([]byte(tt.data)) != (len(tt.want) > 0) {
			t.Errorf("%q in %q: Contains disagrees with Find", tt.words, tt.data)
		}
	}
	for _, bad := range [][]string{nil, {""}, {"clé"}} {
		if _, err := NewSet(bad); err == nil {
			t.Errorf("NewSet(%q) accepted", bad)
		}
	}
}

// FuzzSetFind: the occurrences a naive case-folded search finds, in order.
func FuzzSetFind(f *testing.F) {
	f.Add([]byte("password: hunter2 SECRET token"), "pass,secret,ken,t")
	f.Add([]byte("\x00\x00a@`"), "`,@a,a")
	f.Fuzz(func(t *testing.T, data []byte, list string) {
		var words []string
		for _, w := range strings.Split(list, ",") {
			if w != "" && len(words) < 20 && isASCII(w) {
				words = append(words, w)
			}
		}
		if len(words) == 0 {
			return
		}
		s, err := NewSet(words)
		if err != nil {
			t.Fatal(err)
		}
		var got, want []int
		s.Find(data, func(w, at int) bool {
			got = append(got, w, at)
			return true
		})
		low := asciiLower(data)
		for at := range low {
			for w, word := range words {
				if bytes.HasPrefix(low[at:], []byte(strings.ToLower(word))) {
					want = append(want, w, at)
				}
			}
		}
		if !slices.Equal(got, want) {
			t.Fatalf("%q in %q: got %v, want %v", words, data, got, want)
		}
	})
}

func isASCII(s string) bool {
	for i := range len(s) {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// asciiLower folds ASCII letters only, as Set does (bytes.ToLower would
// also rewrite invalid UTF-8 and move offsets).
func asciiLower(b []byte) []byte {
	out := bytes.Clone(b)
	for i, c := range out {
		if c >= 'A' && c <= 'Z' {
			out[i] = c + 'a' - 'A'
		}
	}
	return out
}
