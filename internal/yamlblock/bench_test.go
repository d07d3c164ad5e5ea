package yamlblock

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// acceptedDocs returns the shared corpus's documents that Parse reads.
func acceptedDocs(b *testing.B) [][]byte {
	var docs [][]byte
	filepath.WalkDir("../../../shared/corpus", func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".yaml") {
			return nil
		}
		data, _ := os.ReadFile(p)
		for _, doc := range strings.Split(string(data), "\n---\n") {
			if _, ok := Parse([]byte(doc)); ok {
				docs = append(docs, []byte(doc))
			}
		}
		return nil
	})
	if len(docs) == 0 {
		b.Skip("the shared corpus is not here")
	}
	return docs
}

func bench(b *testing.B, parse func([]byte)) {
	docs := acceptedDocs(b)
	var size int64
	for _, d := range docs {
		size += int64(len(d))
	}
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		for _, d := range docs {
			parse(d)
		}
	}
}

// BenchmarkParse and BenchmarkYAMLv3 build the same trees from the same
// documents.
func BenchmarkParse(b *testing.B) { bench(b, func(d []byte) { Parse(d) }) }

func BenchmarkYAMLv3(b *testing.B) {
	bench(b, func(d []byte) {
		var n yaml.Node
		_ = yaml.Unmarshal(d, &n)
	})
}
