package rbacrules

import (
	"fmt"
	"testing"

	"github.com/bulwark-dev/bulwark/internal/rule"
	"github.com/bulwark-dev/bulwark/internal/rules/ruletest"
)

func TestFixtures(t *testing.T) {
	ruletest.Fixtures(t, "testdata", nil, []rule.SetCheck{New(DefaultConfig())})
}

func TestRegistry(t *testing.T) {
	c := New(DefaultConfig())
	if _, err := rule.NewRegistry(nil, []rule.SetCheck{c}); err != nil {
		t.Fatal(err)
	}
	for i, m := range c.Rules() {
		if want := fmt.Sprintf("BW-RB-%03d", i+1); m.ID != want {
			t.Errorf("rule %d (%s) is %s, want %s", i, m.Name, m.ID, want)
		}
		if m.Category != rule.Permissions {
			t.Errorf("%s: category %q", m.ID, m.Category)
		}
	}
}
