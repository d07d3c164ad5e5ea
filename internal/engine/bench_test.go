package engine

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/bulwark-dev/bulwark/internal/manifest"
	"github.com/bulwark-dev/bulwark/internal/policy"
	"github.com/bulwark-dev/bulwark/internal/source"
)

const corpus = "../../../shared/corpus"

func corpusFiles(b *testing.B) map[string][]byte {
	b.Helper()
	files := map[string][]byte{}
	_ = filepath.WalkDir(corpus, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && (filepath.Ext(p) == ".yaml" || filepath.Ext(p) == ".yml") {
			if data, err := os.ReadFile(p); err == nil {
				files[p] = data
			}
		}
		return nil
	})
	if len(files) == 0 {
		b.Skip("shared corpus not present")
	}
	return files
}

// BenchmarkDecode measures document splitting and header scanning of the
// corpus in memory: the lazy decoder's floor.
func BenchmarkDecode(b *testing.B) {
	files := corpusFiles(b)
	var size int64
	for _, d := range files {
		size += int64(len(d))
	}
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		for p, d := range files {
			manifest.Parse(p, d, nil)
		}
	}
}

// BenchmarkDecodeEager parses every document's YAML tree, for comparison.
func BenchmarkDecodeEager(b *testing.B) {
	files := corpusFiles(b)
	var size int64
	for _, d := range files {
		size += int64(len(d))
	}
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		for p, d := range files {
			for _, o := range manifest.Parse(p, d, nil).Objects {
				_, _ = o.Root()
			}
		}
	}
}

// BenchmarkScan measures the whole scan of the corpus from disk: reading,
// decoding, every rule, findings with positions. Reports objects/s.
func BenchmarkScan(b *testing.B) {
	corpusFiles(b)
	e := newEngine(b)
	var objects int
	b.ReportAllocs()
	for b.Loop() {
		res, err := e.Scan(context.Background(), []string{corpus}, source.Options{})
		if err != nil {
			b.Fatal(err)
		}
		objects = res.Objects
	}
	b.ReportMetric(float64(objects)*float64(b.N)/b.Elapsed().Seconds(), "objects/s")
}

// BenchmarkScanWithPolicy is BenchmarkScan plus the default policy's
// decision, to show what policy evaluation adds to a scan.
func BenchmarkScanWithPolicy(b *testing.B) {
	corpusFiles(b)
	e := newEngine(b)
	pol := policy.Default()
	b.ReportAllocs()
	for b.Loop() {
		res, err := e.Scan(context.Background(), []string{corpus}, source.Options{})
		if err != nil {
			b.Fatal(err)
		}
		pol.Decide(res.Findings, policy.Options{Now: time.Now()})
	}
}
