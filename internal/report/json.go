package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"

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
	writeArray(bw, "findings", len(r.Findings), func(i int) any { return &r.Findings[i] })
	errs := r.Errors
	if errs == nil {
		errs = []manifest.Error{}
	}
	writeArray(bw, "errors", len(errs), func(i int) any { return &errs[i] })
	bw.WriteString("\n}\n")
	return bw.Flush()
}

func writeArray(bw *bufio.Writer, name string, n int, item func(int) any) {
	bw.WriteString(",\n  \"" + name + "\": [")
	if n == 0 {
		bw.WriteString("]")
		return
	}
	for i := 0; i < n; i++ {
		if i > 0 {
			bw.WriteString(",")
		}
		b, err := marshal(item(i), "    ")
		if err != nil {
			b = []byte(`null`)
		}
		bw.WriteString("\n    ")
		bw.Write(b)
	}
	bw.WriteString("\n  ]")
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
