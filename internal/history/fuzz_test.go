package history

import (
	"strings"
	"testing"
)

// FuzzParser feeds arbitrary text to the log parser: it must not panic, and
// every diff it emits must have a path and one line number per added line.
func FuzzParser(f *testing.F) {
	f.Add("\x1eaaaa\x1fA <a@b>\x1f2026-01-01\ndiff --git a/x b/x\n+++ b/x\n@@ -1 +1,2 @@\n-old\n+new\n+more\n")
	f.Add("diff --git a/x b/x\nnew file mode 100644\n+++ \"b/\\303\\251\"\n@@ -0,0 +1 @@\n+é\n")
	f.Add("@@ -1 +1 @@\n+orphan\n\x1e\n+++ b/\n@@ garbage\n+x\n")
	f.Fuzz(func(t *testing.T, log string) {
		err := newParser(strings.NewReader(log), func(d *fileDiff) {
			if d.path == "" || len(d.lines) != strings.Count(string(d.added), "\n") {
				t.Fatalf("diff %q: %d lines for %d added", d.path, len(d.lines), strings.Count(string(d.added), "\n"))
			}
		}, nil).run()
		if err != nil {
			t.Fatal(err)
		}
	})
}
