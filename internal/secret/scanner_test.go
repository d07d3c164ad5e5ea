package secret

import (
	"bytes"
	"strings"
	"testing"

	"github.com/bulwark-dev/bulwark/internal/rule"
)

// fakeToken builds a token at run time so no literal credential sits in
// the source: prefix plus n characters cycling through a mixed alphabet.
func fakeToken(prefix string, n int) string {
	const alphabet = "q7Wm2RtZ9xKp4VbN8cLh3JfY6dGs5TkEa1"
	var b strings.Builder
	b.WriteString(prefix)
	for i := 0; i < n; i++ {
		b.WriteByte(alphabet[(i*7+i/len(alphabet))%len(alphabet)])
	}
	return b.String()
}

func testRule(id, name, keyword, pattern string) Rule {
	return Rule{
		Meta:     rule.Meta{ID: id, Name: name, Title: name, Severity: rule.High},
		Keywords: []string{keyword},
		Pattern:  pattern,
	}
}

func TestNewRejectsBadRules(t *testing.T) {
	good := testRule("X-1", "x", "abc", `abc(?P<secret>\d+)`)
	cases := map[string]func(r *Rule){
		"no ID":             func(r *Rule) { r.ID = "" },
		"no title":          func(r *Rule) { r.Title = "" },
		"no severity":       func(r *Rule) { r.Severity = 0 },
		"no keywords":       func(r *Rule) { r.Keywords = nil },
		"upper keyword":     func(r *Rule) { r.Keywords = []string{"ABC"} },
		"short keyword":     func(r *Rule) { r.Keywords = []string{"ab"} },
		"bad pattern":       func(r *Rule) { r.Pattern = `(` },
		"no pattern":        func(r *Rule) { r.Pattern = "" },
		"bad allow regex":   func(r *Rule) { r.Allow.Secrets = []string{`[`} },
		"negative window":   func(r *Rule) { r.Window.After = -1 },
		"non-ASCII keyword": func(r *Rule) { r.Keywords = []string{"clé"} },
	}
	for name, mutate := range cases {
		r := good
		mutate(&r)
		if _, err := New([]Rule{r}); err == nil {
			t.Errorf("%s: New accepted the rule", name)
		}
	}
	if _, err := New([]Rule{good, good}); err == nil {
		t.Error("New accepted duplicate rules")
	}
	if _, err := New(nil); err == nil {
		t.Error("New accepted no rules")
	}
	if _, err := New([]Rule{good}); err != nil {
		t.Fatal(err)
	}
}

func TestScanPositions(t *testing.T) {
	tok := fakeToken("ghp_", 36)
	data := "# héllo wörld\n  token:  " + tok + "\n"
	ms := Default().Scan([]byte(data))
	if len(ms) != 1 {
		t.Fatalf("got %d matches, want 1", len(ms))
	}
	m := ms[0]
	if m.Rule.Name != "github-token" || m.Line != 2 || m.Column != 11 {
		t.Errorf("got %s at %d:%d, want github-token at 2:11", m.Rule.Name, m.Line, m.Column)
	}
	if data[m.Start:m.End] != tok {
		t.Errorf("offsets %d..%d do not cover the token", m.Start, m.End)
	}
	// Columns count characters, not bytes.
	ms = Default().Scan([]byte("é: " + tok))
	if len(ms) != 1 || ms[0].Column != 4 {
		t.Errorf("column after a two-byte rune: %+v", ms)
	}
}

// TestKeywordAnyCase: a keyword is found in any case, at the first and
// the last bytes of the input.
func TestKeywordAnyCase(t *testing.T) {
	tok := fakeToken("ghp_", 36)
	for _, at := range []int{0, 1, 2, 100} {
		data := append(bytes.Repeat([]byte{' '}, at), tok...)
		ms := Default().Scan(data)
		if len(ms) != 1 || ms[0].Start != at {
			t.Errorf("token at %d: got %+v", at, ms)
		}
	}
	s, err := New([]Rule{testRule("X-1", "x", "token", `(?i)TOKEN=(?P<secret>\d{6})`)})
	if err != nil {
		t.Fatal(err)
	}
	if ms := s.Scan([]byte("ToKeN=739184")); len(ms) != 1 {
		t.Errorf("mixed-case keyword: %d matches", len(ms))
	}
}

