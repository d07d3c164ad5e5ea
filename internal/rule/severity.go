// Package rule holds what every check shares: rule metadata, the Finding a
// check reports, and the registry that validates a set of rules.
package rule

import (
	"fmt"
	"strings"
)

// Severity orders findings from informational to critical. The zero value
// means "unset" (a check keeps its rule's severity) and never blocks.
type Severity int

// Severities, lowest first.
const (
	Info Severity = iota + 1
	Low
	Medium
	High
	Critical
)

var severityNames = [...]string{"", "info", "low", "medium", "high", "critical"}

// Severities lists every severity, highest first, the order reports use.
func Severities() []Severity { return []Severity{Critical, High, Medium, Low, Info} }

func (s Severity) String() string {
	if s < Info || s > Critical {
		return fmt.Sprintf("severity(%d)", int(s))
	}
	return severityNames[s]
}

// ParseSeverity reads a severity name, case-insensitively.
func ParseSeverity(name string) (Severity, error) {
	for i, n := range severityNames {
		if i > 0 && strings.EqualFold(name, n) {
			return Severity(i), nil
		}
	}
	return 0, fmt.Errorf("unknown severity %q (want one of %s)", name, strings.Join(severityNames[1:], ", "))
}

// MarshalText writes the severity's name.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads a severity's name.
func (s *Severity) UnmarshalText(b []byte) error {
	v, err := ParseSeverity(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// Category is the family a rule belongs to; reports and policies group by it.
type Category string

// Categories of the report contract.
const (
	SecurityContext Category = "security-context"
	Secrets         Category = "secrets"
	Permissions     Category = "permissions"
	Deployment      Category = "deployment"
	GitOps          Category = "gitops"
	Pipeline        Category = "pipeline"
	Custom          Category = "custom"
	Input           Category = "input"
)

// Categories lists every category in report order.
func Categories() []Category {
	return []Category{SecurityContext, Secrets, Permissions, Deployment, GitOps, Pipeline, Custom, Input}
}

// Action is what the policy does with a finding.
type Action string

// Actions of the report contract.
const (
	Block   Action = "block"
	Warn    Action = "warn"
	Ignored Action = "ignored"
)
