package yamljson

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bulwark-dev/bulwark/internal/yamlcheck"
)

// check: whatever Parse accepts, yaml.v3 parses to the same tree.
func check(t *testing.T, data []byte) bool {
	t.Helper()
	return yamlcheck.Accepted(t, Parse, data, true)
}

func TestParseMatchesYAMLv3(t *testing.T) {
	tests := []struct {
		name   string
		doc    string
		accept bool
	}{
		{"object", `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","labels":{"app":"web"}},"spec":{"containers":[{"name":"c","image":"x","ports":[{"containerPort":80}]}]}}`, true},
		{"indented", "{\n  \"a\": {\n    \"b\": [\n      1,\n      \"two\",\n      {}\n    ]\n  },\n  \"c\": []\n}\n", true},
		{"spaces everywhere", "  { \"a\" : 1 , \"b\" :\n  [ true ,false, null ] }  \n\n", true},
		{"value on the next line", "{\"a\":\n\n  \"b\"}", true},
		{"root array", `[{"a":1},{"b":2}]`, true},
		{"empty", `{}`, true},
		{"numbers", `[0,-0,1.5,-2.25e-3,1e3,1E+3,10,123456789012345678901234567890,1e400,-0.0]`, true},
		{"literals as strings", `{"true":"false","null":"~","1":"0x10","yes":"no","<<":"merge"}`, true},
		{"escapes", `{"a":"tab\there \"quoted\" back\\slash \n\r\b\f \u00e9 \u0041 \u0000 \u2028 \uFFFF"}`, true},
		{"duplicate keys", `{"a":1,"a":2}`, true},
		{"key of 900 characters", `{"` + strings.Repeat("k", 900) + `":1}`, true},
		{"long value", `{"a":"` + strings.Repeat("v", 5000) + `"}`, true},
		{"key of 1100 characters", `{"` + strings.Repeat("k", 1100) + `":1}`, false},
		{"colon on the next line", "{\"a\"\n:1}", false},
		{"slash escape", `{"a":"\/"}`, false},
		{"surrogate pair", `{"a":"\ud83d\ude00"}`, false},
		{"UTF-8", `{"é":"✓ ça 日本 😀","after":[1,"x"]}`, true},
		{"UTF-8 columns", "{\"é\":\"ü\",\n \"ß\": {\"日\":2.5}}", true},
		{"escaped NEL and line separator", `{"a":"x\u0085y\u2028z"}`, true},
		{"raw NEL", "{\"a\":\"x\xc2\x85y\"}", false},
		{"raw line separator", "{\"a\":\"x\u2028y\"}", false},
		{"raw C1 control", "{\"a\":\"x\xc2\x90y\"}", false},
		{"byte-order mark", "{\"a\":\"\ufeff\"}", false},
		{"invalid UTF-8", "{\"a\":\"\xff\"}", false},
		{"tab", "{\t\"a\":1}", false},
		{"carriage return", "{\"a\":1}\r\n", false},
		{"scalar root", `"a"`, false},
		{"trailing comma", `{"a":1,}`, false},
		{"not JSON", `{a: 1}`, false},
		{"bad number", `[01]`, false},
		{"two values", `{}{}`, false},
		{"unterminated", `{"a":"b`, false},
		{"deep", strings.Repeat("[", 300) + strings.Repeat("]", 300), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := check(t, []byte(tt.doc)); got != tt.accept {
				t.Errorf("accepted = %v, want %v", got, tt.accept)
			}
		})
	}
}

