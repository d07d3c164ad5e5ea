// Package policy is what Bulwark holds a repository or cluster to: the Pod
// Security level, per-family thresholds, per-rule overrides, exceptions with
// expiry, in-manifest ignores, custom rules and a baseline. Decide turns
// findings into block, warn or ignored. The package does no I/O, so the CLI,
// the admission webhook and the watcher share it unchanged.
package policy

import (
	_ "embed"
	"time"

	"github.com/bulwark-dev/bulwark/internal/rule"
)

// APIVersion and Kind identify a policy document.
const (
	APIVersion = "bulwark.dev/v1"
	Kind       = "Policy"
)

// Verdict is the outcome of a whole scan or admission request.
type Verdict string

// Verdicts of the report contract.
const (
	Pass  Verdict = "pass"
	Warn  Verdict = "warn"
	Block Verdict = "block"
)

// Policy is a parsed, validated policy file.
type Policy struct {
	Source      string // file name, for messages and exception records
	PodSecurity PodSecurity
	Families    map[rule.Category]Family
	Rules       []RuleOverride
	Exceptions  []Exception
	Annotations Annotations
	Custom      []CustomRule
	// Digest identifies the policy's content (sha256 of the canonical
	// document), so an installed policy can be compared with a local one.
	Digest string
}

// PodSecurity is the Pod Security Standards level and version to hold.
type PodSecurity struct {
	Level   string `yaml:"level" json:"level"`
	Version string `yaml:"version" json:"version"`
}

// Family is a threshold and action for one category, as Panoptica models
// it: findings at or above Block are blocked, those at or above Warn are
// warned about, and the rest are not reported. A zero severity means never.
type Family struct {
	Block rule.Severity
	Warn  rule.Severity
}

// RuleOverride changes one rule, optionally only for matching objects.
type RuleOverride struct {
	Rule     string // ID or name
	Match    *Match
	Disabled bool
	Severity rule.Severity // 0: unchanged
	Action   rule.Action   // "": decided by the family threshold
	Line     int           // in the policy file
}

// Exception ignores findings of some rules on some objects, for a reason,
// until a date.
type Exception struct {
	Rules   []string // IDs or names; empty means every rule
	Match   Match
	Reason  string
	Expires time.Time // zero: never
	Line    int
}

// Match selects objects and files. Empty fields match anything; within a
// field any value may match; all set fields must match.
type Match struct {
	Kinds      []string          `yaml:"kinds,omitempty" json:"kinds,omitempty"`
	Namespaces []string          `yaml:"namespaces,omitempty" json:"namespaces,omitempty"` // globs
	Names      []string          `yaml:"names,omitempty" json:"names,omitempty"`           // globs
	Labels     map[string]string `yaml:"labels,omitempty" json:"labels,omitempty"`
	Paths      []string          `yaml:"paths,omitempty" json:"paths,omitempty"` // globs, ** allowed
	// Apps select what a GitOps app deploys, by the finding's origin.app
	// (namespace/name): globs, as for namespaces.
	Apps []string `yaml:"apps,omitempty" json:"apps,omitempty"`
}

// Annotations governs in-manifest ignores (bulwark.dev/ignore).
type Annotations struct {
	Allow  bool
	Forbid []string // rules that an annotation may not ignore
}

// CustomRule is a rule written in CEL over `object`.
type CustomRule struct {
	ID, Name, Title string
	Severity        rule.Severity
	Category        rule.Category
	Kinds           []string
	Expression      string // true when the object is fine
	Message         string
	Remediation     string
	Line            int
}

//go:embed default.yaml
var defaultPolicy []byte

// DefaultYAML returns the embedded default policy document.
func DefaultYAML() []byte { return defaultPolicy }

// Default returns the embedded default policy.
func Default() *Policy {
	p, err := Parse("(default policy)", defaultPolicy)
	if err != nil {
		panic("embedded default policy: " + err.Error()) // caught by tests
	}
	return p
}
