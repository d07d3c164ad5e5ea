package bytesearch

import (
	"bytes"
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
