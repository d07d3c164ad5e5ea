package hygiene

import (
	"fmt"
	"iter"

	corev1 "k8s.io/api/core/v1"

	"github.com/bulwark-dev/bulwark/internal/manifest"
)

// container is one container of a pod with the field path that leads to it.
type container struct {
	Path            string // e.g. spec.template.spec.containers[0]
	Name            string
	SecurityContext *corev1.SecurityContext
	Mounts          []corev1.VolumeMount
}

// containers yields the pod's init, regular and ephemeral containers, in
// that order.
func containers(pt *manifest.PodTemplate) iter.Seq[container] {
	return func(yield func(container) bool) {
		at := func(list string, i int) string {
			return fmt.Sprintf("%s.%s[%d]", pt.SpecPath, list, i)
		}
		for i, c := range pt.Spec.InitContainers {
			if !yield(container{at("initContainers", i), c.Name, c.SecurityContext, c.VolumeMounts}) {
				return
			}
		}
		for i, c := range pt.Spec.Containers {
			if !yield(container{at("containers", i), c.Name, c.SecurityContext, c.VolumeMounts}) {
				return
			}
		}
		for i, c := range pt.Spec.EphemeralContainers {
			if !yield(container{at("ephemeralContainers", i), c.Name, c.SecurityContext, c.VolumeMounts}) {
				return
			}
		}
	}
}
