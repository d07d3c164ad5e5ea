package rbacrules

import "github.com/bulwark-dev/bulwark/internal/rule"

// impersonate reports rules that allow impersonate on users, groups or
// ServiceAccounts (core group), or on uids or userextras in
// authentication.k8s.io (not the core group, where some scanners look).
// Users, groups, uids and extras are cluster-scoped: a RoleBinding only
// grants ServiceAccount impersonation in its namespace. Named targets rank
// one step lower unless they are system:masters or system:admin.
var impersonate = &Rule{
	Meta: rule.Meta{
		ID: "BW-RB-009", Name: "rbac-impersonate",
		Title:    "Role impersonates other identities",
		Severity: rule.Critical, Category: rule.Permissions,
		Why:         "Impersonation makes every request as another user, group or ServiceAccount. Impersonating any group includes system:masters, which bypasses authorization altogether; impersonating ServiceAccounts is becoming each of them. The audit log records the impersonated identity, which muddies the trail.",
		Remediation: "Restrict impersonate with resourceNames to the identities a support tool really needs, never groups at large; prefer short-lived, per-user credentials to impersonation." + scopeNote,
		References:  []string{"https://kubernetes.io/docs/reference/access-authn-authz/authentication/#user-impersonation", refGoodPractices},
		Frameworks:  []string{"CIS Kubernetes Benchmark 5.1.8"},
	},
	Check: riskCheck(family{risks: []string{"impersonate"}}),
}
