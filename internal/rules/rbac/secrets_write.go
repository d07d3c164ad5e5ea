package rbacrules

import "github.com/bulwark-dev/bulwark/internal/rule"

// secretsWrite reports rules that allow create on Secrets, or update or
// patch on some Secret. A Secret of type kubernetes.io/service-account-token
// annotated with a ServiceAccount's name makes the token controller mint a
// token for it, so writing Secrets in a namespace mints tokens for its
// ServiceAccounts. Named update or patch ranks one step lower.
var secretsWrite = &Rule{
	Meta: rule.Meta{
		ID: "BW-RB-003", Name: "rbac-secrets-write",
		Title:    "Role creates or modifies Secrets",
		Severity: rule.Critical, Category: rule.Permissions,
		Why:         "Creating a Secret of type kubernetes.io/service-account-token with the kubernetes.io/service-account.name annotation asks the token controller to mint a long-lived token for that ServiceAccount, any ServiceAccount of the namespace, and a pod the creator starts can mount it. Rewriting existing Secrets also swaps credentials that workloads trust.",
		Remediation: "Let a controller own Secret creation (External Secrets, Sealed Secrets) and grant people and CI read-free, named access at most. Enable the LegacyServiceAccountTokenCleanUp feature and avoid token Secrets altogether." + scopeNote,
		References:  []string{refGoodPractices, "https://kubernetes.io/docs/concepts/configuration/secret/#serviceaccount-token-secrets"},
	},
	Check: riskCheck(family{risks: []string{"secrets-write"}}),
}
