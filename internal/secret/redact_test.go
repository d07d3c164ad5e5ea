package secret

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestRedactRevealsOnlyAPrefix checks the property for every length and for
// multi-byte text: the output is a prefix of at most four characters and a
// quarter of the secret, followed by the mask.
func TestRedactRevealsOnlyAPrefix(t *testing.T) {
	base := fakeToken("", 200) + "é日本語ü" + fakeToken("", 50)
	for n := 0; n <= utf8.RuneCountInString(base); n++ {
		secret := string([]rune(base)[:n])
		got := Redact(secret)
		shown, ok := strings.CutSuffix(got, redactMask)
		if !ok {
			t.Fatalf("Redact(len %d) = %q: no mask", n, got)
		}
		k := utf8.RuneCountInString(shown)
		if !strings.HasPrefix(secret, shown) || k > 4 || 4*k > n {
			t.Fatalf("Redact(len %d) shows %q", n, shown)
		}
	}
	if got := Redact(fakeToken("ghp_", 36)); got != "ghp_****" {
		t.Errorf("Redact(github token) = %q", got)
	}
	if got := Redact("short"); got != "****" {
		t.Errorf("Redact(short) = %q", got)
	}
}

// TestValueNeverPrintsTheSecret covers every way a Match leaves the program.
func TestValueNeverPrintsTheSecret(t *testing.T) {
	tok := fakeToken("ghp_", 36)
	ms := Default().Scan([]byte("GITHUB_TOKEN=" + tok))
	if len(ms) != 1 {
		t.Fatalf("got %d matches", len(ms))
	}
	j, err := json.Marshal(ms[0])
	if err != nil {
		t.Fatal(err)
	}
	outputs := []string{
		string(j),
		fmt.Sprint(ms[0]), fmt.Sprintf("%v %+v %s %q", ms[0], ms[0], ms[0].Secret, ms[0].Secret),
		fmt.Sprintf("%#v", ms[0].Secret), ms[0].Secret.String(),
	}
	for _, out := range outputs {
		if strings.Contains(out, tok[4:12]) {
			t.Errorf("output leaks the secret: %s", out)
		}
	}
	if !strings.Contains(string(j), `"Secret":"ghp_****"`) {
		t.Errorf("JSON lacks the redacted secret: %s", j)
	}
	if ms[0].Secret.Reveal() != tok || ms[0].Secret.Len() != len(tok) {
		t.Error("Reveal does not return the secret")
	}
}

func TestFingerprint(t *testing.T) {
	tok := fakeToken("ghp_", 36)
	a := Fingerprint(DefaultKey(), tok)
	if !strings.HasPrefix(a, "sha256:") || len(a) != len("sha256:")+32 {
		t.Fatalf("Fingerprint = %q", a)
	}
	if a != Fingerprint(nil, tok) || a != NewValue(tok).Fingerprint(DefaultKey()) {
		t.Error("default key is not stable")
	}
	if a == Fingerprint([]byte("team-key"), tok) {
		t.Error("key does not change the fingerprint")
	}
	if a == Fingerprint(DefaultKey(), tok+"x") {
		t.Error("different secrets share a fingerprint")
	}
	// Pinned: baselines written by earlier versions must keep matching.
	if got := Fingerprint(DefaultKey(), "bulwark"); got != pinnedFingerprint {
		t.Errorf("Fingerprint(default, bulwark) = %s, want %s", got, pinnedFingerprint)
	}
}

func TestKeyFromEnv(t *testing.T) {
	env := map[string]string{}
	getenv := func(k string) string { return env[k] }
	if string(KeyFromEnv(getenv)) != string(DefaultKey()) {
		t.Error("unset variable does not give the default key")
	}
	env[KeyEnv] = "team-key"
	if string(KeyFromEnv(getenv)) != "team-key" {
		t.Error("variable not used")
	}
}

// pinnedFingerprint is Fingerprint(DefaultKey(), "bulwark"), fixed forever.
const pinnedFingerprint = "sha256:5d630447502333b8d6ffd04725c8937e"

func TestMatchHit(t *testing.T) {
	tok := fakeToken("ghp_", 36)
	ms := Default().Scan([]byte("x: " + tok))
	if len(ms) != 1 {
		t.Fatalf("got %d matches", len(ms))
	}
	h := ms[0].Hit("ci.yaml", DefaultKey())
	if h.Rule != "BW-SE-111" || h.File != "ci.yaml" || h.Line != 1 || h.Column != 4 ||
		h.Evidence != "ghp_****" || h.Key != Fingerprint(DefaultKey(), tok) {
		t.Errorf("Hit = %+v", h)
	}
}
