package podsecurity

import "github.com/bulwark-dev/bulwark/internal/rule"

// allowPrivilegeEscalation mirrors the restricted check "allowPrivilegeEscalation": container may gain privileges.
var allowPrivilegeEscalation = &pssRule{
	id: "allowPrivilegeEscalation",
	meta: rule.Meta{
		ID: "BW-PS-013", Name: "pss-allow-privilege-escalation", Title: "Container may gain privileges",
		Severity: rule.Medium, Category: rule.SecurityContext,
		Why:         "Unless allowPrivilegeEscalation is false, a process can gain more privileges than its parent through setuid binaries or file capabilities. The Restricted standard requires it to be false.",
		Remediation: "Set securityContext.allowPrivilegeEscalation: false in every container.",
		References:  []string{"https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted", "https://github.com/kubernetes/pod-security-admission/blob/master/policy/check_allowPrivilegeEscalation.go"},
		Frameworks:  []string{"Pod Security Standards restricted", "CIS Kubernetes Benchmark 5.2.6"},
		PSS:         &rule.PSS{Level: "restricted", Check: "allowPrivilegeEscalation"},
	},
	container: []string{"securityContext.allowPrivilegeEscalation"},
}