// TestOverlapKeepsEarlierRule: a GitHub token assigned to "token:" is one
// finding, the specific one.
func TestOverlapKeepsEarlierRule(t *testing.T) {
	data := "token: " + fakeToken("ghp_", 36) + "\n"
	ms := Default().Scan([]byte(data))
	if len(ms) != 1 || ms[0].Rule.Name != "github-token" {
		for _, m := range ms {
			t.Logf("%s %d..%d", m.Rule.Name, m.Start, m.End)
		}
		t.Fatalf("want one github-token match, got %d", len(ms))
	}
}

func TestScanPathAllowlist(t *testing.T) {
	data := []byte("password: " + fakeToken("", 20) + "\n")
	if n := len(Default().ScanPath("deploy/values.yaml", data)); n != 1 {
		t.Errorf("values.yaml: %d matches, want 1", n)
	}
	if n := len(Default().ScanPath("web/package-lock.json", data)); n != 0 {
		t.Errorf("package-lock.json: %d matches, want 0", n)
	}
}

func TestScanEmptyAndBinary(t *testing.T) {
	s := Default()
	for _, in := range [][]byte{nil, {}, {0}, bytes.Repeat([]byte{0xff}, 100), []byte("password")} {
		if ms := s.Scan(in); len(ms) != 0 {
			t.Errorf("%q: %d matches", in, len(ms))
		}
	}
}

func TestIsPlaceholder(t *testing.T) {
	yes := []string{"", "  ", `""`, "{{ .Values.x }}", "${VAR}", "$(VAR)", "$DB_PASS", "<changeme>",
		"REPLACE_ME", "xxxxx", "***", "********", "example-key", "dummy", "ENC[AES256_GCM,data:abc,iv:x,tag:y,type:str]",
		"%DB_PASS%", "%s", "@PASSWORD@", "__TOKEN__", "((db_password))", "#{secret}", "null", "true",
		"vault:secret/data/db#pw", "ref+awssm://db/pw", "arn:aws:secretsmanager:eu-west-1:1:secret:db",
		"projects/p/secrets/db/versions/1", "/var/run/secrets/token", "./keys/id_rsa", "your-api-key",
		"aaaaaaaa", "12345678", "abcdefghijk", "sk-...", "<nil>"}
	no := []string{fakeToken("", 20), "hunter2", "S3cure!Passw0rd", "p4$$w0rd", fakeToken("ghp_", 36), "$2y$10$abc", "$uperS3cret", "%Pa55w0rd%"}
	for _, s := range yes {
		if !IsPlaceholder(s) {
			t.Errorf("IsPlaceholder(%q) = false", s)
		}
	}
	for _, s := range no {
		if IsPlaceholder(s) {
			t.Errorf("IsPlaceholder(%q) = true", s)
		}
	}
}

func TestWeakDefault(t *testing.T) {
	for _, s := range []string{"password", "Admin", "changeme", "secret", "123456", "root", " P@ssw0rd "} {
		if !WeakDefault(s) {
			t.Errorf("WeakDefault(%q) = false", s)
		}
	}
	for _, s := range []string{fakeToken("", 16), "", "correct horse battery staple"} {
		if WeakDefault(s) {
			t.Errorf("WeakDefault(%q) = true", s)
		}
	}
}

func TestEntropy(t *testing.T) {
	cases := map[string]float64{"": 0, "aaaa": 0, "ab": 1, "abcd": 2, "0123456789abcdef": 4}
	for s, want := range cases {
		if got := Entropy(s); got != want {
			t.Errorf("Entropy(%q) = %v, want %v", s, got, want)
		}
	}
}
