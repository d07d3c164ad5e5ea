package podsecurity

import "github.com/bulwark-dev/bulwark/internal/rule"

// windowsHostProcess mirrors the baseline check "windowsHostProcess": windows HostProcess container.
var windowsHostProcess = &pssRule{
	id: "windowsHostProcess",
	meta: rule.Meta{
		ID: "BW-PS-011", Name: "pss-windows-host-process", Title: "Windows HostProcess container",
		Severity: rule.Critical, Category: rule.SecurityContext,
		Why:         "A Windows HostProcess container runs directly on the host with the rights of a host user: it has full access to the node. The Baseline standard forbids it.",
		Remediation: "Remove windowsOptions.hostProcess or set it to false.",
		References:  []string{"https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline", "https://github.com/kubernetes/pod-security-admission/blob/master/policy/check_windowsHostProcess.go"},
		Frameworks:  []string{"Pod Security Standards baseline"},
		PSS:         &rule.PSS{Level: "baseline", Check: "windowsHostProcess"},
	},
	container: []string{"securityContext.windowsOptions.hostProcess"},
	pod:       []string{"spec.securityContext.windowsOptions.hostProcess", "spec.hostNetwork"},
}
