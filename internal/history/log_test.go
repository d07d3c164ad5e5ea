package history

import (
	"strconv"
	"strings"
	"testing"
)

func parse(t *testing.T, log string) []*fileDiff {
	t.Helper()
	var out []*fileDiff
	if err := newParser(strings.NewReader(log), func(d *fileDiff) { out = append(out, d) }, nil).run(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestParser(t *testing.T) {
	log := "\x1eaaaa\x1fDana <d@example.com>\x1f2026-01-02T10:00:00Z\n" +
		"\n" +
		"diff --git a/x.yaml b/x.yaml\n" +
		"index 1111111111111111111111111111111111111111..2222222222222222222222222222222222222222 100644\n" +
		"--- a/x.yaml\n" +
		"+++ b/x.yaml\n" +
		"@@ -3 +3,2 @@ kind: Secret\n" +
		"-  old: 1\n" +
		"+++ this line starts with two pluses\n" +
		"+--- and this one with two minuses\n" +
		"@@ -10,0 +12 @@\n" +
		"+last\n" +
		"\\ No newline at end of file\n" +
		"diff --git a/img.png b/img.png\n" +
		"Binary files a/img.png and b/img.png differ\n" +
		"diff --git \"a/caf\\303\\251.env\" \"b/caf\\303\\251.env\"\n" +
		"new file mode 100644\n" +
		"index 0000000000000000000000000000000000000000..3333333333333333333333333333333333333333\n" +
		"--- /dev/null\n" +
		"+++ \"b/caf\\303\\251.env\"\n" +
		"@@ -0,0 +1,2 @@\n" +
		"+A=1\n" +
		"+B=2\n" +
		"diff --git a/gone.txt b/gone.txt\n" +
		"deleted file mode 100644\n" +
		"--- a/gone.txt\n" +
		"+++ /dev/null\n" +
		"@@ -1 +0,0 @@\n" +
		"-bye\n"
	ds := parse(t, log)
	if len(ds) != 2 {
		t.Fatalf("got %d diffs, want 2", len(ds))
	}
	d := ds[0]
	if d.path != "x.yaml" || d.blob != "2222222222222222222222222222222222222222" || d.commit.SHA != "aaaa" || d.newFile || d.whole {
		t.Errorf("first diff: %+v", d)
	}
	if got := string(d.added); got != "++ this line starts with two pluses\n--- and this one with two minuses\nlast\n" {
		t.Errorf("added %q", got)
	}
	if len(d.lines) != 3 || d.lines[0] != 3 || d.lines[1] != 4 || d.lines[2] != 12 {
		t.Errorf("lines %v", d.lines)
	}
	n := ds[1]
	if n.path != "café.env" || !n.newFile || !n.whole || string(n.added) != "A=1\nB=2\n" {
		t.Errorf("new file: %+v %q", n, n.added)
	}
}

func TestParserBoundsMemory(t *testing.T) {
	var b strings.Builder
	b.WriteString("\x1ebbbb\x1fX\x1f2026-01-01\ndiff --git a/big.txt b/big.txt\nnew file mode 100644\n+++ b/big.txt\n")
	lines := maxChunk/1000 + 10
	b.WriteString("@@ -0,0 +1," + strconv.Itoa(lines+1) + " @@\n")
	for range lines {
		b.WriteString("+" + strings.Repeat("x", 999) + "\n")
	}
	b.WriteString("+" + strings.Repeat("y", maxLine*2) + "\n") // one over-long line
	ds := parse(t, b.String())
	if len(ds) < 2 {
		t.Fatalf("a %d-byte addition came in %d chunk(s)", lines*1000, len(ds))
	}
	total := 0
	for _, d := range ds {
		if len(d.added) > maxChunk+maxLine+1 {
			t.Errorf("chunk of %d bytes", len(d.added))
		}
		if d.whole {
			t.Error("a chunk claims to be the whole file")
		}
		total += len(d.lines)
	}
	last := ds[len(ds)-1]
	if total != lines+1 || last.lines[len(last.lines)-1] != lines+1 {
		t.Errorf("%d lines in chunks, last at %d; want %d", total, last.lines[len(last.lines)-1], lines+1)
	}
	if l := len(last.added); l > maxLine+1+len(last.lines)*1000 {
		t.Errorf("over-long line kept whole: %d bytes", l)
	}
}
