// Package rules lists every built-in check: the one place a new rule is
// registered.
package rules

import (
	"github.com/bulwark-dev/bulwark/internal/policy"
	"github.com/bulwark-dev/bulwark/internal/rule"
	"github.com/bulwark-dev/bulwark/internal/rules/custom"
	"github.com/bulwark-dev/bulwark/internal/rules/gitops"
	"github.com/bulwark-dev/bulwark/internal/rules/hygiene"
	"github.com/bulwark-dev/bulwark/internal/rules/pipeline"
	"github.com/bulwark-dev/bulwark/internal/rules/podsecurity"
	rbacrules "github.com/bulwark-dev/bulwark/internal/rules/rbac"
	"github.com/bulwark-dev/bulwark/internal/rules/secrets"
)

// Config selects variants of the built-in checks.
type Config struct {
	PSSLevel   string // baseline or restricted
	PSSVersion string // latest or v1.N
	// Custom are the policy's CEL rules, compiled into checks.
	Custom       []policy.CustomRule
	CustomSource string // the policy file they come from
}

// DefaultConfig holds Pod Security Standards at restricted, latest.
func DefaultConfig() Config { return Config{PSSLevel: "restricted", PSSVersion: "latest"} }

// Registry builds the validated registry of every built-in rule.
func Registry(cfg Config) (*rule.Registry, error) {
	std, err := podsecurity.NewStandard(cfg.PSSLevel, cfg.PSSVersion)
	if err != nil {
		return nil, err
	}
	objectChecks := []rule.ObjectCheck{podsecurity.New(std)}
	objectChecks = append(objectChecks, hygiene.Checks()...)
	customChecks, err := custom.Compile(cfg.CustomSource, cfg.Custom)
	if err != nil {
		return nil, err
	}
	objectChecks = append(objectChecks, customChecks...)
	// Offline ValidatingAdmissionPolicy verdicts need the policies first; the
	// scan runs them in a second pass (cli), this entry declares the rule.
	noVAP, _ := custom.VAP(nil, false)
	objectChecks = append(objectChecks, noVAP)
	objectChecks = append(objectChecks, secrets.ObjectChecks()...)
	var setChecks []rule.SetCheck
	setChecks = append(setChecks, rbacrules.New(rbacrules.DefaultConfig()))
	setChecks = append(setChecks, secrets.SetChecks()...)
	gitopsObjects, gitopsSets := gitops.Checks(gitops.DefaultOptions())
	objectChecks = append(objectChecks, gitopsObjects...)
	setChecks = append(setChecks, gitopsSets...)
	fileChecks := append(secrets.FileChecks(), pipeline.Checks()...)
	return rule.NewRegistry(objectChecks, setChecks, fileChecks...)
}
