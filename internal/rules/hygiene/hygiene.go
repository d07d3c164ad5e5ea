// Package hygiene holds the security-context checks that the Pod Security
// Standards leave out: a writable root filesystem, the root group, service
// account tokens nobody needs, container runtime sockets and writable host
// paths, a shared process namespace, host aliases, and pods that set no
// security context at all.
//
// Every rule judges the pod an object runs (a Pod, a workload's template, a
// CronJob's job template, an Argo Rollout, or any custom resource of that
// shape) as written in the manifest, without the API server's defaults, and
// points at the field to change: the offending field when it is set, the
// field to add when it is missing.
package hygiene

import (
	"github.com/bulwark-dev/bulwark/internal/manifest"
	"github.com/bulwark-dev/bulwark/internal/rule"
)

// Checks lists every hygiene rule in ID order.
func Checks() []rule.ObjectCheck {
	return []rule.ObjectCheck{
		readOnlyRootFilesystem,
		rootGroup,
		automountServiceAccountToken,
		containerRuntimeSocket,
		writableHostPath,
		shareProcessNamespace,
		hostAliases,
		missingSecurityContext,
	}
}

// nsaGuide is the NSA/CISA Kubernetes Hardening Guide, version 1.2.
const nsaGuide = "https://media.defense.gov/2022/Aug/29/2003066362/-1/-1/0/CTR_KUBERNETES_HARDENING_GUIDANCE_1.2_20220829.PDF"

// podOf returns the pod the object runs, or nil when it runs none. An object
// whose pod cannot be decoded is skipped: the engine reports that error.
func podOf(obj *manifest.Object) *manifest.PodTemplate {
	pt, err := obj.PodTemplate()
	if err != nil {
		return nil
	}
	return pt
}
