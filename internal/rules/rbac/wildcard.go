package rbacrules

import "github.com/bulwark-dev/bulwark/internal/rule"

// wildcard reports rules with "*" in verbs, resources or apiGroups, and
// non-resource URLs "*" or ending in "*". "*" verbs on "*" resources in the
// "*" or core group is cluster-admin cluster-wide and namespace-admin
// through a RoleBinding, and ranks highest. "pods/*" and "*/*" are not
// wildcards to the API server (they name a subresource literally called
// "*"), so they are not reported here; nor is a group literally named
// "core". Every rule of a role is judged, not only the first. A wildcard
// non-resource URL counts only where a ClusterRoleBinding binds it.
var wildcard = &Rule{
	Meta: rule.Meta{
		ID: "BW-RB-001", Name: "rbac-wildcard",
		Title:    "Role rule uses wildcards",
		Severity: rule.Critical, Category: rule.Permissions,
		Why:         "A \"*\" in verbs, resources or API groups grants everything that exists today and everything added later by an upgrade or a CustomResourceDefinition, so nobody can say what the role allows. \"*\" verbs on \"*\" resources is cluster-admin when bound cluster-wide, and full control of the namespace, including its Secrets and the Namespace object, through a RoleBinding.",
		Remediation: "List the verbs, API groups and resources the workload uses; kubectl auth can-i --list and audit logs show what it calls. Bind cluster-admin-like roles to nobody but break-glass identities." + scopeNote,
		References:  []string{refGoodPractices, refRBAC},
		Frameworks:  []string{"CIS Kubernetes Benchmark 5.1.3", "NSA/CISA Kubernetes Hardening Guide: RBAC"},
	},
	Check: riskCheck(family{risks: []string{"cluster-admin-equivalent", "wildcard", "nonresource-wildcard"}}),
}
