package hygiene

import (
	"fmt"
	"reflect"

	"github.com/bulwark-dev/bulwark/internal/manifest"
	"github.com/bulwark-dev/bulwark/internal/rule"
)

// missingSecurityContext checks for containers that run with no security
// context at all: the pod sets no spec.securityContext and the init, regular
// or ephemeral container sets no securityContext. An empty mapping ({}) counts
// as none. One hit per such container, at its securityContext. Allowed: any
// field set at pod level (which then covers every container), or at the
// container's level.
var missingSecurityContext = &rule.ObjectRule{
	Meta: rule.Meta{
		ID: "BW-SC-008", Name: "missing-security-context",
		Title:    "Container runs with no security context",
		Severity: rule.Low, Category: rule.SecurityContext,
		Why: "A container with no security context at pod or container level takes every default: the image's user, often root; privilege escalation allowed; the runtime's default capabilities; a writable root filesystem; and no seccomp profile unless the kubelet sets one. " +
			"None of these was a decision, and the more specific rules report each one, but a missing security context is the plainest sign that nobody has looked at how the workload should run.",
		Remediation: "Add a securityContext to the pod (runAsNonRoot: true, runAsUser and runAsGroup, seccompProfile type: RuntimeDefault) and to each container (allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities drop: [ALL]).",
		References: []string{
			"https://kubernetes.io/docs/tasks/configure-pod-container/security-context/",
			"https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted",
			nsaGuide,
		},
		Frameworks: []string{
			"NSA/CISA Kubernetes Hardening Guide: Kubernetes Pod security",
			"CIS Kubernetes Benchmark 5.7.3",
		},
	},
	Check: func(obj *manifest.Object) []rule.Hit {
		pt := podOf(obj)
		if pt == nil {
			return nil
		}
		if psc := pt.Spec.SecurityContext; psc != nil && !reflect.ValueOf(*psc).IsZero() {
			return nil
		}
		var hits []rule.Hit
		for c := range containers(pt) {
			if sc := c.SecurityContext; sc != nil && !reflect.ValueOf(*sc).IsZero() {
				continue
			}
			hits = append(hits, rule.Hit{
				Path:    c.Path + ".securityContext",
				Message: fmt.Sprintf("container %q has no securityContext, and the pod sets none either", c.Name),
			})
		}
		return hits
	},
}
