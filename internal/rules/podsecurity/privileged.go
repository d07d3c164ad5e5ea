package podsecurity

import "github.com/bulwark-dev/bulwark/internal/rule"

// privileged mirrors the baseline check "privileged": container runs privileged.
var privileged = &pssRule{
	id: "privileged",
	meta: rule.Meta{
		ID: "BW-PS-001", Name: "pss-privileged", Title: "Container runs privileged",
		Severity: rule.Critical, Category: rule.SecurityContext,
		Why:         "A privileged container has every capability and all host devices, with no seccomp, AppArmor or SELinux confinement: it is root on the node. Escaping to the host is a matter of mounting its disk. The Baseline Pod Security Standard forbids it.",
		Remediation: "Remove securityContext.privileged or set it to false; grant only the specific capabilities the workload needs.",
		References:  []string{"https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline", "https://github.com/kubernetes/pod-security-admission/blob/master/policy/check_privileged.go"},
		Frameworks:  []string{"Pod Security Standards baseline", "NSA/CISA Kubernetes Hardening Guide: non-root containers and privilege", "CIS Kubernetes Benchmark 5.2.2"},
		PSS:         &rule.PSS{Level: "baseline", Check: "privileged"},
	},
	container: []string{"securityContext.privileged"},
}
