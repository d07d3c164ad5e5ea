package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"runtime"

	"github.com/bulwark-dev/bulwark/internal/manifest"
)

// WriteJSON writes the report as indented JSON. Findings are encoded one at
// a time, so a report of many thousand findings never exists twice in memory.
func WriteJSON(w io.Writer, r *Report) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	head := struct {
		SchemaVersion string  `json:"schemaVersion"`
		Tool          Tool    `json:"tool"`
		Summary       Summary `json:"summary"`
	}{r.SchemaVersion, r.Tool, r.Summary}
	b, err := marshal(head, "")
	if err != nil {
		return err
	}
	bw.Write(bytes.TrimRight(b[:len(b)-1], "\n")) // drop the closing brace
	writeArray(bw, "findings", len(r.Findings), func(b []byte, i int, c *ruleText) []byte { return appendFinding(b, &r.Findings[i], c) })
	errs := r.Errors
	if errs == nil {
		errs = []manifest.Error{}
	}
	writeArray(bw, "errors", len(errs), func(b []byte, i int, _ *ruleText) []byte {
		e, err := marshal(&errs[i], "    ")
		if err != nil {
			e = []byte(`null`)
		}
		return append(b, e...)
	})
	bw.WriteString("\n}\n")
	return bw.Flush()
}

func writeArray(bw *bufio.Writer, name string, n int, item func([]byte, int, *ruleText) []byte) {
	bw.WriteString(",\n  \"" + name + "\": [")
	if n == 0 {
		bw.WriteString("]")
		return
	}
	encodeChunks(n, item, func(chunk []byte) { bw.Write(chunk) })
	bw.WriteString("\n  ]")
}

// encodeChunks encodes items in chunks, a worker per CPU, and writes the
// chunks in order; at most a few chunks wait in memory at once, and their
// buffers are reused.
func encodeChunks(n int, item func([]byte, int, *ruleText) []byte, write func([]byte)) {
	const size = 256
	workers := runtime.GOMAXPROCS(0)
	slots := make(chan chan []byte, workers)
	free := make(chan []byte, workers+1)
	go func() {
		defer close(slots)
		for from := 0; from < n; from += size {
			slot := make(chan []byte, 1)
			slots <- slot // blocks while the writer is workers chunks behind
			go func(from, to int) {
				var buf []byte
				select {
				case buf = <-free:
				default:
				}
				c := newRuleText() // one per chunk: chunks are encoded in parallel
				for i := from; i < to; i++ {
					if i > 0 {
						buf = append(buf, ',')
					}
					buf = append(buf, "\n    "...)
					buf = item(buf, i, c)
				}
				slot <- buf
			}(from, min(from+size, n))
		}
	}()
	for slot := range slots {
		buf := <-slot
		write(buf)
		select {
		case free <- buf[:0]:
		default:
		}
	}
}

// marshal encodes v indented at prefix, without HTML escaping or a newline.
func marshal(v any, prefix string) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent(prefix, "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}
