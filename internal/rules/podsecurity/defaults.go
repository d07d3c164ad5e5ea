package podsecurity

import (
	corev1 "k8s.io/api/core/v1"
)

// withAPIDefaults returns the pod spec as admission sees it: the API server
// defaults objects before Pod Security admission runs, and two defaults change
// verdicts. A volume with no source becomes an emptyDir (SetDefaults_Volume),
// and a Pod on the host network gets hostPort = containerPort
// (SetDefaults_Pod, Pods only). The input is never modified.
func withAPIDefaults(kind string, spec *corev1.PodSpec) *corev1.PodSpec {
	out := *spec
	for i, v := range spec.Volumes {
		if v.VolumeSource == (corev1.VolumeSource{}) {
			if &out.Volumes[0] == &spec.Volumes[0] {
				out.Volumes = append([]corev1.Volume(nil), spec.Volumes...)
			}
			out.Volumes[i].EmptyDir = &corev1.EmptyDirVolumeSource{}
		}
	}
	if kind == "Pod" && spec.HostNetwork {
		out.InitContainers = hostPortDefaults(spec.InitContainers)
		out.Containers = hostPortDefaults(spec.Containers)
	}
	return &out
}

func hostPortDefaults(cs []corev1.Container) []corev1.Container {
	out := make([]corev1.Container, len(cs))
	copy(out, cs)
	for i := range out {
		if len(out[i].Ports) == 0 {
			continue
		}
		ports := append([]corev1.ContainerPort(nil), out[i].Ports...)
		for j := range ports {
			if ports[j].HostPort == 0 {
				ports[j].HostPort = ports[j].ContainerPort
			}
		}
		out[i].Ports = ports
	}
	return out
}
