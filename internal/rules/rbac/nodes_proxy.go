package rbacrules

import "github.com/bulwark-dev/bulwark/internal/rule"

// nodesProxy reports rules that allow get or create on nodes/proxy. get is
// enough: WebSocket upgrades are authorized as get, so it is not read-only.
// nodes is cluster-scoped, so a ClusterRole bound by a RoleBinding grants
// nothing here and is not reported at that placement.
var nodesProxy = &Rule{
	Meta: rule.Meta{
		ID: "BW-RB-006", Name: "rbac-nodes-proxy",
		Title:    "Role proxies to the kubelet API",
		Severity: rule.Critical, Category: rule.Permissions,
		Why:         "nodes/proxy forwards requests to the kubelet API of any node, which runs commands in every pod on it, past the API server's audit log and admission control. Monitoring agents are often given it to read metrics, and get is enough to exec through a WebSocket upgrade.",
		Remediation: "Scrape kubelet metrics through nodes/metrics and nodes/stats, or the metrics API, instead of nodes/proxy." + scopeNote,
		References:  []string{refGoodPractices, "https://kubernetes.io/docs/reference/access-authn-authz/kubelet-authn-authz/"},
		Frameworks:  []string{"CIS Kubernetes Benchmark 5.1.10"},
	},
	Check: riskCheck(family{risks: []string{"nodes-proxy"}}),
}
