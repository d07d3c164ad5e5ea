package secret

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestRuleSamples runs every rule's true- and false-positive samples: each
// true positive is found by its rule on the expected lines and by nothing
// else; each false positive is found by no rule at all.
func TestRuleSamples(t *testing.T) {
	s := Default()
	for _, r := range s.Rules() {
		t.Run(r.Name, func(t *testing.T) {
			dir := filepath.Join("testdata", r.Name)
			tps := loadSamples(t, filepath.Join(dir, "tp.txt"))
			fps := loadSamples(t, filepath.Join(dir, "fp.txt"))
			if len(tps) == 0 || len(fps) == 0 {
				t.Fatalf("%s needs samples in both tp.txt and fp.txt", dir)
			}
			for _, smp := range tps {
				var got []int
				for _, m := range s.Scan([]byte(smp.text)) {
					checkMatch(t, smp.text, m)
					if m.Rule.ID != r.ID {
						t.Errorf("tp %q: also found by %s on line %d: %s", smp.title, m.Rule.Name, m.Line, m.Secret)
						continue
					}
					got = append(got, m.Line)
				}
				if !slices.Equal(got, smp.lines) {
					t.Errorf("tp %q: found on lines %v, want %v\n%s", smp.title, got, smp.lines, smp.text)
				}
			}
			for _, smp := range fps {
				for _, m := range s.Scan([]byte(smp.text)) {
					t.Errorf("fp %q: %s reported %s on line %d", smp.title, m.Rule.Name, m.Secret, m.Line)
				}
			}
		})
	}
}

// checkMatch asserts the invariants every match keeps.
func checkMatch(t *testing.T, text string, m Match) {
	t.Helper()
	if m.Start < 0 || m.End > len(text) || m.Start >= m.End {
		t.Fatalf("%s: offsets %d..%d out of range 0..%d", m.Rule.Name, m.Start, m.End, len(text))
	}
	if got := text[m.Start:m.End]; got != m.Secret.Reveal() {
		t.Errorf("%s: Secret is not text[Start:End]", m.Rule.Name)
	}
	if line := strings.Count(text[:m.Start], "\n") + 1; line != m.Line {
		t.Errorf("%s: Line %d, want %d", m.Rule.Name, m.Line, line)
	}
	if m.Column < 1 {
		t.Errorf("%s: Column %d", m.Rule.Name, m.Column)
	}
}

// TestFixtureDirsNameRules catches fixtures left behind by a renamed rule.
func TestFixtureDirsNameRules(t *testing.T) {
	names := map[string]bool{}
	for _, r := range Default().Rules() {
		names[r.Name] = true
	}
	entries, err := os.ReadDir("testdata")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() && !names[e.Name()] && !strings.HasPrefix(e.Name(), "fuzz") {
			t.Errorf("testdata/%s names no rule", e.Name())
		}
	}
}

// TestRuleMetadata holds the built-in rules to the registry's contract.
func TestRuleMetadata(t *testing.T) {
	id := regexp.MustCompile(`^BW-SE-1\d\d$`)
	seen := map[string]bool{}
	for _, r := range Rules() {
		if !id.MatchString(r.ID) {
			t.Errorf("%s: content rule IDs are BW-SE-1xx", r.ID)
		}
		if err := r.Meta.Validate(); err != nil {
			t.Error(err)
		}
		if seen[r.ID] || seen[r.Name] {
			t.Errorf("%s: duplicate", r.ID)
		}
		seen[r.ID], seen[r.Name] = true, true
		for _, k := range r.Keywords {
			if len(k) < 4 && !r.Boundary && !strings.ContainsAny(k, "~.-_") {
				t.Errorf("%s: keyword %q is short and common; require a boundary", r.ID, k)
			}
		}
	}
}
