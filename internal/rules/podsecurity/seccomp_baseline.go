package podsecurity

import "github.com/bulwark-dev/bulwark/internal/rule"

// seccompBaseline mirrors the baseline check "seccompProfile_baseline": seccomp profile is Unconfined.
var seccompBaseline = &pssRule{
	id: "seccompProfile_baseline",
	meta: rule.Meta{
		ID: "BW-PS-009", Name: "pss-seccomp-unconfined", Title: "Seccomp profile is Unconfined",
		Severity: rule.High, Category: rule.SecurityContext,
		Why:         "Seccomp filters the system calls a container can make; Unconfined lets it call anything the kernel offers, the usual path of kernel exploits. The Baseline standard forbids an explicitly Unconfined profile.",
		Remediation: "Set securityContext.seccompProfile.type to RuntimeDefault (or Localhost with a reviewed profile).",
		References:  []string{"https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline", "https://github.com/kubernetes/pod-security-admission/blob/master/policy/check_seccompProfile_baseline.go"},
		Frameworks:  []string{"Pod Security Standards baseline", "CIS Kubernetes Benchmark 5.7.2"},
		PSS:         &rule.PSS{Level: "baseline", Check: "seccompProfile_baseline"},
	},
	container: []string{"securityContext.seccompProfile"},
	pod:       []string{"spec.securityContext.seccompProfile", "metadata.annotations"},
}
