package podsecurity

import "github.com/bulwark-dev/bulwark/internal/rule"

// hostProbes mirrors the baseline check "hostProbesAndHostLifecycle": probe or lifecycle hook targets another host.
var hostProbes = &pssRule{
	id: "hostProbesAndHostLifecycle",
	meta: rule.Meta{
		ID: "BW-PS-012", Name: "pss-host-probes", Title: "Probe or lifecycle hook targets another host",
		Severity: rule.Medium, Category: rule.SecurityContext,
		Why:         "A probe or lifecycle handler with a host field makes the kubelet send requests to an arbitrary address from the node's network, a server-side request forgery into places the pod itself cannot reach. The Baseline standard forbids it from v1.34.",
		Remediation: "Remove the host field from httpGet and tcpSocket probes and lifecycle handlers.",
		References:  []string{"https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline", "https://github.com/kubernetes/pod-security-admission/blob/master/policy/check_hostProbesAndhostLifecycle.go"},
		Frameworks:  []string{"Pod Security Standards baseline"},
		PSS:         &rule.PSS{Level: "baseline", Check: "hostProbesAndHostLifecycle"},
	},
	container: []string{"livenessProbe.httpGet.host", "livenessProbe.tcpSocket.host", "readinessProbe.httpGet.host", "readinessProbe.tcpSocket.host", "startupProbe.httpGet.host", "startupProbe.tcpSocket.host", "lifecycle.postStart.httpGet.host", "lifecycle.postStart.tcpSocket.host", "lifecycle.preStop.httpGet.host", "lifecycle.preStop.tcpSocket.host"},
}
