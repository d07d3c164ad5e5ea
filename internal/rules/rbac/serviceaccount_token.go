package rbacrules

import "github.com/bulwark-dev/bulwark/internal/rule"

// serviceAccountToken reports rules that allow create on
// serviceaccounts/token (the TokenRequest API). resourceNames limit which
// ServiceAccounts, and lower the severity one step.
var serviceAccountToken = &Rule{
	Meta: rule.Meta{
		ID: "BW-RB-010", Name: "rbac-serviceaccount-token",
		Title:    "Role mints ServiceAccount tokens",
		Severity: rule.Critical, Category: rule.Permissions,
		Why:         "The TokenRequest API issues a fresh token for any ServiceAccount in scope, for as long as the caller asks within the API server's limit: the holder becomes any of those ServiceAccounts, and cluster-wide that includes the controllers of kube-system.",
		Remediation: "Let the kubelet project tokens into pods instead of requesting them through RBAC; where a broker must mint tokens, restrict it with resourceNames to the ServiceAccounts it serves and keep it out of privileged namespaces." + scopeNote,
		References:  []string{"https://kubernetes.io/docs/reference/kubernetes-api/authentication-resources/token-request-v1/", refServiceAccts},
		Frameworks:  []string{"CIS Kubernetes Benchmark 5.1.13"},
	},
	Check: riskCheck(family{risks: []string{"serviceaccount-token-create"}}),
}
