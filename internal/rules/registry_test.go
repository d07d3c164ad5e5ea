package rules

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/bulwark-dev/bulwark/internal/report"
	"github.com/bulwark-dev/bulwark/internal/rule"
)

// TestEveryRuleHasFixtures is the meta-test: each registered rule (the
// engine's own input rules aside) has pass and fail fixtures beside its code.
func TestEveryRuleHasFixtures(t *testing.T) {
	reg, err := Registry(DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range reg.Rules() {
		if m.Category == rule.Input {
			continue // exercised by the engine's bad-input tests
		}
		for _, kind := range []string{"pass", "fail"} {
			matches, _ := filepath.Glob(filepath.Join("*", "testdata", m.Name, kind, "*"))
			if len(matches) == 0 {
				t.Errorf("rule %s (%s) has no %s fixtures under internal/rules/*/testdata/%s/%s", m.ID, m.Name, kind, m.Name, kind)
			}
		}
	}
}

// TestRulesDocUpToDate fails when docs/rules.md no longer matches the
// registry; regenerate it with: go run ./cmd/bulwark rules --format markdown > docs/rules.md
func TestRulesDocUpToDate(t *testing.T) {
	reg, err := Registry(DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := report.WriteRulesMarkdown(&buf, reg.Rules()); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("..", "..", "docs", "rules.md")
	committed, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(committed, buf.Bytes()) {
		t.Error("docs/rules.md is stale: go run ./cmd/bulwark rules --format markdown > docs/rules.md")
	}
}

func TestRegistryRejectsBadRules(t *testing.T) {
	good := rule.Meta{ID: "BW-XX-001", Name: "x-rule", Title: "X", Severity: rule.Low, Category: rule.Custom,
		Why: "A paragraph long enough to explain the risk of this rule.", Remediation: "Fix it.", References: []string{"https://example.com"}}
	mk := func(mut func(*rule.Meta)) []rule.ObjectCheck {
		m := good
		mut(&m)
		return []rule.ObjectCheck{&rule.ObjectRule{Meta: m}}
	}
	cases := map[string][]rule.ObjectCheck{
		"bad id":        mk(func(m *rule.Meta) { m.ID = "X1" }),
		"no severity":   mk(func(m *rule.Meta) { m.Severity = 0 }),
		"no references": mk(func(m *rule.Meta) { m.References = nil }),
		"short why":     mk(func(m *rule.Meta) { m.Why = "risky" }),
		"duplicate id":  append(mk(func(*rule.Meta) {}), mk(func(m *rule.Meta) { m.Name = "other" })...),
	}
	for name, checks := range cases {
		if _, err := rule.NewRegistry(checks, nil); err == nil {
			t.Errorf("%s: registry accepted it", name)
		}
	}
	if _, err := rule.NewRegistry(mk(func(*rule.Meta) {}), nil); err != nil {
		t.Errorf("valid rule rejected: %v", err)
	}
}
