package rbac

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"
)

// Fixtures are plain Kubernetes manifests. The loader stands in for the
// scanner's manifest layer: it decodes the kinds the graph reads and turns
// pods and pod templates into (namespace, serviceAccountName) pairs. Each
// object's Source is "file#document".

var docSeparator = regexp.MustCompile(`(?m)^---\s*$`)

type podTemplateSpec struct {
	Spec corev1.PodSpec `json:"spec"`
}

type workloadShape struct {
	Spec struct {
		Template    podTemplateSpec `json:"template"`
		JobTemplate struct {
			Spec struct {
				Template podTemplateSpec `json:"template"`
			} `json:"spec"`
		} `json:"jobTemplate"`
	} `json:"spec"`
}

func loadInput(t testing.TB, paths ...string) Input {
	t.Helper()
	var in Input
	for _, path := range paths {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for i, doc := range docSeparator.Split(string(data), -1) {
			if len(bytes.TrimSpace([]byte(doc))) == 0 {
				continue
			}
			src := fmt.Sprintf("%s#%d", filepath.Base(path), i)
			if err := addDoc(&in, []byte(doc), src); err != nil {
				t.Fatalf("%s: %v", src, err)
			}
		}
	}
	return in
}

func addDoc(in *Input, doc []byte, src string) error {
	var head struct {
		metav1.TypeMeta   `json:",inline"`
		metav1.ObjectMeta `json:"metadata"`
	}
	if err := yaml.Unmarshal(doc, &head); err != nil {
		return err
	}
	ns := head.Namespace
	switch head.Kind {
	case "Role":
		var o rbacv1.Role
		err := yaml.UnmarshalStrict(doc, &o)
		in.Roles = append(in.Roles, Sourced[rbacv1.Role]{o, src})
		return err
	case "ClusterRole":
		var o rbacv1.ClusterRole
		err := yaml.UnmarshalStrict(doc, &o)
		in.ClusterRoles = append(in.ClusterRoles, Sourced[rbacv1.ClusterRole]{o, src})
		return err
	case "RoleBinding":
		var o rbacv1.RoleBinding
		err := yaml.UnmarshalStrict(doc, &o)
		in.RoleBindings = append(in.RoleBindings, Sourced[rbacv1.RoleBinding]{o, src})
		return err
	case "ClusterRoleBinding":
		var o rbacv1.ClusterRoleBinding
		err := yaml.UnmarshalStrict(doc, &o)
		in.ClusterRoleBindings = append(in.ClusterRoleBindings, Sourced[rbacv1.ClusterRoleBinding]{o, src})
		return err
	case "ServiceAccount":
		in.ServiceAccounts = append(in.ServiceAccounts, ServiceAccount{Namespace: ns, Name: head.Name, Source: src})
		return nil
	case "Pod":
		var o corev1.Pod
		if err := yaml.Unmarshal(doc, &o); err != nil {
			return err
		}
		in.Workloads = append(in.Workloads, workload(ns, o.Spec, src))
		return nil
	case "Deployment", "DaemonSet", "StatefulSet", "ReplicaSet", "ReplicationController", "Job", "CronJob":
		var o workloadShape
		if err := yaml.Unmarshal(doc, &o); err != nil {
			return err
		}
		spec := o.Spec.Template.Spec
		if head.Kind == "CronJob" {
			spec = o.Spec.JobTemplate.Spec.Template.Spec
		}
		in.Workloads = append(in.Workloads, workload(ns, spec, src))
		return nil
	}
	return fmt.Errorf("fixture kind %q is not supported", head.Kind)
}

func workload(ns string, spec corev1.PodSpec, src string) Workload {
	return Workload{
		Namespace:          ns,
		ServiceAccountName: spec.ServiceAccountName,
		NoAutomount:        spec.AutomountServiceAccountToken != nil && !*spec.AutomountServiceAccountToken,
		Source:             src,
	}
}

// grantString renders a grant for expectations: binding, role, the rule
// and where it was written when it came through aggregation, and the group
// it is held through.
func grantString(g Grant) string {
	s := fmt.Sprintf("%s -> %s rules[%d]", g.Binding, g.Role, g.Rule.Index)
	if g.Aggregated() {
		s = fmt.Sprintf("%s -> %s <- %s rules[%d]", g.Binding, g.Role, g.Rule.Origin, g.Rule.Index)
		for _, r := range g.Rule.Through {
			s += " via " + r.String()
		}
	}
	if g.Via != "" {
		s += " (group " + g.Via + ")"
	}
	return s
}
