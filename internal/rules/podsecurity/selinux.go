package podsecurity

import "github.com/bulwark-dev/bulwark/internal/rule"

// seLinux mirrors the baseline check "seLinuxOptions": sELinux options set a custom type or user.
var seLinux = &pssRule{
	id: "seLinuxOptions",
	meta: rule.Meta{
		ID: "BW-PS-007", Name: "pss-selinux", Title: "SELinux options set a custom type or user",
		Severity: rule.High, Category: rule.SecurityContext,
		Why:         "SELinux options with a custom type, user or role can put a container in a domain with access to the host, such as spc_t. The Baseline standard allows only the container types and no user or role.",
		Remediation: "Remove seLinuxOptions.user and role, and use type container_t, container_init_t, container_kvm_t or container_engine_t only.",
		References:  []string{"https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline", "https://github.com/kubernetes/pod-security-admission/blob/master/policy/check_seLinuxOptions.go"},
		Frameworks:  []string{"Pod Security Standards baseline"},
		PSS:         &rule.PSS{Level: "baseline", Check: "seLinuxOptions"},
	},
	container: []string{"securityContext.seLinuxOptions"},
	pod:       []string{"spec.securityContext.seLinuxOptions"},
}
