package manifest

import (
	"bytes"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// PodTemplate is the pod an object will run, typed, with the field paths
// that lead to it so findings can point into the object.
type PodTemplate struct {
	// MetaPath and SpecPath locate the pod's metadata and spec in the object:
	// "metadata"/"spec" for a Pod, "spec.template.metadata"/"spec.template.spec"
	// for a Deployment, and so on.
	MetaPath, SpecPath string
	Meta               metav1.ObjectMeta
	Spec               corev1.PodSpec
}

// podPaths maps workload kinds to the field path of their pod template. The
// kinds are matched regardless of API group: old groups such as
// extensions/v1beta1 still run pods, and Argo Rollouts use the Deployment shape.
var podPaths = map[string]string{
	"PodTemplate":           "template",
	"Deployment":            "spec.template",
	"StatefulSet":           "spec.template",
	"DaemonSet":             "spec.template",
	"ReplicaSet":            "spec.template",
	"ReplicationController": "spec.template",
	"Job":                   "spec.template",
	"Rollout":               "spec.template",
	"CronJob":               "spec.jobTemplate.spec.template",
}

// notWorkloads are kinds whose bytes mention containers without running any.
var notWorkloads = map[string]bool{
	"CustomResourceDefinition": true, "ConfigMap": true, "Secret": true,
	"ValidatingAdmissionPolicy": true, "MutatingAdmissionPolicy": true,
}

// MayRunPods reports, without parsing, whether the object can hold a pod spec.
func (o *Object) MayRunPods() bool {
	if o.Kind == "Pod" || podPaths[o.Kind] != "" {
		return true
	}
	if notWorkloads[o.Kind] {
		return false
	}
	return containsContainers(o.data)
}

// PodTemplate returns the pod the object runs, or nil when it runs none. It
// covers Pod, PodTemplate, the built-in workloads and CronJob, Argo Rollouts,
// and any custom resource with a spec.template.spec.containers or
// spec.jobTemplate.spec.template shape. The typed decode happens once.
func (o *Object) PodTemplate() (*PodTemplate, error) {
	if o.podDone {
		return o.podTemplate, o.podErr
	}
	o.podDone = true
	if !o.MayRunPods() {
		return nil, nil
	}
	if _, err := o.Root(); err != nil {
		o.podErr = err
		return nil, err
	}
	base := o.templatePath()
	if base == "-" {
		return nil, nil
	}
	pt := &PodTemplate{MetaPath: join(base, "metadata"), SpecPath: join(base, "spec")}
	if o.Node(pt.SpecPath) == nil {
		return nil, nil // e.g. a Rollout with workloadRef
	}
	if n := o.Node(pt.MetaPath); n != nil {
		if err := o.Decode(pt.MetaPath, &pt.Meta); err != nil {
			o.podErr = err
			return nil, err
		}
	}
	if err := o.Decode(pt.SpecPath, &pt.Spec); err != nil {
		o.podErr = err
		return nil, err
	}
	o.podTemplate = pt
	return pt, nil
}

// templatePath returns the path of the object's pod template ("" for a Pod's
// own metadata and spec), or "-" when it has none.
func (o *Object) templatePath() string {
	if o.Kind == "Pod" {
		return ""
	}
	if p := podPaths[o.Kind]; p != "" {
		return p
	}
	for _, p := range []string{"spec.template", "spec.jobTemplate.spec.template"} {
		if o.Node(p+".spec.containers") != nil {
			return p
		}
	}
	return "-"
}

func join(base, field string) string {
	if base == "" {
		return field
	}
	return base + "." + field
}

func containsContainers(data []byte) bool {
	return bytes.Contains(data, []byte("containers"))
}
