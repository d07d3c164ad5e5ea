package podsecurity

import "github.com/bulwark-dev/bulwark/internal/rule"

// procMount mirrors the baseline check "procMount": container unmasks /proc.
var procMount = &pssRule{
	id: "procMount",
	meta: rule.Meta{
		ID: "BW-PS-008", Name: "pss-proc-mount", Title: "Container unmasks /proc",
		Severity: rule.High, Category: rule.SecurityContext,
		Why:         "The default proc mount masks paths such as /proc/kcore and /proc/sys that expose the kernel. An Unmasked proc mount removes that protection. The Baseline standard requires the Default proc mount, unless the pod runs in a user namespace (v1.35+).",
		Remediation: "Remove securityContext.procMount or set it to Default; use hostUsers: false if the workload truly needs an unmasked /proc.",
		References:  []string{"https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline", "https://github.com/kubernetes/pod-security-admission/blob/master/policy/check_procMount.go"},
		Frameworks:  []string{"Pod Security Standards baseline"},
		PSS:         &rule.PSS{Level: "baseline", Check: "procMount"},
	},
	container: []string{"securityContext.procMount"},
}
