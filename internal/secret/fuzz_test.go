package secret

import (
	"bytes"
	"path/filepath"
	"testing"
)

// FuzzScan feeds arbitrary bytes to the default rules. The scanner must not
// panic, and every match must point inside the input at the secret it
// reports, in order and without overlaps.
func FuzzScan(f *testing.F) {
	f.Add([]byte(""))
	f.Add([]byte("password: " + fakeToken("", 20)))
	f.Add([]byte("url: postgres://u:" + fakeToken("", 12) + "@db/x"))
	f.Add([]byte("- name: AWS_SECRET_ACCESS_KEY\n  value: " + fakeToken("", 40)))
	dirs, _ := filepath.Glob(filepath.Join("testdata", "*"))
	for _, dir := range dirs {
		for _, name := range []string{"tp.txt", "fp.txt"} {
			for _, smp := range loadSamples(f, filepath.Join(dir, name)) {
				f.Add([]byte(smp.text))
			}
		}
	}
	s := Default()
	f.Fuzz(func(t *testing.T, data []byte) {
		prev := -1
		for _, m := range s.Scan(data) {
			if m.Start < 0 || m.End > len(data) || m.Start >= m.End {
				t.Fatalf("%s: offsets %d..%d outside 0..%d", m.Rule.Name, m.Start, m.End, len(data))
			}
			if m.Start < prev {
				t.Fatalf("%s: match at %d overlaps or precedes the previous one ending at %d", m.Rule.Name, m.Start, prev)
			}
			prev = m.End
			if m.Secret.Reveal() != string(data[m.Start:m.End]) {
				t.Fatalf("%s: Secret is not data[Start:End]", m.Rule.Name)
			}
			if want := bytes.Count(data[:m.Start], []byte{'\n'}) + 1; m.Line != want || m.Column < 1 {
				t.Fatalf("%s: position %d:%d, want line %d", m.Rule.Name, m.Line, m.Column, want)
			}
		}
	})
}
