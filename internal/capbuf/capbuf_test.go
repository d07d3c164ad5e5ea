package capbuf

import (
	"fmt"
	"sync"
	"testing"
)

func TestBufferKeepsTheFirstBytes(t *testing.T) {
	b := &Buffer{Max: 5}
	for _, w := range []string{"abc", "defg", "hij"} {
		if n, err := b.Write([]byte(w)); n != len(w) || err != nil {
			t.Fatalf("Write(%q) = %d, %v", w, n, err)
		}
	}
	if got := b.String(); got != "abcde" {
		t.Errorf("kept %q, want %q", got, "abcde")
	}
	b.Reset()
	b.Write([]byte("xy"))
	if got := b.String(); got != "xy" {
		t.Errorf("after Reset: %q", got)
	}
}

// TestBufferConcurrentWrites: writers on several goroutines never make it
// keep more than Max (run with -race).
func TestBufferConcurrentWrites(t *testing.T) {
	b := &Buffer{Max: 100}
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for range 50 {
				fmt.Fprintf(b, "writer %d\n", i)
			}
		})
	}
	wg.Wait()
	if n := len(b.String()); n != 100 {
		t.Errorf("kept %d bytes, want 100", n)
	}
}
