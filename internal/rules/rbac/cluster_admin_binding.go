package rbacrules

import (
	"fmt"

	"github.com/bulwark-dev/bulwark/internal/rbac"
	"github.com/bulwark-dev/bulwark/internal/rule"
)

// clusterAdminBinding reports every binding whose roleRef is the
// ClusterRole cluster-admin, at roleRef: critical for a
// ClusterRoleBinding and for a RoleBinding in a privileged namespace,
// high for a RoleBinding elsewhere (full control of that namespace).
// Bindings the policy allowlists by name or label are not reported; the
// built-in system:masters binding is not in the manifests.
var clusterAdminBinding = &Rule{
	Meta: rule.Meta{
		ID: "BW-RB-019", Name: "rbac-cluster-admin-binding",
		Title:    "Binding grants cluster-admin",
		Severity: rule.Critical, Category: rule.Permissions,
		Why:         "cluster-admin is every verb on every resource and every non-resource URL. Bound cluster-wide it makes its subjects owners of the cluster, able to read every Secret and change every guardrail; bound in a namespace it gives full control of it, the Namespace object, its Secrets and RBAC included. CI deployers and operators are the commonest holders, and the commonest way in.",
		Remediation: "Give deployers and operators a role with the resources and verbs they manage, bound in the namespaces they manage. Keep cluster-admin for a break-glass group whose use is audited, and let the GitOps controller, not people, apply changes.",
		References:  []string{refDefaultRoles, refGoodPractices},
		Frameworks:  []string{"CIS Kubernetes Benchmark 5.1.1"},
	},
	Check: func(a *Analysis) []rule.Hit {
		var hits []rule.Hit
		for _, b := range a.ManifestBindings() {
			if b.RoleRef.Kind != "ClusterRole" || b.RoleRef.Name != "cluster-admin" || a.allowedBindingObject(b) {
				continue
			}
			sev := rbac.Critical
			msg := fmt.Sprintf("%s makes %s cluster-admin", BindingName(b), subjectList(b.Subjects))
			if b.Namespace != "" {
				msg = fmt.Sprintf("%s gives %s full control of namespace %s through cluster-admin", BindingName(b), subjectList(b.Subjects), b.Namespace)
				if a.Scopes.Of(b.Namespace) != rbac.PrivilegedNamespaceScope {
					sev = rbac.High
				} else {
					msg += ", a privileged namespace"
				}
			}
			hits = append(hits, rule.Hit{Object: Object(b.Source), Path: "roleRef", Message: msg,
				Evidence: "roleRef: ClusterRole cluster-admin", Severity: rule.Severity(sev)})
		}
		return hits
	},
}
