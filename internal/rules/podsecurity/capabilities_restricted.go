package podsecurity

import "github.com/bulwark-dev/bulwark/internal/rule"

// capabilitiesRestricted mirrors the restricted check "capabilities_restricted": container does not drop all capabilities.
var capabilitiesRestricted = &pssRule{
	id: "capabilities_restricted",
	meta: rule.Meta{
		ID: "BW-PS-014", Name: "pss-capabilities-restricted", Title: "Container does not drop all capabilities",
		Severity: rule.Medium, Category: rule.SecurityContext,
		Why:         "Containers start with a default set of capabilities (NET_RAW among them) that most workloads never use and attackers do. The Restricted standard requires dropping ALL and adding back at most NET_BIND_SERVICE.",
		Remediation: "Set securityContext.capabilities.drop: [ALL], and add only NET_BIND_SERVICE if the process binds a low port.",
		References:  []string{"https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted", "https://github.com/kubernetes/pod-security-admission/blob/master/policy/check_capabilities_restricted.go"},
		Frameworks:  []string{"Pod Security Standards restricted", "CIS Kubernetes Benchmark 5.2.7, 5.2.9"},
		PSS:         &rule.PSS{Level: "restricted", Check: "capabilities_restricted"},
	},
	container: []string{"securityContext.capabilities.add", "securityContext.capabilities.drop", "securityContext.capabilities"},
}
