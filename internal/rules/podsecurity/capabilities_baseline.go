package podsecurity

import "github.com/bulwark-dev/bulwark/internal/rule"

// capabilitiesBaseline mirrors the baseline check "capabilities_baseline": container adds capabilities beyond the default set.
var capabilitiesBaseline = &pssRule{
	id: "capabilities_baseline",
	meta: rule.Meta{
		ID: "BW-PS-005", Name: "pss-capabilities-baseline", Title: "Container adds capabilities beyond the default set",
		Severity: rule.High, Category: rule.SecurityContext,
		Why:         "Linux capabilities such as SYS_ADMIN, NET_ADMIN or SYS_PTRACE give a container kernel powers that lead to container escape. The Baseline standard allows only the runtime's default set to be added.",
		Remediation: "Remove capabilities outside the default set from securityContext.capabilities.add; drop ALL and add back only NET_BIND_SERVICE if needed.",
		References:  []string{"https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline", "https://github.com/kubernetes/pod-security-admission/blob/master/policy/check_capabilities_baseline.go"},
		Frameworks:  []string{"Pod Security Standards baseline", "CIS Kubernetes Benchmark 5.2.8, 5.2.9"},
		PSS:         &rule.PSS{Level: "baseline", Check: "capabilities_baseline"},
	},
	container: []string{"securityContext.capabilities.add"},
}
