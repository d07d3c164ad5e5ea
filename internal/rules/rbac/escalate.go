package rbacrules

import (
	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/bulwark-dev/bulwark/internal/rbac"
	"github.com/bulwark-dev/bulwark/internal/rule"
)

// escalate reports rules that allow the escalate verb on roles or
// clusterroles, but only where the holder can also write roles: create
// them, or update or patch some of them, at a compatible scope (one of
// the two cluster-wide, or both in one namespace). escalate alone changes
// nothing, since writing a role is what it unlocks. A rule no binding
// reaches is paired with the other rules of its own role. Named roles rank
// one step lower unless they are cluster-admin or admin.
var escalate = &Rule{
	Meta: rule.Meta{
		ID: "BW-RB-007", Name: "rbac-escalate",
		Title:    "Role can escalate roles it may write",
		Severity: rule.Critical, Category: rule.Permissions,
		Why:         "The API server refuses to let anyone write a role with permissions they do not hold, unless they have the escalate verb. With escalate and write access to a role they are bound to, they add any permission to it, \"*\" on \"*\" included: cluster-admin when the role is bound cluster-wide.",
		Remediation: "Remove escalate; a controller that manages roles needs only the permissions it grants. If escalate is unavoidable, restrict it with resourceNames to the roles the controller owns." + scopeNote,
		References:  []string{refEscalation, refGoodPractices},
		Frameworks:  []string{"CIS Kubernetes Benchmark 5.1.8"},
	},
	Check: riskCheck(family{risks: []string{"roles-escalate"}, adjust: func(a *Analysis, h holding, sev rbac.Severity) (rbac.Severity, string, bool) {
		if !a.holdersCan(h, writesRoles) {
			return 0, "", false
		}
		return sev, "its holder can also write roles", true
	}}),
}

func writesRoles(r *rbacv1.PolicyRule, _ string) bool {
	for _, res := range []string{"roles", "clusterroles"} {
		if creates(r, rbacv1.GroupName, res, "") || someName(r, "update", rbacv1.GroupName, res, "") || someName(r, "patch", rbacv1.GroupName, res, "") {
			return true
		}
	}
	return false
}
