package rbacrules

import (
	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/bulwark-dev/bulwark/internal/rbac"
	"github.com/bulwark-dev/bulwark/internal/rule"
)

// nodesWrite reports rules that allow update or patch on nodes or
// nodes/status (cluster-scoped: cluster-wide placements only). On their
// own they are medium (nodes) and low (status); when the holder can also
// delete pods or evict them (create on pods/eviction), anywhere, the
// finding is high: together they move chosen pods onto a chosen node.
var nodesWrite = &Rule{
	Meta: rule.Meta{
		ID: "BW-RB-014", Name: "rbac-nodes-write",
		Title:    "Role modifies nodes",
		Severity: rule.High, Category: rule.Permissions,
		Why:         "Labels, taints and cordons decide which pods run where. With write access to nodes and the right to evict or delete pods, one drains the nodes around a compromised one and makes the scheduler bring powerful pods, with their tokens, onto it. Forged node status misleads the scheduler and controllers.",
		Remediation: "Leave node labels and taints to the cloud controller and the cluster autoscaler; give operators cordon and drain through a reviewed runbook rather than standing RBAC." + scopeNote,
		References:  []string{"https://kubernetes.io/docs/reference/access-authn-authz/admission-controllers/#noderestriction", refGoodPractices},
	},
	Check: riskCheck(family{risks: []string{"nodes-write", "nodes-status-write"}, adjust: func(a *Analysis, h holding, sev rbac.Severity) (rbac.Severity, string, bool) {
		evicts := func(r *rbacv1.PolicyRule, _ string) bool {
			return someName(r, "delete", "", "pods", "") || someName(r, "create", "", "pods", "eviction")
		}
		if sev < rbac.High && a.holdersCan(h, evicts) {
			return rbac.High, "its holder can also evict or delete pods, so it can steer pods onto a node of its choice", true
		}
		return sev, "", true
	}}),
}
