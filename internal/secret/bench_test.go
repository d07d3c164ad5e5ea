package secret

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// corpusDir holds real-world manifests shared by the project's benchmarks.
const corpusDir = "../../../shared/corpus"

// loadCorpus reads every file of the shared corpus into memory, so the
// benchmark measures scanning, not I/O.
func loadCorpus(tb testing.TB) [][]byte {
	root := os.Getenv("BULWARK_CORPUS")
	if root == "" {
		root = corpusDir
	}
	var files [][]byte
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err == nil {
			files = append(files, b)
		}
		return err
	})
	if err != nil || len(files) == 0 {
		tb.Skipf("corpus not available at %s", root)
	}
	return files
}

// BenchmarkScan scans the whole corpus per iteration; MB/s is the figure to
// compare with the keyword-pass floor in the research notes.
func BenchmarkScan(b *testing.B) {
	files := loadCorpus(b)
	var total int64
	for _, f := range files {
		total += int64(len(f))
	}
	s := Default()
	b.SetBytes(total)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for _, f := range files {
			s.Scan(f)
		}
	}
}
