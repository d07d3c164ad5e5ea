package rbacrules

import (
	"fmt"
	"strings"

	"github.com/bulwark-dev/bulwark/internal/rbac"
	"github.com/bulwark-dev/bulwark/internal/rule"
)

// escalationPath reports every identity the manifests name or run that can
// become cluster-admin without already holding it, with a shortest path
// (breadth-first over "can become" edges: run pods as, exec into, read
// the token Secrets of, mint tokens for, or impersonate another identity;
// bind or escalate roles; approve CSRs; write admission webhooks; proxy to
// kubelets). Members are not reported one by one when one of their
// implicit groups has a path of its own. The finding points at the
// binding subject that grants the first step; critical when the identity
// is an attacker's plausible foothold (a ServiceAccount some workload
// mounts, anonymous, unauthenticated, authenticated), high otherwise. The
// policy allowlist does not apply: the graph is what the API server would
// allow.
var escalationPath = &Rule{
	Meta: rule.Meta{
		ID: "BW-RB-029", Name: "rbac-escalation-path",
		Title:    "Identity can escalate to cluster-admin",
		Severity: rule.Critical, Category: rule.Permissions,
		Why:         "Least privilege is judged by what an identity can become, not by what its roles list: creating a pod in a namespace is running as any ServiceAccount of it, reading Secrets is holding their tokens, bind is granting oneself a role. Chained, modest-looking permissions reach cluster-admin, and the chain is invisible from any one role or binding.",
		Remediation: "Break the first step of the path: remove the permission that lets this identity act as the next one (move the powerful ServiceAccount to a namespace of its own, drop pod creation or exec, restrict bind and impersonate with resourceNames). Then check the path again with bulwark rbac paths.",
		References:  []string{refEscalation, refGoodPractices, refResearch, "https://kubehound.io/reference/attacks/"},
	},
	Check: func(a *Analysis) []rule.Hit {
		var hits []rule.Hit
		for _, p := range a.EscalationPaths() {
			first := p.Steps[0]
			if len(first.Grants) == 0 {
				continue
			}
			g := first.Grants[0]
			o := Object(g.Binding.Source)
			if o == nil {
				continue
			}
			sev := rbac.High
			if p.Entry {
				sev = rbac.Critical
			}
			hits = append(hits, rule.Hit{Object: o, Path: a.SubjectPath(g.Binding, g.Subject), Key: p.From.String(),
				Severity: rule.Severity(sev), Evidence: p.Path.String(),
				Message: fmt.Sprintf("%s can become cluster-admin in %d %s: %s", SubjectName(p.From), len(p.Steps), plural(len(p.Steps), "step"), stepsText(p.Path))})
		}
		return hits
	},
}

// stepsText renders a path's steps with their evidence, numbered.
func stepsText(p rbac.Path) string {
	var parts []string
	for i, st := range p.Steps {
		ev := StepEvidence(st)
		s := fmt.Sprintf("(%d) %s → %s", i+1, st.Kind, SubjectName(st.To))
		if len(ev) > 0 {
			s += " [" + strings.Join(ev, "; ") + "]"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " ")
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
