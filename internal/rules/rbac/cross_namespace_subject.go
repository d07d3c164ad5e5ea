package rbacrules

import (
	"fmt"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/bulwark-dev/bulwark/internal/rbac"
	"github.com/bulwark-dev/bulwark/internal/rule"
)

// crossNamespaceSubject reports RoleBinding subjects that are
// ServiceAccounts of another namespace, at subjects[i]: low, medium when
// the role grants a high or critical risk in the binding's namespace. The
// API server allows it; it is reported because the grant is invisible from
// the ServiceAccount's own namespace. Allowlisted roles and bindings are
// not reported.
var crossNamespaceSubject = &Rule{
	Meta: rule.Meta{
		ID: "BW-RB-026", Name: "rbac-cross-namespace-subject",
		Title:    "RoleBinding grants to a ServiceAccount of another namespace",
		Severity: rule.Medium, Category: rule.Permissions,
		Why:         "A RoleBinding may name a ServiceAccount of any namespace, and then grants it the role in the binding's namespace. Whoever reviews the ServiceAccount's namespace does not see it, and a compromise of that namespace crosses into this one.",
		Remediation: "Run the workload in the namespace it manages, or keep cross-namespace grants in one reviewed place and name them in the binding (for example a label saying which team owns the grant).",
		References:  []string{"https://kubernetes.io/docs/reference/access-authn-authz/rbac/#referring-to-subjects", refRBAC},
	},
	Check: func(a *Analysis) []rule.Hit {
		return a.subjectHits(func(b *rbac.Binding, s rbac.Subject, raw rbacv1.Subject) (rule.Hit, bool) {
			if b.Kind != "RoleBinding" || s.Kind != rbac.ServiceAccountKind || s.Namespace == b.Namespace || a.AllowedBinding(b) {
				return rule.Hit{}, false
			}
			sev := rbac.Low
			if risk, _ := a.roleRisk(b); risk >= rbac.High {
				sev = rbac.Medium
			}
			return rule.Hit{Severity: rule.Severity(sev), Evidence: SubjectName(s),
				Message: fmt.Sprintf("%s grants %s to %s of namespace %s", BindingName(b), a.grantsText(b), SubjectName(s), s.Namespace)}, true
		})
	},
}
