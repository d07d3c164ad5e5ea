package podsecurity

import (
	"testing"

	"github.com/bulwark-dev/bulwark/internal/rule"
	"github.com/bulwark-dev/bulwark/internal/rules/ruletest"
)

func TestRuleFixtures(t *testing.T) {
	std, err := NewStandard("restricted", "latest")
	if err != nil {
		t.Fatal(err)
	}
	ruletest.Fixtures(t, "testdata", []rule.ObjectCheck{New(std)}, nil)
}
