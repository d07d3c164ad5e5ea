package podsecurity

import "github.com/bulwark-dev/bulwark/internal/rule"

// runAsUser mirrors the restricted check "runAsUser": container runs as UID 0.
var runAsUser = &pssRule{
	id: "runAsUser",
	meta: rule.Meta{
		ID: "BW-PS-017", Name: "pss-run-as-user-root", Title: "Container runs as UID 0",
		Severity: rule.High, Category: rule.SecurityContext,
		Why:         "runAsUser: 0 runs the container as root whatever the image says, defeating runAsNonRoot checks on the image. The Restricted standard forbids UID 0.",
		Remediation: "Set runAsUser to a non-zero UID, or remove it and rely on the image's non-root USER with runAsNonRoot: true.",
		References:  []string{"https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted", "https://github.com/kubernetes/pod-security-admission/blob/master/policy/check_runAsUser.go"},
		Frameworks:  []string{"Pod Security Standards restricted", "CIS Kubernetes Benchmark 5.2.6"},
		PSS:         &rule.PSS{Level: "restricted", Check: "runAsUser"},
	},
	container: []string{"securityContext.runAsUser"},
	pod:       []string{"spec.securityContext.runAsUser"},
}
