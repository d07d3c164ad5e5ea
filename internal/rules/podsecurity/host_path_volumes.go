package podsecurity

import "github.com/bulwark-dev/bulwark/internal/rule"

// hostPathVolumes mirrors the baseline check "hostPathVolumes": pod mounts a hostPath volume.
var hostPathVolumes = &pssRule{
	id: "hostPathVolumes",
	meta: rule.Meta{
		ID: "BW-PS-003", Name: "pss-host-path-volumes", Title: "Pod mounts a hostPath volume",
		Severity: rule.High, Category: rule.SecurityContext,
		Why:         "A hostPath volume exposes the node's file system to the pod: credentials of the kubelet and other pods, the container runtime socket, and, when writable, a way to plant files the host will execute. The Baseline standard forbids hostPath volumes.",
		Remediation: "Use an emptyDir, a ConfigMap, a Secret or a PersistentVolumeClaim instead of a hostPath volume.",
		References:  []string{"https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline", "https://github.com/kubernetes/pod-security-admission/blob/master/policy/check_hostPathVolumes.go"},
		Frameworks:  []string{"Pod Security Standards baseline", "CIS Kubernetes Benchmark 5.2.12"},
		PSS:         &rule.PSS{Level: "baseline", Check: "hostPathVolumes"},
	},
	pod:     []string{"spec.volumes"},
	volumes: true,
}
