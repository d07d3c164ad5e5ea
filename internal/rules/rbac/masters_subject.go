package rbacrules

import (
	"fmt"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/bulwark-dev/bulwark/internal/rbac"
	"github.com/bulwark-dev/bulwark/internal/rule"
)

// mastersSubject reports binding subjects that are the group
// system:masters, at subjects[i], whatever the role. The policy allowlist
// never applies.
var mastersSubject = &Rule{
	Meta: rule.Meta{
		ID: "BW-RB-024", Name: "rbac-system-masters-binding",
		Title:    "Binding names the system:masters group",
		Severity: rule.High, Category: rule.Permissions,
		Why:         "Members of system:masters bypass RBAC and authorization webhooks entirely, so a binding to it grants nothing; it shows that someone relies on the group, whose membership comes from client certificates that cannot be revoked short of rotating the cluster's certificate authority. Kubernetes advises against using it for anything but break-glass access.",
		Remediation: "Remove the binding, issue people and tools credentials outside system:masters, and bind a break-glass group of your own to the roles it needs.",
		References:  []string{"https://kubernetes.io/docs/concepts/security/rbac-good-practices/#least-privilege", refDefaultRoles},
		Frameworks:  []string{"CIS Kubernetes Benchmark 5.1.7"},
	},
	Check: func(a *Analysis) []rule.Hit {
		return a.subjectHits(func(b *rbac.Binding, s rbac.Subject, _ rbacv1.Subject) (rule.Hit, bool) {
			if s != rbac.GroupSubject(rbac.Masters) {
				return rule.Hit{}, false
			}
			return rule.Hit{Severity: rule.High, Evidence: SubjectName(s),
				Message: fmt.Sprintf("%s names system:masters, which already bypasses RBAC: the binding grants it nothing, but relies on members whose client certificates cannot be revoked", BindingName(b))}, true
		})
	},
}
