package podsecurity

import "github.com/bulwark-dev/bulwark/internal/rule"

// runAsNonRoot mirrors the restricted check "runAsNonRoot": container may run as root.
var runAsNonRoot = &pssRule{
	id: "runAsNonRoot",
	meta: rule.Meta{
		ID: "BW-PS-016", Name: "pss-run-as-non-root", Title: "Container may run as root",
		Severity: rule.Medium, Category: rule.SecurityContext,
		Why:         "A container that runs as root is one kernel bug or misconfiguration away from root on the node. The Restricted standard requires runAsNonRoot: true at pod or container level, so the kubelet refuses images that run as UID 0.",
		Remediation: "Set securityContext.runAsNonRoot: true on the pod (or every container) and give the image a non-root USER.",
		References:  []string{"https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted", "https://github.com/kubernetes/pod-security-admission/blob/master/policy/check_runAsNonRoot.go"},
		Frameworks:  []string{"Pod Security Standards restricted", "CIS Kubernetes Benchmark 5.2.6", "NSA/CISA Kubernetes Hardening Guide: non-root containers"},
		PSS:         &rule.PSS{Level: "restricted", Check: "runAsNonRoot"},
	},
	container: []string{"securityContext.runAsNonRoot", "securityContext"},
	pod:       []string{"spec.securityContext.runAsNonRoot", "spec.securityContext"},
}
