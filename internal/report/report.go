// Package report holds the report contract and one writer per format. The
// writers read only the Report: no flags, no I/O besides their writer.
package report

import (
	"github.com/bulwark-dev/bulwark/internal/manifest"
	"github.com/bulwark-dev/bulwark/internal/policy"
	"github.com/bulwark-dev/bulwark/internal/rule"
)

// SchemaVersion is the version of docs/report-schema.json this package writes.
const SchemaVersion = "1.1.0"

// Report is the JSON report contract (docs/report-schema.json).
type Report struct {
	SchemaVersion string           `json:"schemaVersion"`
	Tool          Tool             `json:"tool"`
	Summary       Summary          `json:"summary"`
	Findings      []rule.Finding   `json:"findings"`
	Errors        []manifest.Error `json:"errors"`
	// Rules are the metadata of every rule that ran (SARIF needs them); not
	// part of the JSON contract.
	Rules []*rule.Meta `json:"-"`
	// Internal are the checks that failed inside Bulwark, also in Errors:
	// the report is incomplete and the scan exits with an internal failure.
	Internal []manifest.Error `json:"-"`
}

// Tool names the producer.
type Tool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// Summary counts what was scanned and found.
type Summary struct {
	Files      int            `json:"files"`
	Documents  int            `json:"documents"`
	Objects    int            `json:"objects"`
	Skipped    int            `json:"skipped"`
	Templates  int            `json:"templates"`
	Findings   int            `json:"findings"`
	BySeverity map[string]int `json:"bySeverity"`
	ByAction   map[string]int `json:"byAction"`
	ByCategory map[string]int `json:"byCategory"`
	Verdict    policy.Verdict `json:"verdict"`
}

// Counts fills the finding counters of a summary from the findings.
func (s *Summary) Counts(findings []rule.Finding) {
	s.Findings = len(findings)
	s.BySeverity = map[string]int{}
	for _, sev := range rule.Severities() {
		s.BySeverity[sev.String()] = 0
	}
	s.ByAction = map[string]int{string(rule.Block): 0, string(rule.Warn): 0, string(rule.Ignored): 0}
	s.ByCategory = map[string]int{}
	for _, f := range findings {
		s.BySeverity[f.Severity.String()]++
		s.ByAction[string(f.Action)]++
		s.ByCategory[string(f.Category)]++
	}
}
