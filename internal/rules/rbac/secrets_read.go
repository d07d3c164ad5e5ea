package rbacrules

import "github.com/bulwark-dev/bulwark/internal/rule"

// secretsRead reports rules that allow list or watch on Secrets (any
// name), or get on some Secret. The core group is "" ("core" is not it),
// and a wildcard resource in another API group does not reach Secrets.
// resourceNames never allow list or watch (those requests carry no name),
// so a rule that names Secrets and lists them grants only get on those
// names, one step lower. Each rule is judged on its own: one named rule
// does not excuse an unrestricted one beside it.
var secretsRead = &Rule{
	Meta: rule.Meta{
		ID: "BW-RB-002", Name: "rbac-secrets-read",
		Title:    "Role reads Secrets",
		Severity: rule.Critical, Category: rule.Permissions,
		Why:         "list and watch return every Secret of the scope in full, and get returns one whose name is known or guessed. Secrets hold database passwords, cloud keys and, in clusters that still create them, ServiceAccount token Secrets: reading those is becoming the ServiceAccount. Granted cluster-wide, it reaches the tokens of the control plane's controllers, which is cluster-admin.",
		Remediation: "Mount the Secrets the workload needs as volumes or environment variables instead of reading them through the API, or name them in resourceNames and grant get only. Never grant list or watch on Secrets cluster-wide." + scopeNote,
		References:  []string{refGoodPractices, "https://kubernetes.io/docs/concepts/security/secrets-good-practices/"},
		Frameworks:  []string{"CIS Kubernetes Benchmark 5.1.2"},
	},
	Check: riskCheck(family{risks: []string{"secrets-read"}}),
}
