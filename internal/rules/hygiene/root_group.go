package hygiene

import (
	"fmt"

	"github.com/bulwark-dev/bulwark/internal/manifest"
	"github.com/bulwark-dev/bulwark/internal/rule"
)

// rootGroup checks for group ID 0 in the pod's securityContext.runAsGroup,
// fsGroup and supplementalGroups, and in each init, regular and ephemeral
// container's securityContext.runAsGroup. Every offending field is its own
// hit, even where a container overrides the pod's runAsGroup: the pod's value
// still applies to containers that do not. Allowed: any non-zero group, and
// leaving the fields unset (the image's group then applies, which a manifest
// cannot show).
var rootGroup = &rule.ObjectRule{
	Meta: rule.Meta{
		ID: "BW-SC-002", Name: "root-group",
		Title:    "Pod or container runs with the root group",
		Severity: rule.Medium, Category: rule.SecurityContext,
		Why: "runAsNonRoot keeps the user ID off 0 but says nothing about groups. A process whose primary or supplemental group is 0 can use every file, device and socket that is group-owned by root and group-accessible wherever it can reach them: in host paths and shared volumes, and across the node after a breakout (the containerd socket, for one, is mode 0660, owned by root:root). " +
			"An fsGroup of 0 also makes the pod's volumes root-group owned and adds group 0 to every process in the pod.",
		Remediation: "Set securityContext.runAsGroup and fsGroup to a non-zero group ID (for example 10001), remove 0 from supplementalGroups, and build the image so the application's files belong to that group.",
		References: []string{
			"https://kubernetes.io/docs/tasks/configure-pod-container/security-context/#set-the-security-context-for-a-pod",
			nsaGuide,
		},
		Frameworks: []string{
			"NSA/CISA Kubernetes Hardening Guide: non-root containers",
			"CIS Kubernetes Benchmark 5.2.7, 5.7.3",
		},
	},
	Check: func(obj *manifest.Object) []rule.Hit {
		pt := podOf(obj)
		if pt == nil {
			return nil
		}
		var hits []rule.Hit
		add := func(path, msg string) {
			hits = append(hits, rule.Hit{Path: path, Message: msg})
		}
		if psc := pt.Spec.SecurityContext; psc != nil {
			base := pt.SpecPath + ".securityContext"
			if psc.RunAsGroup != nil && *psc.RunAsGroup == 0 {
				add(base+".runAsGroup", "pod sets securityContext.runAsGroup=0 (root group)")
			}
			if psc.FSGroup != nil && *psc.FSGroup == 0 {
				add(base+".fsGroup", "pod sets securityContext.fsGroup=0 (root group)")
			}
			for i, g := range psc.SupplementalGroups {
				if g == 0 {
					add(fmt.Sprintf("%s.supplementalGroups[%d]", base, i), "pod adds group 0 (root) in securityContext.supplementalGroups")
				}
			}
		}
		for c := range containers(pt) {
			if sc := c.SecurityContext; sc != nil && sc.RunAsGroup != nil && *sc.RunAsGroup == 0 {
				add(c.Path+".securityContext.runAsGroup", fmt.Sprintf("container %q sets securityContext.runAsGroup=0 (root group)", c.Name))
			}
		}
		return hits
	},
}