// TestObjectsAsTheAPIServerSendsThem: the repository's JSON objects,
// compact as the API server sends them and indented as kubectl prints
// them, are all read by the fast path, alike.
func TestObjectsAsTheAPIServerSendsThem(t *testing.T) {
	files, _ := filepath.Glob("../admission/testdata/*.json")
	if len(files) == 0 {
		t.Fatal("no JSON objects found")
	}
	var n int
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var v any
		if err := json.Unmarshal(data, &v); err != nil {
			t.Fatal(err)
		}
		docs := []any{v}
		if m, ok := v.(map[string]any); ok {
			if items, ok := m["items"].([]any); ok {
				docs = append(docs, items...)
			}
		}
		for _, d := range docs {
			compact, _ := json.Marshal(d)
			indented, _ := json.MarshalIndent(d, "", "  ")
			for _, data := range [][]byte{compact, indented} {
				n++
				if !check(t, data) {
					t.Fatalf("%s: not read by the fast path:\n%.200s", f, data)
				}
			}
		}
	}
	t.Logf("%d objects", n)
}

// randomJSON writes a random JSON value with random spacing.
func randomJSON(r *rand.Rand, b *bytes.Buffer, depth int) {
	space := func() {
		for r.IntN(4) == 0 {
			b.WriteString([]string{" ", "\n", "  ", "\n  "}[r.IntN(4)])
		}
	}
	str := func() {
		b.WriteByte('"')
		for i := r.IntN(8); i > 0; i-- {
			switch r.IntN(12) {
			case 0:
				b.WriteString([]string{`\"`, `\\`, `\n`, `\t`, `\u00e9`, `\u0000`, `\b`, `\f`, `\r`, `\u007f`}[r.IntN(10)])
			case 1:
				b.WriteString([]string{"-", ":", "#", "&", "*", "!", "|", ">", "'", "%", "@", "`", " ", "{", "}", "[", "]", ","}[r.IntN(18)])
			case 2:
				b.WriteString([]string{"é", "✓", "日本", "😀", "\u00a0", "ß"}[r.IntN(6)])
			default:
				b.WriteByte("abcxyz019"[r.IntN(9)])
			}
		}
		b.WriteByte('"')
	}
	switch k := r.IntN(10); {
	case depth < 6 && k < 3:
		b.WriteByte('{')
		space()
		for i, n := 0, r.IntN(4); i < n; i++ {
			if i > 0 {
				b.WriteByte(',')
				space()
			}
			str()
			if r.IntN(4) == 0 {
				b.WriteByte(' ')
			}
			b.WriteByte(':')
			space()
			randomJSON(r, b, depth+1)
			space()
		}
		b.WriteByte('}')
	case depth < 6 && k < 5:
		b.WriteByte('[')
		space()
		for i, n := 0, r.IntN(4); i < n; i++ {
			if i > 0 {
				b.WriteByte(',')
				space()
			}
			randomJSON(r, b, depth+1)
			space()
		}
		b.WriteByte(']')
	case k < 7:
		str()
	default:
		b.WriteString([]string{"0", "-1", "2.5", "1e9", "-3.25E-2", "true", "false", "null", "12345678901234567890"}[r.IntN(9)])
	}
}

// TestRandomJSON: random documents with random spacing parse alike.
func TestRandomJSON(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 7))
	accepted := 0
	for i := 0; i < 3000; i++ {
		var b bytes.Buffer
		if r.IntN(2) == 0 {
			b.WriteByte('{')
			b.WriteString(`"k":`)
			randomJSON(r, &b, 1)
			b.WriteByte('}')
		} else {
			b.WriteByte('[')
			randomJSON(r, &b, 1)
			b.WriteByte(']')
		}
		if check(t, b.Bytes()) {
			accepted++
		}
	}
	if accepted < 2900 {
		t.Errorf("only %d of 3000 random documents read by the fast path", accepted)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		`{"apiVersion":"v1","kind":"Pod","metadata":{"name":"x"},"spec":{"containers":[{"name":"a","image":"b"}]}}`,
		"{\n  \"a\": [1, 2.5, true, null, \"\\u00e9\\n\"],\n  \"b\": {}\n}\n",
		`[{"a":"\"q\""},[],-0.5e+3]`,
		"{\"é\": [\"✓ 😀\", 1],\n \"日本\": \"\\u00e9\"}",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) { check(t, data) })
}
