package rbacrules

import (
	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/bulwark-dev/bulwark/internal/rbac"
	"github.com/bulwark-dev/bulwark/internal/rule"
)

// bind reports rules that allow the bind verb on roles or clusterroles
// (the resource the API server checks; bind on rolebindings, which some
// scanners look for, is not reported), but only where the holder can also
// create, update or patch rolebindings or clusterrolebindings at a
// compatible scope. A rule no binding reaches is paired with the other
// rules of its own role. resourceNames lower the severity one step unless
// they name cluster-admin, admin or edit.
var bind = &Rule{
	Meta: rule.Meta{
		ID: "BW-RB-008", Name: "rbac-bind",
		Title:    "Role can bind roles it does not hold",
		Severity: rule.Critical, Category: rule.Permissions,
		Why:         "To create a binding one must hold every permission of the role, or have bind on that role. With bind and write access to bindings, one binds oneself or anyone to the role, cluster-admin included when bind is unrestricted: a one-step path to cluster-admin, or to namespace-admin through a RoleBinding.",
		Remediation: "Remove bind, or restrict it with resourceNames to the few harmless roles the controller hands out; never let it reach cluster-admin, admin or edit." + scopeNote,
		References:  []string{refEscalation, refGoodPractices},
		Frameworks:  []string{"CIS Kubernetes Benchmark 5.1.8"},
	},
	Check: riskCheck(family{risks: []string{"roles-bind"}, adjust: func(a *Analysis, h holding, sev rbac.Severity) (rbac.Severity, string, bool) {
		if !a.holdersCan(h, writesBindings) {
			return 0, "", false
		}
		return sev, "its holder can also write bindings", true
	}}),
}

func writesBindings(r *rbacv1.PolicyRule, _ string) bool {
	for _, res := range []string{"rolebindings", "clusterrolebindings"} {
		if creates(r, rbacv1.GroupName, res, "") || someName(r, "update", rbacv1.GroupName, res, "") || someName(r, "patch", rbacv1.GroupName, res, "") {
			return true
		}
	}
	return false
}
