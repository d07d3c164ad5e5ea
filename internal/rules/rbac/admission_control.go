package rbacrules

import "github.com/bulwark-dev/bulwark/internal/rule"

// admissionControl reports rules that create, update, patch or delete
// admission guardrails: mutating and validating webhook configurations,
// ValidatingAdmissionPolicies and MutatingAdmissionPolicies and their
// bindings, Kyverno policies and exceptions, and OPA Gatekeeper
// templates, constraints, mutators and config. Cluster-scoped kinds count
// only cluster-wide; Kyverno's namespaced policies count in a namespace.
var admissionControl = &Rule{
	Meta: rule.Meta{
		ID: "BW-RB-012", Name: "rbac-admission-control",
		Title:    "Role manages admission webhooks or policies",
		Severity: rule.Critical, Category: rule.Permissions,
		Why:         "Admission webhooks and policies are the guardrails every other control relies on. A mutating webhook sees every admitted object, Secrets included, and rewrites pod specs cluster-wide; a validating one sees them too; deleting or loosening a webhook or policy (VAP, Kyverno, Gatekeeper) turns enforcement off without anyone noticing.",
		Remediation: "Let only the policy engine's own controller and the GitOps controller write admission configuration; give people read access and change guardrails through reviewed commits." + scopeNote,
		References: []string{
			"https://kubernetes.io/docs/reference/access-authn-authz/extensible-admission-controllers/",
			"https://kubernetes.io/docs/reference/access-authn-authz/validating-admission-policy/",
			refGoodPractices,
		},
		Frameworks: []string{"CIS Kubernetes Benchmark 5.1.12"},
	},
	Check: riskCheck(family{risks: []string{"mutating-webhooks-write", "validating-webhooks-write", "admission-policies-write",
		"kyverno-policies-write", "gatekeeper-write"}}),
}
