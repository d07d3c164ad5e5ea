package hygiene

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"

	"github.com/bulwark-dev/bulwark/internal/manifest"
	"github.com/bulwark-dev/bulwark/internal/rule"
)

// readOnlyRootFilesystem checks that every init, regular and ephemeral
// container sets securityContext.readOnlyRootFilesystem: true. Unset and
// false are reported, one hit per container. Allowed: true; and any value in
// a pod with spec.os.name: windows, where the API server forbids the field.
var readOnlyRootFilesystem = &rule.ObjectRule{
	Meta: rule.Meta{
		ID: "BW-SC-001", Name: "read-only-root-filesystem",
		Title:    "Container root filesystem is writable",
		Severity: rule.Medium, Category: rule.SecurityContext,
		Why: "A container whose root filesystem is writable lets an attacker who gets code execution change the image at run time: drop tools and implants, replace binaries and libraries the application loads, or edit its configuration, and keep them until the pod is replaced. " +
			"An immutable root filesystem turns these into failed writes and leaves the volumes the application declares as the only places it can write.",
		Remediation: "Set securityContext.readOnlyRootFilesystem: true on the container, and mount an emptyDir volume at each path the application must write to (for example /tmp or a cache directory).",
		References: []string{
			"https://kubernetes.io/docs/tasks/configure-pod-container/security-context/",
			nsaGuide,
		},
		Frameworks: []string{
			"NSA/CISA Kubernetes Hardening Guide: immutable container file systems",
			"CIS Kubernetes Benchmark 5.7.3",
		},
	},
	Check: func(obj *manifest.Object) []rule.Hit {
		pt := podOf(obj)
		if pt == nil || (pt.Spec.OS != nil && pt.Spec.OS.Name == corev1.Windows) {
			return nil
		}
		var hits []rule.Hit
		for c := range containers(pt) {
			sc := c.SecurityContext
			if sc != nil && sc.ReadOnlyRootFilesystem != nil && *sc.ReadOnlyRootFilesystem {
				continue
			}
			msg := fmt.Sprintf("container %q does not set securityContext.readOnlyRootFilesystem=true", c.Name)
			if sc != nil && sc.ReadOnlyRootFilesystem != nil {
				msg = fmt.Sprintf("container %q sets securityContext.readOnlyRootFilesystem=false", c.Name)
			}
			hits = append(hits, rule.Hit{Path: c.Path + ".securityContext.readOnlyRootFilesystem", Message: msg})
		}
		return hits
	},
}
