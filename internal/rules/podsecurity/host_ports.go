package podsecurity

import "github.com/bulwark-dev/bulwark/internal/rule"

// hostPorts mirrors the baseline check "hostPorts": container binds a host port.
var hostPorts = &pssRule{
	id: "hostPorts",
	meta: rule.Meta{
		ID: "BW-PS-004", Name: "pss-host-ports", Title: "Container binds a host port",
		Severity: rule.Medium, Category: rule.SecurityContext,
		Why:         "A hostPort binds the port on the node's own address, bypassing NetworkPolicy on many CNIs and limiting scheduling; it also exposes the workload on every network the node sits on. The Baseline standard forbids host ports.",
		Remediation: "Remove hostPort from the container's ports and expose the workload through a Service.",
		References:  []string{"https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline", "https://github.com/kubernetes/pod-security-admission/blob/master/policy/check_hostPorts.go"},
		Frameworks:  []string{"Pod Security Standards baseline", "CIS Kubernetes Benchmark 5.2.13"},
		PSS:         &rule.PSS{Level: "baseline", Check: "hostPorts"},
	},
	container: []string{"ports"},
}
