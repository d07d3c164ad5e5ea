package secrets

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/bulwark-dev/bulwark/internal/manifest"
	"github.com/bulwark-dev/bulwark/internal/rule"
	"github.com/bulwark-dev/bulwark/internal/rules/ruletest"
	"github.com/bulwark-dev/bulwark/internal/secret"
)

func TestFixtures(t *testing.T) {
	ruletest.Fixtures(t, "testdata", ObjectChecks(), SetChecks(), helmValuesFile, kustomizeGenerator, gitCryptPlaintext)
}

func TestRegistry(t *testing.T) {
	reg, err := rule.NewRegistry(ObjectChecks(), SetChecks(), FileChecks()...)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, m := range reg.Rules() {
		if m.Category != rule.Secrets {
			continue
		}
		n++
		if !strings.HasPrefix(m.ID, "BW-SE-") {
			t.Errorf("%s: not in the BW-SE range", m.ID)
		}
	}
	if want := 21 + len(secret.Default().Rules()); n != want {
		t.Errorf("%d secrets rules, want %d", n, want)
	}
	for i, r := range objectRuleList() {
		if i > 0 && r.ID <= objectRuleList()[i-1].ID {
			t.Errorf("object rules out of ID order at %s", r.ID)
		}
	}
}

// Fixtures of the content rules write <<class:n>> for n random characters
// of a class, expanded at load time with a generator seeded by the file
// name, as in package secret: no realistic token is committed.
var (
	fakeMacro   = regexp.MustCompile(`<<([A-Za-z0-9]+):(\d+)>>`)
	fakeClasses = map[string]string{
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
)

// expand replaces the fake-value macros of a fixture.
func expand(t testing.TB, seed, text string) string {
	h := fnv.New64a()
	h.Write([]byte(seed))
	rng := rand.New(rand.NewPCG(h.Sum64(), 0x5eed))
	return fakeMacro.ReplaceAllStringFunc(text, func(m string) string {
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

// TestContentFixtures runs the content check on each content rule's
// fixtures, with fake values expanded.
func TestContentFixtures(t *testing.T) {
	for _, m := range Content.Rules() {
		t.Run(m.ID+"_"+m.Name, func(t *testing.T) {
			for _, want := range []string{"fail", "pass"} {
				files, _ := filepath.Glob(filepath.Join("testdata", m.Name, want, "*"))
				if len(files) == 0 {
					t.Fatalf("no %s fixtures", want)
				}
				for _, path := range files {
					raw, err := os.ReadFile(path)
					if err != nil {
						t.Fatal(err)
					}
					for i, sample := range samples(string(raw)) {
						hits := checkContent(t, path, expand(t, fmt.Sprint(path, i), sample), m.ID)
						if want == "fail" && hits == 0 {
							t.Errorf("%s sample %d: rule %s reported nothing", path, i+1, m.ID)
						}
						if want == "pass" && hits > 0 {
							t.Errorf("%s sample %d: rule %s reported %d hits", path, i+1, m.ID, hits)
						}
					}
				}
			}
		})
	}
}

// samples splits a fixture into its "=== title" samples (text before the
// first title is a comment); a file without titles is one sample.
func samples(text string) []string {
	if !strings.HasPrefix(text, "===") && !strings.Contains(text, "\n===") {
		return []string{text}
	}
	var out []string
	for i, part := range strings.Split("\n"+text, "\n===") {
		if i == 0 {
			continue
		}
		_, body, _ := strings.Cut(part, "\n")
		out = append(out, body)
	}
	return out
}

func checkContent(t *testing.T, path, text, id string) int {
	t.Helper()
	data := []byte(text)
	var parsed *manifest.File
	if ext := filepath.Ext(path); ext == ".yaml" || ext == ".yml" || ext == ".json" {
		parsed = manifest.Parse(path, data, nil)
	}
	n := 0
	for _, h := range Content.CheckFile(path, data, parsed) {
		if h.Rule == id {
			n++
		}
	}
	return n
}

// hitsOf runs every secrets check on a file as the engine would and
// returns the hits with their lines.
func hitsOf(t *testing.T, path, src string) []rule.Hit {
	t.Helper()
	data := []byte(src)
	f := manifest.Parse(path, data, nil)
	var out []rule.Hit
	for _, c := range FileChecks() {
		if c.Match(path) {
			out = append(out, c.CheckFile(path, data, f)...)
		}
	}
	for _, o := range f.Objects {
		for _, h := range Structural.CheckObject(o) {
			if h.Line == 0 {
				pos, _ := o.Pos(h.Path)
				h.Line = pos.Line
			}
			h.Object = o
			out = append(out, h)
		}
	}
	for _, c := range SetChecks() {
		out = append(out, c.CheckSet(f.Objects)...)
	}
	return out
}

func describe(hs []rule.Hit) string {
	var b strings.Builder
	for _, h := range hs {
		fmt.Fprintf(&b, "  %s line %d %s: %s [%s]\n", h.Rule, h.Line, h.Path, h.Message, h.Evidence)
	}
	return b.String()
}
