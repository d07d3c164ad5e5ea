package podsecurity

import "github.com/bulwark-dev/bulwark/internal/rule"

// hostNamespaces mirrors the baseline check "hostNamespaces": pod shares the host's network, PID or IPC namespace.
var hostNamespaces = &pssRule{
	id: "hostNamespaces",
	meta: rule.Meta{
		ID: "BW-PS-002", Name: "pss-host-namespaces", Title: "Pod shares the host's network, PID or IPC namespace",
		Severity: rule.High, Category: rule.SecurityContext,
		Why:         "Sharing the host network lets a pod sniff and bind node traffic and reach services that trust localhost; sharing PID or IPC lets it see and signal every process on the node and read shared memory. The Baseline standard forbids hostNetwork, hostPID and hostIPC.",
		Remediation: "Remove hostNetwork, hostPID and hostIPC (or set them to false); expose ports through a Service instead.",
		References:  []string{"https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline", "https://github.com/kubernetes/pod-security-admission/blob/master/policy/check_hostNamespaces.go"},
		Frameworks:  []string{"Pod Security Standards baseline", "CIS Kubernetes Benchmark 5.2.3, 5.2.4, 5.2.5"},
		PSS:         &rule.PSS{Level: "baseline", Check: "hostNamespaces"},
	},
	pod: []string{"spec.hostNetwork", "spec.hostPID", "spec.hostIPC"},
}
