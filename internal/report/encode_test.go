package report

import (
	"testing"

	"github.com/bulwark-dev/bulwark/internal/rule"
)

// The hand-written encoder must write the bytes encoding/json writes.
func TestAppendFindingMatchesEncodingJSON(t *testing.T) {
	tests := []struct {
		name string
		f    rule.Finding
	}{
		{"minimal", rule.Finding{ID: "BW-X-001"}},
		{"full", rule.Finding{
			ID: "BW-PS-001", Name: "privileged", Title: "Privileged container", Category: rule.SecurityContext,
			Severity: rule.Critical, Action: rule.Block, Message: "container \"app\" runs privileged",
			Object:   &rule.ObjectRef{APIVersion: "v1", Kind: "Pod", Namespace: "shop", Name: "web"},
			Location: rule.Location{File: "a/b.yaml", Line: 12, Column: 7, FieldPath: "spec.containers[0]", Chain: []string{"argocd app shop", "helm chart web"}},
			Origin:   &rule.Origin{App: "argocd/shop", Kind: "Application", File: "apps/shop.yaml"},
			Evidence: "AKIA…(20) sha256:ab", Fingerprint: "0123", Remediation: "Drop it.", References: []string{"https://a", "https://b"},
			PSS:       &rule.PSS{Level: "baseline", Check: "privileged", Version: "latest"},
			Commit:    &rule.Commit{SHA: "abc", Author: "A <a@b>", Date: "2026-01-01", StillAtHead: true},
			Exception: &rule.Exception{Source: ".bulwark.yaml", Reason: "legacy", Expires: "2027-01-01", Expired: true},
		}},
		{"empty references and object", rule.Finding{ID: "x", References: []string{}, Object: &rule.ObjectRef{}, Commit: &rule.Commit{}}},
		{"empty origin", rule.Finding{ID: "x", Origin: &rule.Origin{}}},
		{"origin without file", rule.Finding{ID: "x", Origin: &rule.Origin{App: "podinfo", Kind: "HelmRelease"}}},
		{"strings that need escaping", rule.Finding{
			Message:     "tab\tnew\nline \"quote\" back\\slash <html> & \u2028\u2029 \x01\x1f \b\f\r é ✓ \xff\xfe",
			Location:    rule.Location{File: "dir with spaces/ünï.yaml"},
			Remediation: string([]byte{0xe2, 0x80}), // truncated UTF-8
		}},
	}
	// A shared cache sees every finding twice, and findings that share a
	// rule ID but not its text (the last two): it must never change bytes.
	shared := newRuleText()
	same := tests[1].f
	same.Title, same.References = "Another title", []string{"https://c"}
	tests = append(tests, struct {
		name string
		f    rule.Finding
	}{"same rule, other text", same})
	for _, tt := range append(tests, tests...) {
		t.Run(tt.name, func(t *testing.T) {
			want, err := marshal(&tt.f, "    ")
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range []*ruleText{nil, shared} {
				if got := appendFinding(nil, &tt.f, c); string(got) != string(want) {
					t.Errorf("cache %v: got\n%s\nwant\n%s", c != nil, got, want)
				}
			}
		})
	}
}
