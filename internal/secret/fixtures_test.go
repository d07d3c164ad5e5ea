package secret

import (
	"bufio"
	"bytes"
	"hash/fnv"
	"math/rand/v2"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// Fixture files, testdata/<rule-name>/{tp,fp}.txt, hold samples:
//
//	=== what the sample shows @2,5
//	...sample lines...
//
// "@" lists the 1-based lines, within the sample, where the rule must
// report a secret (default: line 1); it is ignored in fp.txt. Text before
// the first "===" is a comment.
//
// No real-looking secret is committed: a sample writes <<class:n>> for n
// random characters of a class, expanded at load time with a generator
// seeded by the file name, so tests are deterministic and push protection
// has nothing to flag. Classes are listed in fakeClasses.
type sample struct {
	title string
	text  string
	lines []int
}

var fakeClasses = map[string]string{
	"alnum":  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
	"upper":  "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
	"lower":  "abcdefghijklmnopqrstuvwxyz",
	"digit":  "0123456789",
	"hex":    "0123456789abcdef",
	"HEX":    "0123456789ABCDEF",
	"b64":    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
	"b64url": "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_",
	"b32":    "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567",
	"bech32": "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L",
}

var (
	fakeMacro = regexp.MustCompile(`<<([A-Za-z0-9]+):(\d+)>>`)
	wantLines = regexp.MustCompile(`\s@([\d,]+)\s*$`)
)

// loadSamples reads a fixture file; a missing file yields no samples.
func loadSamples(t testing.TB, path string) []sample {
	t.Helper()
	data, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	h := fnv.New64a()
	h.Write([]byte(path))
	rng := rand.New(rand.NewPCG(h.Sum64(), 0x5eed))

	var out []sample
	var cur *sample
	var body []string
	flush := func() {
		if cur == nil {
			return
		}
		for len(body) > 0 && strings.TrimSpace(body[len(body)-1]) == "" {
			body = body[:len(body)-1]
		}
		cur.text = strings.Join(body, "\n") + "\n"
		out = append(out, *cur)
		body = nil
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if title, ok := strings.CutPrefix(line, "==="); ok {
			flush()
			cur = &sample{title: strings.TrimSpace(title), lines: []int{1}}
			if m := wantLines.FindStringSubmatch(title); m != nil {
				cur.lines = nil
				for _, n := range strings.Split(m[1], ",") {
					v, _ := strconv.Atoi(n)
					cur.lines = append(cur.lines, v)
				}
			}
			continue
		}
		if cur != nil {
			body = append(body, expandFakes(t, rng, line))
		}
	}
	flush()
	return out
}

func expandFakes(t testing.TB, rng *rand.Rand, line string) string {
	return fakeMacro.ReplaceAllStringFunc(line, func(m string) string {
		parts := fakeMacro.FindStringSubmatch(m)
		class, ok := fakeClasses[parts[1]]
		if !ok {
			t.Fatalf("unknown fake class %q", parts[1])
		}
		n, _ := strconv.Atoi(parts[2])
		b := make([]byte, n)
		for i := range b {
			b[i] = class[rng.IntN(len(class))]
		}
		return string(b)
	})
}
