package pipeline

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/bulwark-dev/bulwark/internal/rule"
)

// secretsInherit checks GitHub workflows for jobs that hand over every
// secret: secrets: inherit on a call to a reusable workflow is a hit at that
// line (low when the called workflow is in the same repository, ./...), and
// toJSON(secrets) anywhere in the file is a hit at the expression. Allowed:
// passing the secrets a called workflow declares, by name.
var secretsInherit = &ciRule{
	meta: rule.Meta{
		ID: "BW-CI-007", Name: "ci-secrets-inherit",
		Title:    "Workflow passes all its secrets on",
		Severity: rule.Medium, Category: rule.Pipeline,
		Why: "secrets: inherit gives the called workflow every secret of the repository and organisation, the production kubeconfig included, whatever it needs; toJSON(secrets) does the same for one step. " +
			"A change to the called workflow, or a compromise of anything it runs, then reaches credentials the caller never meant to share, and no one reviewing the caller sees which ones.",
		Remediation: "Declare the secrets the reusable workflow needs under on.workflow_call.secrets and pass exactly those by name in the caller's secrets: block; pass single secrets to steps instead of toJSON(secrets).",
		References:  []string{"https://docs.github.com/en/actions/sharing-automations/reusing-workflows#passing-inputs-and-secrets-to-a-reusable-workflow", refZizmorAudits + "#secrets-inherit", refZizmorAudits + "#overprovisioned-secrets"},
	},
	check: func(f *ciFile) []rule.Hit {
		if f.dialect != githubActions {
			return nil
		}
		var hits []rule.Hit
		for _, j := range f.jobs {
			if wc := j.gh.WorkflowCall; wc != nil && wc.InheritSecrets {
				l, c := j.line, j.col
				for i := j.line; i <= len(f.lines); i++ {
					if m := inheritLine.FindStringSubmatchIndex(f.lines[i-1]); m != nil {
						l, c = i, m[2]+1
						break
					}
				}
				h := hitAt(l, c, fmt.Sprintf("%s passes every secret to %s (secrets: inherit)", j.where(), wc.Uses.Value), "secrets: inherit", j.id)
				if strings.HasPrefix(wc.Uses.Value, "./") {
					h.Severity = rule.Low // a workflow of the same repository, changed under the same review
				}
				hits = append(hits, h)
			}
		}
		for i, line := range f.lines {
			for _, m := range allSecrets.FindAllStringIndex(line, -1) {
				hits = append(hits, hitAt(i+1, m[0]+1, "expression hands every secret to one place (toJSON(secrets))", line[m[0]:m[1]], "tojson"))
			}
		}
		return hits
	},
}

var (
	inheritLine = regexp.MustCompile(`^\s*(secrets):\s*inherit\b`)
	allSecrets  = regexp.MustCompile(`(?i)tojson\(\s*secrets\s*\)`)
)
