package podsecurity

import "github.com/bulwark-dev/bulwark/internal/rule"

// seccompRestricted mirrors the restricted check "seccompProfile_restricted": seccomp profile is not set.
var seccompRestricted = &pssRule{
	id: "seccompProfile_restricted",
	meta: rule.Meta{
		ID: "BW-PS-018", Name: "pss-seccomp-required", Title: "Seccomp profile is not set",
		Severity: rule.Medium, Category: rule.SecurityContext,
		Why:         "Without a seccomp profile, containers can make every system call, including those used by most kernel exploits. The Restricted standard requires RuntimeDefault or Localhost at pod or container level.",
		Remediation: "Set spec.securityContext.seccompProfile.type: RuntimeDefault on the pod.",
		References:  []string{"https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted", "https://github.com/kubernetes/pod-security-admission/blob/master/policy/check_seccompProfile_restricted.go"},
		Frameworks:  []string{"Pod Security Standards restricted", "CIS Kubernetes Benchmark 5.7.2"},
		PSS:         &rule.PSS{Level: "restricted", Check: "seccompProfile_restricted"},
	},
	container: []string{"securityContext.seccompProfile"},
	pod:       []string{"spec.securityContext.seccompProfile", "spec.securityContext"},
}
