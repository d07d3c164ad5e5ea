package cluster

import (
	"encoding/json"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// ProbePrefix starts the generated names of verify's probe objects.
const ProbePrefix = "bulwark-verify-"

// probe is an object verify sends as a server-side dry run.
type probe struct {
	what string
	obj  *appsv1.Deployment
}

func (p probe) json() []byte {
	data, _ := json.Marshal(p.obj)
	return data
}

// badProbes are Deployments that a Bulwark policy is expected to block, most
// certain first; verify uses the first one the local policy blocks.
func badProbes(ns string) []probe {
	yes := true
	root := int64(0)
	privileged := goodDeployment(ns)
	privileged.Spec.Template.Spec.Containers[0].SecurityContext.Privileged = &yes
	privileged.Spec.Template.Spec.Containers[0].SecurityContext.AllowPrivilegeEscalation = &yes
	hostPID := goodDeployment(ns)
	hostPID.Spec.Template.Spec.HostPID = true
	asRoot := goodDeployment(ns)
	asRoot.Spec.Template.Spec.SecurityContext.RunAsNonRoot = nil
	asRoot.Spec.Template.Spec.SecurityContext.RunAsUser = &root
	return []probe{{"a privileged Deployment", privileged}, {"a Deployment sharing the host's PID namespace", hostPID},
		{"a Deployment running as root", asRoot}}
}

// goodProbe is a Deployment that holds the restricted Pod Security
// Standard and Bulwark's hygiene checks.
func goodProbe(ns string) probe {
	return probe{"a restricted Deployment", goodDeployment(ns)}
}

func goodDeployment(ns string) *appsv1.Deployment {
	yes, no := true, false
	uid := int64(65532)
	replicas := int32(1)
	labels := map[string]string{"app.kubernetes.io/name": "bulwark-verify-probe"}
	return &appsv1.Deployment{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: metav1.ObjectMeta{GenerateName: ProbePrefix, Namespace: ns, Labels: labels},
		Spec: appsv1.DeploymentSpec{
			Replicas: &replicas,
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{
					AutomountServiceAccountToken: &no,
					SecurityContext: &corev1.PodSecurityContext{RunAsNonRoot: &yes, RunAsUser: &uid, RunAsGroup: &uid,
						SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault}},
					Containers: []corev1.Container{{
						Name:  "probe",
						Image: "registry.k8s.io/pause@sha256:7031c1b283388d2c2e09b57badb803c05ebed362dc88d84b480cc47f72a21097",
						Resources: corev1.ResourceRequirements{
							Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("10m"), corev1.ResourceMemory: resource.MustParse("16Mi")},
							Limits:   corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("10m"), corev1.ResourceMemory: resource.MustParse("16Mi")},
						},
						SecurityContext: &corev1.SecurityContext{AllowPrivilegeEscalation: &no, ReadOnlyRootFilesystem: &yes,
							Capabilities: &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}}},
					}},
				},
			},
		},
	}
}
