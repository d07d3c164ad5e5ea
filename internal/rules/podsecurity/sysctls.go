package podsecurity

import "github.com/bulwark-dev/bulwark/internal/rule"

// sysctls mirrors the baseline check "sysctls": pod sets unsafe sysctls.
var sysctls = &pssRule{
	id: "sysctls",
	meta: rule.Meta{
		ID: "BW-PS-010", Name: "pss-sysctls", Title: "Pod sets unsafe sysctls",
		Severity: rule.High, Category: rule.SecurityContext,
		Why:         "Sysctls outside the namespaced safe set change kernel parameters for the whole node or other pods. The Baseline standard allows only the safe set, which grows with the Kubernetes version.",
		Remediation: "Remove the unsafe sysctls from securityContext.sysctls, or set them on dedicated nodes through the kubelet.",
		References:  []string{"https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline", "https://github.com/kubernetes/pod-security-admission/blob/master/policy/check_sysctls.go"},
		Frameworks:  []string{"Pod Security Standards baseline"},
		PSS:         &rule.PSS{Level: "baseline", Check: "sysctls"},
	},
	pod: []string{"spec.securityContext.sysctls"},
}
