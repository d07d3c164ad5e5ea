// Package policy decides what happens to each finding: block, warn or
// ignore. It does no I/O, so CI, the admission webhook and the watcher share
// it unchanged.
package policy

import (
	"github.com/bulwark-dev/bulwark/internal/rule"
)

// Verdict is the outcome of a whole scan or admission request.
type Verdict string

// Verdicts of the report contract.
const (
	Pass  Verdict = "pass"
	Warn  Verdict = "warn"
	Block Verdict = "block"
)

// Threshold blocks findings at or above a severity and warns below it.
type Threshold struct {
	FailOn rule.Severity
}

// Decide sets each finding's action and returns the overall verdict.
func (t Threshold) Decide(findings []rule.Finding) Verdict {
	v := Pass
	for i := range findings {
		f := &findings[i]
		if f.Action == rule.Ignored {
			continue
		}
		if f.Severity >= t.FailOn {
			f.Action = rule.Block
			v = Block
		} else {
			f.Action = rule.Warn
			if v == Pass {
				v = Warn
			}
		}
	}
	return v
}
