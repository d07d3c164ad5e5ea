package podsecurity

import "github.com/bulwark-dev/bulwark/internal/rule"

// procMountRestricted mirrors the restricted check "procMount_restricted": container unmasks /proc (restricted).
var procMountRestricted = &pssRule{
	id: "procMount_restricted",
	meta: rule.Meta{
		ID: "BW-PS-019", Name: "pss-proc-mount-restricted", Title: "Container unmasks /proc (restricted)",
		Severity: rule.Medium, Category: rule.SecurityContext,
		Why:         "Under the Restricted standard from v1.35, containers must use the Default proc mount even when the pod runs in a user namespace, since an unmasked /proc still exposes kernel interfaces.",
		Remediation: "Remove securityContext.procMount or set it to Default.",
		References:  []string{"https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted", "https://github.com/kubernetes/pod-security-admission/blob/master/policy/check_procMount_restricted.go"},
		Frameworks:  []string{"Pod Security Standards restricted"},
		PSS:         &rule.PSS{Level: "restricted", Check: "procMount_restricted"},
	},
	container: []string{"securityContext.procMount"},
}
