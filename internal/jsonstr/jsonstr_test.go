package jsonstr

import (
	"bytes"
	"encoding/json"
	"testing"
)

// reference quotes s with encoding/json, HTML left alone.
func reference(s string) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

func TestAppend(t *testing.T) {
	for _, s := range []string{"", "plain", "tab\tnew\nline \"quote\" back\\slash <html> & \u2028\u2029 \x01\x1f \b\f\r é ✓ \xff\xfe", string([]byte{0xe2, 0x80})} {
		want, err := reference(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := Append([]byte("x"), s); string(got) != "x"+string(want) {
			t.Errorf("Append(%q) = %s, want x%s", s, got, want)
		}
	}
}

// FuzzAppend: any string is quoted as encoding/json quotes it.
func FuzzAppend(f *testing.F) {
	f.Add("plain")
	f.Add("\x00\u2028\xff\"\\<>&")
	f.Fuzz(func(t *testing.T, s string) {
		want, err := reference(s)
		if err != nil {
			t.Skip()
		}
		if got := Append(nil, s); string(got) != string(want) {
			t.Fatalf("Append(%q) = %s, want %s", s, got, want)
		}
	})
}
