package rbacrules

import "github.com/bulwark-dev/bulwark/internal/rule"

// namespacesWrite reports rules that allow update or patch on namespaces
// (cluster-scoped: cluster-wide placements only).
var namespacesWrite = &Rule{
	Meta: rule.Meta{
		ID: "BW-RB-017", Name: "rbac-namespaces-write",
		Title:    "Role relabels namespaces",
		Severity: rule.High, Category: rule.Permissions,
		Why:         "Pod Security Admission reads its level from namespace labels, and NetworkPolicies select namespaces by label: whoever patches a namespace sets it to privileged and lifts the network isolation around it, then runs the pods the labels kept out.",
		Remediation: "Create and label namespaces through the GitOps controller only, and protect the pod-security.kubernetes.io labels with an admission policy." + scopeNote,
		References:  []string{"https://kubernetes.io/docs/concepts/security/rbac-good-practices/#namespace-modification", "https://kubernetes.io/docs/concepts/security/pod-security-admission/"},
	},
	Check: riskCheck(family{risks: []string{"namespaces-write"}}),
}
