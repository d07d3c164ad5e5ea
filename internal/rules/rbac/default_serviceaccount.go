package rbacrules

import (
	"fmt"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/bulwark-dev/bulwark/internal/rbac"
	"github.com/bulwark-dev/bulwark/internal/rule"
)

// defaultServiceAccount reports binding subjects that are a namespace's
// ServiceAccount named default, whatever the role grants, at subjects[i].
// The severity is medium, or the worst risk the role grants where bound
// when that is higher. Allowlisted roles and bindings are not reported.
var defaultServiceAccount = &Rule{
	Meta: rule.Meta{
		ID: "BW-RB-025", Name: "rbac-default-serviceaccount",
		Title:    "Binding grants permissions to a default ServiceAccount",
		Severity: rule.Critical, Category: rule.Permissions,
		Why:         "Every pod that names no ServiceAccount runs as its namespace's default one and, unless told otherwise, mounts its token. Permissions granted to it are granted to every such pod, present and future, including the ones copied from a tutorial that never call the API.",
		Remediation: "Create a ServiceAccount for the workload that needs the permissions, bind the role to it and set serviceAccountName; leave default without bindings and set automountServiceAccountToken: false on it.",
		References:  []string{"https://kubernetes.io/docs/concepts/security/service-accounts/#default-service-accounts", refServiceAccts},
		Frameworks:  []string{"CIS Kubernetes Benchmark 5.1.5"},
	},
	Check: func(a *Analysis) []rule.Hit {
		return a.subjectHits(func(b *rbac.Binding, s rbac.Subject, _ rbacv1.Subject) (rule.Hit, bool) {
			if s.Kind != rbac.ServiceAccountKind || s.Name != "default" || a.AllowedBinding(b) {
				return rule.Hit{}, false
			}
			risk, _ := a.roleRisk(b)
			return rule.Hit{Severity: rule.Severity(maxSev(risk, rbac.Medium)), Evidence: SubjectName(s),
				Message: fmt.Sprintf("%s grants %s to %s, which every pod of namespace %s without a serviceAccountName runs as", BindingName(b), a.grantsText(b), SubjectName(s), s.Namespace)}, true
		})
	},
}
