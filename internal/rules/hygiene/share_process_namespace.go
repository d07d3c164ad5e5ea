package hygiene

import (
	"github.com/bulwark-dev/bulwark/internal/manifest"
	"github.com/bulwark-dev/bulwark/internal/rule"
)

// shareProcessNamespace checks spec.shareProcessNamespace: true is reported,
// at the field. Allowed: false or unset. This is the pod's own process
// namespace shared among its containers; hostPID is the Pod Security
// Standards' baseline check.
var shareProcessNamespace = &rule.ObjectRule{
	Meta: rule.Meta{
		ID: "BW-SC-006", Name: "share-process-namespace",
		Title:    "Pod shares one process namespace between its containers",
		Severity: rule.Medium, Category: rule.SecurityContext,
		Why: "With a shared process namespace every container sees every other container's processes. A compromised container, often a sidecar with a larger attack surface, can signal or trace them when its user and capabilities allow, read their command lines, and reach their environment variables and root filesystems through /proc/<pid>/environ and /proc/<pid>/root. " +
			"Secrets that were meant for one container become readable from all of them, and the pause process no longer shields PID 1.",
		Remediation: "Remove spec.shareProcessNamespace or set it to false. For debugging, attach an ephemeral container with kubectl debug --target instead of sharing the namespace permanently.",
		References: []string{
			"https://kubernetes.io/docs/tasks/configure-pod-container/share-process-namespace/",
			nsaGuide,
		},
		Frameworks: []string{
			"NSA/CISA Kubernetes Hardening Guide: Kubernetes Pod security",
			"CIS Kubernetes Benchmark 5.7.3",
		},
	},
	Check: func(obj *manifest.Object) []rule.Hit {
		pt := podOf(obj)
		if pt == nil || pt.Spec.ShareProcessNamespace == nil || !*pt.Spec.ShareProcessNamespace {
			return nil
		}
		return []rule.Hit{{
			Path:    pt.SpecPath + ".shareProcessNamespace",
			Message: "pod sets shareProcessNamespace=true: each container can see the others' processes, environment and files",
		}}
	},
}
